import { Reader } from '../../../core/reader.ts';
import type { Writer } from '../../../core/writer.ts';
import { CodecError } from '../../../errors.ts';
import { ALARM_ID_LAYOUTS, type AlarmIdentification, readAlarmId, writeAlarmId } from '../../alarm-id.ts';
import type { Jt808Context } from '../../message.ts';
import { defineItem, scaled } from './codec.ts';

/**
 * Active-safety (Su-biao) additional items of 0x0200 (protocols/jt808-jt1078.md §6.4 and §8).
 * Layouts from SmallChi `Extensions.SuBiao/MessageBody/JT808_0x0200_0x64.cs` … `_0x67.cs`
 * (Deserialize methods); the reference doc lists the 0x64 one. Every item ends with the common
 * tail, whose alarm identification length follows `ctx.alarmIdLayout` (16 bytes for Jiangsu).
 *
 * 0x64 ADAS (advanced driver assistance), 47 bytes with a Jiangsu identification:
 * | alarm id DWORD | flag BYTE | event type BYTE | level BYTE | front vehicle speed BYTE km/h |
 * | front vehicle/pedestrian distance BYTE (1/10 s per Su-biao, kept raw) | departure type BYTE |
 * | road-sign type BYTE | road-sign data BYTE | tail |
 *
 * 0x65 DSM (driver state monitoring), 47 bytes:
 * | alarm id DWORD | flag BYTE | event type BYTE | level BYTE | fatigue level BYTE | reserved BYTE[4] | tail |
 *
 * 0x66 TPMS (tyre pressure monitoring), 41 + 9 × n bytes:
 * | alarm id DWORD | flag BYTE | tail | event count BYTE |
 * | n × (tyre position BYTE, event type WORD, pressure WORD kPa, temperature WORD °C, battery WORD %) |
 * Guangdong (YueBiao) layout: the tyre position is a WORD (10-byte events), so 65 + 10 × n bytes
 * with its 40-byte identification (SmallChi `Extensions.YueBiao/MessageBody/JT808_0x0200_0x66.cs`
 * reads `ReadUInt16`; `JT808_0x0200_0x66_Test.cs:80`). The event size follows the regional layout
 * of the context (`ctx.alarmIdLayout === 'guangdong'`), as the sources do: each reads one fixed
 * size per regional profile, and none tells them apart by length. The Su-biao size is from
 * SmallChi `Extensions.SuBiao/…/JT808_0x0200_0x66.cs` and go-jt808 `T0x0200ExtensionTable22`
 * (both BYTE). Hunan, Heilongjiang and Sichuan keep the Su-biao event (**verify**).
 *
 * 0x67 BSD (blind spot detection), 41 bytes, no level byte (go-jt808
 * `T0x0200AdditionExtension0x67`, its table 23, parsed only when `len == 25+16`; SmallChi
 * `JT808_0x0200_0x67_Test.cs` at c9552b0, Su-biao and YueBiao rows 57–63: lengths 41 and 65):
 * | alarm id DWORD | flag BYTE | event type BYTE | tail |
 * Earlier SmallChi versions (source at 73584b6, test at 2ab3ce8: `AlarmLevel`, length 42) wrote
 * a level BYTE after the event type; an item exactly one byte longer than the layout is read
 * that way and keeps `level`, so it re-encodes unchanged.
 *
 * Common tail: | speed BYTE km/h | altitude WORD m | latitude DWORD 1e-6° | longitude DWORD 1e-6° |
 * | time BCD[6] | vehicle status WORD | alarm identification BYTE[16] |
 *
 * Flag: 0 not available, 1 start, 2 end. Level: 1 first level, 2 second level. Vehicle status
 * bits: 0 ACC, 1 left turn, 2 right turn, 3 wiper, 4 brake, 5 card inserted, 10 positioned.
 * The item's latitude/longitude carry no hemisphere bit; they are read as signed 32-bit values
 * (SmallChi reads `int`), so a device that sends two's-complement negatives decodes correctly
 * and one that sends magnitudes decodes as north/east (**verify** with southern devices).
 *
 * Each value is read through a Reader over its own view, so error details carry offsets relative
 * to the item value, whatever the position of the body in the frame.
 */
export interface ActiveSafetyCommon {
  /** Alarm sequence number (报警ID), counts up from 0 and wraps. */
  alarmId: number;
  /** 0 not available, 1 start, 2 end. */
  flag: number;
  /** Vehicle speed, km/h. */
  speed: number;
  /** m. */
  altitude: number;
  /** Signed degrees. */
  latitude: number;
  /** Signed degrees. */
  longitude: number;
  time: Date | null;
  /** Bits: 0 ACC, 1 left turn, 2 right turn, 3 wiper, 4 brake, 5 card inserted, 10 positioned. */
  vehicleStatus: number;
  /** The 报警标识号 that 0x9208 / 0x1210 refer to. */
  alarmIdentification: AlarmIdentification;
}

