/**
 * The Jimi session as a pure state machine: frames in → replies, events, effects out. No I/O.
 */
import { gt06 } from '@iothub/codec';
import { describe, expect, it } from 'vitest';
import type { StepResult } from '../src/common/protocol.ts';
import { JimiSession, type JimiSessionOptions } from '../src/jimi/session.ts';
import { commandReplyFrame, FIX, frameOf, hex, IMEI, loginFrame, shortCommandReplyFrame } from './jimi-helpers.ts';

const NOW = Date.UTC(2024, 4, 6, 12, 30, 15);
const CTX = { gateId: 'g1', connId: 'c1', remoteAddress: '10.0.0.7:5555' };

function session(options: JimiSessionOptions = {}): JimiSession {
  return new JimiSession(CTX, options);
}

function loggedIn(options: JimiSessionOptions = {}): JimiSession {
  const s = session(options);
  s.step({ type: 'frame', frame: frameOf(loginFrame(IMEI, 1)) }, NOW);
  return s;
}

function step(s: JimiSession, frame: Buffer | string, now = NOW): StepResult {
  return s.step({ type: 'frame', frame: frameOf(frame) }, now);
}

function replyHex(r: StepResult): string[] {
  return r.replies.map((x) => x.bytes.toString('hex'));
}

/** The generic ack `78 78 05 <proto> <serial> <crc> 0D 0A` built by the codec. */
function ack(protocol: number, serial: number, start: 'short' | 'long' = 'short'): string {
  return gt06.encodeGt06({ start, serial }, { type: 'ack', protocol, body: {} }).toString('hex');
}

describe('Jimi session: login', () => {
  it('acknowledges a login byte-exactly (document example, serial 5), claims the route, publishes session login', () => {
    const s = session();
    const r = step(s, loginFrame(IMEI, 5));
    expect(replyHex(r)).toEqual(['7878050100059ff80d0a']);
    expect(r.replies[0]!.durable).toBe(true);
    expect(r.effects).toEqual([{ type: 'claim', deviceImei: IMEI, protocolVersion: '7878' }]);
    expect(s.deviceImei).toBe(IMEI);
    expect(r.events).toHaveLength(1);
    const e = r.events[0]!;
    expect(e).toMatchObject({
      v: 1,
      kind: 'session',
      deviceImei: IMEI,
      protocol: 'jimi',
      gateId: 'g1',
      connId: 'c1',
      msgId: 0x01,
      serial: 5,
      type: 'login',
      receivedAt: new Date(NOW).toISOString(),
      data: { state: 'login', remoteAddress: '10.0.0.7:5555', imei: IMEI },
    });
    expect(e.raw).toBe(loginFrame(IMEI, 5).toString('hex'));
  });

  it('reads type code and time zone of the extended login (fixture, serial 5)', () => {
    const s = session();
    const r = step(s, FIX.login5);
    expect(replyHex(r)).toEqual(['7878050100059ff80d0a']);
    expect(r.events[0]!.data).toMatchObject({
      imei: '752533678900242',
      typeCode: 0x7000,
      timeZone: { offsetMinutes: 480 },
    });
  });

  it('accepts the clone 15-byte login (no serial / CRC) and answers with serial 0', () => {
    const s = session();
    const r = step(s, FIX.cloneLogin);
    expect(s.deviceImei).toBe('861234567890123');
    expect(replyHex(r)).toEqual([ack(0x01, 0)]);
    expect(r.effects).toEqual([{ type: 'claim', deviceImei: '861234567890123', protocolVersion: 'clone' }]);
    expect(r.events[0]!.serial).toBeUndefined();
  });

  it('answers a repeated login of the same IMEI again; another IMEI closes the connection', () => {
    const s = loggedIn();
    const again = step(s, loginFrame(IMEI, 2));
    expect(replyHex(again)).toEqual([ack(0x01, 2)]);
    expect(again.effects).toEqual([{ type: 'claim', deviceImei: IMEI, protocolVersion: '7878' }]);
    const other = step(s, loginFrame('123456789012345', 3));
    expect(other.replies).toEqual([]);
    expect(other.events).toEqual([]);
    expect(other.effects).toMatchObject([{ type: 'close', code: 'IOTHUB_ERR_JIMI_IMEI_CHANGED' }]);
    expect(s.deviceImei).toBe(IMEI);
  });
});

