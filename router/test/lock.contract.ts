/**
 * The `DeviceLock` contract: run against `MemoryDeviceLock` in `pnpm test` and `RedisDeviceLock`
 * in the integration run (test/integration/commands-redis.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { DeviceLock } from '../src/lock.ts';

export function deviceLockContract(
  name: string,
  make: () => Promise<{ lock: DeviceLock; other?: DeviceLock; done: () => Promise<void> }>,
): void {
  describe(`DeviceLock contract: ${name}`, () => {
    const imei = () => `86${Math.floor(Math.random() * 1e13)}`;

    it('one slot: the second holder is refused until the first releases', async () => {
      const { lock, done } = await make();
      try {
        const d = imei();
        expect(await lock.acquire(d, 'a', 1, 60_000)).toBe(true);
        expect(await lock.acquire(d, 'b', 1, 60_000)).toBe(false);
        expect(await lock.held(d)).toBe(1);
        await lock.release(d, 'a');
        expect(await lock.acquire(d, 'b', 1, 60_000)).toBe(true);
        expect(await lock.held(d)).toBe(1);
      } finally {
        await done();
      }
    });

    it('N slots, per device; re-acquiring a held token does not take a second slot', async () => {
      const { lock, done } = await make();
      try {
        const d = imei();
        const e = imei();
        expect(await lock.acquire(d, 'a', 2, 60_000)).toBe(true);
        expect(await lock.acquire(d, 'a', 2, 60_000)).toBe(true);
        expect(await lock.acquire(d, 'b', 2, 60_000)).toBe(true);
        expect(await lock.acquire(d, 'c', 2, 60_000)).toBe(false);
        expect(await lock.acquire(e, 'c', 2, 60_000)).toBe(true);
        expect(await lock.held(d)).toBe(2);
        await lock.release(d, 'zzz'); // not held: no effect
        expect(await lock.held(d)).toBe(2);
      } finally {
        await done();
      }
    });

    it('a lease ends by itself (a holder that died does not block the device)', async () => {
      const { lock, done } = await make();
      try {
        const d = imei();
        expect(await lock.acquire(d, 'a', 1, 30)).toBe(true);
        // poll, no timing assertion: the lease must end eventually
        for (let i = 0; i < 200 && !(await lock.acquire(d, 'b', 1, 60_000)); i++)
          await new Promise((r) => setTimeout(r, 10));
        expect(await lock.held(d)).toBe(1);
        expect(await lock.acquire(d, 'c', 1, 60_000)).toBe(false);
      } finally {
        await done();
      }
    });

    it('two instances on the same store share the slots (racing for the last one: exactly one wins)', async () => {
      const { lock, other, done } = await make();
      try {
        if (!other) return;
        const d = imei();
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? lock : other).acquire(d, `t${i}`, 1, 60_000)),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
      } finally {
        await done();
      }
    });
  });
}
