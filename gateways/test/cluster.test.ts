/**
 * Cluster mode end to end: `iothub gateway --protocol jimi` with GATEWAY_WORKERS=2 as a real child
 * process (ephemeral device and admin ports), simulated devices over real TCP, one worker killed
 * and restarted by the primary, SIGTERM → every worker drains → exit 0.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Fleet } from '@iothub/simulator';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

async function until<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Health {
  connections: number;
  workers: { worker: number; pid: number | null; state: string; gateId: string | null; connections: number }[];
}

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() };
}

/** `iothub gateway --protocol jimi` with 2 workers (embedded bus and route table, ephemeral ports). */
function startCluster(logLevel: string) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GATEWAY_WORKERS: '2',
    JIMI_PORT: '0',
    ADMIN_PORT: '0',
    LOG_LEVEL: logLevel,
  };
  for (const k of ['REDIS_URL', 'KAFKA_BROKERS', 'GATE_ID']) delete env[k];
  const proc = spawn(process.execPath, ['--import', 'tsx', 'bin/iothub.ts', 'gateway', '--protocol', 'jimi'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const state = { proc, out: '' };
  proc.stdout?.setEncoding('utf8').on('data', (s: string) => {
    state.out += s;
  });
  proc.stderr?.setEncoding('utf8').on('data', (s: string) => {
    state.out += s;
  });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return { state, proc, exited };
}

describe('gateway cluster mode (GATEWAY_WORKERS=2)', () => {
  let child: ChildProcess | null = null;
  let fleet: Fleet | null = null;

  afterAll(async () => {
    await fleet?.stop({ drainMs: 0, closeTimeoutMs: 500 });
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('serves devices on every worker, restarts a killed worker, drains on SIGTERM and exits 0', async () => {
    const { state, proc, exited } = startCluster('warn');
    child = proc;
    const readyLines = () => [...state.out.matchAll(/^worker (\d+) pid (\d+) ready \(gate (\S+), :(\d+)\)$/gm)];

    const adminPort = Number(
      await until('the primary status line', () => /ready on :(\d+)/.exec(state.out)?.[1], 60_000).catch(
        (e: unknown) => {
          throw new Error(`${String(e)}\n${state.out}`);
        },
      ),
    );
    await until('two ready workers', () => (readyLines().length >= 2 ? true : undefined), 90_000);
    const first = readyLines();
    const port = Number(first[0]?.[4]);
    expect(first.map((m) => m[4])).toEqual([String(port), String(port)]);
    expect(new Set(first.map((m) => m[3])).size).toBe(2);
    expect(first.every((m) => /-w[01]$/.test(m[3] ?? ''))).toBe(true);
    const admin = `http://127.0.0.1:${adminPort}`;
    expect((await getJson(`${admin}/ready`)).status).toBe(200);

    // Devices on the shared port: the primary hands connections to both workers.
    const devices = 20;
    fleet = new Fleet({
      protocol: 'jimi',
      count: devices,
      host: '127.0.0.1',
      port,
      rate: 1,
      heartbeatSeconds: 5,
      rampMs: 200,
      reconnect: { minDelayMs: 100, maxDelayMs: 1000 },
    });
    fleet.start();
    await fleet.waitOnline(30_000);
    const spread = await until(
      'every connection reported by the workers',
      async () => {
        const h = (await getJson(`${admin}/health`)).body as Health;
        return h.connections === devices ? h : undefined;
      },
      15_000,
    );
    expect(spread.workers.every((w) => w.state === 'ready' && w.connections > 0)).toBe(true);
    await until('acknowledged traffic', () => (fleet!.snapshot().acknowledged > devices ? true : undefined), 15_000);
    const metrics = await (await fetch(`${admin}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`^iothub_gateway_connections\\{[^}]*\\} ${devices}$`, 'm'));

    // Kill worker 0: the primary restarts it (same index and gate id), the devices come back.
    const victim = first.find((m) => m[1] === '0');
    const victimPid = Number(victim?.[2]);
    process.kill(victimPid, 'SIGKILL');
    await until(
      'the restart status line',
      () =>
        state.out.includes(`worker 0 pid ${victimPid} exited (code -, signal SIGKILL): restarting`) ? true : undefined,
      15_000,
    );
    const restarted = await until(
      'worker 0 ready again',
      () => readyLines().find((m) => m[1] === '0' && Number(m[2]) !== victimPid),
      90_000,
    );
    expect(restarted[3]).toBe(victim?.[3]);
    await until(
      'every device back online on the cluster',
      async () => {
        const h = (await getJson(`${admin}/health`)).body as Health;
        return h.connections === devices && fleet!.snapshot().states.online === devices ? true : undefined;
      },
      30_000,
    );

    // SIGTERM: workers drain, the primary exits 0.
    await fleet.stop({ drainMs: 0, closeTimeoutMs: 500 });
    fleet = null;
    proc.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000))]);
    expect(code, state.out).toBe(0);
    expect(state.out).toMatch(/stopped \(exit 0\)/);
  });
});

describe('gateway cluster mode: crash loops', () => {
  let child: ChildProcess | null = null;
  afterAll(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('a slot killed 5 times within the window is given up (/health degraded); all given up → exit 1', async () => {
    const { state, proc, exited } = startCluster('fatal');
    child = proc;
    const adminPort = Number(
      await until('the primary status line', () => /ready on :(\d+)/.exec(state.out)?.[1], 60_000),
    );
    const admin = `http://127.0.0.1:${adminPort}`;
    const health = async () =>
      (await getJson(`${admin}/health`)) as { status: number; body: Health & { status: string } };

    // Kill every process the slot runs, as soon as it has a pid, until the primary gives up on it.
    const killed = new Set<number>();
    const crashLoop = async (index: number) =>
      until(
        `slot ${index} given up`,
        async () => {
          if (new RegExp(`worker ${index} pid \\d+ exited [^\\n]*giving up`).test(state.out)) return true;
          if (proc.exitCode !== null) return true;
          const w = (await health()).body.workers.find((x) => x.worker === index);
          if (w?.pid && !killed.has(w.pid) && (w.state === 'starting' || w.state === 'ready')) {
            killed.add(w.pid);
            try {
              process.kill(w.pid, 'SIGKILL');
            } catch {
              // already gone
            }
          }
          return undefined;
        },
        90_000,
      );

    await crashLoop(0);
    await until(
      'worker 1 ready',
      async () => ((await health()).body.workers[1]?.state === 'ready' ? true : undefined),
      60_000,
    );
    const degraded = await health();
    expect(degraded.body.status).toBe('degraded');
    expect(degraded.body.workers[0]?.state).toBe('given-up');
    expect(state.out).toMatch(/worker 0 pid \d+ exited \(code -, signal SIGKILL\): giving up after 5 crashes/);

    await crashLoop(1);
    const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 20_000))]);
    expect(code, state.out).toBe(1);
  });
});