describe('Jimi session: before login', () => {
  it('ignores frames before the login: no reply, nothing published, counted', () => {
    const s = session();
    for (const f of [FIX.heartbeat, FIX.location22, FIX.alarm26, FIX.time8a]) {
      const r = step(s, f);
      expect(r.replies).toEqual([]);
      expect(r.events).toEqual([]);
      expect(r.effects).toEqual([]);
      expect(r.issues).toMatchObject([{ code: 'IOTHUB_ERR_NOT_AUTHENTICATED' }]);
    }
    expect(s.deviceImei).toBeNull();
  });

  it('closes the connection after maxFramesBeforeLogin frames without a login', () => {
    const s = session({ maxFramesBeforeLogin: 2 });
    expect(step(s, FIX.heartbeat).effects).toEqual([]);
    expect(step(s, FIX.heartbeat).effects).toEqual([]);
    expect(step(s, FIX.heartbeat).effects).toMatchObject([{ type: 'close', code: 'IOTHUB_ERR_JIMI_LOGIN_REQUIRED' }]);
  });

  it('publishes no closed event for a connection that never logged in', () => {
    const r = session().step({ type: 'closed', code: 'IOTHUB_ERR_PEER_CLOSED' }, NOW);
    expect(r.events).toEqual([]);
  });
});

describe('Jimi session: acknowledgements', () => {
  it('acks heartbeats 0x13 / 0x23 with the same protocol and the echoed serial, durably', () => {
    const s = loggedIn();
    const r = step(s, FIX.heartbeat);
    expect(replyHex(r)).toEqual([ack(0x13, 0x0f)]);
    expect(r.replies[0]!.durable).toBe(true);
    expect(r.events).toMatchObject([{ kind: 'heartbeat', msgId: 0x13, serial: 15, type: 'heartbeat' }]);
    const v = step(s, FIX.heartbeatVoltage);
    expect(replyHex(v)).toEqual([ack(0x23, 8)]);
    expect(v.events).toMatchObject([{ kind: 'heartbeat', msgId: 0x23, data: { voltage: expect.any(Number) } }]);
  });

  it('acks the heartbeat byte-exactly as in the document (78 78 05 13 01 00 ...)', () => {
    const s = loggedIn();
    const hb = gt06.encodeGt06Raw({ serial: 0x0100 }, 0x13, hex('4004040001'));
    expect(replyHex(step(s, hb))).toEqual(['787805130100e1a00d0a']);
  });

  it('acks every alarm type (0x16 / 0x26 / 0x27 / 0xA4 / 0x19 / 0xA5) and publishes an alarm', () => {
    const cases: [string, number, number][] = [
      [FIX.alarm16, 0x16, 1210],
      [FIX.alarm26, 0x26, 13],
      [FIX.alarm27, 0x27, 68],
      [FIX.alarmA4, 0xa4, 16],
      [FIX.lbsAlarm19, 0x19, 148],
      [FIX.lbsAlarmA5, 0xa5, 25],
    ];
    const s = loggedIn();
    for (const [frame, protocol, serial] of cases) {
      const r = step(s, frame);
      expect(replyHex(r), `0x${protocol.toString(16)}`).toEqual([ack(protocol, serial)]);
      expect(r.replies[0]!.durable).toBe(true);
      expect(r.events).toHaveLength(1);
      expect(r.events[0]).toMatchObject({ kind: 'alarm', msgId: protocol, serial });
      expect(r.events[0]!.data.alarmCode).toEqual(expect.any(Number));
    }
  });

  it('acks the 0x26 alarm byte-exactly as in the document (serial 0x1C)', () => {
    const s = loggedIn();
    const body = frameOf(FIX.alarm26).message;
    if (body.type !== 'alarm') throw new Error('fixture is not an alarm');
    const frame = gt06.encodeGt06({ serial: 0x1c }, body);
    expect(replyHex(step(s, frame))).toEqual(['78780526001c9d860d0a']);
  });

  it('publishes the alarm with its position and names (0x26 vibration)', () => {
    const s = loggedIn();
    const e = step(s, FIX.alarm26).events[0]!;
    expect(e.data).toMatchObject({ alarm: 'vibration', latitude: expect.any(Number), longitude: expect.any(Number) });
    expect(e.deviceTime).toBe('2018-03-12T06:56:22.000Z');
  });

  it('answers a 0x8A time request with the current UTC time, at once and unpublished', () => {
    const s = loggedIn();
    const r = step(s, FIX.time8a);
    const expected = gt06
      .encodeGt06({ serial: 6 }, { type: 'time-response', protocol: 0x8a, body: { time: new Date(NOW) } })
      .toString('hex');
    expect(replyHex(r)).toEqual([expected]);
    // YY MM DD hh mm ss = 24 05 06 12 30 15
    expect(expected.slice(8, 20)).toBe('1805060c1e0f');
    expect(r.replies[0]!.durable).toBe(false);
    expect(r.events).toEqual([]);
  });

  it('answers address requests 0x2A / 0x1A with the GPS fix as the address (docs/lbs.md)', () => {
    const s = loggedIn();
    const english = step(s, FIX.address2a); // language 0x0001? see below
    const chinese = step(s, FIX.address1a);
    // 0x2A fixture: language 00 01 (Chinese) → 0x17; 0x1A fixture: 00 02 (English) → 0x97.
    // Both carry a GPS fix, so the reply carries its position (the "not available" reply is for
    // requests without one and without recent LBS data: jimi-lbs.test.ts).
    for (const [r, fixture, proto] of [
      [english, FIX.address2a, 0x17],
      [chinese, FIX.address1a, 0x97],
    ] as const) {
      const req = frameOf(fixture).message as Extract<gt06.Gt06Message, { type: 'address-request' }>;
      const reply = frameOf(r.replies[0]!.bytes).message as Extract<gt06.Gt06Message, { type: 'address-reply' }>;
      expect(reply.protocol).toBe(proto);
      expect(reply.body.tag).toBe('ALARMSMS');
      expect(reply.body.address).toBe(
        `http://maps.google.com/maps?q=${req.body.gps.latitude.toFixed(6)},${req.body.gps.longitude.toFixed(6)}`,
      );
      expect(r.replies[0]!.durable).toBe(true);
    }
    expect(english.events).toMatchObject([{ kind: 'info', type: 'address-request' }]);
  });

  it('replies to the clone-form 0x69 / 0x17 WiFi frames with the BCD time echoed', () => {
    const s = loggedIn();
    const r = step(s, FIX.wifiBcd69);
    expect(replyHex(r)).toEqual([FIX.wifiBcd69Reply]);
    expect(r.events).toMatchObject([{ kind: 'wifi', msgId: 0x69, data: { reupload: false } }]);
    expect(r.events[0]!.serial).toBeUndefined();
    const offline = step(s, FIX.wifiBcd17);
    expect(replyHex(offline)).toEqual(['787800171710231108290d0a']);
    expect(offline.events).toMatchObject([{ kind: 'wifi', data: { reupload: true } }]);
  });

  it('acks the clone 0x10 / 0x11 / 0x13 frames (serial 0)', () => {
    const s = loggedIn();
    expect(replyHex(step(s, FIX.clone10))).toEqual([ack(0x10, 0)]);
    const offline = step(s, FIX.clone11);
    expect(replyHex(offline)).toEqual([ack(0x11, 0)]);
    expect(offline.events).toMatchObject([{ kind: 'location', data: { reupload: true } }]);
    expect(replyHex(step(s, FIX.clone13))).toEqual([ack(0x13, 0)]);
  });
});

