import { MemoryBus, partitionForKey } from '@iothub/core';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Dispatcher } from '../src/index.ts';
import { dispatcher, dispatcherOptions, dlqMessages, location, makeEvent, publishEvents } from './helpers.ts';
import { Receiver, verifySignature, waitFor } from './receiver.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function setup(over: Parameters<typeof dispatcher>[2] = {}, bus = new MemoryBus({ partitions: 4 })) {
  const receiver = await new Receiver().listen();
  const d = dispatcher(bus, `${receiver.url}/jimi-iot`, over);
  cleanup.push(() => receiver.close());
  cleanup.push(() => d.close());
  await d.start();
  return { bus, receiver, d };
}

describe('Dispatcher (MemoryBus, real HTTP receiver)', () => {
  it('posts form-encoded token + data_list to PUSH_URL + endpoint, batches ≤ batchSize, commits after delivery', async () => {
    const { bus, receiver } = await setup({ batchSize: 10, concurrency: 2 });
    const events = Array.from({ length: 95 }, (_, i) => location('860000000000001', i));
    await publishEvents(bus, 'iothub', events);
    await waitFor(() => receiver.acceptedRecords().length >= 95, 20_000, '95 records');
    for (const r of receiver.requests) {
      expect(r.path).toBe('/jimi-iot/pushgps');
      expect(r.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(r.form.token).toBe('tok-123');
      expect(r.records.length).toBeLessThanOrEqual(10);
    }
    expect(receiver.requests.length).toBeGreaterThanOrEqual(10);
    expect(receiver.connections).toBeLessThanOrEqual(2); // keep-alive: at most one connection per request in flight
    // one device = one lane: the records arrive in order
    expect(receiver.acceptedRecords().map((r) => r.gpsTime)).toEqual(
      events.map((e) => `2026-05-01 08:00:${String(e.serial! % 60).padStart(2, '0')}`),
    );
    await waitFor(
      () => {
        let total = 0n;
        for (let p = 0; p < 4; p++) total += bus.committedOffset('dispatch-test', 'iothub.location', p) ?? 0n;
        return total === 95n;
      },
      5_000,
      'offsets committed',
    );
  });

  it('keeps per-device order across retries while the receiver fails one request in two', async () => {
    const { bus, receiver } = await setup({ concurrency: 4, batchSize: 7, breakerFailures: 1000 });
    receiver.decide = (_r, n) => (n % 2 === 0 ? 'status500' : 'ok');
    const devices = Array.from({ length: 12 }, (_, i) => `86000000000${String(i).padStart(4, '0')}`);
    const events = [];
    for (let n = 0; n < 40; n++) for (const d of devices) events.push(location(d, n));
    await publishEvents(bus, 'iothub', events);
    await waitFor(
      () => new Set(receiver.acceptedRecords().map((r) => `${r.deviceImei}/${r.gpsTime}`)).size >= 480,
      30_000,
      'all accepted',
    );
    const seen = new Map<string, string[]>();
    for (const r of receiver.acceptedRecords()) {
      const l = seen.get(r.deviceImei as string) ?? [];
      l.push(r.gpsTime as string);
      seen.set(r.deviceImei as string, l);
    }
    for (const d of devices) {
      const got = seen.get(d) ?? [];
      expect(got).toEqual([...got].sort()); // gpsTime seconds grow with n (n < 60)
      expect(new Set(got).size).toBe(40);
    }
    expect(dlqMessages(bus)).toHaveLength(0);
  });

  it.each([
    ['status500', 'IOTHUB_ERR_PUSH_HTTP_STATUS'],
    ['code1', 'IOTHUB_ERR_PUSH_REJECTED'],
    ['garbage', 'IOTHUB_ERR_PUSH_BAD_RESPONSE'],
    ['hang', 'IOTHUB_ERR_PUSH_TIMEOUT'],
    ['drop', 'IOTHUB_ERR_PUSH_NETWORK'],
  ] as const)('receiver answering %s: retried, then dead-lettered with %s', async (mode, code) => {
    const { bus, receiver, d } = await setup({ retryBudgetMs: 300, requestTimeoutMs: 200, breakerFailures: 1000 });
    receiver.mode = mode;
    await publishEvents(bus, 'iothub', [location('860000000000009', 1), location('860000000000009', 2)]);
    await waitFor(() => dlqMessages(bus).length >= 2, 20_000, 'dead letters');
    const dlq = dlqMessages(bus);
    expect(dlq.map((m) => m.reason)).toEqual([code, code]);
    expect(dlq[0]?.endpoint).toBe('pushgps');
    expect((dlq[0]?.attempts as number) >= 2).toBe(true); // retried before giving up
    expect((dlq[0]?.event as { id: string } | undefined)?.id).toBe('860000000000009:1');
    expect(receiver.requests.length).toBeGreaterThanOrEqual(2);
    expect(d.health().deadLetteredRecords).toBe(2);
    await waitFor(
      () =>
        (bus.committedOffset('dispatch-test', 'iothub.location', bus.messages('iothub.location')[0]!.partition) ??
          0n) === 2n,
      5_000,
      'commit after dead-letter',
    );
  });

  it('opens the circuit breaker while the receiver is down and resumes by itself', async () => {
    const { bus, receiver, d } = await setup({
      breakerFailures: 3,
      breakerOpenMs: 30,
      backoffMaxMs: 100,
      concurrency: 8,
    });
    receiver.mode = 'status500';
    const events = Array.from({ length: 200 }, (_, i) =>
      location(`8600000001${String(i % 20).padStart(5, '0')}`, Math.floor(i / 20)),
    );
    await publishEvents(bus, 'iothub', events);
    await waitFor(() => d.health().breakers.push !== 'closed', 10_000, 'breaker open');
    expect(d.health().status).toBe('degraded');
    receiver.mode = 'ok';
    await waitFor(
      () => new Set(receiver.acceptedRecords().map((r) => `${r.deviceImei}/${r.gpsTime}`)).size === 200,
      20_000,
      'all delivered',
    );
    expect(d.health().breakers.push).toBe('closed');
    expect(dlqMessages(bus)).toHaveLength(0);
  });

  it('dead-letters a bus record that is not an event (and a bad value), delivering the rest', async () => {
    const { bus, receiver } = await setup();
    await bus.publish([
      { topic: 'iothub.location', key: '860000000000077', value: Buffer.from('{not json') },
      {
        topic: 'iothub.location',
        key: '860000000000077',
        value: Buffer.from(JSON.stringify({ v: 1, kind: 'location' })),
      },
    ]);
    await publishEvents(bus, 'iothub', [
      makeEvent('location', '860000000000077', { speed: 1 }), // no latitude: mapping error
      location('860000000000077', 1),
    ]);
    await waitFor(() => receiver.acceptedRecords().length === 1 && dlqMessages(bus).length === 3, 10_000, 'outcome');
    expect(dlqMessages(bus).map((m) => m.reason)).toEqual([
      'IOTHUB_ERR_PUSH_BAD_EVENT',
      'IOTHUB_ERR_PUSH_BAD_EVENT',
      'IOTHUB_ERR_PUSH_MAPPING',
    ]);
  });

  it('random bytes on the bus: every record dead-lettered with IOTHUB_ERR_PUSH_BAD_EVENT, offsets committed', async () => {
    const { bus } = await setup();
    const values = fc.sample(fc.uint8Array({ maxLength: 200 }), { numRuns: 200, seed: 5 });
    await bus.publish(values.map((v, i) => ({ topic: 'iothub.location', key: `dev${i % 7}`, value: Buffer.from(v) })));
    await waitFor(() => dlqMessages(bus).length === 200, 10_000, '200 dead letters');
    expect(new Set(dlqMessages(bus).map((m) => m.reason))).toEqual(new Set(['IOTHUB_ERR_PUSH_BAD_EVENT']));
    await waitFor(
      () => {
        let total = 0n;
        for (let p = 0; p < 4; p++) total += bus.committedOffset('dispatch-test', 'iothub.location', p) ?? 0n;
        return total === 200n;
      },
      5_000,
      'offsets committed',
    );
  });

  it('signs the body with HMAC-SHA256 when a secret is set (receiver verification succeeds, tampering fails)', async () => {
    const { bus, receiver } = await setup({ hmacSecret: 's3cret' });
    await publishEvents(bus, 'iothub', [location('860000000000005', 1)]);
    await waitFor(() => receiver.accepted.length === 1);
    const r = receiver.accepted[0]!;
    expect(verifySignature('s3cret', r.headers, r.body)).toBe(true);
    expect(verifySignature('s3cret', r.headers, `${r.body}x`)).toBe(false);
    expect(verifySignature('other', r.headers, r.body)).toBe(false);
  });

  it('JSON profile: posts the normalized events to PUSH_URL/events with a bearer token', async () => {
    const { bus, receiver } = await setup({ profile: 'json' });
    const e = [location('860000000000006', 1), makeEvent('register', '860000000000006', { plate: 'X' })];
    await publishEvents(bus, 'iothub', e);
    await waitFor(() => receiver.acceptedRecords().length === 2);
    expect(receiver.accepted.every((r) => r.path === '/jimi-iot/events')).toBe(true);
    expect(receiver.accepted[0]?.headers.authorization).toBe('Bearer tok-123');
    expect(
      receiver
        .acceptedRecords()
        .map((r) => r.id)
        .sort(),
    ).toEqual(e.map((x) => x.id).sort());
  });

  it('instruct-result: msgType 1 → /pushInstructResponse, msgType 2 → OFFLINE_CMD_PUSH_URL with its token', async () => {
    const offline = await new Receiver().listen();
    cleanup.push(() => offline.close());
    const { bus, receiver } = await setup({
      offlineCmdPushUrl: `${offline.url}/offline/reply`,
      offlineCmdPushToken: 'off-tok',
    });
    const response = {
      code: 0,
      msg: 'success',
      data: { _code: '100', _imei: '860000000000008', _content: 'OK!', _msg: null, _serverFlagId: 7 },
    };
    await publishEvents(bus, 'iothub', [
      makeEvent('instruct-result', '860000000000008', { msgType: 1, response }),
      makeEvent('instruct-result', '860000000000008', {
        msgType: 2,
        response: { ...response, data: { ...response.data, _code: '300' } },
      }),
    ]);
    await waitFor(() => receiver.accepted.length === 1 && offline.accepted.length === 1);
    expect(receiver.accepted[0]?.path).toBe('/jimi-iot/pushInstructResponse');
    expect(receiver.accepted[0]?.form.msgType).toBe('1');
    expect(receiver.accepted[0]?.records).toEqual([response]);
    expect(offline.accepted[0]?.path).toBe('/offline/reply');
    expect(offline.accepted[0]?.form).toMatchObject({ token: 'off-tok', msgType: '2' });
  });

  it('without PUSH_URL, only offline-command results are consumed and pushed', async () => {
    const offline = await new Receiver().listen();
    cleanup.push(() => offline.close());
    const bus = new MemoryBus({ partitions: 2 });
    const d = new Dispatcher({
      ...dispatcherOptions(bus),
      pushUrl: null,
      offlineCmdPushUrl: `${offline.url}/offline`,
      offlineCmdPushToken: 'off-tok',
    });
    cleanup.push(() => d.close());
    expect(d.topics).toEqual(['iothub.instruct-result']);
    await d.start();
    const response = { code: 0, msg: 'success', data: { _code: '100', _imei: '860000000000009', _content: 'OK' } };
    await publishEvents(bus, 'iothub', [
      location('860000000000009', 1),
      makeEvent('instruct-result', '860000000000009', { msgType: 1, response }),
      makeEvent('instruct-result', '860000000000009', { msgType: 2, response }),
    ]);
    await waitFor(() => offline.accepted.length === 1);
    expect(offline.accepted[0]?.form).toMatchObject({ token: 'off-tok', msgType: '2' });
    // the msgType 1 result has nowhere to go: skipped (committed), never retried
    await waitFor(
      () =>
        bus.committedOffset('dispatch-test', 'iothub.instruct-result', partitionForKey('860000000000009', 2)) === 2n,
    );
    expect(offline.accepted).toHaveLength(1);
  });

  it('stopped while the receiver is down: nothing committed, a new dispatcher delivers everything', async () => {
    const bus = new MemoryBus({ partitions: 2 });
    const receiver = await new Receiver().listen();
    cleanup.push(() => receiver.close());
    receiver.mode = 'status500';
    let d: Dispatcher = dispatcher(bus, receiver.url);
    await d.start();
    await publishEvents(
      bus,
      'iothub',
      Array.from({ length: 30 }, (_, i) => location('860000000000010', i)),
    );
    await waitFor(() => receiver.requests.length >= 3);
    await d.close();
    expect(bus.committedOffset('dispatch-test', 'iothub.location', bus.messages('iothub.location')[0]!.partition)).toBe(
      0n,
    );
    receiver.mode = 'ok';
    d = dispatcher(bus, receiver.url);
    cleanup.push(() => d.close());
    await d.start();
    await waitFor(() => receiver.acceptedRecords().length === 30);
    expect(dlqMessages(bus)).toHaveLength(0);
  });
});