/** 0x64 ADAS alarm. */
export interface AdasAlarmItem extends ActiveSafetyCommon {
  kind: 'adasAlarm';
  id: 0x64;
  /** 1 forward collision, 2 lane departure, 3 too close, 4 pedestrian, 5 frequent lane change, 6 road sign exceeded, 7 obstacle, 0x10 road-sign event, 0x11 active capture. */
  eventType: number;
  level: number;
  /** Vehicle ahead speed, km/h (types 1 and 2). */
  frontSpeed: number;
  /** Distance to the vehicle / pedestrian ahead, as sent. */
  frontDistance: number;
  /** 1 left, 2 right (type 2). */
  departureType: number;
  /** 1 speed limit, 2 height limit, 3 weight limit (types 6 and 0x10). */
  roadSignType: number;
  roadSignData: number;
}

/** 0x65 DSM alarm. */
export interface DsmAlarmItem extends ActiveSafetyCommon {
  kind: 'dsmAlarm';
  id: 0x65;
  /** 1 fatigue, 2 phone call, 3 smoking, 4 distraction, 5 driver abnormal, 0x10 auto capture, 0x11 driver change. */
  eventType: number;
  level: number;
  fatigueLevel: number;
  /** 4 reserved bytes, as sent. */
  reserved: Buffer;
}

/** One TPMS event of item 0x66. */
export interface TpmsEvent {
  /** Tyre position number (BYTE; WORD in the Guangdong layout), from the left front tyre in a Z. */
  tyre: number;
  /** Event type bits as sent (pressure high/low, temperature high, sensor fault, …). */
  eventType: number;
  /** kPa. */
  pressure: number;
  /** °C, as sent (unsigned WORD in SmallChi; sub-zero encoding **verify**). */
  temperature: number;
  /** Sensor battery, %. */
  battery: number;
}

/** 0x66 TPMS alarm. */
export interface TpmsAlarmItem extends ActiveSafetyCommon {
  kind: 'tpmsAlarm';
  id: 0x66;
  events: TpmsEvent[];
}

/** 0x67 BSD alarm. */
export interface BsdAlarmItem extends ActiveSafetyCommon {
  kind: 'bsdAlarm';
  id: 0x67;
  /** 1 rear approach, 2 left-rear approach, 3 right-rear approach. */
  eventType: number;
  /**
   * Not in the spec layout: present only when the item carries the level BYTE of older SmallChi
   * versions (one byte longer than the layout); the encoder writes it back when present.
   */
  level?: number;
}

export type ActiveSafetyLocationItem = AdasAlarmItem | DsmAlarmItem | TpmsAlarmItem | BsdAlarmItem;

/** Fields of the common tail, in wire order. */
interface Tail {
  speed: number;
  altitude: number;
  latitude: number;
  longitude: number;
  time: Date | null;
  vehicleStatus: number;
  alarmIdentification: AlarmIdentification;
}

function readTail(r: Reader, ctx: Jt808Context): Tail {
  return {
    speed: r.u8(),
    altitude: r.u16(),
    latitude: r.i32() / 1e6,
    longitude: r.i32() / 1e6,
    time: r.bcdTime(ctx.timeOffsetMinutes),
    vehicleStatus: r.u16(),
    alarmIdentification: readAlarmId(r, ctx),
  };
}

function writeTail(w: Writer, t: ActiveSafetyCommon, ctx: Jt808Context): void {
  w.u8(t.speed)
    .u16(t.altitude)
    .i32(scaled(t.latitude, 1e6, 'latitude'))
    .i32(scaled(t.longitude, 1e6, 'longitude'))
    .bcdTime(t.time, ctx.timeOffsetMinutes)
    .u16(t.vehicleStatus);
  writeAlarmId(w, t.alarmIdentification, ctx);
}

/** Bytes of the common tail before the alarm identification (speed … vehicle status). */
const TAIL_FIXED = 19;
/** Bytes of a BSD item before its tail: alarm id, flag, event type. */
const BSD_LENGTH = 6;

function tailLength(ctx: Jt808Context): number {
  return TAIL_FIXED + ALARM_ID_LAYOUTS[ctx.alarmIdLayout].length;
}

function end(r: Reader, id: number): void {
  if (r.remaining !== 0)
    throw new CodecError(
      'IOTHUB_ERR_FIELD_VALUE',
      `item 0x${id.toString(16)}: ${r.remaining} byte(s) beyond its layout (alarm id layout?)`,
    );
}

