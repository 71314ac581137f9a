/**
 * The resolver's order (memory cache → shared cache → store → upstream), with a real upstream HTTP
 * provider on 127.0.0.1 (another LBS server over its own dataset, and a server that never answers).
 */
import { createServer, type Server } from 'node:http';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryLbsCache } from '../src/cache.ts';
import type { LbsQuery } from '../src/query.ts';
import { LbsResolver } from '../src/resolver.ts';
import { type LbsServer, startLbsServer } from '../src/server.ts';
import { HttpUpstreamProvider } from '../src/upstream.ts';
import { buildTestData, CELL, IMEI, type TestData } from './helpers.ts';

let data: TestData;
let upstreamResolver: LbsResolver;
let upstream: LbsServer;
let silent: Server;
let silentPort = 0;
let upstreamHits = 0;

beforeAll(async () => {
  data = await buildTestData({ cells: 500, wifi: 100 });
  upstreamResolver = new LbsResolver({ dataDir: data.dir, memoryCacheSize: 0 });
  const counting = {
    resolve: (q: LbsQuery) => {
      upstreamHits++;
      return upstreamResolver.resolve(q);
    },
  } as unknown as LbsResolver;
  Object.defineProperty(counting, 'counts', { get: () => upstreamResolver.counts });
  upstream = await startLbsServer({
    resolver: counting,
    token: 'up',
    logger: pino({ level: 'silent' }),
    registry: new Registry(),
    host: '127.0.0.1',
    port: 0,
  });
  silent = createServer(() => undefined); // accepts, never answers
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  const a = silent.address();
  silentPort = a && typeof a === 'object' ? a.port : 0;
});
afterAll(async () => {
  await upstream?.close();
  await upstreamResolver?.close();
  silent?.closeAllConnections();
  await new Promise<void>((r) => silent?.close(() => r()));
  data?.cleanup();
});

const query = (c: { mcc: number; mnc: number; lac: number; ci: number }): LbsQuery => ({
  imei: IMEI,
  cells: [{ mcc: c.mcc, mnc: c.mnc, lac: c.lac, ci: c.ci, rssi: -70 }],
  wifi: [],
});

describe('LbsResolver', () => {
  it('without a store or upstream: 400 with the observations counted as unknown', async () => {
    const r = new LbsResolver({});
    expect(await r.resolve(query(CELL.a))).toMatchObject({ code: 400, lat: 0, lng: 0, unknownCells: 1, usedCells: 0 });
  });

  it('asks the upstream only when the store knows nothing, and caches its answer', async () => {
    const before = upstreamHits;
    const r = new LbsResolver({
      upstream: new HttpUpstreamProvider({
        url: `http://127.0.0.1:${upstream.port}/loc/query`,
        token: 'up',
        timeoutMs: 2000,
      }),
    });
    const first = await r.resolve(query(CELL.a));
    expect(first).toMatchObject({ code: 0, lat: 22.5, lng: 114, accuracy: 1000, type: 4, from: 'upstream' });
    const second = await r.resolve(query(CELL.a));
    expect(second).toMatchObject({ code: 0, from: 'upstream' });
    expect(upstreamHits - before).toBe(1);
    // The upstream knows nothing either: 400, cached as not-found.
    expect(await r.resolve(query({ mcc: 1, mnc: 1, lac: 1, ci: 1 }))).toMatchObject({ code: 400 });
    // The local store answers first when it knows the cell.
    const local = new LbsResolver({
      dataDir: data.dir,
      upstream: new HttpUpstreamProvider({
        url: `http://127.0.0.1:${upstream.port}/loc/query`,
        token: 'up',
        timeoutMs: 2000,
      }),
    });
    const hits = upstreamHits;
    expect(await local.resolve(query(CELL.b))).toMatchObject({ code: 0, from: 'local' });
    expect(upstreamHits).toBe(hits);
    await local.close();
  });

  it('an upstream that does not answer times out: the local answer (400) is returned and not cached', async () => {
    const registry = new Registry();
    const r = new LbsResolver({
      upstream: new HttpUpstreamProvider({
        url: `http://127.0.0.1:${silentPort}/loc/query`,
        token: 'x',
        timeoutMs: 100,
      }),
      registry,
    });
    expect(await r.resolve(query(CELL.a))).toMatchObject({ code: 400 });
    expect(await r.resolve(query(CELL.a))).toMatchObject({ code: 400 });
    const m = await registry.getSingleMetric('iothub_lbs_upstream_total')!.get();
    expect(m.values.find((v) => v.labels.result === 'error')?.value).toBe(2);
  });

  it('an upstream with a wrong token (101) is a failure, not a position', async () => {
    const r = new LbsResolver({
      upstream: new HttpUpstreamProvider({
        url: `http://127.0.0.1:${upstream.port}/loc/query`,
        token: 'wrong',
        timeoutMs: 2000,
      }),
    });
    expect(await r.resolve(query(CELL.a))).toMatchObject({ code: 400 });
  });

  it('a shared-cache hit answers without the store; a failing shared cache is skipped', async () => {
    const shared = new MemoryLbsCache();
    const a = new LbsResolver({ dataDir: data.dir, sharedCache: shared, memoryCacheSize: 0 });
    expect(await a.resolve(query(CELL.c))).toMatchObject({ code: 0, lat: 22.5, lng: 114.01 });
    await new Promise((r) => setImmediate(r));
    const b = new LbsResolver({ sharedCache: shared, memoryCacheSize: 0 });
    expect(await b.resolve(query(CELL.c))).toMatchObject({ code: 0, lat: 22.5, lng: 114.01 });
    const failing = {
      get: async () => {
        throw new Error('down');
      },
      set: async () => {
        throw new Error('down');
      },
      close: async () => undefined,
    };
    const c = new LbsResolver({ dataDir: data.dir, sharedCache: failing, logger: pino({ level: 'silent' }) });
    expect(await c.resolve(query(CELL.c))).toMatchObject({ code: 0 });
    await a.close();
  });

  it('ignores duplicate observations', async () => {
    const r = new LbsResolver({ dataDir: data.dir });
    const q = query(CELL.a);
    q.cells.push({ ...q.cells[0]! });
    expect(await r.resolve(q)).toMatchObject({ code: 0, usedCells: 1, accuracy: 1000 });
    await r.close();
  });
});
