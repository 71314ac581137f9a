import { createLogger, loadConfig, MemoryBus } from '@iothub/core';
import { type GatewayApp, startGatewayApp } from '@iothub/gateways';
import { Fleet, type SimProtocol } from '@iothub/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The embedded process end to end: both gateways built from the configuration, real simulated
 * devices of every protocol over TCP, events on the in-memory bus.
 */
describe('embedded gateways with simulated devices', () => {
  let app: GatewayApp;
  const bus = new MemoryBus();

  beforeAll(async () => {
    const config = loadConfig({ JT808_PORT: '0', JIMI_PORT: '0', ADMIN_PORT: 'off', LOG_LEVEL: 'warn' });
    app = await startGatewayApp(config, {
      protocols: ['jt808', 'jimi'],
      host: '127.0.0.1',
      bus,
      logger: createLogger({ level: 'silent', service: 'test' }),
    });
  });
  afterAll(async () => {
    await app?.close();
  });

  const cases: [SimProtocol, 'jt808' | 'jimi'][] = [
    ['jt808-2013', 'jt808'],
    ['jt808-2019', 'jt808'],
    ['jimi', 'jimi'],
  ];
  it.each(cases)('%s devices log in, report and are acknowledged; events reach the bus', async (protocol, gateway) => {
    const server = app.servers.find((s) => s.protocol.name === gateway)!;
    const fleet = new Fleet({
      protocol,
      host: '127.0.0.1',
      port: server.port,
      count: 5,
      rate: 5,
      heartbeatSeconds: 1,
      alarmEvery: 4,
      firstIndex: protocol === 'jt808-2019' ? 100 : 0,
      rampMs: 0,
    });
    fleet.start();
    const deadline = Date.now() + 30_000;
    while (fleet.stats.snapshot().positions < 40 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await fleet.stop({ drainMs: 1000 });
    const s = fleet.stats.snapshot();
    expect(s.positions).toBeGreaterThanOrEqual(40);
    expect(s.errorCount).toBe(0);
    const acked = s.acknowledgedByKind.location ?? 0;
    if (gateway === 'jt808') expect(acked).toBeGreaterThan(0);
    const locations = bus.messages('iothub.location').filter((m) => {
      const e = JSON.parse(m.value.toString()) as { protocol: string; protocolVersion?: string };
      return e.protocol === gateway;
    });
    expect(locations.length).toBeGreaterThan(0);
    const event = JSON.parse(locations[0]!.value.toString()) as Record<string, unknown>;
    expect(event).toMatchObject({ v: 1, kind: 'location', protocol: gateway });
    expect(typeof event.deviceImei).toBe('string');
    expect(bus.messages('iothub.session').length).toBeGreaterThan(0);
  });
});
