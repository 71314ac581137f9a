/**
 * Backpressure (`maxInflightRecords`): while the bus holds more unaccepted records than the limit,
 * the gateway stops reading from the devices that send more; when the bus catches up, reading
 * resumes and nothing is lost. The bus here is the in-memory one behind a gate that holds every
 * publish until it is opened (a stalled broker).
 */
import type { Bus, BusRecord } from '@iothub/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayServer } from '../src/common/server.ts';
import type { Jt808Frame } from '../src/jt808/index.ts';
import { events, locationBody, makeEnv, startGateway, Terminal, waitFor } from './jt808-helpers.ts';

const gateways: GatewayServer<Jt808Frame>[] = [];
const terminals: Terminal[] = [];
afterEach(async () => {
  for (const t of terminals.splice(0)) t.end();
  await Promise.all(gateways.splice(0).map((g) => g.close()));
});

/** The in-memory bus behind a gate: while stalled, publishes wait until `open()`. */
function gated(inner: Bus): Bus & { stall(): void; open(): void } {
  let waiting: (() => void)[] = [];
  let stalled = false;
  return {
    async publish(records: BusRecord[]) {
      if (stalled) await new Promise<void>((r) => waiting.push(r));
      await inner.publish(records);
    },
    subscribe: (o) => inner.subscribe(o),
    isReady: () => inner.isReady(),
    close: () => inner.close(),
    stall() {
      stalled = true;
    },
    open() {
      stalled = false;
      for (const r of waiting) r();
      waiting = [];
    },
  };
}

async function counter(env: ReturnType<typeof makeEnv>, name: string): Promise<number> {
  const m = env.registry.getSingleMetric(name);
  if (!m) return 0;
  return (await m.get()).values.reduce((a, v) => a + v.value, 0);
}

describe('backpressure', () => {
  it('a stalled bus stops the reading; once it accepts again every message is published and acknowledged', async () => {
    const env = makeEnv();
    const bus = gated(env.bus);
    const gw = await startGateway(env, { bus, maxInflightRecords: 5, rateLimit: { messages: 1e9, windowMs: 1000 } });
    gateways.push(gw);
    const t = new Terminal(gw.port, '013900000060', 2013);
    terminals.push(t);
    await t.login();
    bus.stall();

    // 200 locations, one write each, while the bus is stalled
    const serials: number[] = [];
    for (let i = 0; i < 200; i++) {
      serials.push(t.send({ type: 'location-report', body: locationBody() }));
      await new Promise((r) => setTimeout(r, 2));
    }
    await waitFor(() => gw.inflightRecords > 5, 'records waiting for the bus');
    await new Promise((r) => setTimeout(r, 200));
    expect(await counter(env, 'iothub_gateway_backpressure_total')).toBe(1);
    // reading stopped: far fewer frames were read than sent
    const readWhileStalled = await counter(env, 'iothub_gateway_frames_in_total');
    expect(readWhileStalled).toBeLessThan(2 + 100);
    expect(events(env.bus, 'location')).toHaveLength(0);

    bus.open();
    await waitFor(() => events(env.bus, 'location').length === 200, 'every location published', 20_000);
    const acked = new Set(
      t.received.flatMap((r) =>
        r.packet.message.type === 'platform-general-response' ? [r.packet.message.body.replySerial] : [],
      ),
    );
    await waitFor(() => {
      for (const r of t.received) {
        if (r.packet.message.type === 'platform-general-response') acked.add(r.packet.message.body.replySerial);
      }
      return serials.every((s) => acked.has(s));
    }, 'every location acknowledged');
    expect(gw.inflightRecords).toBe(0);
    expect(t.closed).toBe(false);
  });
});
