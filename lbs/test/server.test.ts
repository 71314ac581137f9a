/**
 * GET /loc/query over real HTTP (127.0.0.1, ephemeral port) against the imported test dataset:
 * every API code, the types, the malformed parameters (code 100, never a crash), /health /metrics.
 */
import fc from 'fast-check';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distanceM } from '../src/geo.ts';
import { LbsResolver } from '../src/resolver.ts';
import { type LbsServer, startLbsServer } from '../src/server.ts';
import type { StoreReader } from '../src/store.ts';
import { AP, buildTestData, CELL, IMEI, type TestData, TOKEN } from './helpers.ts';

let data: TestData;
let resolver: LbsResolver;
let server: LbsServer;
const registry = new Registry();

beforeAll(async () => {
  data = await buildTestData();
  resolver = new LbsResolver({ dataDir: data.dir, registry });
  server = await startLbsServer({
    resolver,
    token: TOKEN,
    logger: pino({ level: 'silent' }),
    registry,
    host: '127.0.0.1',
    port: 0,
  });
});
afterAll(async () => {
  await server?.close();
  await resolver?.close();
  data?.cleanup();
});

interface Answer {
  code: number;
  msg: string;
  data: { accuracy: number; from: string; lat: number; lng: number; time: string; type: number } | null;
}

async function get(query: string): Promise<{ status: number; body: Answer; headers: Headers }> {
  const res = await fetch(`http://127.0.0.1:${server.port}/loc/query?${query}`);
  return { status: res.status, body: (await res.json()) as Answer, headers: res.headers };
}

function q(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}

const cellParam = (c: { mcc: number; mnc: number; lac: number; ci: number }, rssi = -70) =>
  `${c.mcc},${c.mnc},${c.lac},${c.ci},${rssi}`;

describe('GET /loc/query: success', () => {
  it('one known cell: type 4, its position and range', async () => {
    const r = await get(q({ imei: IMEI, token: TOKEN, lbs: cellParam(CELL.a) }));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      code: 0,
      msg: 'success',
      data: { lat: 22.5, lng: 114, accuracy: 1000, type: 4, from: 'local' },
    });
    expect(r.body.data!.time).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(Object.keys(r.body.data!).sort()).toEqual(['accuracy', 'from', 'lat', 'lng', 'time', 'type']);
    expect(r.headers.get('x-lbs-used')).toBe('cells=1;wifi=0');
  });

  it('several cells: the weighted estimate between them; unknown cells counted', async () => {
    const lbs = [cellParam(CELL.a), cellParam(CELL.b), cellParam({ mcc: 460, mnc: 0, lac: 10, ci: 424242 })].join('|');
    const r = await get(q({ imei: IMEI, token: TOKEN, lbs }));
    expect(r.body.code).toBe(0);
    expect(r.body.data!.lat).toBeCloseTo(22.505, 4);
    expect(r.body.data!.type).toBe(4);
    expect(r.headers.get('x-lbs-unknown')).toBe('cells=1;wifi=0');
  });

  it('WiFi only: type 2, near the access points; a moved AP is ignored', async () => {
    const wifi = [AP.w1, AP.w2, AP.moved].map((w) => `${w.mac},-60`).join('|');
    const r = await get(q({ imei: IMEI, token: TOKEN, wifi }));
    expect(r.body.code).toBe(0);
    expect(r.body.data!.type).toBe(2);
    expect(distanceM(r.body.data!.lat, r.body.data!.lng, 22.5006, 114.0005)).toBeLessThan(15);
  });

  it('WiFi and agreeing cells: type 3 (mixed), close to the WiFi', async () => {
    const r = await get(q({ imei: IMEI, token: TOKEN, wifi: `${AP.w1.mac},-55`, lbs: cellParam(CELL.a) }));
    expect(r.body.data!.type).toBe(3);
    expect(distanceM(r.body.data!.lat, r.body.data!.lng, AP.w1.lat, AP.w1.lng)).toBeLessThan(2);
    expect(r.body.data!.accuracy).toBeLessThanOrEqual(30);
  });

  it('WiFi and a far-away cell: WiFi wins, type 2', async () => {
    const r = await get(q({ imei: IMEI, token: TOKEN, wifi: `${AP.w1.mac},-55`, lbs: cellParam(CELL.far) }));
    expect(r.body.data).toMatchObject({ type: 2, lat: AP.w1.lat, lng: AP.w1.lng });
  });

  it('large 4G ids and generated rows resolve exactly', async () => {
    const r = await get(q({ imei: IMEI, token: TOKEN, lbs: cellParam(CELL.big) }));
    expect(r.body.data).toMatchObject({ lat: -23.55, lng: -46.63, accuracy: 300 });
    for (const c of data.cells.slice(0, 20)) {
      const g = await get(q({ imei: IMEI, token: TOKEN, lbs: cellParam(c) }));
      expect(g.body.data).toMatchObject({ lat: c.lat, lng: c.lng, accuracy: c.range, type: 4 });
    }
    for (const w of data.wifi.slice(0, 20)) {
      const g = await get(q({ imei: IMEI, token: TOKEN, wifi: `${w.mac.toUpperCase().replace(/:/g, '-')},-70` }));
      expect(g.body.data).toMatchObject({ lat: w.lat, lng: w.lng, accuracy: w.accuracy, type: 2 });
    }
  });
});

