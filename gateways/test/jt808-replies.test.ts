/**
 * JT/T 808 reply rules over real TCP, for 2013 and 2019 headers, byte for byte; what is published.
 */
import { jt808 } from '@iothub/codec';
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayServer } from '../src/common/server.ts';
import type { Jt808Frame } from '../src/jt808/index.ts';
import {
  authBody,
  type Env,
  events,
  expected,
  fixtureBody,
  locationBody,
  makeEnv,
  registerBody,
  startGateway,
  Terminal,
  waitFor,
} from './jt808-helpers.ts';

const PHONES = { 2013: '013912345678', 2019: '00000000013912345678' } as const;

let gw: GatewayServer<Jt808Frame> | null = null;
const terminals: Terminal[] = [];
afterEach(async () => {
  for (const t of terminals.splice(0)) t.end();
  await gw?.close();
  gw = null;
});

function terminal(env: Env, phone: string, version: 2013 | 2019): Terminal {
  const t = new Terminal(gw!.port, phone, version);
  terminals.push(t);
  void env;
  return t;
}

describe.each([2013, 2019] as const)('JT/T 808 %i replies', (version) => {
  it('register → 0x8100 with the code; wrong code → 0x8001 result 1; right code → result 0', async () => {
    const env = makeEnv();
    gw = await startGateway(env);
    const t = terminal(env, PHONES[version], version);
    const s1 = t.send({ type: 'terminal-register', body: registerBody(version) });
    const r1 = await t.nth(1);
    expect(r1.wire).toBe(
      expected(t, 0, { type: 'register-response', body: { replySerial: s1, result: 0, authCode: 'AC345678' } }),
    );
    expect(await env.routes.getAuthCode(PHONES[version])).toBe('AC345678');

    const s2 = t.send({ type: 'terminal-authentication', body: authBody(version, 'WRONG') });
    expect((await t.nth(2)).wire).toBe(
      expected(t, 1, {
        type: 'platform-general-response',
        body: { replySerial: s2, replyMsgId: 0x0102, result: 1 },
      }),
    );
    // Not authenticated: a location is refused (result 1) and not published.
    const s3 = t.send({ type: 'location-report', body: locationBody() });
    expect((await t.nth(3)).wire).toBe(
      expected(t, 2, {
        type: 'platform-general-response',
        body: { replySerial: s3, replyMsgId: 0x0200, result: 1 },
      }),
    );
    expect(events(env.bus, 'location')).toHaveLength(0);

    const s4 = t.send({ type: 'terminal-authentication', body: authBody(version, 'AC345678') });
    expect((await t.nth(4)).wire).toBe(
      expected(t, 3, {
        type: 'platform-general-response',
        body: { replySerial: s4, replyMsgId: 0x0102, result: 0 },
      }),
    );
    const route = await waitFor(() => gw!.byDevice.get('13912345678'), 'route');
    expect(route.deviceImei).toBe('13912345678');
    expect((await env.routes.get('13912345678'))?.gateId).toBe('gw-a');
    const auth = events(env.bus, 'auth');
    expect(auth.map((e) => e.data.success)).toEqual([false, true]);
    expect(events(env.bus, 'session')[0]?.data.action).toBe('login');
  });

  it('answers every uplink per the spec, byte for byte, and publishes the events', async () => {
    const env = makeEnv();
    gw = await startGateway(env);
    const t = terminal(env, PHONES[version], version);
    await t.login();
    let n = 2;
    let platformSerial = 2;
    const general = async (serial: number, msgId: number) => {
      const r = await t.nth(++n);
      expect(r.wire).toBe(
        expected(t, platformSerial++, {
          type: 'platform-general-response',
          body: { replySerial: serial, replyMsgId: msgId, result: 0 },
        }),
      );
    };

    const hb = t.send({ type: 'heartbeat', body: {} });
    const hbReply = await t.nth(n + 1);
    // Independent of the codec's encoder: the bytes written out by hand (JT/T 808 §4.4, §8.1).
    expect(hbReply.wire).toBe(
      version === 2013
        ? '7e8001000501391234567800020003000200b77e'
        : '7e80014005010000000001391234567800020003000200f67e',
    );
    expect(hb).toBe(3);
    n++;
    platformSerial++;

    await general(t.send({ type: 'location-report', body: locationBody() }), 0x0200);
    await general(t.send({ type: 'location-report', body: locationBody(0x0001) }), 0x0200);
    await general(
      t.send({
        type: 'location-batch',
        body: { dataType: 1, entries: [{ kind: 'report', report: locationBody() }] },
      } as Pick<jt808.Jt808KnownMessage, 'type' | 'body'>),
      0x0704,
    );
    await general(
      t.send({
        type: 'multimedia-event',
        body: { mediaId: 7, mediaType: 0, mediaFormat: 0, event: 1, channel: 1 },
      }),
      0x0800,
    );
    await general(
      t.send({ type: 'uplink-pass-through', body: { passThroughType: 0x41, data: Buffer.from('hello') } }),
      0x0900,
    );
    await general(t.sendRaw(0x1210, fixtureBody('1210-alarm-attachment-list.json', version)), 0x1210);
    await general(
      t.send({ type: 'alarm-file-info', body: { fileName: '00_64_6401_0_A.jpg', fileType: 0, fileSize: 1234 } }),
      0x1211,
    );
    const s1212 = t.send({
      type: 'alarm-file-upload-complete',
      body: { fileName: '00_64_6401_0_A.jpg', fileType: 0, fileSize: 1234 },
    });
    const r1212 = await t.nth(++n);
    expect(r1212.wire).toBe(
      expected(t, platformSerial++, {
        type: 'alarm-file-upload-complete-response',
        body: { fileName: '00_64_6401_0_A.jpg', fileType: 0, result: 0, retransmits: [] },
      }),
    );
    void s1212;
    await general(t.sendRaw(0x0f01, Buffer.from('abcd', 'hex')), 0x0f01);

    // 0x0004 (2019 query server time) → 0x8004 with the server time.
    t.send({ type: 'query-server-time', body: {} });
    const r8004 = await t.nth(++n);
    platformSerial++;
    expect(r8004.packet.message.type).toBe('server-time-response');
    expect(r8004.packet.header.serial).toBe(platformSerial - 1);

    await general(t.send({ type: 'terminal-logout', body: {} }), 0x0003);
    await waitFor(() => !gw!.byDevice.has('13912345678'), 'release');
    await waitFor(() => events(env.bus, 'session').length === 2, 'logout event');
    expect(await env.routes.get('13912345678')).toBeNull();

    const loc = events(env.bus, 'location');
    expect(loc).toHaveLength(3);
    expect(loc.map((e) => e.data.reupload ?? false)).toEqual([false, false, true]);
    expect(loc[0]).toMatchObject({
      v: 1,
      kind: 'location',
      deviceImei: '13912345678',
      protocol: 'jt808',
      protocolVersion: String(version),
      gateId: 'gw-a',
      msgId: 0x0200,
      type: 'location-report',
      deviceTime: '2026-01-02T03:04:05.000Z',
    });
    expect(loc[0]!.raw).toMatch(/^0200/);
    expect(env.bus.messages('iothub.location')[0]!.key).toBe('13912345678');
    expect(events(env.bus, 'alarm')).toHaveLength(1);
    expect(events(env.bus, 'heartbeat')).toHaveLength(1);
    expect(events(env.bus, 'multimedia')).toHaveLength(1);
    expect(events(env.bus, 'transparent')).toHaveLength(1);
    expect(events(env.bus, 'attachment')).toHaveLength(3);
    expect(events(env.bus, 'unknown')[0]?.data.body).toBe('abcd');
    expect(events(env.bus, 'info')).toHaveLength(1);
    expect(events(env.bus, 'session').map((e) => e.data.action)).toEqual(['login', 'logout']);
  });

  it('reassembles a subpackaged 0x0801, asks for a missing piece with 0x8003, stores the file, answers 0x8800', async () => {
    const env = makeEnv();
    gw = await startGateway(env, {}, { resendAfterMs: 40 });
    const t = terminal(env, PHONES[version], version);
    await t.login();
    const image = Buffer.alloc(2500);
    for (let i = 0; i < image.length; i++) image[i] = (i * 7) & 0xff;
    const body = jt808.encodeJt808Body(
      {
        type: 'multimedia-data',
        body: {
          mediaId: 42,
          mediaType: 0,
          mediaFormat: 0,
          event: 1,
          channel: 2,
          location: { alarm: 0, status: 0, latitude: 1, longitude: 2, altitude: 3, speed: 4, course: 5, time: null },
          data: image,
        },
      } as Pick<jt808.Jt808KnownMessage, 'type' | 'body'>,
      { version },
    );
    const first = t.serial;
    t.serial += 3;
    const pieces = jt808.encodeJt808Subpackaged({ msgId: 0x0801, version, phone: t.phone, serial: first }, body, 1000);
    expect(pieces).toHaveLength(3);
    // Pieces 1 and 3 in one write (both stepped before any timer tick).
    t.socket.write(Buffer.concat([pieces[0]!, pieces[2]!]));
    // piece 1 and piece 3 acknowledged (neither completes the message), then 0x8003 for piece 2
    const a1 = await t.nth(3);
    expect(a1.packet.message.type).toBe('platform-general-response');
    expect((await t.nth(4)).packet.message.type).toBe('platform-general-response');
    const req = await t.nth(5);
    expect(req.wire).toBe(
      expected(t, 4, { type: 'resend-subpackage-request', body: { firstSerial: first, packageIndexes: [2] } }),
    );
    t.socket.write(pieces[1]!);
    const done = await waitFor(
      () => t.received.find((r) => r.packet.message.type === 'multimedia-upload-response'),
      '0x8800',
    );
    expect(done.packet.message.type === 'multimedia-upload-response' && done.packet.message.body.mediaId).toBe(42);
    const ev = await waitFor(() => events(env.bus, 'multimedia')[0], 'multimedia event');
    expect(ev.data.size).toBe(2500);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(String(ev.data.file)).equals(image)).toBe(true);
    expect(ev.serial).toBe(first);
  });
});
