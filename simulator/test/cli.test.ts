import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { AckServer } from './helpers/ack-server.ts';

const require = createRequire(import.meta.url);
const TSX = require.resolve('tsx/cli');
const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the CLI in a child process (bounded: killed after `timeoutMs`). */
function runCli(args: string[], timeoutMs = 30_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TSX, CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI did not exit within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A port nobody listens on (bound, then released). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const a = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  if (a === null || typeof a === 'string') throw new Error('no port');
  return a.port;
}

const servers: AckServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('pnpm sim (CLI)', () => {
  it('runs a few devices for 2 s against a server and prints progress and the summary', async () => {
    const server = new AckServer({ protocol: 'jt808' });
    const port = await server.listen();
    servers.push(server);
    const run = await runCli([
      '--',
      '--protocol',
      'jt808-2019',
      '--devices',
      '3',
      '--port',
      String(port),
      '--rate',
      '5',
      '--duration',
      '2',
      '--heartbeat',
      '1',
      '--alarm-every',
      '3',
      '--source-addresses',
      '127.0.0.1-127.0.0.2',
      '--json',
    ]);
    expect(run.stderr).toMatch(/\[1s\] online \d\/3 sent \d+ acked \d+/);
    expect(run.stdout).toContain('summary jt808-2019');
    expect(run.stdout).toMatch(/ack latency\s+p50 [\d.]+ ms, p90 [\d.]+ ms, p99 [\d.]+ ms/);
    expect(run.stdout).toMatch(/errors\s+0/);
    const json = JSON.parse(run.stdout.trim().split('\n').pop()!) as {
      acknowledged: number;
      unacknowledged: number;
      sentByKind: Record<string, number>;
      devices: number;
    };
    expect(json.devices).toBe(3);
    expect(json.acknowledged).toBeGreaterThan(10);
    expect(json.unacknowledged).toBe(0);
    expect(json.sentByKind['alarm']).toBeGreaterThan(0);
    expect(json.sentByKind['heartbeat']).toBeGreaterThan(0);
    expect(run.code).toBe(0);
    expect(new Set(server.remoteAddresses)).toEqual(new Set(['127.0.0.1', '127.0.0.2']));
  });

  it('exits 1 when nothing was acknowledged (no server)', async () => {
    const port = await freePort();
    const run = await runCli(['--protocol', 'jimi', '--port', String(port), '--duration', '1']);
    expect(run.stdout).toContain('summary jimi');
    expect(run.stdout).toMatch(/IOTHUB_ERR_SIM_CONNECT=\d+/);
    expect(run.code).toBe(1);
  });

  it('rejects bad arguments with a clear message and exit code 2', async () => {
    const run = await runCli(['--protocol', 'jt808-2013', '--devices', 'many']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--devices "many" is not a number');
    expect(run.stderr).toContain('Usage: pnpm sim');
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--source-addresses');
  });
});