describe('GET /loc/query: every error code', () => {
  it('400 when nothing resolves', async () => {
    const r = await get(q({ imei: IMEI, token: TOKEN, lbs: '1,1,1,1,-70', wifi: '0a:0b:0c:0d:0e:0f,-40' }));
    expect(r.body).toEqual({ code: 400, msg: 'no data found', data: null });
    expect(r.headers.get('x-lbs-unknown')).toBe('cells=1;wifi=1');
  });
  it('101 for a wrong token', async () => {
    expect((await get(q({ imei: IMEI, token: 'nope', lbs: cellParam(CELL.a) }))).body).toEqual({
      code: 101,
      msg: 'invalid token',
      data: null,
    });
  });
  it('102 for an IMEI that is not 15 digits', async () => {
    for (const imei of ['86812014523360', '8681201452336045', '86812014523360x', ' 868120145233604']) {
      expect((await get(q({ imei, token: TOKEN, lbs: cellParam(CELL.a) }))).body.code).toBe(102);
    }
  });
  it('200 for an unsupported coordinate system', async () => {
    expect((await get(q({ imei: IMEI, token: TOKEN, lbs: cellParam(CELL.a), coord: 'gcj02' }))).body.code).toBe(200);
    expect((await get(q({ imei: IMEI, token: TOKEN, lbs: cellParam(CELL.a), coord: 'WGS84' }))).body.code).toBe(0);
  });
  it('300 when the store fails', async () => {
    const failing = {
      count: 1,
      get: () => {
        throw new Error('EIO');
      },
      close: () => undefined,
    } as unknown as StoreReader;
    const broken = new LbsResolver({ cells: failing, wifi: null, memoryCacheSize: 0 });
    const s = await startLbsServer({
      resolver: broken,
      token: null,
      logger: pino({ level: 'silent' }),
      registry: new Registry(),
      host: '127.0.0.1',
      port: 0,
    });
    try {
      const res = await fetch(
        `http://127.0.0.1:${s.port}/loc/query?${q({ imei: IMEI, token: 'any', lbs: cellParam(CELL.a) })}`,
      );
      expect(await res.json()).toEqual({ code: 300, msg: 'business error', data: null });
    } finally {
      await s.close();
    }
  });
  it('100 for missing parameters', async () => {
    for (const query of [
      '',
      q({ token: TOKEN, lbs: cellParam(CELL.a) }),
      q({ imei: IMEI, lbs: cellParam(CELL.a) }),
      q({ imei: IMEI, token: TOKEN }),
      q({ imei: IMEI, token: TOKEN, lbs: '', wifi: '' }),
      q({ imei: IMEI, token: TOKEN, lbs: '|||' }),
      `imei=${IMEI}&imei=${IMEI}&token=${TOKEN}&lbs=${cellParam(CELL.a)}`,
    ]) {
      const r = await get(query);
      expect(r.status, query).toBe(200);
      expect(r.body, query).toEqual({ code: 100, msg: 'invalid parameters', data: null });
    }
  });
});