describe('Jimi session: data without acknowledgement', () => {
  it('publishes a 0x22 location with its fields and does not ack it by default', () => {
    const s = loggedIn();
    const r = step(s, FIX.location22);
    expect(r.replies).toEqual([]);
    expect(r.events).toHaveLength(1);
    const e = r.events[0]!;
    expect(e).toMatchObject({ kind: 'location', msgId: 0x22, serial: 8, type: 'location', protocolVersion: '7878' });
    expect(e.deviceTime).toBe('2015-12-29T02:51:05.000Z');
    expect(e.data).toMatchObject({
      satellites: 9,
      speed: 0,
      course: 0,
      positioned: true,
      // The document example's tail is ACC 00, mode 00, re-upload 01.
      reupload: true,
      acc: false,
      uploadMode: 0,
      cell: { mcc: 460, mnc: 0, lac: 0x287d, cellId: 0x1f71 },
    });
    // Coordinates are degrees × 1 800 000 on the wire (§3.3): 02 7A C8 18 and 0C 46 58 60, north / east.
    expect(e.data.latitude).toBeCloseTo(0x027ac818 / 1_800_000, 9);
    expect(e.data.longitude).toBeCloseTo(0x0c465860 / 1_800_000, 9);
    expect(e.raw).toBe(FIX.location22);
  });

  it('takes reupload from the re-upload byte (00 real time → false, absent → false)', () => {
    const s = loggedIn();
    const m = frameOf(FIX.location22).message;
    if (m.type !== 'location' || m.body.layout !== 'standard') throw new Error('fixture');
    const realTime = gt06.encodeGt06({ serial: 9 }, { ...m, body: { ...m.body, reupload: false } });
    expect(step(s, realTime).events[0]!.data.reupload).toBe(false);
    const { acc: _a, uploadMode: _u, uploadModeName: _n, reupload: _r, ...classic } = m.body;
    const noTail = gt06.encodeGt06({ serial: 10 }, { ...m, protocol: 0x12, body: classic });
    expect(step(s, noTail).events[0]!.data.reupload).toBe(false);
  });

  it('acks location and LBS packets with ackLocations: true (traccar behaviour)', () => {
    const s = loggedIn({ ackLocations: true });
    expect(replyHex(step(s, FIX.location22))).toEqual([ack(0x22, 8)]);
    expect(replyHex(step(s, FIX.lbs28))).toEqual([ack(0x28, 5)]);
    expect(step(s, FIX.location22).replies[0]!.durable).toBe(true);
  });

  it('publishes lbs, wifi, info and transparent kinds', () => {
    const s = loggedIn();
    expect(step(s, FIX.lbs28).events).toMatchObject([{ kind: 'lbs', msgId: 0x28 }]);
    expect(step(s, FIX.wifi2c).events).toMatchObject([{ kind: 'wifi', msgId: 0x2c }]);
    expect(step(s, FIX.info94).events).toMatchObject([{ kind: 'info', msgId: 0x94, protocolVersion: '7979' }]);
    expect(step(s, FIX.transparent9b).events).toMatchObject([{ kind: 'transparent', data: { moduleType: 3 } }]);
    expect(step(s, FIX.camera95).events).toMatchObject([{ kind: 'alarm', msgId: 0x95 }]);
  });

  it('publishes an unknown protocol as unknown with the raw bytes, without a reply', () => {
    const s = loggedIn();
    const frame = gt06.encodeGt06Raw({ serial: 77 }, 0x3e, hex('0102030405'));
    const r = step(s, frame);
    expect(r.replies).toEqual([]);
    expect(r.events).toMatchObject([
      {
        kind: 'unknown',
        msgId: 0x3e,
        serial: 77,
        data: { reason: { code: 'IOTHUB_ERR_UNKNOWN_MESSAGE' }, body: '0102030405' },
      },
    ]);
    expect(r.events[0]!.raw).toBe(frame.toString('hex'));
  });

  it('gives every event a unique id (gate / connection / sequence)', () => {
    const s = loggedIn();
    const ids = [FIX.heartbeat, FIX.location22, FIX.location22].map((f) => step(s, f).events[0]!.id);
    expect(new Set(ids).size).toBe(3);
    expect(ids[0]).toMatch(/^g1\/c1\/\d+$/);
  });

  it('omits raw when includeRaw is false', () => {
    const s = loggedIn({ includeRaw: false });
    expect(step(s, FIX.location22).events[0]!.raw).toBeUndefined();
  });
});

