import { describe, expect, it } from 'vitest';
import { BusError } from '../../packages/core/src/bus-errors.ts';
import { KafkaBus } from '../../packages/core/src/bus-kafka.ts';
import { busContract, uniqueTopic, waitFor } from '../../packages/core/test/bus.contract.ts';
import { serviceEnv } from './env.ts';

const brokers = serviceEnv('KAFKA_BROKERS');

if (brokers !== undefined) {
  const list = brokers.split(',').map((b) => b.trim());

  busContract('KafkaBus', {
    create: async () => new KafkaBus({ brokers: list, clientId: 'iothub-test', retryDelayMs: 100 }),
    // nothing listens on port 1 of the loopback
    createUnreachable: async () =>
      new KafkaBus({
        brokers: ['127.0.0.1:1'],
        clientId: 'iothub-test',
        requestTimeoutMs: 1_000,
        retries: 2,
        retryDelayMs: 100,
        publishTimeoutMs: 10_000,
      }),
    deliveryTimeoutMs: 60_000,
  });

  describe('KafkaBus specifics', () => {
    it('publishes far over the broker message.max.bytes (1 MiB) go through in parts, in order', async () => {
      const bus = new KafkaBus({ brokers: list, clientId: 'iothub-test', retryDelayMs: 100 });
      const topic = uniqueTopic();
      try {
        // one 4.8 MB publish, then 3,000 single-record publishes at once (they queue behind it)
        const big = Array.from({ length: 8_000 }, (_, i) => ({
          topic,
          key: `d${i % 50}`,
          value: Buffer.alloc(600, i % 256),
        }));
        const small = Array.from({ length: 3_000 }, (_, i) => [
          { topic, key: `d${i % 50}`, value: Buffer.from(`s${i}`) },
        ]);
        await Promise.all([bus.publish(big), ...small.map((r) => bus.publish(r))]);
        const seen = new Map<string, string[]>();
        let total = 0;
        const sub = await bus.subscribe({
          topics: [topic],
          groupId: `g-${topic}`,
          handler: async (batch) => {
            for (const m of batch) {
              const list = seen.get(m.key) ?? [];
              list.push(m.value.length === 600 ? `b${m.value[0]}` : m.value.toString());
              seen.set(m.key, list);
              total++;
            }
          },
        });
        await waitFor(() => total >= 11_000, 90_000, 'every record');
        await sub.close();
        expect(total).toBe(11_000);
        // per key: the big publish's records first (it was queued first), then the small ones in order
        const d0 = seen.get('d0') ?? [];
        expect(d0.slice(0, 160)).toEqual(Array.from({ length: 160 }, (_, j) => `b${(j * 50) % 256}`));
        expect(d0.slice(160)).toEqual(Array.from({ length: 60 }, (_, j) => `s${j * 50}`));
      } finally {
        await bus.close();
      }
    });

    it('an unreachable broker rejects publish with IOTHUB_ERR_BUS_UNAVAILABLE', async () => {
      const bus = new KafkaBus({
        brokers: ['127.0.0.1:1'],
        requestTimeoutMs: 1_000,
        retries: 2,
        retryDelayMs: 100,
        publishTimeoutMs: 10_000,
      });
      try {
        const error = await bus
          .publish([{ topic: uniqueTopic(), key: 'k', value: Buffer.from('x') }])
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(BusError);
        expect((error as BusError).code).toBe('IOTHUB_ERR_BUS_UNAVAILABLE');
      } finally {
        await bus.close();
      }
    });

    it('becomes ready once it reached a broker; ensureTopics creates a topic', async () => {
      const bus = new KafkaBus({ brokers: list });
      try {
        await waitFor(() => bus.isReady(), 30_000, 'isReady()');
        const topic = uniqueTopic();
        await bus.ensureTopics([topic], 3, 1);
        await bus.ensureTopics([topic], 3, 1);
        await bus.publish([{ topic, key: 'k', value: Buffer.from('x') }]);
      } finally {
        await bus.close();
      }
    });
  });
}
