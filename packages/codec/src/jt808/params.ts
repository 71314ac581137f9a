import type { Reader } from '../core/reader.ts';
import { decodeGbk, encodeGbk } from '../core/text.ts';
import { Writer } from '../core/writer.ts';
import { CodecError } from '../errors.ts';

/**
 * JT/T 808 terminal parameters (set by 0x8103, reported by 0x0104), one table keyed by
 * parameter id (convention 4). Wire form of one parameter, the same in 2011 / 2013 / 2019:
 *
 * | field        | type    | notes                                   |
 * |--------------|---------|-----------------------------------------|
 * | parameter id | DWORD   | see the table below                     |
 * | length       | BYTE    | length of the value in bytes            |
 * | value        | BYTE[n] | DWORD / WORD / BYTE / STRING (GBK) / raw |
 *
 * Sources of the table (the GB texts were not available): JT/T 808-2013 parameter table and the
 * 2019 changes as transcribed by toggery/java-jt808-codec `B8103Codec.java` and go-jt808
 * `protocol/model/t_terminal_params.go`; the JT/T 1078 parameters 0x0075–0x007C from SmallChi
 * `Extensions.JT1078/MessageBody/JT808_0x8103_0x007*.cs` (protocols/jt808-jt1078.md §7).
 *
 * 2011/2013 vs 2019: 0x0018/0x0019 (server TCP/UDP port) were removed in 2019 (the address
 * in 0x0013/0x0017 carries `host:port`); 0x0023–0x0026 (slave server) and 0x0032 (illegal
 * driving period) were added in 2019. Types never conflict between editions, so the table
 * is not version-dependent: a removed id is decoded by its old type, which is harmless.
 *
 * Decoding is typed only when the value is canonical, so that encoding reproduces the wire
 * bytes exactly: a DWORD / WORD / BYTE whose length is not 4 / 2 / 1, a STRING ending in NUL
 * or whose GBK does not round-trip, every BYTE[n] and every unknown id are kept as raw
 * `Buffer` views. The decoded list keeps wire order (and duplicates).
 */
export type ParamType = 'dword' | 'word' | 'byte' | 'string' | 'bytes';

export interface ParamDef {
  readonly id: number;
  readonly type: ParamType;
  /** camelCase English name; units in `doc`. */
  readonly name: string;
  /** For `bytes`: the fixed length n of BYTE[n]; absent when variable. */
  readonly length?: number;
  /** Edition that introduced the id, when later than 2013 (JT/T 808-2019 additions). */
  readonly since?: 2019;
  /** Last edition that defines the id (2013 for ids removed in 2019). */
  readonly until?: 2013;
  readonly doc: string;
}

/** A decoded parameter value: DWORD/WORD/BYTE → number, STRING → string, anything else → raw bytes. */
export type ParamValue = number | string | Buffer;

export interface TerminalParam {
  /** Parameter id (DWORD). */
  id: number;
  value: ParamValue;
}

const d = (id: number, name: string, doc: string): ParamDef => ({ id, type: 'dword', name, doc });
const w = (id: number, name: string, doc: string): ParamDef => ({ id, type: 'word', name, doc });
const b = (id: number, name: string, doc: string): ParamDef => ({ id, type: 'byte', name, doc });
const s = (id: number, name: string, doc: string): ParamDef => ({ id, type: 'string', name, doc });
const raw = (id: number, name: string, length: number | undefined, doc: string): ParamDef =>
  length === undefined ? { id, type: 'bytes', name, doc } : { id, type: 'bytes', name, length, doc };

