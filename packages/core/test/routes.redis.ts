/**
 * Redis-specific checks of `RedisRouteTable`, run by the integration run
 * (`test/integration/routes.redis.test.ts`) beside the contract suite.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisRouteTable } from '../src/routes-redis.ts';
import { routeTableContract } from './routes.contract.ts';

export function redisRouteTableSuite(url: string): void {
  // one prefix per run: nothing from another run (or the real fleet) is seen or touched
  const prefix = `iothub-test-${randomUUID().slice(0, 8)}:`;
  const admin = new Redis(url);
  afterAll(async () => {
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length > 0) await admin.del(...keys);
    await admin.quit();
  });

  routeTableContract('RedisRouteTable', {
    create: async () => ({
      table: new RedisRouteTable({ redis: url, keyPrefix: prefix }),
      elapse: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    }),
    shortTtlMs: 150,
  });

  describe('RedisRouteTable specifics', () => {
    it('keeps its keys under the prefix, with TTLs on routes and gates', async () => {
      const table = new RedisRouteTable({ redis: admin, keyPrefix: prefix });
      await table.announceGate('g-keys', 10_000);
      await table.claim(
        {
          deviceImei: '869999999999999',
          gateId: 'g-keys',
          connId: 'c',
          protocol: 'jimi',
          remoteAddress: 'x',
          since: 1,
        },
        20_000,
      );
      const routeTtl = await admin.pttl(`${prefix}route:869999999999999`);
      const gateTtl = await admin.pttl(`${prefix}gate:g-keys`);
      expect(routeTtl).toBeGreaterThan(0);
      expect(routeTtl).toBeLessThanOrEqual(20_000);
      expect(gateTtl).toBeGreaterThan(0);
      expect(gateTtl).toBeLessThanOrEqual(10_000);
      await table.setAuthCode('13912345678', 'A');
      expect(await admin.get(`${prefix}auth:13912345678`)).toBe('A');
      // a client passed in stays open after close
      await table.close();
      expect(await admin.ping()).toBe('PONG');
    });

    it('a corrupt stored entry reads as absent', async () => {
      const table = new RedisRouteTable({ redis: admin, keyPrefix: prefix });
      await table.announceGate('g-bad', 10_000);
      await admin.hset(`${prefix}route:868888888888888`, 'gateId', 'g-bad', 'connId', 'c', 'entry', '{not json');
      expect(await table.get('868888888888888')).toBeNull();
    });
  });
}
