/**
 * Issue #3, "Tests": a gateway process killed — its devices reconnect to another one, the route table
 * points there within 5 s, and the dead process's routes expire.
 *
 * Two JT/T 808 gateway processes (`node --import tsx bin/iothub.ts gateway --protocol jt808`, own
 * GATE_ID and port, same Redis and Kafka). The simulator has one target address, so the devices
 * connect through a tiny failover proxy in this test (helpers/failover-proxy.ts): each connection
 * goes to the first gateway that accepts it, A while it lives, B after A is gone. A few other
 * devices connect to A directly and never reconnect: their route entries are left behind by the
 * SIGKILL and must read as gone once A's liveness key expires (gate TTL, 15 s by default).
 */
import { performance } from 'node:perf_hooks';
import { RedisRouteTable } from '@iothub/core';
import { Fleet } from '@iothub/simulator';
import { describe, expect, it } from 'vitest';
import { serviceEnv } from './env.ts';
import { startFailoverProxy } from './helpers/failover-proxy.ts';
import { type GatewayProcess, spawnGateway, stopGateway } from './helpers/gateway-process.ts';
import { uniquePrefix } from './helpers/kafka.ts';
import { waitUntil } from './helpers/wait.ts';

const redisUrl = serviceEnv('REDIS_URL');
const kafkaBrokers = serviceEnv('KAFKA_BROKERS');

const MOVING = 20;
const STRANDED = 5;
/** Issue #3: the route table points to the new gateway within this long after the reconnection. */
const ROUTE_WITHIN_MS = 5_000;
/** The gateway liveness TTL (`GatewayServer` default, not configurable by environment) plus slack. */
const GATE_EXPIRY_MS = 15_000 + 10_000;

if (redisUrl !== undefined && kafkaBrokers !== undefined) {
  describe('JT/T 808 gateway processes on Kafka + Redis: one killed', () => {
    it('devices reconnect to the other gateway, the route table follows, the dead one expires', async () => {
      const prefix = uniquePrefix('kill');
      const gateA = `${prefix}-a`;
      const gateB = `${prefix}-b`;
      const env = { REDIS_URL: redisUrl, KAFKA_BROKERS: kafkaBrokers, TOPIC_PREFIX: prefix };
      const routes = new RedisRouteTable({ redis: redisUrl });
      const phoneBase = String(30_000_000_000 + Math.floor(Math.random() * 9_000_000) * 1000);
      const gateways: GatewayProcess[] = [];
      const fleets: Fleet[] = [];
      let proxy: Awaited<ReturnType<typeof startFailoverProxy>> | null = null;
      try {
        const [a, b] = await Promise.all([
          spawnGateway('jt808', { ...env, GATE_ID: gateA }),
          spawnGateway('jt808', { ...env, GATE_ID: gateB }),
        ]);
        gateways.push(a, b);
        proxy = await startFailoverProxy([a.port, b.port]);

        // device id → performance.now() of its latest transition to online
        const onlineAt = new Map<string, number>();
        const onlineCount = new Map<string, number>();
        const moving = new Fleet({
          protocol: 'jt808-2013',
          host: '127.0.0.1',
          port: proxy.port,
          count: MOVING,
          phoneBase,
          rate: 1,
          heartbeatSeconds: 5,
          rampMs: 200,
          reconnect: { minDelayMs: 200, maxDelayMs: 1_000 },
          hooks: {
            onState(device, state) {
              if (state !== 'online') return;
              onlineAt.set(device.deviceId, performance.now());
              onlineCount.set(device.deviceId, (onlineCount.get(device.deviceId) ?? 0) + 1);
            },
          },
        });
        const stranded = new Fleet({
          protocol: 'jt808-2013',
          host: '127.0.0.1',
          port: a.port,
          count: STRANDED,
          firstIndex: MOVING,
          phoneBase,
          rate: 1,
          heartbeatSeconds: 5,
          rampMs: 0,
          reconnect: { maxAttempts: 0 },
        });
        fleets.push(moving, stranded);
        moving.start();
        stranded.start();
        await Promise.all([moving.waitOnline(30_000), stranded.waitOnline(30_000)]);
        const movingIds = moving.devices.map((d) => d.deviceId);
        const strandedIds = stranded.devices.map((d) => d.deviceId);
        const gateOf = async (id: string) => (await routes.get(id))?.gateId ?? null;
        await waitUntil(
          async () => (await Promise.all([...movingIds, ...strandedIds].map(gateOf))).every((g) => g === gateA),
          10_000,
          `every device routed to ${gateA}`,
          100,
        );

        const killAt = performance.now();
        a.kill('SIGKILL');
        expect((await a.exited).signal).toBe('SIGKILL');
        // nothing released them: A's liveness key (announced at most 5 s ago) still vouches for them
        expect(await Promise.all(strandedIds.map(gateOf))).toEqual(strandedIds.map(() => gateA));

        // every moving device back online (a second time), each through B
        await waitUntil(
          () => movingIds.every((id) => (onlineCount.get(id) ?? 0) >= 2),
          30_000,
          'the devices of the killed gateway online again',
          50,
        );
        expect(proxy.forwarded.get(b.port) ?? 0).toBeGreaterThanOrEqual(MOVING);

        // the route table points to B: per device, from its reconnection to the first read showing B
        const routedAfter = new Map<string, number>();
        const deadline = performance.now() + 30_000;
        while (routedAfter.size < MOVING && performance.now() < deadline) {
          const gates = await Promise.all(movingIds.map(gateOf));
          const now = performance.now();
          gates.forEach((g, i) => {
            const id = movingIds[i]!;
            if (g === gateB && !routedAfter.has(id)) routedAfter.set(id, now - (onlineAt.get(id) ?? now));
          });
          await new Promise((r) => setTimeout(r, 50));
        }
        const slowest = Math.max(...routedAfter.values());
        expect(routedAfter.size, 'devices whose route points to the new gateway').toBe(MOVING);
        expect(slowest).toBeLessThanOrEqual(ROUTE_WITHIN_MS);

        // A's entries were not released (SIGKILL): they read as gone once A's liveness key expires
        await waitUntil(
          async () => !(await routes.isGateAlive(gateA)),
          GATE_EXPIRY_MS,
          `${gateA} liveness expired`,
          200,
        );
        const expiredAfter = performance.now() - killAt;
        expect(await Promise.all(strandedIds.map(gateOf))).toEqual(strandedIds.map(() => null));
        expect(await routes.isGateAlive(gateB)).toBe(true);
        expect(await Promise.all(movingIds.map(gateOf))).toEqual(movingIds.map(() => gateB));
        expect(b.child.exitCode).toBeNull();
        console.info(
          `gateway kill: ${MOVING} devices moved to ${gateB}; route seen on B at most ${Math.round(slowest)} ms ` +
            `after the reconnection; ${gateA} expired ${Math.round(expiredAfter)} ms after SIGKILL`,
        );
      } finally {
        await Promise.all(fleets.map((f) => f.stop({ closeTimeoutMs: 500 })));
        await proxy?.close();
        await Promise.all(gateways.map((g) => stopGateway(g)));
        await routes.close();
      }
    }, 120_000);
  });
}
