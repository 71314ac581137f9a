import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bin/iothub.ts', ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('iothub CLI', () => {
  it('start says honestly that no server exists yet', () => {
    const r = cli('start');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/No server is started/);
    expect(r.out).toMatch(/0x0200/);
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
