/**
 * Two runtime rules the other runtime tests do not reach:
 *  - the pending-outbound limit: a device that sends but never reads fills the kernel buffers, then
 *    the runtime's own write queue; past `maxPendingOutboundBytes` its connection (and only its) is
 *    closed with IOTHUB_ERR_OUTBOUND_LIMIT;
 *  - `imeiFromAuth` (JT808_IMEI_SOURCE=auth-imei): a 2019 terminal's `deviceImei` is the IMEI of its
 *    0x0102 authentication instead of the terminal phone number.
 */
import { jt808 } from '@iothub/codec';
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayServer } from '../src/common/server.ts';
import type { Jt808Frame } from '../src/jt808/index.ts';
import {
  authBody,
  events,
  locationBody,
  makeEnv,
  registerBody,
  startGateway,
  Terminal,
  waitFor,
} from './jt808-helpers.ts';

const gateways: GatewayServer<Jt808Frame>[] = [];
const terminals: Terminal[] = [];
afterEach(async () => {
  for (const t of terminals.splice(0)) t.end();
  await Promise.all(gateways.splice(0).map((g) => g.close()));
});

describe('pending-outbound limit', () => {
  it('a device that never reads is closed once its unread replies pass the limit; others are unaffected', async () => {
    const env = makeEnv();
    const gw = await startGateway(env, { maxPendingOutboundBytes: 4096, rateLimit: { messages: 1e9, windowMs: 1000 } });
    gateways.push(gw);

    const good = new Terminal(gw.port, '013900000050', 2013);
    terminals.push(good);
    await good.login();

    const deaf = new Terminal(gw.port, '013900000051', 2013);
    terminals.push(deaf);
    await deaf.login();
    // From here on the device reads nothing: every 0x8001 stays in the kernel buffers, then in the
    // runtime's queue. Heartbeats (≈ 15 bytes each way) in bursts until the gateway gives up on it.
    deaf.socket.pause();
    const burst = Buffer.concat(
      Array.from({ length: 2000 }, () => jt808.encodeJt808(deaf.header(), { type: 'heartbeat', body: {} })),
    );
    for (let i = 0; i < 500 && (await limitHits(env.registry)) === 0; i++) {
      if (!deaf.socket.destroyed) deaf.socket.write(burst);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await limitHits(env.registry)).toBe(1);
    // Reading again, the device finds its connection closed by the gateway.
    deaf.socket.resume();
    await deaf.waitClosed();

    // The other device still gets its acknowledgements.
    const loc = good.send({ type: 'location-report', body: locationBody() });
    await waitFor(
      () =>
        good.received.find(
          (r) => r.packet.message.type === 'platform-general-response' && r.packet.message.body.replySerial === loc,
        ),
      'ack of the reading device',
    );
    expect(good.closed).toBe(false);
  });
});

async function limitHits(registry: ReturnType<typeof makeEnv>['registry']): Promise<number> {
  const m = registry.getSingleMetric('iothub_gateway_limit_hits_total');
  if (!m) return 0;
  return (await m.get()).values.find((v) => v.labels.limit === 'pending-outbound')?.value ?? 0;
}

describe('imeiFromAuth', () => {
  it('a 2019 terminal is identified by the IMEI of its 0x0102 when enabled, by its phone otherwise', async () => {
    for (const imeiFromAuth of [true, false]) {
      const env = makeEnv();
      const gw = await startGateway(env, {}, { imeiFromAuth });
      gateways.push(gw);
      const t = new Terminal(gw.port, '00000860112070347838', 2019);
      terminals.push(t);
      t.send({ type: 'terminal-register', body: registerBody(2019) });
      const r = await t.nth(1);
      const code = (r.packet.message as { body: { authCode?: string } }).body.authCode ?? '';
      const auth = { ...authBody(2019, code), imei: '356307042441013' };
      t.send({ type: 'terminal-authentication', body: auth });
      const a = await t.nth(2);
      expect((a.packet.message as { body: { result: number } }).body.result).toBe(0);
      t.send({ type: 'location-report', body: locationBody() });
      await waitFor(() => events(env.bus, 'location').length === 1, 'location event');
      const expectedImei = imeiFromAuth ? '356307042441013' : '860112070347838';
      expect(events(env.bus, 'location')[0]?.deviceImei).toBe(expectedImei);
      expect((await env.routes.get(expectedImei))?.gateId).toBe('gw-a');
      t.end();
      await gw.close();
      gateways.splice(gateways.indexOf(gw), 1);
    }
  });
});
