import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/log.ts';
import { onShutdown } from '../src/shutdown.ts';

/** Resolves when `check()` holds; fails after `ms`. */
async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

function setup(handler: (reason: string) => Promise<void> | void, extra: Parameters<typeof onShutdown>[1] = {}) {
  const source = new EventEmitter();
  const exits: number[] = [];
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    service: 't',
    destination: { write: (s: string) => lines.push(JSON.parse(s) as Record<string, unknown>) },
  });
  const handle = onShutdown(handler, { source, exit: (c) => exits.push(c), logger, ...extra });
  return { source, exits, lines, handle };
}

describe('onShutdown', () => {
  it('runs the handler once on SIGTERM, then exits 0', async () => {
    const reasons: string[] = [];
    let release = () => {};
    const { source, exits, handle } = setup(
      (reason) =>
        new Promise<void>((r) => {
          reasons.push(reason);
          release = r;
        }),
      { forceOnSecondSignal: false },
    );
    expect(handle.started).toBe(false);
    source.emit('SIGTERM');
    source.emit('SIGINT');
    expect(handle.started).toBe(true);
    expect(reasons).toEqual(['SIGTERM']);
    expect(exits).toEqual([]);
    release();
    await until(() => exits.length > 0);
    expect(exits).toEqual([0]);
    expect(reasons).toEqual(['SIGTERM']);
  });

  it('listens to SIGINT by default too', async () => {
    const { source, exits } = setup(() => {});
    source.emit('SIGINT');
    await until(() => exits.length > 0);
    expect(exits).toEqual([0]);
  });

  it('a second signal during shutdown exits at once with 1', async () => {
    const { source, exits, lines } = setup(() => new Promise<void>(() => {}), { timeoutMs: 60_000 });
    source.emit('SIGTERM');
    source.emit('SIGINT');
    expect(exits).toEqual([1]);
    expect(lines.some((l) => l.msg === 'second signal during shutdown: exiting now')).toBe(true);
  });

  it('forces exit 1 after the timeout when the handler hangs, with a coded log line', async () => {
    const { source, exits, lines } = setup(() => new Promise<void>(() => {}), { timeoutMs: 30 });
    source.emit('SIGTERM');
    await until(() => exits.length > 0);
    expect(exits).toEqual([1]);
    expect(lines.some((l) => l.code === 'IOTHUB_ERR_SHUTDOWN_TIMEOUT' && l.level === 'error')).toBe(true);
  });

  it('exits 1 when the handler throws or rejects, logging the error', async () => {
    for (const handler of [
      () => {
        throw new Error('sync boom');
      },
      async () => {
        throw new Error('async boom');
      },
    ]) {
      const { source, exits, lines } = setup(handler);
      source.emit('SIGTERM');
      await until(() => exits.length > 0);
      expect(exits).toEqual([1]);
      const line = lines.find((l) => l.code === 'IOTHUB_ERR_SHUTDOWN_FAILED');
      expect(JSON.stringify(line)).toMatch(/(sync|async) boom/);
    }
  });

  it('trigger() starts the shutdown without a signal and returns the same promise', async () => {
    let calls = 0;
    const { exits, handle } = setup(() => {
      calls++;
    });
    const p1 = handle.trigger('fatal error');
    const p2 = handle.trigger('again');
    expect(p1).toBe(p2);
    await p1;
    expect(calls).toBe(1);
    expect(exits).toEqual([0]);
  });

  it('custom signals; dispose() removes the listeners', () => {
    const { source, handle } = setup(() => {}, { signals: ['SIGHUP'] });
    expect(source.listenerCount('SIGHUP')).toBe(1);
    expect(source.listenerCount('SIGTERM')).toBe(0);
    handle.dispose();
    expect(source.listenerCount('SIGHUP')).toBe(0);
  });

  it('handles a real signal delivered to this process (injected exit)', async () => {
    const exits: number[] = [];
    const handle = onShutdown(() => {}, { signals: ['SIGUSR2'], exit: (c) => exits.push(c) });
    try {
      process.kill(process.pid, 'SIGUSR2');
      await until(() => exits.length > 0);
      expect(exits).toEqual([0]);
    } finally {
      handle.dispose();
    }
  });
});

describe('onShutdown in a real process', () => {
  const src = fileURLToPath(new URL('../src/shutdown.ts', import.meta.url));

  function run(handlerBody: string): Promise<{ code: number | null; out: string }> {
    const code = `
      import { onShutdown } from ${JSON.stringify(src)};
      const keepAlive = setInterval(() => {}, 1000);
      onShutdown(async () => { clearInterval(keepAlive); ${handlerBody} }, { timeoutMs: 200 });
      process.stdout.write('ready\\n');`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    return new Promise((resolve, reject) => {
      const guard = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error('child did not exit'));
      }, 30_000);
      child.stdout.on('data', (c: string) => {
        out += c;
        if (out.includes('ready\n') && !out.includes('sent')) {
          out += 'sent\n';
          child.kill('SIGTERM');
        }
      });
      child.on('exit', (exitCode) => {
        clearTimeout(guard);
        resolve({ code: exitCode, out });
      });
    });
  }

  it('SIGTERM runs the handler and exits 0', async () => {
    const r = await run(`process.stdout.write('drained\\n');`);
    expect(r.out).toContain('drained');
    expect(r.code).toBe(0);
  });

  it('a handler that never finishes is cut off after the timeout with exit code 1', async () => {
    const r = await run(`setInterval(() => {}, 1000); await new Promise(() => {});`);
    expect(r.code).toBe(1);
  });
});

describe('onShutdown: a handler stuck on nothing', () => {
  const src = fileURLToPath(new URL('../src/shutdown.ts', import.meta.url));
  it('still exits 1 at the timeout instead of the loop running dry with 0', async () => {
    const code = `
      import { onShutdown } from ${JSON.stringify(src)};
      const h = onShutdown(() => new Promise(() => {}), { timeoutMs: 100 });
      h.trigger('test');`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      stdio: 'ignore',
    });
    const exitCode = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(exitCode).toBe(1);
  });
});
