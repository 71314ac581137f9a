/**
 * The `CommandStore` contract: `MemoryCommandStore` in `pnpm test`, `RedisCommandStore` in the
 * integration run (test/integration/commands-redis.test.ts). `now` is the store's clock, so expiry
 * is tested by moving it, not by waiting.
 */
import { describe, expect, it } from 'vitest';
import type { CommandStore, OfflineCommand } from '../src/store.ts';

export function commandStoreContract(
  name: string,
  make: (now: () => number) => Promise<{ store: CommandStore; done: () => Promise<void> }>,
): void {
  describe(`CommandStore contract: ${name}`, () => {
    const imei = () => `86${Math.floor(Math.random() * 1e13)}`;
    let clock = Date.now();
    const now = () => clock;
    const cmd = (deviceImei: string, id: string, ttlMs = 60_000): OfflineCommand => ({
      id,
      deviceImei,
      proNo: 128,
      cmdContent: `CMD-${id}#`,
      serverFlagId: 7,
      cmdType: 'normallns',
      timeOutS: 30,
      createdAt: clock,
      expiresAt: clock + ttlMs,
    });

    it('keeps commands per device in order; take empties; putBack restores the order at the head', async () => {
      const { store, done } = await make(now);
      try {
        const d = imei();
        expect(await store.add(cmd(d, 'a'), 10)).toBe(true);
        expect(await store.add(cmd(d, 'b'), 10)).toBe(true);
        expect(await store.add(cmd(imei(), 'x'), 10)).toBe(true);
        expect((await store.list(d)).map((c) => c.id)).toEqual(['a', 'b']);
        const taken = await store.take(d);
        expect(taken.map((c) => c.id)).toEqual(['a', 'b']);
        expect(taken[0]).toEqual(cmd(d, 'a'));
        expect(await store.list(d)).toEqual([]);
        expect(await store.take(d)).toEqual([]);
        await store.add(cmd(d, 'c'), 10);
        await store.putBack(d, taken);
        expect((await store.list(d)).map((c) => c.id)).toEqual(['a', 'b', 'c']);
      } finally {
        await done();
      }
    });

    it('refuses more than max live commands per device', async () => {
      const { store, done } = await make(now);
      try {
        const d = imei();
        expect(await store.add(cmd(d, 'a'), 2)).toBe(true);
        expect(await store.add(cmd(d, 'b'), 2)).toBe(true);
        expect(await store.add(cmd(d, 'c'), 2)).toBe(false);
        expect((await store.list(d)).map((c) => c.id)).toEqual(['a', 'b']);
      } finally {
        await done();
      }
    });

    it('expired commands are not listed and do not count against max', async () => {
      const { store, done } = await make(now);
      try {
        const d = imei();
        await store.add(cmd(d, 'short', 1_000), 2);
        await store.add(cmd(d, 'long', 600_000), 2);
        clock += 2_000;
        expect((await store.list(d)).map((c) => c.id)).toEqual(['long']);
        expect(await store.add(cmd(d, 'next'), 2)).toBe(true);
      } finally {
        await done();
      }
    });

    it('removes one by id or all', async () => {
      const { store, done } = await make(now);
      try {
        const d = imei();
        for (const id of ['a', 'b', 'c']) await store.add(cmd(d, id), 10);
        expect(await store.remove(d, 'b')).toBe(1);
        expect(await store.remove(d, 'nope')).toBe(0);
        expect((await store.list(d)).map((c) => c.id)).toEqual(['a', 'c']);
        expect(await store.remove(d)).toBe(2);
        expect(await store.list(d)).toEqual([]);
        expect(await store.remove(d)).toBe(0);
      } finally {
        await done();
      }
    });

    it('remembers seen devices with their protocol', async () => {
      const { store, done } = await make(now);
      try {
        const d = imei();
        expect(await store.seen(d)).toBeNull();
        await store.markSeen(d, 'jimi', 60_000);
        expect(await store.seen(d)).toBe('jimi');
        await store.markSeen(d, 'jt808', 60_000);
        expect(await store.seen(d)).toBe('jt808');
      } finally {
        await done();
      }
    });
  });
}
