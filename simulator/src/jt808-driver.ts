import { type CodecIssue, jt808 } from '@iothub/codec';
import { ackKey, type DriverEvent, type Outbound, type ProtocolDriver } from './driver.ts';
import type { Fix } from './motion.ts';
import type { MessageKind } from './stats.ts';

/**
 * JT/T 808 terminal (2013 or 2019 edition):
 *
 *   connect → 0x0100 register → 0x8100 (result 0 + auth code) → 0x0102 authenticate → 0x8001 (0) → online
 *   online  → 0x0002 heartbeats, 0x0200 locations (items 0x01 mileage, 0x30 RSSI, 0x31 satellites),
 *             0x0200 with an alarm bit, 0x0704 batches; each answered by 0x8001 (reply serial + id)
 *   downlink → 0x8104 / 0x8106 answered with 0x0104, 0x8201 with 0x0201, any other platform
 *             message (0x8xxx, 0x9xxx) with 0x0001 result 0.
 *
 * Like a real terminal it keeps the auth code: after a reconnection it authenticates directly
 * (no new registration) unless `reRegister` is set or the code was refused.
 */
export interface Jt808DriverOptions {
  version: 2013 | 2019;
  /** Terminal phone number, 12 (2013) or 20 (2019) digits. */
  phone: string;
  /** IMEI sent in the 2019 authentication. */
  imei: string;
  /** Register on every connection instead of reusing the auth code. */
  reRegister?: boolean;
  /** Current position, for 0x8201. */
  currentFix: () => Fix;
  /** Parameters reported in 0x0104. */
  params: jt808.TerminalParam[];
}

/** Alarm bits the simulator raises, in rotation. */
const ALARMS: readonly jt808.Jt808AlarmName[] = [
  'overspeed',
  'emergency',
  'fatigueDriving',
  'mainPowerUnderVoltage',
  'collisionWarning',
];

/** ACC on, positioned, GPS used. */
const STATUS = 0x1 | 0x2 | (1 << 18);
/** 2019: vehicle moving. */
const MOVING = 1 << 22;

export class Jt808Driver implements ProtocolDriver {
  readonly protocol = 'jt808' as const;
  readonly deviceId: string;
  readonly version: 2013 | 2019;
  readonly phone: string;
  private readonly options: Jt808DriverOptions;
  private framer = new jt808.Jt808Framer();
  private serial = 0;
  private alarmTurn = 0;
  /** Auth code from the last 0x8100, kept across connections. */
  authCode: string | null = null;
  phase: 'register' | 'auth' | 'online' = 'register';
  private events: DriverEvent[] = [];

  constructor(options: Jt808DriverOptions) {
    this.options = options;
    this.version = options.version;
    this.phone = options.phone;
    this.deviceId = jt808.phoneToDeviceId(options.phone);
  }

  private next(): number {
    const s = this.serial;
    this.serial = (this.serial + 1) & 0xffff;
    return s;
  }

  private encode(
    kind: MessageKind,
    message: Pick<jt808.Jt808KnownMessage, 'type' | 'body'>,
    expectAck: boolean,
    positions = 0,
  ): Outbound {
    const serial = this.next();
    const frame = jt808.encodeJt808({ version: this.version, phone: this.phone, serial }, message);
    const id = jt808.msgIdOf(message.type);
    return { frame, kind, serial, ackKey: expectAck ? ackKey(id, serial) : null, positions };
  }

  connected(): Outbound {
    this.framer.reset();
    if (this.authCode !== null && this.options.reRegister !== true) {
      this.phase = 'auth';
      return this.auth();
    }
    this.phase = 'register';
    return this.register();
  }

  private register(): Outbound {
    const tail = this.phone.slice(-7);
    const body: jt808.TerminalRegister =
      this.version === 2019
        ? {
            edition: 2019,
            provinceId: 44,
            cityId: 300,
            makerId: 'IOTHUBSIM',
            model: 'SIM-JT808-2019',
            terminalId: this.options.imei,
            plateColor: 1,
            plate: `粤B${tail.slice(-5)}`,
          }
        : {
            edition: 2013,
            provinceId: 44,
            cityId: 300,
            makerId: 'IOTHB',
            model: 'SIM-JT808-2013',
            terminalId: tail,
            plateColor: 1,
            plate: `粤B${tail.slice(-5)}`,
          };
    return this.encode('register', { type: 'terminal-register', body }, true);
  }

  private auth(): Outbound {
    const authCode = this.authCode ?? '';
    const body: jt808.TerminalAuthentication =
      this.version === 2019
        ? { edition: 2019, authCode, imei: this.options.imei, softwareVersion: 'iothub-sim-0.1' }
        : { edition: 2013, authCode };
    return this.encode('auth', { type: 'terminal-authentication', body }, true);
  }

  heartbeat(): Outbound {
    return this.encode('heartbeat', { type: 'heartbeat', body: {} }, true);
  }

