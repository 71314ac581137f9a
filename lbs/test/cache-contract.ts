/**
 * The contract every `LbsCache` keeps (convention 12): run against the memory cache in the unit
 * run and against Redis in the integration run (test/integration/lbs-redis.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { CachedResolution, LbsCache } from '../src/cache.ts';

export const RESOLUTION: CachedResolution = {
  code: 0,
  lat: 22.5,
  lng: 114,
  accuracy: 1000,
  type: 4,
  from: 'local',
  usedCells: 1,
  usedWifi: 0,
  unknownCells: 0,
  unknownWifi: 0,
};

/** `expire(key)` makes the entry's TTL pass (a fake clock, or a short real TTL and a wait). */
export function lbsCacheContract(
  name: string,
  make: () => Promise<{ cache: LbsCache; expire: () => Promise<void> }>,
): void {
  describe(`LbsCache contract: ${name}`, () => {
    it('misses, then returns what was set; keys are independent', async () => {
      const { cache } = await make();
      try {
        expect(await cache.get('k1')).toBeNull();
        await cache.set('k1', RESOLUTION, 60_000);
        expect(await cache.get('k1')).toEqual(RESOLUTION);
        expect(await cache.get('k2')).toBeNull();
      } finally {
        await cache.close();
      }
    });
    it('overwrites; keeps not-found answers too', async () => {
      const { cache } = await make();
      try {
        await cache.set('k', RESOLUTION, 60_000);
        const nf = { ...RESOLUTION, code: 400 as const, lat: 0, lng: 0, accuracy: 0, type: 0 };
        await cache.set('k', nf, 60_000);
        expect(await cache.get('k')).toEqual(nf);
      } finally {
        await cache.close();
      }
    });
    it('forgets an entry after its TTL; a TTL of 0 stores nothing', async () => {
      const { cache, expire } = await make();
      try {
        await cache.set('t', RESOLUTION, 40);
        await cache.set('z', RESOLUTION, 0);
        await expire();
        expect(await cache.get('t')).toBeNull();
        expect(await cache.get('z')).toBeNull();
      } finally {
        await cache.close();
      }
    });
  });
}
