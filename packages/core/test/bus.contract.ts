/**
 * The `Bus` contract: one suite, run against `MemoryBus` (unit run) and `KafkaBus` (integration
 * run). Topics and groups are unique per test, so a shared broker needs no cleanup.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Bus, BusMessage, BusSubscription } from '../src/bus.ts';

export interface BusContractFactory {
  /** A bus connected to a working backend. */
  create(): Promise<Bus>;
  /** A bus whose backend is unreachable (or switched off): `publish` must reject. */
  createUnreachable(): Promise<Bus>;
  /** How long to wait for deliveries (default 20 s). */
  deliveryTimeoutMs?: number;
}

export function busContract(name: string, factory: BusContractFactory): void {
  const timeout = factory.deliveryTimeoutMs ?? 20_000;

  describe(`Bus contract: ${name}`, () => {
    const buses: Bus[] = [];
    const subscriptions: BusSubscription[] = [];

    afterEach(async () => {
      await Promise.allSettled(subscriptions.splice(0).map((s) => s.close()));
      await Promise.allSettled(buses.splice(0).map((b) => b.close()));
    });

    async function bus(): Promise<Bus> {
      const b = await factory.create();
      buses.push(b);
      return b;
    }

    async function collect(
      b: Bus,
      topics: string[],
      groupId: string,
      options: { failFirst?: (m: BusMessage) => boolean } = {},
    ): Promise<{ received: BusMessage[]; calls: number }> {
      const state = { received: [] as BusMessage[], calls: 0 };
      let failed = false;
      const sub = await b.subscribe({
        topics,
        groupId,
        handler: async (batch) => {
          state.calls++;
          if (!failed && options.failFirst !== undefined && batch.some(options.failFirst)) {
            failed = true;
            throw new Error('handler failure (test)');
          }
          state.received.push(...batch);
        },
      });
      subscriptions.push(sub);
      return state;
    }

    it('delivers what was published (key, value, headers, topic, partition, offset)', async () => {
      const b = await bus();
      const topic = uniqueTopic();
      await b.publish([
        { topic, key: '860000000000001', value: Buffer.from('one'), headers: { kind: 'location' } },
        { topic, key: '860000000000001', value: Buffer.from('two') },
      ]);
      expect(b.isReady()).toBe(true);
      const state = await collect(b, [topic], uniqueGroup());
      await waitFor(() => state.received.length >= 2, timeout, 'two records delivered');
      const [first, second] = state.received;
      expect(first?.topic).toBe(topic);
      expect(first?.key).toBe('860000000000001');
      expect(first?.value.toString()).toBe('one');
      expect(first?.headers).toEqual({ kind: 'location' });
      expect(second?.value.toString()).toBe('two');
      expect(typeof first?.partition).toBe('number');
      expect(typeof first?.offset).toBe('bigint');
      expect(second?.partition).toBe(first?.partition);
      expect(second!.offset > first!.offset).toBe(true);
    });

    it('delivers records published after the subscription started', async () => {
      const b = await bus();
      const topic = uniqueTopic();
      const state = await collect(b, [topic], uniqueGroup());
      await b.publish([{ topic, key: 'k', value: Buffer.from('late') }]);
      await waitFor(() => state.received.length >= 1, timeout, 'the record delivered');
      expect(state.received[0]?.value.toString()).toBe('late');
    });

    it('keeps the order of each key across many records and batches', async () => {
      const b = await bus();
      const topic = uniqueTopic();
      const keys = Array.from({ length: 8 }, (_, i) => `8600000000000${String(i).padStart(2, '0')}`);
      const perKey = 50;
      for (let round = 0; round < 5; round++) {
        const batch = [];
        for (let i = 0; i < perKey / 5; i++) {
          for (const key of keys) {
            batch.push({ topic, key, value: Buffer.from(String(round * (perKey / 5) + i)) });
          }
        }
        await b.publish(batch);
      }
      const state = await collect(b, [topic], uniqueGroup());
      await waitFor(
        () => new Set(state.received.map((m) => `${m.key}/${m.value}`)).size >= keys.length * perKey,
        timeout,
        'every record delivered',
      );
      const expected = Array.from({ length: perKey }, (_, i) => i);
      for (const key of keys) {
        const seen = state.received.filter((m) => m.key === key).map((m) => Number(m.value.toString()));
        // at-least-once may repeat a record; first deliveries must be in publish order
        expect(firstOccurrences(seen), `order of key ${key}`).toEqual(expected);
      }
    });

    it('redelivers a batch whose handler rejected (at-least-once), then moves on', async () => {
      const b = await bus();
      const topic = uniqueTopic();
      await b.publish([0, 1, 2].map((i) => ({ topic, key: 'same-key', value: Buffer.from(`r${i}`) })));
      const state = await collect(b, [topic], uniqueGroup(), { failFirst: (m) => m.value.toString() === 'r1' });
      await waitFor(() => state.received.some((m) => m.value.toString() === 'r2'), timeout, 'all records delivered');
      expect(state.calls).toBeGreaterThanOrEqual(2);
      expect(firstOccurrences(state.received.map((m) => m.value.toString()))).toEqual(['r0', 'r1', 'r2']);
    });

    it('commits offsets: a group that comes back resumes after what it handled', async () => {
      const b = await bus();
      const topic = uniqueTopic();
      const group = uniqueGroup();
      await b.publish([{ topic, key: 'k', value: Buffer.from('old') }]);
      const first = await collect(b, [topic], group);
      await waitFor(() => first.received.length >= 1, timeout, 'the first record delivered');
      await subscriptions.pop()?.close();
      await b.publish([{ topic, key: 'k', value: Buffer.from('new') }]);
      const second = await collect(b, [topic], group);
      await waitFor(() => second.received.length >= 1, timeout, 'the second record delivered');
      expect(second.received.map((m) => m.value.toString())).toEqual(['new']);
    });

    it('gives every record to every consumer group', async () => {
      const b = await bus();
      const topic = uniqueTopic();
      const values = Array.from({ length: 20 }, (_, i) => `v${i}`);
      await b.publish(values.map((v, i) => ({ topic, key: `key-${i % 5}`, value: Buffer.from(v) })));
      const one = await collect(b, [topic], uniqueGroup());
      const two = await collect(b, [topic], uniqueGroup());
      const done = (s: { received: BusMessage[] }) => new Set(s.received.map((m) => m.value.toString())).size === 20;
      await waitFor(() => done(one) && done(two), timeout, 'both groups got every record');
      expect(new Set(one.received.map((m) => m.value.toString()))).toEqual(new Set(values));
      expect(new Set(two.received.map((m) => m.value.toString()))).toEqual(new Set(values));
    });

    it('consumes several topics in one subscription', async () => {
      const b = await bus();
      const [t1, t2] = [uniqueTopic(), uniqueTopic()];
      await b.publish([
        { topic: t1, key: 'a', value: Buffer.from('1') },
        { topic: t2, key: 'a', value: Buffer.from('2') },
      ]);
      const state = await collect(b, [t1, t2], uniqueGroup());
      await waitFor(() => state.received.length >= 2, timeout, 'both topics delivered');
      expect(new Set(state.received.map((m) => m.topic))).toEqual(new Set([t1, t2]));
    });

    it('rejects publish when the bus is unreachable', async () => {
      const b = await factory.createUnreachable();
      buses.push(b);
      await expect(b.publish([{ topic: uniqueTopic(), key: 'k', value: Buffer.from('x') }])).rejects.toThrow();
      expect(b.isReady()).toBe(false);
    });

    it('rejects publish after close', async () => {
      const b = await factory.create();
      await b.close();
      await expect(b.publish([{ topic: uniqueTopic(), key: 'k', value: Buffer.from('x') }])).rejects.toThrow();
    });
  });
}

export function uniqueTopic(): string {
  return `test.bus.${randomUUID().slice(0, 8)}`;
}

export function uniqueGroup(): string {
  return `test-group-${randomUUID().slice(0, 8)}`;
}

function firstOccurrences<T>(values: T[]): T[] {
  const seen = new Set<T>();
  const out: T[] = [];
  for (const v of values) {
    if (seen.has(v)) continue;
    seen.add(v);
    out.push(v);
  }
  return out;
}

/** Poll `condition` every 10 ms until it holds; fail with `what` after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