const DEFS: ParamDef[] = [
  d(0x0001, 'heartbeatInterval', 'terminal heartbeat interval, s'),
  d(0x0002, 'tcpReplyTimeout', 'TCP reply timeout, s'),
  d(0x0003, 'tcpRetransmissions', 'TCP retransmission count'),
  d(0x0004, 'udpReplyTimeout', 'UDP reply timeout, s'),
  d(0x0005, 'udpRetransmissions', 'UDP retransmission count'),
  d(0x0006, 'smsReplyTimeout', 'SMS reply timeout, s'),
  d(0x0007, 'smsRetransmissions', 'SMS retransmission count'),
  s(0x0010, 'mainServerApn', 'main server APN (CDMA: PPP dial number)'),
  s(0x0011, 'mainServerDialUser', 'main server dial-up user name'),
  s(0x0012, 'mainServerDialPassword', 'main server dial-up password'),
  s(0x0013, 'mainServerAddress', 'main server IP or domain (2019: host:port, several separated by ";")'),
  s(0x0014, 'backupServerApn', 'backup server APN'),
  s(0x0015, 'backupServerDialUser', 'backup server dial-up user name'),
  s(0x0016, 'backupServerDialPassword', 'backup server dial-up password'),
  s(0x0017, 'backupServerAddress', 'backup server IP or domain (2019: host:port, several separated by ";")'),
  { ...d(0x0018, 'serverTcpPort', 'server TCP port (removed in 2019)'), until: 2013 },
  { ...d(0x0019, 'serverUdpPort', 'server UDP port (removed in 2019)'), until: 2013 },
  s(0x001a, 'icCardAuthServerAddress', 'road transport IC card auth main server IP or domain'),
  d(0x001b, 'icCardAuthServerTcpPort', 'IC card auth main server TCP port'),
  d(0x001c, 'icCardAuthServerUdpPort', 'IC card auth main server UDP port'),
  s(0x001d, 'icCardAuthBackupServerAddress', 'IC card auth backup server IP or domain (same ports)'),
  d(0x0020, 'locationReportStrategy', '0 timed, 1 by distance, 2 timed and by distance'),
  d(0x0021, 'locationReportScheme', '0 by ACC state, 1 by login state then ACC state'),
  d(0x0022, 'driverLoggedOutReportInterval', 'report interval while no driver is logged in, s'),
  { ...s(0x0023, 'slaveServerApn', 'slave server APN; empty = as main server'), since: 2019 },
  { ...s(0x0024, 'slaveServerDialUser', 'slave server dial-up user name'), since: 2019 },
  { ...s(0x0025, 'slaveServerDialPassword', 'slave server dial-up password'), since: 2019 },
  { ...s(0x0026, 'slaveServerBackupAddress', 'slave server backup address, host:port, ";"-separated'), since: 2019 },
  d(0x0027, 'sleepReportInterval', 'report interval while sleeping, s'),
  d(0x0028, 'emergencyReportInterval', 'report interval during an emergency alarm, s'),
  d(0x0029, 'defaultReportInterval', 'default report interval, s'),
  d(0x002c, 'defaultReportDistance', 'default report distance, m'),
  d(0x002d, 'driverLoggedOutReportDistance', 'report distance while no driver is logged in, m'),
  d(0x002e, 'sleepReportDistance', 'report distance while sleeping, m'),
  d(0x002f, 'emergencyReportDistance', 'report distance during an emergency alarm, m'),
  d(0x0030, 'cornerReportAngle', 'corner supplementary report angle, degrees (< 180)'),
  w(0x0031, 'geofenceRadius', 'electronic fence radius (illegal displacement threshold), m'),
  {
    ...raw(0x0032, 'illegalDrivingPeriod', 4, 'start hour, start minute, end hour, end minute (BYTE each)'),
    since: 2019,
  },
  s(0x0040, 'monitoringPlatformPhone', 'monitoring platform phone number'),
  s(0x0041, 'resetPhone', 'phone number that resets the terminal when it calls'),
  s(0x0042, 'factoryResetPhone', 'phone number that restores factory settings when it calls'),
  s(0x0043, 'monitoringPlatformSmsPhone', 'monitoring platform SMS number'),
  s(0x0044, 'smsAlarmPhone', 'number receiving SMS text alarms'),
  d(0x0045, 'callAnswerStrategy', '0 auto answer, 1 auto answer when ACC on, manual when off'),
  d(0x0046, 'maxCallDuration', 'longest call, s (0 forbidden, 0xFFFFFFFF unlimited)'),
  d(0x0047, 'maxMonthlyCallDuration', 'call time per month, s (0 forbidden, 0xFFFFFFFF unlimited)'),
  s(0x0048, 'monitorPhone', 'listen-in (monitor) phone number'),
  s(0x0049, 'privilegedSmsPhone', 'supervision platform privileged SMS number'),
  d(0x0050, 'alarmMask', 'alarm mask, bits as the 0x0200 alarm flags; 1 = masked'),
  d(0x0051, 'alarmSmsSwitch', 'send a text SMS on these alarm bits'),
  d(0x0052, 'alarmPhotoSwitch', 'take a photo on these alarm bits'),
  d(0x0053, 'alarmPhotoStoreFlags', 'store (1) rather than upload (0) alarm photos, per alarm bit'),
  d(0x0054, 'keyAlarmFlags', 'key alarm flags, per alarm bit'),
  d(0x0055, 'maxSpeed', 'maximum speed, km/h'),
  d(0x0056, 'overspeedDuration', 'overspeed duration, s'),
  d(0x0057, 'continuousDrivingLimit', 'continuous driving time threshold, s'),
  d(0x0058, 'dailyDrivingLimit', 'accumulated driving time per day threshold, s'),
  d(0x0059, 'minRestTime', 'minimum rest time, s'),
  d(0x005a, 'maxParkingTime', 'maximum parking time, s'),
  w(0x005b, 'overspeedWarningDelta', 'overspeed pre-warning difference, 1/10 km/h'),
  w(0x005c, 'fatigueWarningDelta', 'fatigue driving pre-warning difference, s'),
  w(0x005d, 'collisionAlarmParams', 'bits 0-7 collision time (ms), bits 8-15 acceleration (0.1 g)'),
  w(0x005e, 'rolloverAlarmAngle', 'rollover angle, degrees (default 30)'),
  d(0x0064, 'timedPhotoControl', 'timed photo control (bit layout of the timed photo table)'),
  d(0x0065, 'distancePhotoControl', 'distance photo control (bit layout of the distance photo table)'),
  d(0x0070, 'imageQuality', 'image/video quality 1-10, 1 best'),
  d(0x0071, 'brightness', 'brightness 0-255'),
  d(0x0072, 'contrast', 'contrast 0-127'),
  d(0x0073, 'saturation', 'saturation 0-127'),
  d(0x0074, 'chroma', 'chroma 0-255'),
  // JT/T 1078 audio/video parameters (SmallChi JT808_0x8103_0x0075..0x007C), kept raw
  // except the alarm mask: their inner layouts are documented in SmallChi and decoded by
  // the AV layer if it needs them.
  raw(0x0075, 'avEncodingParams', 21, 'JT/T 1078 AV encoding parameters (live/stored stream settings, OSD, audio)'),
  raw(0x0076, 'avChannelList', undefined, 'JT/T 1078 AV channel list (counts + channel table)'),
  raw(0x0077, 'avChannelSettings', undefined, 'JT/T 1078 per-channel video settings'),
  raw(0x0079, 'specialAlarmRecording', 3, 'JT/T 1078: storage threshold %, duration min, start offset min'),
  d(0x007a, 'videoAlarmMask', 'JT/T 1078 video-related alarm mask, bits as 0x0200 item 0x14'),
  raw(0x007b, 'imageAnalysisAlarm', 2, 'JT/T 1078: rated passenger count, fatigue threshold'),
  raw(0x007c, 'wakeUpParams', undefined, 'JT/T 1078 terminal sleep wake-up mode and timers'),
  d(0x0080, 'odometer', 'vehicle odometer reading, 1/10 km'),
  w(0x0081, 'provinceId', 'province id of the vehicle'),
  w(0x0082, 'cityId', 'city id of the vehicle'),
  s(0x0083, 'plateNumber', 'vehicle plate number'),
  b(0x0084, 'plateColor', 'plate colour (JT/T 415 / 797.7), 0 = unplated'),
  b(0x0090, 'gnssMode', 'bit0 GPS, bit1 BeiDou, bit2 GLONASS, bit3 Galileo'),
  b(0x0091, 'gnssBaudRate', '0 4800, 1 9600, 2 19200, 3 38400, 4 57600, 5 115200'),
  b(0x0092, 'gnssOutputFrequency', '0 500 ms, 1 1000 ms, 2 2000 ms, 3 3000 ms, 4 4000 ms'),
  d(0x0093, 'gnssSampleFrequency', 'GNSS detail sampling interval, s'),
  b(0x0094, 'gnssUploadMode', '0 local only, 1 by time, 2 by distance, 0x0B/0x0C/0x0D accumulated'),
  d(0x0095, 'gnssUploadSetting', 'GNSS upload setting, unit per 0x0094 (s, m or count)'),
  d(0x0100, 'can1SampleInterval', 'CAN channel 1 sampling interval, ms (0 = off)'),
  w(0x0101, 'can1UploadInterval', 'CAN channel 1 upload interval, s (0 = off)'),
  d(0x0102, 'can2SampleInterval', 'CAN channel 2 sampling interval, ms (0 = off)'),
  w(0x0103, 'can2UploadInterval', 'CAN channel 2 upload interval, s (0 = off)'),
  raw(
    0x0110,
    'canIdSampling',
    8,
    'CAN id sampling: bits 63-32 interval ms, 31 channel, 30 frame type, 29 mode, 28-0 id',
  ),
];