  private report(fix: Fix, alarm: number): jt808.LocationReport {
    let status = STATUS;
    if (this.version === 2019 && fix.speed > 0) status |= MOVING;
    return {
      alarm,
      status,
      latitude: fix.latitude,
      longitude: fix.longitude,
      altitude: fix.altitude,
      speed: fix.speed,
      course: fix.course,
      time: fix.time,
      alarms: jt808.alarmNames(alarm),
      items: [
        { kind: 'mileage', id: 0x01, mileage: fix.mileage },
        { kind: 'signalStrength', id: 0x30, rssi: fix.rssi },
        { kind: 'satellites', id: 0x31, satellites: fix.satellites },
      ],
    };
  }

  location(fix: Fix, alarm: boolean): Outbound {
    let word = 0;
    if (alarm) {
      word = jt808.alarmWord([ALARMS[this.alarmTurn % ALARMS.length]!]);
      this.alarmTurn++;
    }
    const body = this.report(fix, word);
    return this.encode(alarm ? 'alarm' : 'location', { type: 'location-report', body }, true, 1);
  }

  batch(fixes: readonly Fix[]): Outbound {
    const entries: jt808.LocationBatchEntry[] = fixes.map((f) => ({ kind: 'report', report: this.report(f, 0) }));
    return this.encode('batch', { type: 'location-batch', body: { dataType: 1, entries } }, true, fixes.length);
  }

  receive(chunk: Buffer, out: DriverEvent[]): void {
    this.events = out;
    this.framer.push(chunk, this.sink);
  }

  private readonly sink: jt808.Jt808FrameSink = {
    frame: (frame, checksumOk) => this.onFrame(frame, checksumOk),
    issue: (issue: CodecIssue) => {
      const e: DriverEvent = { type: 'issue', code: issue.code };
      if (issue.detail !== undefined) e.detail = issue.detail;
      this.events.push(e);
    },
  };

  private onFrame(frame: Buffer, checksumOk: boolean): void {
    const out = this.events;
    const res = jt808.decodeJt808Frame(frame, checksumOk);
    if (!res.ok) {
      out.push({ type: 'issue', code: 'IOTHUB_ERR_SIM_BAD_FRAME', detail: res.issue.code });
      return;
    }
    const { header, message } = res;
    switch (message.type) {
      case 'platform-general-response': {
        const b = message.body;
        // 0 success, 4 alarm confirmed.
        const ok = b.result === 0 || b.result === 4;
        out.push({ type: 'ack', key: ackKey(b.replyMsgId, b.replySerial), ok, result: b.result });
        if (b.replyMsgId === 0x0102 && this.phase === 'auth') {
          if (ok) {
            this.phase = 'online';
            out.push({ type: 'online' });
          } else {
            this.authCode = null;
            out.push({ type: 'login-failed', code: 'IOTHUB_ERR_SIM_AUTH', detail: `0x8001 result ${b.result}` });
          }
        }
        return;
      }
      case 'register-response': {
        const b = message.body;
        const ok = b.result === 0 && b.authCode !== undefined;
        out.push({ type: 'ack', key: ackKey(0x0100, b.replySerial), ok, result: b.result });
        if (this.phase !== 'register') return;
        if (ok) {
          this.authCode = b.authCode ?? '';
          this.phase = 'auth';
          out.push({ type: 'send', out: this.auth() });
        } else {
          out.push({ type: 'login-failed', code: 'IOTHUB_ERR_SIM_REGISTER', detail: `0x8100 result ${b.result}` });
        }
        return;
      }
      default:
        break;
    }
    if (header.msgId < 0x8000) return; // not a platform message: nothing to answer
    out.push({ type: 'command', id: header.msgId });
    out.push({ type: 'send', out: this.answer(header, message) });
  }

  private answer(header: jt808.Jt808Header, message: jt808.Jt808Message): Outbound {
    switch (message.type) {
      case 'query-all-params':
        return this.encode(
          'command-reply',
          { type: 'query-params-response', body: { replySerial: header.serial, params: this.options.params } },
          false,
        );
      case 'query-given-params': {
        const wanted = new Set(message.body.ids);
        const params = this.options.params.filter((p) => wanted.has(p.id));
        return this.encode(
          'command-reply',
          { type: 'query-params-response', body: { replySerial: header.serial, params } },
          false,
        );
      }
      case 'query-location':
        return this.encode(
          'command-reply',
          {
            type: 'location-query-response',
            body: { replySerial: header.serial, location: this.report(this.options.currentFix(), 0) },
          },
          false,
          1,
        );
      default:
        return this.encode(
          'command-reply',
          {
            type: 'terminal-general-response',
            body: { replySerial: header.serial, replyMsgId: header.msgId, result: jt808.TerminalResult.ok },
          },
          false,
        );
    }
  }
}
