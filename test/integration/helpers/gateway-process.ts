/**
 * A gateway as its own process, as deployed: `node --import tsx bin/iothub.ts gateway --protocol ...`
 * with the configuration in environment variables. The device port is chosen by the system
 * (`JT808_PORT=0` / `JIMI_PORT=0`) and read from the start-up banner on stdout.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface GatewayProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The device port it listens on. */
  readonly port: number;
  /** Everything it wrote to stderr and stdout (its logs), for failure messages. */
  output(): string;
  /** Resident set size now, bytes (from /proc). */
  rss(): number;
  /** Resolves with the exit code / signal once the process is gone. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
}

export async function spawnGateway(
  protocol: 'jt808' | 'jimi',
  env: Record<string, string>,
  startTimeoutMs = 60_000,
): Promise<GatewayProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/iothub.ts', 'gateway', '--protocol', protocol], {
    cwd: REPO,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      JT808_PORT: '0',
      JIMI_PORT: '0',
      ADMIN_PORT: 'off',
      API_TOKEN: 'integration-test-token',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('gateway process did not start');
  let out = '';
  const keep = (chunk: Buffer) => {
    out += chunk.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gateway did not report its port within ${startTimeoutMs} ms:\n${out}`));
    }, startTimeoutMs);
    const look = () => {
      const m = /devices on :(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout.off('data', look);
        resolve(Number(m[1]));
      }
    };
    child.stdout.on('data', look);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited during start-up (code ${code}, signal ${signal}):\n${out}`));
    });
  });
  return {
    child,
    pid,
    port,
    output: () => out,
    rss: () => {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return m ? Number(m[1]) * 1024 : 0;
    },
    exited,
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

/** SIGTERM (graceful), then SIGKILL if it is still running after `graceMs`. */
export async function stopGateway(g: GatewayProcess, graceMs = 15_000): Promise<void> {
  if (g.child.exitCode !== null || g.child.signalCode !== null) return;
  g.kill('SIGTERM');
  const timer = setTimeout(() => g.kill('SIGKILL'), graceMs);
  await g.exited;
  clearTimeout(timer);
}