/** The standard parameter table, keyed by id. 0x0111–0x01FF: see `paramDef`. */
export const JT808_PARAMS: ReadonlyMap<number, ParamDef> = new Map(DEFS.map((p) => [p.id, p]));

/** 0x0111–0x01FF: further CAN bus id sampling settings, BYTE[8] each (JT/T 808-2013 parameter table). */
const CAN_ID_SAMPLING_EXTRA: ParamDef = raw(0x0111, 'canIdSampling', 8, 'other CAN id sampling settings');

/** Definition of a parameter id, or undefined for unknown (vendor, 0xF000–0xFFFF user-defined...) ids. */
export function paramDef(id: number): ParamDef | undefined {
  const def = JT808_PARAMS.get(id);
  if (def) return def;
  if (id >= 0x0111 && id <= 0x01ff) return CAN_ID_SAMPLING_EXTRA;
  return undefined;
}

/** GBK string of `buf[start, end)` when it re-encodes to the same bytes, else undefined. */
function exactString(buf: Buffer, start: number, end: number): string | undefined {
  // A trailing NUL would be lost by the NUL-trimming conventions of STRING fields: keep raw.
  if (end > start && buf[end - 1] === 0) return undefined;
  let ascii = true;
  for (let i = start; i < end; i++) {
    if (buf[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  const text = decodeGbk(buf, start, end);
  if (ascii) return text;
  return encodeGbk(text).equals(buf.subarray(start, end)) ? text : undefined;
}

/** Decode one value of `len` bytes at `start` by the table (raw view when not canonical). */
export function decodeParamValue(id: number, buf: Buffer, start: number, len: number): ParamValue {
  const def = paramDef(id);
  if (def) {
    switch (def.type) {
      case 'dword':
        if (len === 4) return buf.readUInt32BE(start);
        break;
      case 'word':
        if (len === 2) return (buf[start]! << 8) | buf[start + 1]!;
        break;
      case 'byte':
        if (len === 1) return buf[start]!;
        break;
      case 'string': {
        const text = exactString(buf, start, start + len);
        if (text !== undefined) return text;
        break;
      }
      case 'bytes':
        break;
      default: {
        const never: never = def.type;
        throw new Error(`unhandled parameter type ${String(never)}`);
      }
    }
  }
  return buf.subarray(start, start + len);
}

/**
 * Read a parameter list up to the end of the body (the shared tail of 0x8103 and 0x0104).
 * `count` is the BYTE already read. Tolerant: items are read until the body ends, whatever
 * the count says (terminals get it wrong); an item whose length runs past the end stops the
 * loop and is left unread (the packet layer reports it as trailing bytes).
 * `declaredCount` is returned only when the wire count differs from the items found.
 */
export function readParamList(r: Reader, count: number): { params: TerminalParam[]; declaredCount?: number } {
  const params: TerminalParam[] = [];
  const buf = r.buf;
  while (r.remaining >= 5) {
    const p = r.pos;
    const id = buf.readUInt32BE(p);
    const len = buf[p + 4]!;
    if (p + 5 + len > r.end) break;
    params.push({ id, value: decodeParamValue(id, buf, p + 5, len) });
    r.pos = p + 5 + len;
  }
  return params.length === count ? { params } : { params, declaredCount: count };
}

function hexId(id: number): string {
  return `0x${id.toString(16).toUpperCase().padStart(4, '0')}`;
}

function paramError(id: number, why: string): CodecError {
  return new CodecError('IOTHUB_ERR_ENCODE_VALUE', `parameter ${hexId(id)}: ${why}`);
}

/** Write one parameter (id, length, value) using the table. Throws on values the type cannot hold. */
export function writeParam(wr: Writer, p: TerminalParam): void {
  const { id, value } = p;
  if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) throw paramError(id, 'id out of range');
  wr.u32(id);
  if (value instanceof Uint8Array) {
    if (value.length > 0xff) throw paramError(id, `${value.length} bytes, at most 255`);
    wr.u8(value.length).bytes(value);
    return;
  }
  const def = paramDef(id);
  if (!def) throw paramError(id, 'unknown id: value must be raw bytes');
  if (typeof value === 'string') {
    if (def.type !== 'string') throw paramError(id, `${def.type} parameter given a string`);
    const bytes = encodeGbk(value);
    if (bytes.length > 0xff) throw paramError(id, `string is ${bytes.length} bytes, at most 255`);
    wr.u8(bytes.length).bytes(bytes);
    return;
  }
  if (typeof value !== 'number') throw paramError(id, `unsupported value type ${typeof value}`);
  switch (def.type) {
    case 'dword':
      if (!Number.isInteger(value) || value < 0 || value > 0xffffffff)
        throw paramError(id, `DWORD ${value} out of range`);
      wr.u8(4).u32(value);
      return;
    case 'word':
      if (!Number.isInteger(value) || value < 0 || value > 0xffff) throw paramError(id, `WORD ${value} out of range`);
      wr.u8(2).u16(value);
      return;
    case 'byte':
      if (!Number.isInteger(value) || value < 0 || value > 0xff) throw paramError(id, `BYTE ${value} out of range`);
      wr.u8(1).u8(value);
      return;
    case 'string':
    case 'bytes':
      throw paramError(id, `${def.type} parameter given a number`);
    default: {
      const never: never = def.type;
      throw new Error(`unhandled parameter type ${String(never)}`);
    }
  }
}

/** Write count BYTE (the declared count when given, else the list length) and the list. */
export function writeParamList(wr: Writer, params: readonly TerminalParam[], declaredCount?: number): void {
  const count = declaredCount ?? params.length;
  if (!Number.isInteger(count) || count < 0 || count > 0xff) {
    throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `parameter count ${count} out of range 0..255`);
  }
  wr.u8(count);
  for (const p of params) writeParam(wr, p);
}

// ---------------------------------------------------------------------------------------------
// JSON form for the instruction API: { "0x0001": 30, "0x0083": "粤B12345", "0x0110": { "$hex": "…" } }

/** JSON value of a parameter: numbers and strings as is, raw bytes as `{ "$hex": "…" }`. */
export type ParamJsonValue = number | string | { $hex: string };

/** Plain JSON object keyed by hex id (`"0x0001"`, upper-case hex digits, at least 4). */
export type ParamJson = Record<string, ParamJsonValue>;

/** JSON key of a parameter id: `0x0001`, `0x005A`, `0x0000F001`. */
export function paramKey(id: number): string {
  return hexId(id);
}

/**
 * Parameter list → JSON object keyed by hex id, in list order. A duplicated id keeps the last
 * value (a JSON object cannot hold both); use the list itself when duplicates matter.
 */
export function paramsToJson(params: readonly TerminalParam[]): ParamJson {
  const out: ParamJson = {};
  for (const p of params) {
    out[hexId(p.id)] = typeof p.value === 'object' ? { $hex: p.value.toString('hex') } : p.value;
  }
  return out;
}

function parseKey(key: string): number {
  const digits = key.length > 2 && key[0] === '0' && (key[1] === 'x' || key[1] === 'X') ? key.slice(2) : '';
  if (digits.length === 0 || digits.length > 8 || !/^[0-9a-fA-F]+$/.test(digits)) {
    throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `parameter key "${key}" is not a hex id like "0x0001"`);
  }
  return Number.parseInt(digits, 16);
}

