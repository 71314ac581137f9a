import { type CodecIssue, gt06 } from '@iothub/codec';
import { ackKey, type DriverEvent, type Outbound, type ProtocolDriver } from './driver.ts';
import type { Fix } from './motion.ts';
import type { MessageKind } from './stats.ts';

/**
 * Jimi / Concox (GT06 family) tracker:
 *
 *   connect → 0x01 login (IMEI, type code, time zone) → ack 0x01 with the same serial → online
 *   online  → 0x13 heartbeats, 0x22 locations (UTC GPS block, 2G cell, ACC, mileage), 0x26 alarms,
 *             each acknowledged by a generic ack with the same protocol number and serial
 *   downlink → 0x80 online command answered with 0x21 (long header) echoing the server flag;
 *             `WHERE#` is answered with the position text real devices send.
 *
 * The reference says 0x22 gets no reply, but a gateway with durable acknowledgement may ack it like
 * traccar does. `locationAck`: 'auto' (default) awaits the ack but counts a missing one as an error
 * only once the server has acknowledged a 0x22 on this device; 'yes' always expects it; 'no' never.
 */
export interface JimiDriverOptions {
  imei: string;
  /** Acks of 0x22 locations: 'auto' (default), 'yes', 'no'. */
  locationAck?: LocationAckMode;
  /** Current position, for `WHERE#`. */
  currentFix: () => Fix;
  /** Cell the device reports (seeded per device). */
  cell?: { lac: number; cellId: number };
}

export type LocationAckMode = 'auto' | 'yes' | 'no';

/** Alarm codes the simulator raises in rotation (§7): SOS, power cut, vibration, overspeed. */
const ALARM_CODES = [0x01, 0x02, 0x03, 0x06] as const;
/** Terminal information byte (§3.5): GPS tracking, charging, ACC on. */
const TERMINAL_INFO = 0x40 | 0x04 | 0x02;
const LANGUAGE_ENGLISH = 0x02;

export class JimiDriver implements ProtocolDriver {
  readonly protocol = 'jimi' as const;
  readonly deviceId: string;
  readonly imei: string;
  private readonly options: JimiDriverOptions;
  private readonly framer = new gt06.Gt06Framer();
  private serial = 1;
  private alarmTurn = 0;
  phase: 'login' | 'online' = 'login';
  private events: DriverEvent[] = [];
  private readonly cell: gt06.Gt06Cell;

  constructor(options: JimiDriverOptions) {
    this.options = options;
    this.imei = options.imei;
    this.deviceId = options.imei;
    const c = options.cell ?? { lac: 10342, cellId: 3822 };
    this.cell = { mcc: 460, mnc: 0, mncTwoBytes: false, lac: c.lac, cellId: c.cellId };
  }

  private next(): number {
    const s = this.serial;
    // 1..0xffff: some servers treat serial 0 as "none".
    this.serial = this.serial >= 0xffff ? 1 : this.serial + 1;
    return s;
  }

  private encode(
    kind: MessageKind,
    message: Pick<gt06.Gt06KnownMessage, 'type' | 'protocol' | 'body'>,
    expectAck: boolean,
    positions = 0,
    start: 'short' | 'long' = 'short',
  ): Outbound {
    const serial = this.next();
    const frame = gt06.encodeGt06({ start, serial }, message);
    return { frame, kind, serial, ackKey: expectAck ? ackKey(message.protocol, serial) : null, positions };
  }

  private get locationAck(): LocationAckMode {
    return this.options.locationAck ?? 'auto';
  }

  connected(): Outbound {
    this.framer.reset();
    this.phase = 'login';
    return this.encode(
      'login',
      {
        type: 'login',
        protocol: 0x01,
        body: { imei: this.imei, typeCode: 0x7000, timeZone: { offsetMinutes: 0, language: LANGUAGE_ENGLISH } },
      },
      true,
    );
  }

  heartbeat(): Outbound {
    return this.encode(
      'heartbeat',
      {
        type: 'heartbeat',
        protocol: 0x13,
        body: {
          layout: 'standard',
          terminalInfo: gt06.decodeTerminalInfo(TERMINAL_INFO),
          ...gt06.voltageFields(6),
          gsmSignal: 4,
          extendedStatus: 0,
          language: LANGUAGE_ENGLISH,
        },
      },
      true,
    );
  }