describe('GET /loc/query: malformed parameters → 100, no crash', () => {
  const bad = [
    { wifi: 'zz:zz:zz:zz:zz:zz,-50' },
    { wifi: '02:00:00:00:00,-50' },
    { wifi: '02:00:00:00:00:01:02,-50' },
    { wifi: '02:00:00:00:00:01,-50,7' },
    { wifi: '02:00:00:00:00:01,abc' },
    { wifi: '02:00:00:00:00:01,1e3' },
    { lbs: '460,0,10' },
    { lbs: '460,0,10,100,-70,9' },
    { lbs: '1000,0,10,100' },
    { lbs: '460,0,10,1099511627776' },
    { lbs: '460,0,-1,100' },
    { lbs: '460,0,0x10,100' },
    { lbs: '460,0,10,1.5' },
    { lbs: '460, 0,10,100' },
    { lbs: "460,0,10,100' OR '1'='1" },
    { lbs: '460;DROP TABLE cells;--' },
    { wifi: '<script>alert(1)</script>' },
    { wifi: `${'$'}{jndi:ldap://x}` },
    { lbs: '../../../../etc/passwd' },
    { wifi: '02:00:00:00:00:01\u0000,-50' },
    { lbs: Array.from({ length: 65 }, (_, i) => `460,0,10,${i}`).join('|') },
    { wifi: Array.from({ length: 65 }, () => '02:00:00:00:00:01,-50').join('|') },
    { lbs: '4'.repeat(5000) },
  ];
  it.each(bad.map((b, i) => [i, b] as const))('case %i', async (_i, params) => {
    const r = await get(q({ imei: IMEI, token: TOKEN, ...params }));
    expect(r.status).toBe(200);
    expect(r.body.code).toBe(100);
  });

  it('broken URL encoding and nested parameters', async () => {
    for (const raw of [
      `imei=${IMEI}&token=${TOKEN}&lbs=%ZZ`,
      `imei[a]=1&token=${TOKEN}&lbs=1,1,1,1`,
      `imei=${IMEI}&token=${TOKEN}&wifi[]=x`,
    ]) {
      const res = await fetch(`http://127.0.0.1:${server.port}/loc/query?${raw}`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as Answer).code).toBe(100);
    }
  });

  it('a URL larger than the HTTP header limit is refused by HTTP (431), the server goes on', async () => {
    const res = await fetch(
      `http://127.0.0.1:${server.port}/loc/query?imei=${IMEI}&token=${TOKEN}&lbs=${'1'.repeat(20_000)}`,
    );
    expect(res.status).toBe(431);
    expect((await get(q({ imei: IMEI, token: TOKEN, lbs: cellParam(CELL.a) }))).body.code).toBe(0);
  });

  it('property: random parameter values never crash the server and get a defined code', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 120 }), fc.string({ maxLength: 120 }), async (wifi, lbs) => {
        const r = await get(q({ imei: IMEI, token: TOKEN, wifi, lbs }));
        expect([0, 100, 400]).toContain(r.body.code);
      }),
      { numRuns: 60 },
    );
  });
});

describe('service endpoints', () => {
  it('/health reports the store sizes; /metrics counts answers by code', async () => {
    const h = (await (await fetch(`http://127.0.0.1:${server.port}/health`)).json()) as {
      status: string;
      cells: number;
    };
    expect(h.status).toBe('ok');
    expect(h.cells).toBe(5000 + 5);
    const m = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
    expect(m).toMatch(/iothub_lbs_queries_total\{code="0"\} [1-9]/);
    expect(m).toMatch(/iothub_lbs_queries_total\{code="100"\} [1-9]/);
    expect(m).toMatch(/iothub_lbs_observations_total\{kind="cell",result="unknown"\} [1-9]/);
  });
});

describe('order of checks', () => {
  it('a wrong token is 101 even when the rest is also wrong (nothing else is revealed)', async () => {
    expect((await get(q({ imei: '1', token: 'nope', lbs: 'garbage', coord: 'bd09' }))).body.code).toBe(101);
  });
  it('any non-empty token is accepted when the service has none configured', async () => {
    const s = await startLbsServer({
      resolver,
      token: null,
      logger: pino({ level: 'silent' }),
      registry: new Registry(),
      host: '127.0.0.1',
      port: 0,
    });
    try {
      const res = await fetch(
        `http://127.0.0.1:${s.port}/loc/query?${q({ imei: IMEI, token: 'x', lbs: cellParam(CELL.a) })}`,
      );
      expect(((await res.json()) as Answer).code).toBe(0);
    } finally {
      await s.close();
    }
  });
});
