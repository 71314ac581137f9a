import { spawn, spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bin/iothub.ts', ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('iothub CLI', () => {
  it('status lists what is built and what is not', () => {
    const r = cli('status');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/sendInstruct/);
    expect(r.out).toMatch(/Not yet: media/);
    expect(r.out).toMatch(/0x0200/);
  });

  it('start runs both gateways and the admin server, and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bin/iothub.ts', 'start'], {
      cwd: root,
      env: { ...process.env, JT808_PORT: '0', JIMI_PORT: '0', ADMIN_PORT: '0', LOG_LEVEL: 'warn' },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const deadline = Date.now() + 60_000;
    while (!/admin .* on :\d+/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(out).toMatch(/JT\/T 808 +devices on :\d+/);
    expect(out).toMatch(/Jimi\/GT06 +devices on :\d+/);
    const admin = Number(/admin .* on :(\d+)/.exec(out)![1]);
    const health = (await (await fetch(`http://127.0.0.1:${admin}/health`)).json()) as { status: string };
    expect(health.status).toBe('ok');
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('decodes a JT/T 808 wire frame to JSON', () => {
    const r = cli('decode', 'jt808', '7e0002000001391234567800083a7e');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as { ok: boolean; header: { phone: string }; message: { type: string } };
    expect(out.ok).toBe(true);
    expect(out.header.phone).toBe('013912345678');
    expect(out.message.type).toBe('heartbeat');
  });

  it('decodes a Jimi login', () => {
    const r = cli('decode', 'gt06', '78781101075253367890024270003201000512790D0A');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).message.body.imei).toBe('752533678900242');
  });

  it('answers bad input with a clear error and a non-zero exit', () => {
    expect(cli('decode', 'jt808', 'zz').code).toBe(2);
    expect(cli('decode', 'nope', '00').code).toBe(2);
    const partial = cli('decode', 'jt1078', '3031636481e2');
    expect(partial.code).toBe(1);
    expect(partial.err).toMatch(/no complete frame/);
  });
});
