import { ConfigError, loadConfig } from '@iothub/core';
import { describe, expect, it } from 'vitest';
import { CircuitBreaker, judge, parseEvent } from '../src/index.ts';
import { jimiTime } from '../src/jimi/index.ts';
import { timezoneLabel } from '../src/jimi/pushevent.ts';

describe('judge (success rule)', () => {
  it('Jimi profile: 2xx and {"code":0} only', () => {
    expect(judge(200, '{"code":0,"msg":"success"}', true)).toEqual({ ok: true, status: 200 });
    expect(judge(200, '{"code":"0"}', true).ok).toBe(true);
    expect(judge(200, '{"code":1,"msg":"no"}', true)).toMatchObject({ ok: false, code: 'IOTHUB_ERR_PUSH_REJECTED' });
    expect(judge(200, 'OK', true)).toMatchObject({ ok: false, code: 'IOTHUB_ERR_PUSH_BAD_RESPONSE' });
    expect(judge(200, '', true)).toMatchObject({ ok: false, code: 'IOTHUB_ERR_PUSH_BAD_RESPONSE' });
    expect(judge(500, '{"code":0}', true)).toMatchObject({
      ok: false,
      code: 'IOTHUB_ERR_PUSH_HTTP_STATUS',
      status: 500,
    });
    expect(judge(302, '', true)).toMatchObject({ ok: false, code: 'IOTHUB_ERR_PUSH_HTTP_STATUS' });
  });
  it('JSON profile: any 2xx unless the body says code ≠ 0', () => {
    expect(judge(204, '', false).ok).toBe(true);
    expect(judge(200, 'fine', false).ok).toBe(true);
    expect(judge(200, '{"code":2}', false)).toMatchObject({ ok: false, code: 'IOTHUB_ERR_PUSH_REJECTED' });
  });
});

describe('CircuitBreaker', () => {
  const reason = { code: 'IOTHUB_ERR_PUSH_NETWORK', detail: 'x' };
  it('opens after the threshold, lets one probe through after the period, closes on success', () => {
    const states: string[] = [];
    const b = new CircuitBreaker({ threshold: 3, openMs: 100, maxOpenMs: 1000, onChange: (s) => states.push(s) });
    for (let i = 0; i < 3; i++) {
      expect(b.tryAcquire(0)).toEqual({ go: true, probe: false });
      b.failure(false, reason, 0);
    }
    expect(b.state).toBe('open');
    expect(b.tryAcquire(50)).toEqual({ go: false, until: 100 });
    expect(b.tryAcquire(100)).toEqual({ go: true, probe: true });
    expect(b.tryAcquire(100)).toEqual({ go: false, until: null }); // only one probe
    b.failure(true, reason, 100); // probe failed: open twice as long
    expect(b.tryAcquire(250)).toEqual({ go: false, until: 300 });
    expect(b.tryAcquire(300)).toEqual({ go: true, probe: true });
    b.success(true);
    expect(b.state).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
    expect(b.lastFailure).toEqual(reason);
  });
  it('caps the open period and wakes waiters on state change', () => {
    const b = new CircuitBreaker({ threshold: 1, openMs: 400, maxOpenMs: 500 });
    let woken = 0;
    b.onNextChange(() => woken++);
    b.failure(false, reason, 0);
    expect(woken).toBe(1);
    b.tryAcquire(400);
    b.failure(true, reason, 400);
    expect(b.tryAcquire(401)).toEqual({ go: false, until: 900 });
    b.tryAcquire(900);
    b.release(true); // an abandoned probe lets the next caller probe
    expect(b.tryAcquire(900)).toEqual({ go: true, probe: true });
  });
});

describe('parseEvent', () => {
  it('refuses what is not a v1 uplink event', () => {
    expect(() => parseEvent(Buffer.from('{'))).toThrow();
    expect(() => parseEvent(Buffer.from('[]'))).toThrow('not a JSON object');
    expect(() => parseEvent(Buffer.from('{"v":2}'))).toThrow('version');
    expect(() => parseEvent(Buffer.from('{"v":1,"kind":"x"}'))).toThrow('kind');
    const ok = { v: 1, kind: 'location', deviceImei: '1', receivedAt: '2026-01-01T00:00:00Z', data: {} };
    expect(parseEvent(Buffer.from(JSON.stringify(ok))).kind).toBe('location');
    expect(() => parseEvent(Buffer.from(JSON.stringify({ ...ok, data: null })))).toThrow('data');
  });
});

describe('time formats', () => {
  it('UTC yyyy-MM-dd HH:mm:ss and GMT±hh:mm', () => {
    expect(jimiTime('2024-05-01T08:00:00.123Z')).toBe('2024-05-01 08:00:00');
    expect(jimiTime('nope')).toBeNull();
    expect(timezoneLabel(480)).toBe('GMT+08:00');
    expect(timezoneLabel(-210)).toBe('GMT-03:30');
    expect(timezoneLabel(undefined)).toBe('GMT+00:00');
  });
});

describe('dispatch configuration', () => {
  it('defaults', () => {
    const c = loadConfig({});
    expect(c.dispatch).toEqual({
      batchSize: 50,
      concurrency: 16,
      retryBudgetMs: 3_600_000,
      backoffMinMs: 500,
      backoffMaxMs: 60_000,
      breakerFailures: 5,
      breakerOpenMs: 2_000,
      requestTimeoutMs: 10_000,
      profile: 'jimi',
      hmacSecret: null,
      groupId: 'iothub-dispatch',
      adminPort: 10066,
    });
  });
  it('reads and validates every variable, secrets redacted', () => {
    const c = loadConfig({
      PUSH_BATCH_SIZE: '20',
      PUSH_PROFILE: 'JSON',
      PUSH_HMAC_SECRET: 'k',
      DISPATCH_ADMIN_PORT: 'off',
      PUSH_RETRY_BUDGET_MS: '0',
    });
    expect(c.dispatch).toMatchObject({
      batchSize: 20,
      profile: 'json',
      hmacSecret: 'k',
      adminPort: null,
      retryBudgetMs: 0,
    });
    try {
      loadConfig({
        PUSH_BATCH_SIZE: '0',
        PUSH_PROFILE: 'xml',
        PUSH_BACKOFF_MIN_MS: '5000',
        PUSH_BACKOFF_MAX_MS: '100',
        PUSH_HMAC_SECRET: 'a\u0001b',
      });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const vars = (err as ConfigError).issues.map((i) => i.variable);
      expect(vars).toEqual(
        expect.arrayContaining(['PUSH_BATCH_SIZE', 'PUSH_PROFILE', 'PUSH_BACKOFF_MAX_MS', 'PUSH_HMAC_SECRET']),
      );
      expect((err as ConfigError).message).not.toContain('a\u0001b');
    }
  });
});
