/**
 * The LBS with real Redis as the shared cache (fleet mode): the LbsCache contract against Redis,
 * and two LBS processes' worth of resolvers sharing answers — the second, with no store at all,
 * answers from what the first resolved; the LBS service built from a fleet configuration
 * (REDIS_URL set) serves over HTTP with the Redis cache. Keys under a unique prefix per run.
 */
import { randomBytes } from 'node:crypto';
import { createLogger, createMetricsRegistry, loadConfig } from '@iothub/core';
import { cacheKeyOf, type LbsQuery, LbsResolver, RedisLbsCache, startLbsService } from '@iothub/lbs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lbsCacheContract } from '../../lbs/test/cache-contract.ts';
import { buildTestData, CELL, IMEI, type TestData } from '../../lbs/test/helpers.ts';
import { serviceEnv } from './env.ts';

const url = serviceEnv('REDIS_URL');
const prefix = `test:lbs:${randomBytes(4).toString('hex')}:`;

if (url !== undefined) {
  lbsCacheContract('redis', async () => ({
    cache: new RedisLbsCache({ redis: url, keyPrefix: prefix }),
    // Real TTL: let the 40 ms entry expire in Redis (a wait, not a timing assertion).
    expire: () => new Promise((r) => setTimeout(r, 120)),
  }));

  describe('LBS with Redis as the shared cache', () => {
    let data: TestData;
    beforeAll(async () => {
      data = await buildTestData({ cells: 1000, wifi: 100 });
    });
    afterAll(() => {
      // Entries expire on their own (short TTLs); the prefix is unique to this run.
      data?.cleanup();
    });

    const query: LbsQuery = {
      imei: IMEI,
      cells: [{ mcc: CELL.a.mcc, mnc: CELL.a.mnc, lac: CELL.a.lac, ci: CELL.a.ci, rssi: -70 }],
      wifi: [],
    };

    it('a resolver without a store answers from what another one resolved and cached in Redis', async () => {
      const withStore = new LbsResolver({
        dataDir: data.dir,
        sharedCache: new RedisLbsCache({ redis: url, keyPrefix: prefix }),
      });
      const registry = createMetricsRegistry();
      const without = new LbsResolver({ sharedCache: new RedisLbsCache({ redis: url, keyPrefix: prefix }), registry });
      try {
        expect(await without.resolve({ ...query, cells: [{ ...query.cells[0]!, ci: 101 }] })).toMatchObject({
          code: 400,
        });
        expect(await withStore.resolve(query)).toMatchObject({ code: 0, lat: 22.5, lng: 114 });
        // The write to Redis is off the answer's path: wait for it (bounded).
        let got = await without.resolve(query);
        for (let i = 0; i < 100 && got.code !== 0; i++) {
          await new Promise((r) => setTimeout(r, 20));
          got = await without.resolve(query);
        }
        expect(got).toMatchObject({ code: 0, lat: 22.5, lng: 114, accuracy: 1000, type: 4 });
        const m = await registry.getSingleMetric('iothub_lbs_cache_total')!.get();
        expect(
          m.values.find((v) => v.labels.layer === 'redis' && v.labels.result === 'hit')?.value,
        ).toBeGreaterThanOrEqual(1);
      } finally {
        await withStore.close();
        await without.close();
      }
    });

    it('the service built from a fleet configuration serves /loc/query with the Redis cache', async () => {
      const config = loadConfig({
        REDIS_URL: url,
        API_TOKEN: 'x',
        LBS_PORT: '0',
        LBS_DATA_DIR: data.dir,
        LBS_TOKEN: 'fleet-token',
        LBS_CACHE_TTL_S: '60',
      });
      const service = await startLbsService(config, {
        logger: createLogger({ level: 'silent', service: 'lbs' }),
        registry: createMetricsRegistry(),
        host: '127.0.0.1',
        port: 0,
      });
      try {
        const res = await fetch(
          `http://127.0.0.1:${service.server.port}/loc/query?imei=${IMEI}&token=fleet-token&lbs=${CELL.b.mcc},${CELL.b.mnc},${CELL.b.lac},${CELL.b.ci},-60`,
        );
        expect(await res.json()).toMatchObject({ code: 0, data: { lat: 22.51, lng: 114, type: 4 } });
        // The answer is in Redis under the service's key (written off the answer's path: bounded poll).
        const probe = new RedisLbsCache({ redis: url, keyPrefix: 'iothub:lbs:' });
        const key = cacheKeyOf({
          imei: IMEI,
          cells: [{ mcc: CELL.b.mcc, mnc: CELL.b.mnc, lac: CELL.b.lac, ci: CELL.b.ci, rssi: -60 }],
          wifi: [],
        });
        try {
          let hit = await probe.get(key);
          for (let i = 0; i < 100 && hit === null; i++) {
            await new Promise((r) => setTimeout(r, 20));
            hit = await probe.get(key);
          }
          expect(hit).toMatchObject({ code: 0, lat: 22.51, lng: 114 });
        } finally {
          await probe.close();
        }
      } finally {
        await service.close();
      }
    });
  });
}
