/**
 * Offline command → result pushed to a real HTTP receiver: the instruction API stores the command,
 * the device logs in (simulator over TCP), the command is delivered, the API publishes the
 * `instruct-result` event (msgType 2) and the push dispatcher (`dispatch/`, issue #5) posts it to
 * OFFLINE_CMD_PUSH_URL; an asynchronous sendInstruct (msgType 1) goes to PUSH_URL/pushInstructResponse.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startDispatchApp } from '@iothub/dispatch';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { device, instruct, memoryShared, portOf, startApi, startGateways, testConfig, waitFor } from './helpers.ts';

interface Received {
  path: string;
  form: URLSearchParams;
}

const received: Received[] = [];
let receiver: http.Server;
let base = '';

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
    });
    req.on('end', () => {
      received.push({ path: req.url ?? '', form: new URLSearchParams(body) });
      res.setHeader('content-type', 'application/json');
      res.end('{"code":0,"msg":"success"}');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((r) => receiver.close(() => r()));
});

/** The Jimi envelope(s) of a push: `data_list` (documented) or the single object (observed). */
function envelopes(r: Received): { code: number; data: Record<string, unknown> }[] {
  const list = r.form.get('data_list');
  if (list !== null) return JSON.parse(list) as { code: number; data: Record<string, unknown> }[];
  return [JSON.parse(r.form.get('data') ?? '{}') as { code: number; data: Record<string, unknown> }];
}

describe('instruct results through the push dispatcher to a real HTTP receiver', () => {
  it('offline command result → OFFLINE_CMD_PUSH_URL (msgType 2); async reply → /pushInstructResponse (msgType 1)', async () => {
    const shared = memoryShared();
    const gw = await startGateways(shared);
    const api = await startApi(shared);
    const cfg = testConfig({
      PUSH_URL: `${base}/push`,
      PUSH_TOKEN: 'push-token',
      OFFLINE_CMD_PUSH_URL: `${base}/offline`,
      OFFLINE_CMD_PUSH_TOKEN: 'offline-token',
      PUSH_BACKOFF_MIN_MS: '10',
    });
    const push = await startDispatchApp(cfg, {
      bus: shared.bus,
      registry: new Registry(),
      logger: pino({ level: 'silent' }),
      adminPort: null,
    });
    const index = 900_000 + Math.floor(Math.random() * 50_000);
    try {
      // learn the identity, go offline, store a command
      const d0 = await device('jimi', portOf(gw, 'jimi'), { index });
      const imei = d0.deviceId;
      await d0.stop({ drainMs: 0 });
      await waitFor(async () => (await shared.routes.get(imei)) === null, 'offline');
      const stored = await instruct(api.port, {
        imei,
        cmdContent: 'PUSHED#',
        proNo: 128,
        offlineFlag: true,
        serverFlagId: 5,
      });
      expect(stored.data._code).toBe('300');

      const d1 = await device('jimi', portOf(gw, 'jimi'), { index });
      const offline = await waitFor(() => received.find((r) => r.path === '/offline'), 'offline push', 20_000);
      expect(offline.form.get('msgType')).toBe('2');
      expect(offline.form.get('token')).toBe('offline-token');
      expect(envelopes(offline)[0]).toMatchObject({
        code: 0,
        data: { _code: '100', _imei: imei, _content: 'OK! PUSHED#', _serverFlagId: 5 },
      });

      const accepted = await instruct(api.port, {
        imei,
        cmdContent: 'ASYNC#',
        proNo: 128,
        sync: false,
        serverFlagId: 6,
      });
      expect(accepted.data._code).toBe('100');
      const async = await waitFor(
        () => received.find((r) => r.path === '/push/pushInstructResponse'),
        'async push',
        20_000,
      );
      expect(async.form.get('msgType')).toBe('1');
      expect(envelopes(async)[0]).toMatchObject({ data: { _code: '100', _content: 'OK! ASYNC#', _serverFlagId: 6 } });
      await d1.stop({ drainMs: 0 });
    } finally {
      await push.close();
      await api.close();
      await gw.close();
    }
  });
});
