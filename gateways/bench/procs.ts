/**
 * Child processes of the gateway benchmark: the gateway (`bin/iothub.ts`) and the simulator CLI
 * (`simulator/src/cli.ts`), each bundled once with esbuild and run by plain node, so neither the
 * benchmark process nor a development loader shares their CPU or memory.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BENCH_DIR = join(ROOT, 'gateways/bench');
const BUILTINS = new Set(builtinModules);

/**
 * Workspace packages (`@iothub/*`, TypeScript sources) are bundled; every other package stays
 * external, imported by the absolute path esbuild resolved from the importing file (pnpm keeps each
 * package's dependencies beside it, so a bare name would not resolve from the bundle's directory).
 */
const externalsByPath: Plugin = {
  name: 'externals-by-path',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === 'inner' || args.path.startsWith('@iothub/')) return undefined;
      if (args.path.startsWith('node:') || BUILTINS.has(args.path)) return { path: args.path, external: true };
      const r = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'inner' });
      if (r.errors.length > 0) return { errors: r.errors };
      return { path: r.path, external: true };
    });
  },
};

/**
 * Bundle `entry` (relative to the repository) to `<outDir>/.<name>.bundle.mjs` (default
 * `gateways/bench/`); returns its path. Workspace packages are inlined, others imported by path.
 */
export async function bundle(entry: string, name: string, outDir: string = BENCH_DIR): Promise<string> {
  const outfile = join(outDir, `.${name}.bundle.mjs`);
  await build({
    entryPoints: [join(ROOT, entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    plugins: [externalsByPath],
    outfile,
    logLevel: 'warning',
  });
  return outfile;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Resident set size of a process, bytes (0 when it is gone). */
export function rssBytes(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Poll `probe` every `everyMs` until it returns a value, or return undefined at the deadline. */
export async function poll<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number, everyMs = 250) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) return undefined;
    await sleep(everyMs);
  }
}

/** Output kept from a child (the tail only: 90,000 connections can log a lot at shutdown). */
class Tail {
  text = '';
  push(s: string): void {
    this.text += s;
    if (this.text.length > 256 * 1024) this.text = this.text.slice(-128 * 1024);
  }
}

function waitExit(proc: ChildProcess, timeoutMs: number): Promise<number | null> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(proc.exitCode);
  return new Promise((resolveExit) => {
    const t = setTimeout(() => {
      proc.kill('SIGKILL');
    }, timeoutMs);
    proc.once('exit', (code) => {
      clearTimeout(t);
      resolveExit(code);
    });
  });
}