describe('Jimi session: downlink commands', () => {
  const command = (text: string, deadline = NOW + 30_000) =>
    ({
      type: 'command',
      commandId: 'cmd-1',
      replyTo: 'router-1',
      deadline,
      command: { kind: 'jimi-text', text },
    }) as const;

  it('sends a 0x80 with its own server flag and reports the matching 0x21 reply', () => {
    const s = loggedIn();
    const sent = s.step(command('WHERE#'), NOW);
    expect(sent.replies).toHaveLength(1);
    expect(sent.replies[0]!.durable).toBe(false);
    const out = frameOf(sent.replies[0]!.bytes).message;
    expect(out.type).toBe('online-command');
    if (out.type !== 'online-command') return;
    expect(out.body.command).toBe('WHERE#');
    const flag = out.body.serverFlag;
    expect(flag).toBeGreaterThan(0);
    expect(s.pendingCommands).toBe(1);

    const r = step(s, commandReplyFrame(flag, 'OK!', 40), NOW + 500);
    expect(r.replies).toEqual([]);
    expect(r.events).toMatchObject([
      { kind: 'command-reply', msgId: 0x21, data: { text: 'OK!', serverFlag: flag, commandId: 'cmd-1' } },
    ]);
    expect(r.effects).toEqual([
      {
        type: 'command-result',
        commandId: 'cmd-1',
        replyTo: 'router-1',
        result: {
          status: 'replied',
          msgId: 0x21,
          receivedAt: new Date(NOW + 500).toISOString(),
          reply: expect.objectContaining({ text: 'OK!', serverFlag: flag }),
        },
      },
    ]);
    expect(s.pendingCommands).toBe(0);
  });

  it('matches a 0x15 short reply too, and gives concurrent commands distinct flags', () => {
    const s = loggedIn();
    const a = frameOf(s.step({ ...command('A#'), commandId: 'a' }, NOW).replies[0]!.bytes).message;
    const b = frameOf(s.step({ ...command('B#'), commandId: 'b' }, NOW).replies[0]!.bytes).message;
    if (a.type !== 'online-command' || b.type !== 'online-command') throw new Error('not 0x80');
    expect(a.body.serverFlag).not.toBe(b.body.serverFlag);
    const r = step(s, shortCommandReplyFrame(b.body.serverFlag, 'B done', 3));
    expect(r.effects).toMatchObject([
      { type: 'command-result', commandId: 'b', result: { status: 'replied', msgId: 0x15 } },
    ]);
    expect(s.pendingCommands).toBe(1);
  });

  it('reports a timeout when no reply comes within commandTimeoutMs', () => {
    const s = loggedIn({ commandTimeoutMs: 1000 });
    s.step(command('WHERE#'), NOW);
    expect(s.step({ type: 'tick' }, NOW + 999).effects).toEqual([]);
    expect(s.step({ type: 'tick' }, NOW + 1000).effects).toEqual([
      { type: 'command-result', commandId: 'cmd-1', replyTo: 'router-1', result: { status: 'timeout' } },
    ]);
    expect(s.pendingCommands).toBe(0);
  });

  it('publishes an unmatched reply without a command result', () => {
    const s = loggedIn();
    const r = step(s, commandReplyFrame(999, 'late', 4));
    expect(r.effects).toEqual([]);
    expect(r.events).toMatchObject([{ kind: 'command-reply' }]);
    expect(r.issues).toMatchObject([{ code: 'IOTHUB_ERR_COMMAND_UNMATCHED' }]);
  });

  it('refuses unsupported kinds, expired deadlines, too many pending and unencodable text', () => {
    const s = loggedIn({ maxPendingCommands: 1 });
    const jt = s.step({ ...command('x'), command: { kind: 'jt808-text', text: 'x' } }, NOW);
    expect(jt.effects).toMatchObject([{ result: { status: 'failed', code: 'IOTHUB_ERR_COMMAND_UNSUPPORTED' } }]);
    expect(s.step(command('x', NOW - 1), NOW).effects).toMatchObject([{ result: { status: 'timeout' } }]);
    const bad = s.step(command('caf\u00e9 \u4e2d#'), NOW);
    expect(bad.replies).toEqual([]);
    expect(bad.effects).toMatchObject([{ result: { status: 'failed', code: 'IOTHUB_ERR_COMMAND_ENCODE' } }]);
    expect(s.step(command('one#'), NOW).replies).toHaveLength(1);
    expect(s.step(command('two#'), NOW).effects).toMatchObject([{ result: { status: 'busy' } }]);
  });

  it('fails pending commands and publishes a closed session event when the connection closes', () => {
    const s = loggedIn();
    s.step(command('WHERE#'), NOW);
    const r = s.step({ type: 'closed', code: 'IOTHUB_ERR_PEER_CLOSED' }, NOW + 10);
    expect(r.effects).toMatchObject([
      {
        type: 'command-result',
        commandId: 'cmd-1',
        result: { status: 'failed', code: 'IOTHUB_ERR_COMMAND_CONNECTION_CLOSED' },
      },
    ]);
    expect(r.events).toMatchObject([
      {
        kind: 'session',
        deviceImei: IMEI,
        data: { state: 'closed', reason: 'IOTHUB_ERR_PEER_CLOSED', remoteAddress: '10.0.0.7:5555' },
      },
    ]);
  });
});

describe('Jimi session: reply encoding failures', () => {
  it('counts a reply it cannot encode (clock outside 2000–2099) and goes on', () => {
    const s = loggedIn();
    const r = step(s, FIX.time8a, Date.UTC(1999, 11, 31));
    expect(r.replies).toEqual([]);
    expect(r.issues).toMatchObject([{ code: 'IOTHUB_ERR_JIMI_REPLY_ENCODE' }]);
    expect(replyHex(step(s, FIX.heartbeat))).toEqual([ack(0x13, 15)]);
  });
});
