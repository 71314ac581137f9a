/**
 * Issue #4 in fleet mode: gateways as their own processes (`iothub gateway --protocol …`, Redis route
 * table and control channel, Kafka bus), two instruction-API/router instances in this process on
 * the same Redis and Kafka. Devices are simulator devices and raw TCP devices over real sockets.
 *
 *  - text round trips (Jimi, JT/T 808) and a parameter query through another process's gateway;
 *  - busy (302) across router instances;
 *  - a device reconnecting to a different gateway process between two commands;
 *  - an offline command stored in Redis, delivered when the device logs in (login event over
 *    Kafka), its result published on Kafka as `instruct-result` msgType 2;
 *  - a gateway process SIGKILLed while a command is pending → 400 (gateway gone), not 600.
 */
import { randomUUID } from 'node:crypto';
import { createLogger, KafkaBus, type Logger, RedisRouteTable, type UplinkEvent } from '@iothub/core';
import { type InstructionApp, startInstructionApp } from '@iothub/instruction-server';
import { imeiFor, SimulatedDevice } from '@iothub/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instruct, SilentJimiDevice, testConfig } from '../../instruction-server/test/helpers.ts';
import { serviceEnv } from './env.ts';
import { type GatewayProcess, spawnGateway, stopGateway } from './helpers/gateway-process.ts';
import { uniquePrefix } from './helpers/kafka.ts';
import { waitUntil } from './helpers/wait.ts';

const redisUrl = serviceEnv('REDIS_URL');
const kafkaBrokers = serviceEnv('KAFKA_BROKERS');