  private gps(fix: Fix): gt06.Gt06Gps {
    return {
      time: fix.time,
      gpsInfoLength: 12,
      satellites: Math.min(15, fix.satellites),
      latitude: fix.latitude,
      longitude: fix.longitude,
      speed: Math.min(255, Math.round(fix.speed)),
      course: fix.course,
      positioned: true,
      differential: false,
    };
  }

  location(fix: Fix, alarm: boolean): Outbound {
    if (alarm) {
      const code = ALARM_CODES[this.alarmTurn % ALARM_CODES.length]!;
      this.alarmTurn++;
      const status: gt06.Gt06AlarmStatus = {
        terminalInfo: gt06.decodeTerminalInfo(TERMINAL_INFO),
        ...gt06.voltageFields(6),
        gsmSignal: 4,
        alarmCode: code,
        language: LANGUAGE_ENGLISH,
      };
      return this.encode(
        'alarm',
        {
          type: 'alarm',
          protocol: 0x26,
          body: { layout: 'standard', gps: this.gps(fix), cell: this.cell, cellFormat: '2g', status },
        },
        true,
        1,
      );
    }
    const out = this.encode(
      'location',
      {
        type: 'location',
        protocol: 0x22,
        body: {
          layout: 'standard',
          gps: this.gps(fix),
          cell: this.cell,
          acc: true,
          uploadMode: 0,
          reupload: false,
          mileage: Math.round(fix.mileage * 1000),
        },
      },
      this.locationAck !== 'no',
      1,
    );
    if (this.locationAck === 'auto') out.optionalAck = true;
    return out;
  }

  batch(): null {
    return null;
  }

  receive(chunk: Buffer, out: DriverEvent[]): void {
    this.events = out;
    this.framer.push(chunk, this.sink);
  }

  private readonly sink: gt06.Gt06FrameSink = {
    frame: (frame, crcOk) => this.onFrame(frame, crcOk),
    issue: (issue: CodecIssue) => {
      const e: DriverEvent = { type: 'issue', code: issue.code };
      if (issue.detail !== undefined) e.detail = issue.detail;
      this.events.push(e);
    },
  };

  private onFrame(frame: Buffer, crcOk: boolean | null): void {
    const out = this.events;
    const res = gt06.decodeGt06Frame(frame, crcOk);
    if (!res.ok) {
      out.push({ type: 'issue', code: 'IOTHUB_ERR_SIM_BAD_FRAME', detail: res.issue.code });
      return;
    }
    const { header, message } = res;
    switch (message.type) {
      case 'ack': {
        out.push({ type: 'ack', key: ackKey(header.protocol, header.serial ?? 0), ok: true, result: 0 });
        if (header.protocol === 0x01 && this.phase === 'login') {
          this.phase = 'online';
          out.push({ type: 'online' });
        }
        return;
      }
      case 'online-command': {
        const { serverFlag, command } = message.body;
        out.push({ type: 'command', id: 0x80, command });
        out.push({
          type: 'send',
          out: this.encode(
            'command-reply',
            { type: 'command-reply', protocol: 0x21, body: { serverFlag, encoding: 1, text: this.replyText(command) } },
            false,
            0,
            'long',
          ),
        });
        return;
      }
      default:
        // Time replies, address replies and anything else need no answer.
        return;
    }
  }

  private replyText(command: string): string {
    const c = command.trim().toUpperCase();
    if (c === 'WHERE#' || c === 'WHERE') {
      const f = this.options.currentFix();
      const t = f.time.toISOString();
      const lat = `${f.latitude >= 0 ? 'N' : 'S'}${Math.abs(f.latitude).toFixed(6)}`;
      const lon = `${f.longitude >= 0 ? 'E' : 'W'}${Math.abs(f.longitude).toFixed(6)}`;
      return `Current position!Lat:${lat},Lon:${lon},Course:${f.course.toFixed(2)},Speed:${f.speed.toFixed(2)},DateTime:${t.slice(0, 10)} ${t.slice(11, 19)}`;
    }
    return `OK! ${command}`;
  }
}
