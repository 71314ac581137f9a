/**
 * Reading back what the gateways published: a fresh consumer group (so it starts at the earliest
 * record of the run's unique topics) collecting `deviceImei/serial` pairs of the events.
 */
import { randomUUID } from 'node:crypto';
import { KafkaBus } from '@iothub/core';
import { sleep } from './wait.ts';

/** `deviceImei/serial`: how the fault tests name one device message. */
export function pairKey(deviceImei: string, serial: number): string {
  return `${deviceImei}/${serial}`;
}

export function uniquePrefix(name: string): string {
  return `it-${name}-${Date.now().toString(36)}-${randomUUID().slice(0, 6)}`;
}

/**
 * Consume `topics` from the beginning with a new group until every key of `expected` was seen or
 * `timeoutMs` passed; returns every pair seen (a superset of `expected` when all arrived).
 */
export async function collectPairs(
  brokers: string[],
  topics: string[],
  expected: ReadonlySet<string>,
  timeoutMs: number,
): Promise<{ seen: Set<string>; records: number }> {
  const bus = new KafkaBus({ brokers, clientId: 'iothub-it-reader', retryDelayMs: 100 });
  const seen = new Set<string>();
  let records = 0;
  let missing = expected.size;
  try {
    const sub = await bus.subscribe({
      topics,
      groupId: `it-reader-${randomUUID().slice(0, 8)}`,
      fromBeginning: true,
      handler: async (batch) => {
        for (const m of batch) {
          records++;
          const e = JSON.parse(m.value.toString()) as { deviceImei?: unknown; serial?: unknown };
          if (typeof e.deviceImei !== 'string' || typeof e.serial !== 'number') continue;
          const k = pairKey(e.deviceImei, e.serial);
          if (seen.has(k)) continue;
          seen.add(k);
          if (expected.has(k)) missing--;
        }
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (missing > 0 && Date.now() < deadline) await sleep(100);
    await sub.close();
  } finally {
    await bus.close();
  }
  return { seen, records };
}