const children = new Set<ChildProcess>();
/** Kill every child still running (the benchmark's last resort on errors). */
export function killAll(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

function track(proc: ChildProcess): ChildProcess {
  children.add(proc);
  proc.once('exit', () => children.delete(proc));
  return proc;
}

export interface GatewayProcess {
  readonly proc: ChildProcess;
  readonly port: number;
  readonly adminPort: number;
  /** The processes holding connections: the gateway itself, or its workers. */
  workerPids(): number[];
  /** Open device connections as the admin `/health` reports them. */
  connections(): Promise<number>;
  /** A gauge of the admin `/metrics` (summed over workers in cluster mode), or NaN. */
  metric(name: string): Promise<number>;
  output(): string;
  /** SIGTERM, wait for the exit (SIGKILL after 15 s); the exit code. */
  stop(): Promise<number | null>;
}

export async function startGateway(
  bundlePath: string,
  options: { workers: number; env?: Record<string, string> },
): Promise<GatewayProcess> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    JT808_PORT: '0',
    ADMIN_PORT: '0',
    LOG_LEVEL: 'error',
    GATEWAY_WORKERS: String(options.workers),
    ...options.env,
  };
  for (const k of ['REDIS_URL', 'GATE_ID']) delete env[k];
  if (options.env?.KAFKA_BROKERS === undefined) delete env.KAFKA_BROKERS;
  const proc = track(
    spawn(process.execPath, [bundlePath, 'gateway', '--protocol', 'jt808'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const out = new Tail();
  const ready = new Map<number, { pid: number; port: number }>();
  let adminPort = 0;
  let singlePort = 0;
  let buffered = '';
  const onText = (s: string) => {
    out.push(s);
    buffered += s;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const w = /^worker (\d+) pid (\d+) ready \(gate \S+, :(\d+)\)/.exec(line);
      if (w) ready.set(Number(w[1]), { pid: Number(w[2]), port: Number(w[3]) });
      const a = /(?:ready|admin) .*on :(\d+)/.exec(line);
      if (a && !line.startsWith('worker')) adminPort = Number(a[1]);
      const d = /devices on :(\d+)/.exec(line);
      if (d) singlePort = Number(d[1]);
    }
  };
  proc.stdout?.setEncoding('utf8').on('data', onText);
  proc.stderr?.setEncoding('utf8').on('data', onText);
  const cluster = options.workers > 1;
  const up = await poll(() => {
    if (proc.exitCode !== null) throw new Error(`gateway exited ${proc.exitCode}:\n${out.text}`);
    if (adminPort === 0) return undefined;
    if (cluster) return ready.size === options.workers ? true : undefined;
    return singlePort > 0 ? true : undefined;
  }, 60_000);
  if (!up) {
    proc.kill('SIGKILL');
    throw new Error(`gateway did not start:\n${out.text}`);
  }
  const port = cluster ? (ready.get(0)?.port ?? 0) : singlePort;
  return {
    proc,
    port,
    adminPort,
    workerPids: () => (cluster ? [...ready.values()].map((r) => r.pid) : [proc.pid ?? 0]),
    async connections() {
      try {
        const res = await fetch(`http://127.0.0.1:${adminPort}/health`);
        const h = (await res.json()) as { connections?: number; gateways?: { connections: number }[] };
        return h.connections ?? (h.gateways ?? []).reduce((a, g) => a + g.connections, 0);
      } catch {
        return -1;
      }
    },
    async metric(name: string) {
      try {
        const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
        const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
        return m ? Number(m[1]) : Number.NaN;
      } catch {
        return Number.NaN;
      }
    },
    output: () => out.text,
    async stop() {
      proc.kill('SIGTERM');
      return waitExit(proc, 15_000);
    },
  };
}

export interface SimProgress {
  /** `performance.now()` of the benchmark when the line arrived. */
  at: number;
  elapsedS: number;
  online: number;
  sent: number;
  acked: number;
}

export interface SimSummary {
  elapsed: number;
  sent: number;
  acknowledged: number;
  acknowledgedByKind: Record<string, number>;
  errorCount: number;
  errors: Record<string, number>;
  latency: { p50: number | null; p99: number | null; count: number };
}

export interface SimProcess {
  readonly proc: ChildProcess;
  /** Every progress line so far (one per second). */
  readonly progress: SimProgress[];
  latest(): SimProgress | undefined;
  output(): string;
  /** SIGTERM (the simulator drains and prints its summary); the `--json` summary. */
  stop(): Promise<SimSummary | null>;
  /** Wait for the run to end by itself (`--duration`; SIGKILL after `timeoutMs`); the summary. */
  done(timeoutMs: number): Promise<SimSummary | null>;
}

export function startSim(bundlePath: string, args: readonly string[]): SimProcess {
  const proc = track(
    spawn(process.execPath, [bundlePath, ...args, '--json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  const out = new Tail();
  const progress: SimProgress[] = [];
  let stdout = '';
  let errBuf = '';
  proc.stdout?.setEncoding('utf8').on('data', (s: string) => {
    stdout += s;
  });
  proc.stderr?.setEncoding('utf8').on('data', (s: string) => {
    out.push(s);
    errBuf += s;
    const lines = errBuf.split('\n');
    errBuf = lines.pop() ?? '';
    for (const line of lines) {
      const m = /^\[(\d+)s\] online (\d+)\/\d+ sent (\d+) acked (\d+)/.exec(line);
      if (m)
        progress.push({
          at: performance.now(),
          elapsedS: Number(m[1]),
          online: Number(m[2]),
          sent: Number(m[3]),
          acked: Number(m[4]),
        });
    }
  });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const summary = async (): Promise<SimSummary | null> => {
    await exited;
    const line = stdout
      .split('\n')
      .reverse()
      .find((l) => l.startsWith('{'));
    return line ? (JSON.parse(line) as SimSummary) : null;
  };
  return {
    proc,
    progress,
    latest: () => progress[progress.length - 1],
    output: () => `${out.text}\n${stdout}`,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await waitExit(proc, 20_000);
      return summary();
    },
    async done(timeoutMs: number) {
      await waitExit(proc, timeoutMs);
      return summary();
    },
  };
}
