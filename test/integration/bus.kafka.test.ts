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