if (redisUrl !== undefined && kafkaBrokers !== undefined) {
  describe('instruction API + router in fleet mode (gateway processes, Redis, Kafka)', () => {
    const prefix = uniquePrefix('cmd');
    const env = { REDIS_URL: redisUrl, KAFKA_BROKERS: kafkaBrokers, TOPIC_PREFIX: prefix };
    const logger: Logger = createLogger({ level: (process.env.LOG_LEVEL ?? 'silent') as 'silent', service: 'it-api' });
    let jimiA: GatewayProcess;
    let jimiB: GatewayProcess;
    let jt: GatewayProcess;
    const apis: InstructionApp[] = [];
    const routes = new RedisRouteTable({ redis: redisUrl });
    const sims: SimulatedDevice[] = [];
    const raws: SilentJimiDevice[] = [];
    const imeiBase = String(86_100_000_000_000 + Math.floor(Math.random() * 1e12)).slice(0, 14);
    let index = 0;
    /** Raw devices: a separate random IMEI range. */
    const rawImei = () => String(862_000_000_000_000 + Math.floor(Math.random() * 1e12));

    const startApi = async (name: string) => {
      const cfg = testConfig({ ...env, API_TOKEN: 'test-token-0123456789', API_RATE_LIMIT_PER_SECOND: '0' });
      const api = await startInstructionApp(cfg, {
        host: '127.0.0.1',
        logger,
        instanceId: `${prefix}-${name}`,
        // the gateways' (default) Redis prefix; device identities are unique per run
        keyPrefix: 'iothub:',
        groupId: `${prefix}-api`,
        sessionsFromBeginning: true,
      });
      apis.push(api);
      return api;
    };

    const sim = async (protocol: 'jimi' | 'jt808-2013', port: number, i = index++) => {
      const d = new SimulatedDevice({
        protocol,
        host: '127.0.0.1',
        port,
        index: i,
        imeiBase,
        phoneBase: `139${imeiBase.slice(-8)}`,
        rate: 0,
        heartbeatSeconds: 0,
        reconnect: { minDelayMs: 100, maxDelayMs: 500 },
      });
      d.start();
      sims.push(d);
      await d.waitOnline(20_000);
      return d;
    };

    beforeAll(async () => {
      [jimiA, jimiB, jt] = await Promise.all([
        spawnGateway('jimi', { ...env, GATE_ID: `${prefix}-jimi-a` }),
        spawnGateway('jimi', { ...env, GATE_ID: `${prefix}-jimi-b` }),
        spawnGateway('jt808', { ...env, GATE_ID: `${prefix}-jt808` }),
      ]);
      await startApi('one');
      await startApi('two');
    });

    afterAll(async () => {
      for (const r of raws) r.end();
      await Promise.allSettled(sims.map((d) => d.stop({ drainMs: 0 })));
      await Promise.allSettled(apis.map((a) => a.close()));
      await Promise.allSettled([jimiA, jimiB, jt].filter(Boolean).map((g) => stopGateway(g)));
      await routes.close();
    });

    it('text round trips and a parameter query through gateway processes', async () => {
      const [one] = apis as [InstructionApp];
      const j = await sim('jimi', jimiA.port);
      const r = await instruct(one.port, { imei: j.deviceId, cmdContent: 'STATUS#', proNo: 128, serverFlagId: 3 });
      expect(r.data).toMatchObject({
        _code: '100',
        _content: 'OK! STATUS#',
        _serverFlagId: 3,
        _gateId: `${prefix}-jimi-a`,
      });
      const t = await sim('jt808-2013', jt.port);
      const text = await instruct(one.port, { imei: t.deviceId, cmdContent: 'STATUS#', proNo: 128 });
      expect(text.data).toMatchObject({ _code: '100', _proNo: 1 });
      const q = await instruct(one.port, { imei: t.deviceId, cmdContent: '{}', proNo: 33028 });
      expect(q.data._code).toBe('100');
      expect(q.data._proNo).toBe(260);
      expect(JSON.parse(q.data._content)).toHaveProperty('paramCount');
    });

    it('one outstanding command per device across router instances (302)', async () => {
      const [one, two] = apis as [InstructionApp, InstructionApp];
      const imei = rawImei();
      const silent = new SilentJimiDevice(jimiA.port, imei);
      raws.push(silent);
      await silent.login();
      await waitUntil(async () => (await routes.get(imei)) !== null, 10_000, 'route of the silent device');
      const pending = instruct(one.port, { imei, cmdContent: 'STATUS#', proNo: 128, timeOut: 3 });
      await waitUntil(() => silent.received.some((m) => m.type === 'online-command'), 10_000, '0x80 at the device');
      const busy = await instruct(two.port, { imei, cmdContent: 'STATUS#', proNo: 128, timeOut: 3 });
      expect(busy.data._code).toBe('302');
      expect((await pending).data._code).toBe('600');
      silent.end();
    });

    it('a device reconnecting to a different gateway process between two commands', async () => {
      const [one, two] = apis as [InstructionApp, InstructionApp];
      const i = index++;
      const first = await sim('jimi', jimiA.port, i);
      const r1 = await instruct(two.port, { imei: first.deviceId, cmdContent: 'STATUS#', proNo: 128 });
      expect(r1.data).toMatchObject({ _code: '100', _gateId: `${prefix}-jimi-a` });
      await first.stop({ drainMs: 0 });
      await sim('jimi', jimiB.port, i);
      await waitUntil(
        async () => (await routes.get(first.deviceId))?.gateId === `${prefix}-jimi-b`,
        10_000,
        'route on B',
      );
      const r2 = await instruct(one.port, { imei: first.deviceId, cmdContent: 'STATUS#', proNo: 128 });
      expect(r2.data).toMatchObject({ _code: '100', _content: 'OK! STATUS#', _gateId: `${prefix}-jimi-b` });
    });

    it('offline command: stored in Redis, delivered at login (Kafka login event), result on Kafka as msgType 2', async () => {
      const [one] = apis as [InstructionApp];
      const i = index++;
      const imei = imeiFor(imeiBase, i);
      const stored = await instruct(one.port, {
        imei,
        cmdContent: 'LATER#',
        proNo: 128,
        offlineFlag: true,
        serverFlagId: 42,
      });
      expect(['300', '301']).toContain(stored.data._code);
      expect(stored.msg).toBe('The device is offline or timed out, and the command is converted to an offline command');
      expect((await one.store.list(imei)).map((c) => c.cmdContent)).toEqual(['LATER#']);

      const reader = new KafkaBus({ brokers: kafkaBrokers.split(','), clientId: 'it-cmd-reader', retryDelayMs: 100 });
      const events: UplinkEvent[] = [];
      const sub = await reader.subscribe({
        topics: [`${prefix}.instruct-result`],
        groupId: `it-cmd-reader-${randomUUID().slice(0, 8)}`,
        fromBeginning: true,
        handler: async (batch) => {
          for (const m of batch) events.push(JSON.parse(m.value.toString()) as UplinkEvent);
        },
      });
      try {
        const d = await sim('jimi', jimiA.port, i);
        expect(d.deviceId).toBe(imei);
        await waitUntil(() => events.some((e) => e.deviceImei === imei), 60_000, 'instruct-result on Kafka');
        const e = events.find((x) => x.deviceImei === imei) as UplinkEvent;
        expect(e).toMatchObject({ kind: 'instruct-result', protocol: 'jimi' });
        expect(e.data).toMatchObject({
          msgType: 2,
          response: { code: 0, data: { _code: '100', _content: 'OK! LATER#', _serverFlagId: 42 } },
        });
        expect(await one.store.list(imei)).toEqual([]);
      } finally {
        await sub.close();
        await reader.close();
      }
    });

    it('gateway process killed while a command is pending → 400 (gateway gone), not a hang or 600', async () => {
      const [one] = apis as [InstructionApp];
      const imei = rawImei();
      const silent = new SilentJimiDevice(jimiB.port, imei);
      raws.push(silent);
      await silent.login();
      await waitUntil(async () => (await routes.get(imei))?.gateId === `${prefix}-jimi-b`, 10_000, 'route on B');
      const pending = instruct(one.port, { imei, cmdContent: 'STATUS#', proNo: 128, timeOut: 90 });
      await waitUntil(() => silent.received.some((m) => m.type === 'online-command'), 10_000, '0x80 at the device');
      jimiB.kill('SIGKILL');
      await jimiB.exited;
      const r = await pending;
      expect(r.data._code).toBe('400');
      expect(r.data._errorCode).toBe('IOTHUB_ERR_ROUTER_GATEWAY_GONE');
    });
  });
}
