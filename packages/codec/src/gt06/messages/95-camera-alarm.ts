import type { Reader } from '../../core/reader.ts';
import type { Writer } from '../../core/writer.ts';
import { CodecError } from '../../errors.ts';
import {
  courseStatus,
  courseStatusWord,
  type Gt06CourseStatus,
  readTime,
  writeCoordinates,
  writeTime,
} from '../fields.ts';
import { defineMessage, type Gt06Context } from '../message.ts';

/**
 * 0x95 Camera alarm ↑ (JC100, JC261, JC400 dash cams; T-DEC, fixtures; protocols/jimi-gt06.md §5.12).
 *
 * Short form (content ≤ 7 bytes): date-time (6) + event (1). (traccar reads 2 more "event data"
 * bytes that overlap the serial; the fixtures' CRCs only work with this layout.)
 *
 * Extended form, generic cameras:
 * | bytes | field                                                     |
 * |-------|-----------------------------------------------------------|
 * | 6     | date-time                                                 |
 * | 4 + 4 | latitude, longitude (§3.3 scaling)                        |
 * | 2     | course/status (§3.3)                                      |
 * | 1     | event                                                     |
 * | 2     | event data                                                |
 * | n     | ASCII video file names, comma separated                   |
 *
 * Extended form, JC400 (content starts `FF FF`): FF FF, version (1), date-time (6), GPS info (1),
 * latitude, longitude, course/status **before** speed, speed u16 km/h, power u16 / 10 V, then
 * event, event data and file names as above.
 *
 * Events: 01 SOS, 0E low power, 76 temperature, 80 vibration, 87 overspeed, 88 power cut,
 * 90 harsh acceleration, 91 harsh braking, 92 sharp turn, 93 collision (a code space of its
 * own, not §7). Reply: generic ack (traccar).
 */
export const CAMERA_EVENTS = {
  1: 'sos',
  14: 'lowPower',
  118: 'temperature',
  128: 'vibration',
  135: 'overspeed',
  136: 'powerCut',
  144: 'harshAcceleration',
  145: 'harshBraking',
  146: 'sharpTurn',
  147: 'collision',
} as const satisfies Record<number, string>;
export type Gt06CameraEvent = (typeof CAMERA_EVENTS)[keyof typeof CAMERA_EVENTS];

export function cameraEventName(code: number): Gt06CameraEvent | undefined {
  return (CAMERA_EVENTS as Record<number, Gt06CameraEvent | undefined>)[code];
}

interface EventFields {
  event: number;
  eventName?: Gt06CameraEvent;
}

export interface CameraAlarmShort extends EventFields {
  layout: 'short';
  time: Date | null;
}

export interface CameraAlarmExtended extends EventFields, Gt06CourseStatus {
  layout: 'extended';
  time: Date | null;
  eventData: number;
  /** Video file names (`EVENT_<imei>_..._<cam>_<n>.mp4`). */
  files: string[];
}

export interface CameraAlarmJc400 extends EventFields, Gt06CourseStatus {
  layout: 'jc400';
  version: number;
  time: Date | null;
  gpsInfoLength: number;
  satellites: number;
  /** km/h (u16). */
  speed: number;
  /** Volts (u16 / 10). */
  power: number;
  eventData: number;
  files: string[];
}

export type CameraAlarm = CameraAlarmShort | CameraAlarmExtended | CameraAlarmJc400;

function event(code: number): EventFields {
  const e: EventFields = { event: code };
  const name = cameraEventName(code);
  if (name) e.eventName = name;
  return e;
}

function readFiles(r: Reader): string[] {
  let e = r.end;
  while (e > r.pos && r.buf[e - 1] === 0) e--;
  const text = r.buf.toString('latin1', r.pos, e);
  r.pos = r.end;
  return text.length === 0 ? [] : text.split(',');
}

function decodeCamera(r: Reader, contentLength: number, ctx: Gt06Context): CameraAlarm {
  if (contentLength <= 7) {
    const time = readTime(r, ctx);
    return { layout: 'short', time, ...event(r.u8()) };
  }
  if (r.buf[r.pos] === 0xff && r.buf[r.pos + 1] === 0xff) {
    r.skip(2);
    const version = r.u8();
    const time = readTime(r, ctx);
    const info = r.u8();
    const lat = r.u32();
    const lon = r.u32();
    const flags = r.u16();
    const speed = r.u16();
    const power = r.u16() / 10;
    const ev = event(r.u8());
    const eventData = r.u16();
    return {
      layout: 'jc400',
      version,
      time,
      gpsInfoLength: info >> 4,
      satellites: info & 0x0f,
      ...courseStatus(lat, lon, flags),
      speed,
      power,
      ...ev,
      eventData,
      files: readFiles(r),
    };
  }
  const time = readTime(r, ctx);
  const lat = r.u32();
  const lon = r.u32();
  const cs = courseStatus(lat, lon, r.u16());
  const ev = event(r.u8());
  const eventData = r.u16();
  return { layout: 'extended', time, ...cs, ...ev, eventData, files: readFiles(r) };
}

function encodeCamera(w: Writer, b: CameraAlarm, ctx: Gt06Context): void {
  if (b.layout === 'short') {
    writeTime(w, b.time, ctx);
    w.u8(b.event);
    return;
  }
  if (b.layout === 'jc400') {
    w.u16(0xffff).u8(b.version);
    writeTime(w, b.time, ctx);
    w.u8((b.gpsInfoLength << 4) | b.satellites);
    writeCoordinates(w, b);
    const power = Math.round(b.power * 10);
    if (!(power >= 0 && power <= 0xffff)) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `power ${b.power}`);
    w.u16(courseStatusWord(b)).u16(b.speed).u16(power);
  } else {
    writeTime(w, b.time, ctx);
    writeCoordinates(w, b);
    w.u16(courseStatusWord(b));
  }
  w.u8(b.event).u16(b.eventData);
  w.bytes(Buffer.from(b.files.join(','), 'latin1'));
}

export const m95CameraAlarm = defineMessage({
  type: 'camera-alarm',
  protocols: [0x95],
  direction: 'up',
  decode: (r, f, ctx) => decodeCamera(r, f.contentLength, ctx),
  encode: (w, b: CameraAlarm, _p, ctx) => encodeCamera(w, b, ctx),
});
