import { createLogger, loadConfig, MemoryBus } from '@iothub/core';
import { afterEach, describe, expect, it } from 'vitest';
import { startDispatchApp } from '../src/index.ts';
import { location, publishEvents } from './helpers.ts';
import { Receiver, waitFor } from './receiver.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

describe('startDispatchApp (configuration wiring, admin server)', () => {
  it('delivers from the given bus with the configured token and profile; /health and /metrics answer', async () => {
    const receiver = await new Receiver().listen();
    cleanup.push(() => receiver.close());
    const bus = new MemoryBus();
    const config = loadConfig({
      PUSH_URL: `${receiver.url}/hub/`,
      PUSH_TOKEN: 'cfg-token',
      PUSH_BATCH_SIZE: '3',
      LOG_LEVEL: 'silent',
    });
    const app = await startDispatchApp(config, {
      bus,
      adminPort: 0,
      logger: createLogger({ level: 'silent', service: 'dispatch' }),
    });
    cleanup.push(() => app.close());
    await publishEvents(
      bus,
      'iothub',
      Array.from({ length: 7 }, (_, i) => location('860000000000042', i)),
    );
    await waitFor(() => receiver.acceptedRecords().length === 7);
    expect(receiver.accepted.map((r) => r.records.length)).toEqual([3, 3, 1]);
    expect(receiver.accepted.every((r) => r.path === '/hub/pushgps' && r.form.token === 'cfg-token')).toBe(true);
    const port = app.admin?.port;
    const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'ok', breakers: { push: 'closed', offline: 'closed' }, pendingRecords: 0 });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain('iothub_dispatch_records_total{endpoint="pushgps",outcome="delivered"} 7');
    expect(metrics).toContain('iothub_dispatch_requests_total{endpoint="pushgps",outcome="ok"} 3');
    expect(metrics).toContain('iothub_dispatch_breaker_state{target="push"} 0');
  });

  it('refuses to start without PUSH_URL, and in fleet form without KAFKA_BROKERS', async () => {
    await expect(startDispatchApp(loadConfig({}), { bus: new MemoryBus(), adminPort: null })).rejects.toThrow(
      'PUSH_URL',
    );
    await expect(startDispatchApp(loadConfig({ PUSH_URL: 'http://127.0.0.1:1' }), { adminPort: null })).rejects.toThrow(
      'KAFKA_BROKERS',
    );
  });
});
