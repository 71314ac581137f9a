import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { connectionLogger, createLogger, logEnabled } from '../src/log.ts';

/** A pino destination collecting parsed JSON lines. */
function sink() {
  const lines: Record<string, unknown>[] = [];
  return {
    lines,
    write(s: string) {
      for (const l of s.split('\n')) if (l !== '') lines.push(JSON.parse(l) as Record<string, unknown>);
    },
  };
}

describe('createLogger', () => {
  it('writes one JSON object per line with service, gateId, pid, ISO time and the level name', () => {
    const out = sink();
    const log = createLogger({ service: 'gateway', gateId: 'gw-1', destination: out });
    log.info({ port: 21100 }, 'listening');
    expect(out.lines).toHaveLength(1);
    const line = out.lines[0] ?? {};
    expect(line).toMatchObject({ level: 'info', service: 'gateway', gateId: 'gw-1', port: 21100, msg: 'listening' });
    expect(line.pid).toBe(process.pid);
    expect(typeof line.time).toBe('string');
    expect(new Date(line.time as string).toISOString()).toBe(line.time);
  });

  it('omits gateId when not given', () => {
    const out = sink();
    createLogger({ service: 'router', destination: out }).warn('x');
    expect(out.lines[0]).not.toHaveProperty('gateId');
    expect(out.lines[0]).toMatchObject({ level: 'warn', service: 'router' });
  });

  it('honours the level (default info)', () => {
    const out = sink();
    const log = createLogger({ service: 's', destination: out });
    log.debug('hidden');
    log.info('shown');
    expect(out.lines.map((l) => l.msg)).toEqual(['shown']);
    expect(logEnabled(log, 'debug')).toBe(false);

    const dbg = sink();
    const d = createLogger({ service: 's', level: 'debug', destination: dbg });
    d.debug('now shown');
    expect(dbg.lines.map((l) => l.msg)).toEqual(['now shown']);
    expect(logEnabled(d, 'debug')).toBe(true);

    const quiet = sink();
    createLogger({ service: 's', level: 'silent', destination: quiet }).fatal('nothing');
    expect(quiet.lines).toEqual([]);
  });

  it('rejects an unknown level', () => {
    expect(() => createLogger({ service: 's', level: 'verbose' })).toThrow(/unknown log level "verbose"/);
  });

  it('connection child loggers carry proto, conn and imei on every line', () => {
    const out = sink();
    const log = createLogger({ service: 'gateway', gateId: 'g', destination: out });
    const conn = connectionLogger(log, { proto: 'jt808', conn: 'c42', remote: '10.0.0.1:5555' });
    conn.info('connected');
    const dev = conn.child({ imei: '860112070347838' });
    dev.warn({ code: 'IOTHUB_ERR_FRAME_CHECKSUM' }, 'bad frame');
    expect(out.lines[0]).toMatchObject({ proto: 'jt808', conn: 'c42', remote: '10.0.0.1:5555', gateId: 'g' });
    expect(out.lines[1]).toMatchObject({
      proto: 'jt808',
      conn: 'c42',
      imei: '860112070347838',
      code: 'IOTHUB_ERR_FRAME_CHECKSUM',
      level: 'warn',
    });
  });

  it('serialises errors and redacts secrets', () => {
    const out = sink();
    const log = createLogger({ service: 's', destination: out });
    log.error({ err: new Error('boom'), token: 'abc', config: { password: 'pw' } }, 'failed');
    const line = out.lines[0] ?? {};
    expect(line.err).toMatchObject({ type: 'Error', message: 'boom' });
    expect(line.token).toBe('<redacted>');
    expect(line.config).toEqual({ password: '<redacted>' });
  });

  it('writes to stdout by default (real child process)', () => {
    const src = fileURLToPath(new URL('../src/log.ts', import.meta.url));
    const code = `import { createLogger } from ${JSON.stringify(src)}; createLogger({ service: 'child' }).info('to stdout');`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(0);
    const line = JSON.parse(r.stdout.trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'info', service: 'child', msg: 'to stdout' });
  });
});
