/**
 * Connections that send random bytes: each of `count` slots keeps one connection open, writes
 * `chunkBytes` random bytes every `everyMs`, and — when the server closes it — counts the close and
 * connects again, until `stop()`. The client never closes a connection itself while running, so
 * every close seen is the server's doing (or a socket error, counted apart).
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

export interface GarbageOptions {
  host: string;
  port: number;
  count: number;
  chunkBytes: number;
  everyMs: number;
  /** Local source addresses, used round-robin (spread over 127.0.0.1–127.0.0.8). */
  sourceAddresses?: readonly string[];
  /** Spread the first connections over this many ms (default 2,000: no SYN storm on the listen backlog). */
  rampMs?: number;
  /** A byte value never sent (replaced by its successor), e.g. a protocol's frame delimiter. */
  excludeByte?: number;
}

export interface GarbageClients {
  /** Closes by the server, by slot. */
  readonly closedByServer: number[];
  /** Connections established. */
  readonly connects: () => number;
  readonly errors: () => number;
  readonly bytesSent: () => number;
  /** Stop writing and reconnecting; destroy the open connections. */
  stop(): Promise<void>;
}

export function startGarbageClients(o: GarbageOptions): GarbageClients {
  // one pool of random bytes, sliced at random offsets: cheap, and still not a frame stream
  const pool = randomBytes(1 << 20);
  if (o.excludeByte !== undefined) {
    for (let i = 0; i < pool.length; i++) if (pool[i] === o.excludeByte) pool[i] = (o.excludeByte + 1) & 0xff;
  }
  const closedByServer = new Array<number>(o.count).fill(0);
  const open = new Set<net.Socket>();
  let stopping = false;
  let connects = 0;
  let errors = 0;
  let bytes = 0;

  const slot = (i: number) => {
    if (stopping) return;
    const local = o.sourceAddresses?.[i % o.sourceAddresses.length];
    const s = local
      ? net.connect({ host: o.host, port: o.port, localAddress: local })
      : net.connect({ host: o.host, port: o.port });
    open.add(s);
    let timer: NodeJS.Timeout | undefined;
    let connected = false;
    s.on('connect', () => {
      connected = true;
      connects++;
      timer = setInterval(() => {
        if (s.destroyed || !s.writable) return;
        const at = Math.floor(Math.random() * (pool.length - o.chunkBytes));
        s.write(pool.subarray(at, at + o.chunkBytes));
        bytes += o.chunkBytes;
      }, o.everyMs);
    });
    s.on('data', () => {});
    s.on('error', () => {
      errors++;
    });
    s.on('close', () => {
      clearInterval(timer);
      open.delete(s);
      if (stopping) return;
      if (connected) closedByServer[i] = (closedByServer[i] ?? 0) + 1;
      setTimeout(() => slot(i), 50);
    });
  };
  const ramp = o.rampMs ?? 2_000;
  for (let i = 0; i < o.count; i++) setTimeout(() => slot(i), Math.floor((i * ramp) / o.count));

  return {
    closedByServer,
    connects: () => connects,
    errors: () => errors,
    bytesSent: () => bytes,
    async stop() {
      stopping = true;
      await Promise.all(
        [...open].map(
          (s) =>
            new Promise<void>((resolve) => {
              s.once('close', () => resolve());
              s.destroy();
            }),
        ),
      );
    },
  };
}

/** The same clients in a child process (garbage-main.ts); `stop()` resolves with their final counts. */
export interface ForkedGarbage {
  stop(): Promise<{ connects: number; errors: number; bytesSent: number; closedByServer: number[] }>;
  kill(): void;
}

export async function forkGarbageClients(o: GarbageOptions): Promise<ForkedGarbage> {
  const script = fileURLToPath(new URL('./garbage-main.ts', import.meta.url));
  const child = fork(script, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, IOTHUB_IT_GARBAGE: JSON.stringify(o) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('garbage clients did not start within 30 s')), 30_000);
    child.once('message', () => {
      clearTimeout(t);
      resolve();
    });
    child.once('exit', (code) => reject(new Error(`garbage clients exited with ${code}`)));
  });
  return {
    stop: () =>
      new Promise((resolve, reject) => {
        const t = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error('garbage clients did not stop within 30 s'));
        }, 30_000);
        child.on('message', (m: unknown) => {
          const msg = m as { type?: string; report?: Awaited<ReturnType<ForkedGarbage['stop']>> };
          if (msg.type === 'report' && msg.report) {
            clearTimeout(t);
            resolve(msg.report);
          }
        });
        child.send('stop');
      }),
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