function hexBytes(id: number, hex: string): Buffer {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw paramError(id, `"${hex.slice(0, 20)}" is not hex`);
  return Buffer.from(hex, 'hex');
}

/**
 * JSON object keyed by hex id → parameter list (in key order), validated against the table:
 * numeric types take a number, STRING a string, anything may take `{ "$hex": "…" }` raw
 * bytes; BYTE[n] and unknown ids also accept a plain hex string. Throws
 * `CodecError(IOTHUB_ERR_ENCODE_VALUE)` on anything else, so API input errors surface
 * before a frame is built.
 */
export function paramsFromJson(input: unknown): TerminalParam[] {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'parameters must be an object keyed by hex id');
  }
  const out: TerminalParam[] = [];
  for (const [key, v] of Object.entries(input as Record<string, unknown>)) {
    const id = parseKey(key);
    const def = paramDef(id);
    let value: ParamValue;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const hex = (v as Record<string, unknown>).$hex;
      if (typeof hex !== 'string' || Object.keys(v).length !== 1)
        throw paramError(id, 'object value must be { "$hex": "…" }');
      value = hexBytes(id, hex);
    } else if (typeof v === 'number') {
      if (!def || def.type === 'string' || def.type === 'bytes') throw paramError(id, 'does not take a number');
      value = v;
    } else if (typeof v === 'string') {
      if (def?.type === 'string') value = v;
      else if (!def || def.type === 'bytes') value = hexBytes(id, v);
      else throw paramError(id, `${def.type} parameter given a string`);
    } else {
      throw paramError(id, `unsupported value ${JSON.stringify(v)}`);
    }
    out.push({ id, value });
  }
  // Validate now (range, length), not when the frame is built.
  const scratch = new Writer(16);
  for (const p of out) {
    scratch.pos = 0;
    writeParam(scratch, p);
  }
  return out;
}
