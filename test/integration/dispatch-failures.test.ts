/**
 * Push dispatcher against real Kafka with failing receivers: a receiver answering 500, `{"code":1}`,
 * garbage or hanging is retried, then its records go to `<prefix>.push.dlq` with the reason; the
 * offsets are committed after the dead-lettering (a new member of the group gets nothing again).
 */
import { randomUUID } from 'node:crypto';
import { createLogger, KafkaBus, Registry } from '@iothub/core';
import { Dispatcher } from '@iothub/dispatch';
import { describe, expect, it } from 'vitest';
import { location } from '../../dispatch/test/helpers.ts';
import { Receiver, type ReceiverMode } from '../../dispatch/test/receiver.ts';
import { serviceEnv } from './env.ts';
import { uniquePrefix } from './helpers/kafka.ts';
import { waitUntil } from './helpers/wait.ts';

const kafkaBrokers = serviceEnv('KAFKA_BROKERS');

const CASES: [ReceiverMode, string][] = [
  ['status500', 'IOTHUB_ERR_PUSH_HTTP_STATUS'],
  ['code1', 'IOTHUB_ERR_PUSH_REJECTED'],
  ['garbage', 'IOTHUB_ERR_PUSH_BAD_RESPONSE'],
  ['hang', 'IOTHUB_ERR_PUSH_TIMEOUT'],
];

describe.skipIf(kafkaBrokers === undefined)('dispatch: failing receivers → retries → dead-letter topic (Kafka)', () => {
  it.each(CASES)(
    'receiver %s: dead-lettered with %s, committed',
    async (mode, code) => {
      const brokers = (kafkaBrokers ?? '').split(',');
      const prefix = uniquePrefix(`dispatch-${mode}`);
      const bus = new KafkaBus({ brokers, clientId: 'it-dispatch-fail', retryDelayMs: 100 });
      const receiver = await new Receiver().listen();
      receiver.mode = mode;
      const groupId = `${prefix}-dispatch`;
      const make = () =>
        new Dispatcher({
          bus,
          topicPrefix: prefix,
          groupId,
          pushUrl: receiver.url,
          pushToken: 'it',
          offlineCmdPushUrl: null,
          offlineCmdPushToken: null,
          profile: 'jimi',
          batchSize: 50,
          concurrency: 4,
          retryBudgetMs: 1_500,
          backoffMinMs: 100,
          backoffMaxMs: 400,
          breakerFailures: 100,
          breakerOpenMs: 100,
          requestTimeoutMs: 300,
          hmacSecret: null,
          registry: new Registry(),
          logger: createLogger({ level: 'silent', service: 'dispatch' }),
        });
      const d = make();
      const dlq: Record<string, unknown>[] = [];
      const reader = await bus.subscribe({
        topics: [`${prefix}.push.dlq`],
        groupId: `${prefix}-reader-${randomUUID().slice(0, 6)}`,
        handler: async (batch) => {
          for (const m of batch) dlq.push(JSON.parse(m.value.toString()) as Record<string, unknown>);
        },
      });
      try {
        const events = Array.from({ length: 10 }, (_, i) => location(`8609800000000${i % 2}`, i));
        await bus.publish(
          events.map((e) => ({
            topic: `${prefix}.location`,
            key: e.deviceImei,
            value: Buffer.from(JSON.stringify(e)),
          })),
        );
        await d.start();
        await waitUntil(() => dlq.length >= 10, 60_000, '10 dead letters');
        expect(new Set(dlq.map((m) => m.reason))).toEqual(new Set([code]));
        expect(dlq.every((m) => (m.attempts as number) >= 2)).toBe(true);
        expect(new Set(dlq.map((m) => (m.event as { id: string }).id))).toEqual(new Set(events.map((e) => e.id)));
        expect(receiver.requests.length).toBeGreaterThanOrEqual(4); // each lane retried
        expect(d.health().deadLetteredRecords).toBe(10);
        // committed: a fresh member of the same group delivers a new marker record and nothing older
        await d.close();
        receiver.mode = 'ok';
        const again = make();
        await again.start();
        const marker = location('860980000000000', 59); // same device = same partition, after the old records
        await bus.publish([
          { topic: `${prefix}.location`, key: marker.deviceImei, value: Buffer.from(JSON.stringify(marker)) },
        ]);
        await waitUntil(() => receiver.acceptedRecords().length >= 1, 60_000, 'the marker record');
        await again.close();
        expect(receiver.acceptedRecords().map((r) => r.deviceImei)).toEqual([marker.deviceImei]);
      } finally {
        await d.close();
        await reader.close();
        await receiver.close();
        await bus.close();
      }
    },
    120_000,
  );
});
