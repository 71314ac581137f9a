/**
 * Push dispatcher against real Kafka: the receiver goes down for 60 s in the middle of a
 * 20,000-record run and comes back. Every record is delivered, none dead-lettered, the order per
 * device holds, duplicates are counted and bounded.
 */
import { createLogger, KafkaBus, Registry, type UplinkEvent } from '@iothub/core';
import { Dispatcher } from '@iothub/dispatch';
import { describe, expect, it } from 'vitest';
import { location } from '../../dispatch/test/helpers.ts';
import { Receiver } from '../../dispatch/test/receiver.ts';
import { serviceEnv } from './env.ts';
import { uniquePrefix } from './helpers/kafka.ts';
import { sleep, waitUntil } from './helpers/wait.ts';

const kafkaBrokers = serviceEnv('KAFKA_BROKERS');
const TOTAL = 20_000;
const DEVICES = 200;
const PER_DEVICE = TOTAL / DEVICES;
const OUTAGE_MS = 60_000;

describe.skipIf(kafkaBrokers === undefined)('dispatch: receiver down 60 s during a 20,000-record run (Kafka)', () => {
  it('delivers every record, dead-letters none, keeps per-device order; duplicates bounded', async () => {
    const brokers = (kafkaBrokers ?? '').split(',');
    const prefix = uniquePrefix('dispatch-outage');
    const producer = new KafkaBus({ brokers, clientId: 'it-dispatch-producer' });
    const consumerBus = new KafkaBus({ brokers, clientId: 'it-dispatch', maxBatch: 1000, retryDelayMs: 100 });
    const receiver = await new Receiver().listen();
    const concurrency = 16;
    const batchSize = 50;
    const d = new Dispatcher({
      bus: consumerBus,
      topicPrefix: prefix,
      groupId: `${prefix}-dispatch`,
      pushUrl: receiver.url,
      pushToken: 'it',
      offlineCmdPushUrl: null,
      offlineCmdPushToken: null,
      profile: 'jimi',
      batchSize,
      concurrency,
      retryBudgetMs: 3_600_000, // the default: an outage of 60 s is far inside it
      backoffMinMs: 200,
      backoffMaxMs: 4_000,
      breakerFailures: 5,
      breakerOpenMs: 500,
      requestTimeoutMs: 5_000,
      hmacSecret: null,
      registry: new Registry(),
      logger: createLogger({ level: 'error', service: 'dispatch' }),
    });
    // records carry their per-device sequence in `altitude` (pushed as is for JT/T 808 positions)
    const events: UplinkEvent[] = [];
    for (let k = 0; k < PER_DEVICE; k++) {
      for (let i = 0; i < DEVICES; i++) {
        const e = location(`86099${String(i).padStart(10, '0')}`, k);
        e.data.altitude = k;
        events.push(e);
      }
    }
    const toRecord = (e: (typeof events)[number]) => ({
      topic: `${prefix}.location`,
      key: e.deviceImei,
      value: Buffer.from(JSON.stringify(e)),
    });
    try {
      await producer.publish(events.slice(0, 1).map(toRecord)); // creates the topic
      await d.start();
      // produce the run in chunks while the dispatcher consumes
      const producing = (async () => {
        for (let n = 1; n < TOTAL; n += 500) {
          await producer.publish(events.slice(n, n + 500).map(toRecord));
          await sleep(50);
        }
      })();
      await waitUntil(() => receiver.acceptedRecords().length >= 4_000, 120_000, '4,000 records before the outage');
      await receiver.close(); // down: connections refused
      const downAt = receiver.acceptedRecords().length;
      await waitUntil(() => d.health().breakers.push === 'open', 30_000, 'the circuit breaker opens');
      await sleep(OUTAGE_MS);
      expect(receiver.acceptedRecords().length).toBe(downAt);
      await receiver.listen(receiver.port); // back on the same port
      await producing;
      const unique = () => new Set(receiver.acceptedRecords().map((r) => `${r.deviceImei}/${r.altitude}`)).size;
      await waitUntil(() => unique() === TOTAL, 120_000, 'every record delivered after the outage');
      await waitUntil(() => d.health().pendingRecords === 0, 30_000, 'nothing pending');

      expect(d.health().deadLetteredRecords).toBe(0);
      expect(d.health().breakers.push).toBe('closed');
      const accepted = receiver.acceptedRecords();
      const duplicates = accepted.length - TOTAL;
      process.stdout.write(`dispatch-outage: ${accepted.length} records accepted, ${duplicates} duplicates\n`);
      // a duplicate comes only from a request whose answer was lost: at most one request per lane
      expect(duplicates).toBeGreaterThanOrEqual(0);
      expect(duplicates).toBeLessThanOrEqual(concurrency * batchSize);
      // per-device order: first occurrences strictly increasing (no later record overtakes an earlier one)
      const firsts = new Map<string, number[]>();
      const seen = new Set<string>();
      for (const r of accepted) {
        const key = `${r.deviceImei}/${r.altitude}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const l = firsts.get(r.deviceImei as string) ?? [];
        l.push(Number(r.altitude));
        firsts.set(r.deviceImei as string, l);
      }
      expect(firsts.size).toBe(DEVICES);
      for (const [, l] of firsts) expect(l).toEqual(Array.from({ length: PER_DEVICE }, (_, k) => k));
    } finally {
      await d.close();
      await receiver.close().catch(() => {});
      await consumerBus.close();
      await producer.close();
    }
  }, 300_000);
});