export const ACTIVE_SAFETY_ITEM_CODECS = [
  defineItem<AdasAlarmItem>({
    id: 0x64,
    kind: 'adasAlarm',
    length: -1,
    decode(b, o, len, ctx) {
      const r = new Reader(b.subarray(o, o + len));
      const alarmId = r.u32();
      const flag = r.u8();
      const eventType = r.u8();
      const level = r.u8();
      const frontSpeed = r.u8();
      const frontDistance = r.u8();
      const departureType = r.u8();
      const roadSignType = r.u8();
      const roadSignData = r.u8();
      const t = readTail(r, ctx);
      end(r, 0x64);
      return {
        kind: 'adasAlarm',
        id: 0x64,
        alarmId,
        flag,
        eventType,
        level,
        frontSpeed,
        frontDistance,
        departureType,
        roadSignType,
        roadSignData,
        ...t,
      };
    },
    encode(w, i, ctx) {
      w.u32(i.alarmId).u8(i.flag).u8(i.eventType).u8(i.level).u8(i.frontSpeed).u8(i.frontDistance);
      w.u8(i.departureType).u8(i.roadSignType).u8(i.roadSignData);
      writeTail(w, i, ctx);
    },
  }),
  defineItem<DsmAlarmItem>({
    id: 0x65,
    kind: 'dsmAlarm',
    length: -1,
    decode(b, o, len, ctx) {
      const r = new Reader(b.subarray(o, o + len));
      const alarmId = r.u32();
      const flag = r.u8();
      const eventType = r.u8();
      const level = r.u8();
      const fatigueLevel = r.u8();
      const reserved = r.bytes(4);
      const t = readTail(r, ctx);
      end(r, 0x65);
      return { kind: 'dsmAlarm', id: 0x65, alarmId, flag, eventType, level, fatigueLevel, reserved, ...t };
    },
    encode(w, i, ctx) {
      if (i.reserved.length !== 4) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'DSM reserved must be 4 bytes');
      w.u32(i.alarmId).u8(i.flag).u8(i.eventType).u8(i.level).u8(i.fatigueLevel).bytes(i.reserved);
      writeTail(w, i, ctx);
    },
  }),
  defineItem<TpmsAlarmItem>({
    id: 0x66,
    kind: 'tpmsAlarm',
    length: -1,
    decode(b, o, len, ctx) {
      const r = new Reader(b.subarray(o, o + len));
      const alarmId = r.u32();
      const flag = r.u8();
      const t = readTail(r, ctx);
      const count = r.u8();
      const wordTyre = ctx.alarmIdLayout === 'guangdong';
      const events: TpmsEvent[] = [];
      for (let k = 0; k < count; k++) {
        const tyre = wordTyre ? r.u16() : r.u8();
        events.push({ tyre, eventType: r.u16(), pressure: r.u16(), temperature: r.u16(), battery: r.u16() });
      }
      end(r, 0x66);
      return { kind: 'tpmsAlarm', id: 0x66, alarmId, flag, ...t, events };
    },
    encode(w, i, ctx) {
      const wordTyre = ctx.alarmIdLayout === 'guangdong';
      w.u32(i.alarmId).u8(i.flag);
      writeTail(w, i, ctx);
      w.u8(i.events.length);
      for (const e of i.events) {
        if (wordTyre) w.u16(e.tyre);
        else w.u8(e.tyre);
        w.u16(e.eventType).u16(e.pressure).u16(e.temperature).u16(e.battery);
      }
    },
  }),
  defineItem<BsdAlarmItem>({
    id: 0x67,
    kind: 'bsdAlarm',
    length: -1,
    decode(b, o, len, ctx) {
      const r = new Reader(b.subarray(o, o + len));
      const alarmId = r.u32();
      const flag = r.u8();
      const eventType = r.u8();
      // Spec layout: 6 bytes + tail. One byte more: the legacy level BYTE (see the header).
      if (len === BSD_LENGTH + tailLength(ctx) + 1) {
        const level = r.u8();
        const t = readTail(r, ctx);
        end(r, 0x67);
        return { kind: 'bsdAlarm', id: 0x67, alarmId, flag, eventType, level, ...t };
      }
      const t = readTail(r, ctx);
      end(r, 0x67);
      return { kind: 'bsdAlarm', id: 0x67, alarmId, flag, eventType, ...t };
    },
    encode(w, i, ctx) {
      w.u32(i.alarmId).u8(i.flag).u8(i.eventType);
      if (i.level !== undefined) w.u8(i.level);
      writeTail(w, i, ctx);
    },
  }),
] as const;
