import { jt808 } from '../../src/index.ts';
import { genericPath, micro, tenth } from './conformance-go.ts';
import {
  asRecord,
  at,
  checkReencode,
  type Decoded,
  decodeBody,
  decodeWire,
  type FileState,
  flagsOf,
  fmt,
  gmt8,
  hexOf,
  item,
  looseEqual,
  msgIdOf,
  paramLength,
  type Row,
  RowCheck,
  reencodeBody,
  reencodeFrame,
} from './conformance-harness.ts';

/**
 * Asserted paths deliberately left unmapped (listed as "unmapped" by CONFORMANCE_VERBOSE=1):
 *
 * | what                                                        | why                                              |
 * |-------------------------------------------------------------|--------------------------------------------------|
 * | ids without a codec (0x0005, 0x0302–0x0304, 0x0608, 0x0700,  | decoded as `unknown`: nothing to compare          |
 * |   0x8108, 0x8203, 0x8301–0x8304, 0x8400/01, 0x8600–0x8608,  |                                                  |
 * |   0x8700/01, 0x8A00, 0x9301–0x9306, 0x1FC4 …)               |                                                  |
 * | `JT808_0x8103_0xF364…0xF367.*`, `ParamList[].<F36x field>`   | vendor (Su-biao/Yue-biao) parameters kept raw     |
 * | `0x0900_0xF7/0xF8.*`, `0x8900_0xF7/0xF8.*`                   | vendor pass-through payloads kept raw            |
 * | items 0x51–0x61, 0xDD–0xDF, 0xE1–0xFB (`jt808_0x0200_0x54` …)| vendor / demo items kept raw                      |
 * | `Retain*`, `Placeholder*`, `Reserve*`, `AttachInfoLength`,   | SmallChi internals / reserved bytes (except the   |
 * |   `SkipSerialization`, `… is null/notnull`, `is <Type>`     |   4 reserved bytes of 0x65, which we keep)        |
 * | `item0.*`, `body.*`, `subBody.*`, `DT1Demo*`, `*TestBodiesImpl`| test-local objects (area tables, tachograph     |
 * |                                                             |   sub-protocol, custom demo bodies)              |
 * | `CustomCommandParameters` (0x8105), 0x8500 type 0xF001       | SmallChi custom extensions                        |
 * | constants not in ENUMS (`JT808SettingProperty.*` …)          | value not certain                                 |
 * | `encode body/frame (no encoder)`                            | ids we decode only                               |
 */
/**
 * SmallChi/JT808 rows (`smallchi-jt808-frames.jsonl`):
 *  - `deserialize+assert`: each `expect.asserts[i]` (`path` → `equals` / `is`) is mapped to our
 *    field through the explicit tables below (SMALLCHI_BODY, header fields, location items);
 *  - `serialize==hex`: the `built_from` values are checked the same way on our decoding of the
 *    hex, and our encoder, given those decoded values, must produce the hex;
 *  - everything else: the hex must frame / decode without an error.
 * Body-only rows are decoded with `decodeJt808Body` and the id from `frame_info`.
 */

type Fn = (body: unknown, idx: number[], expected?: unknown) => unknown;
type Getter = string | Fn;

/** SmallChi enum / constant names whose numeric value is certain (SmallChi `Enums/*.cs`). */
const ENUMS: Record<string, number | string | boolean> = {
  'Enums.JT808TerminalResult.Success': 0,
  'Enums.JT808PlatformResult.succeed': 0,
  'Enums.JT808TerminalRegisterResult.success': 0,
  'Enums.JT808TerminalRegisterResult.terminal_not_database': 4,
  'JT808MultimediaType.image': 0,
  'JT808MultimediaType.video': 2,
  'JT808MultimediaCodingFormat.JPEG': 0,
  'JT808EventItemCoding.platform_delivery_order': 0,
  'JT808EventItemCoding.regular_action': 1,
  'JT808EncryptMethod.None': 0,
  'JT808EncryptMethod.RSA': 1,
  'JT808MsgId._0x8800': 0x8800,
  'JT808Version.JTT2019': 2019,
  'JT808ICCardStatus.ic_card_into': 1,
  'JT808ICCardStatus.ic_card_pull_out': 2,
  'JT808ICCardReadResult.ic_card_reading_succeeded': 0,
  'JT808ICCardReadResult.read_card_failure_auth': 1,
  'JT808UpgradeResult.success': 0,
  'JT808UpgradeType.beidou_module': 52,
  'JT808_0x0704.BatchLocationType.正常位置批量汇报': 0,
  'JT808EventItemCoding.collision_rollover_alarm_triggered': 3,
  'Enums.JT808PositionType.circular_region': 1,
  'Enums.JT808DirectionType.direction_out': 1,
  'Enums.JT808DrivenRouteType.overlength': 1,
  'JT808RecordCmd.stop': 0,
  'JT808RecordSave.realtime_upload': 0,
  'JT808MultimediaDeleted.delete': 1,
  'Enums.JT808MultimediaDeleted.reserve': 0,
};

/** Wire value of a coordinate: the unsigned magnitude, or the signed value when the report used the signed form. */
function signedOrMicro(b: unknown, p: string, field: 'latitude' | 'longitude'): unknown {
  const v = at(b, p ? `${p}.${field}` : field);
  if (at(b, p ? `${p}.signedCoordinates` : 'signedCoordinates') === true && typeof v === 'number') {
    return Math.round(v * 1e6);
  }
  return micro(v);
}

/** The 28-byte basic block and standard items of a report at `rp` (SmallChi `JT808_0x0200` names). */
function report(rp: (idx: number[]) => string, prefix = ''): Record<string, Getter> {
  const f =
    (field: string, conv: (v: unknown) => unknown = (v) => v): Getter =>
    (b, i) => {
      const p = rp(i);
      return conv(at(b, p ? `${p}.${field}` : field));
    };
  const it =
    (id: number, field: string, conv: (v: unknown) => unknown = (v) => v): Getter =>
    (b, i) => {
      const p = rp(i);
      return conv(item(p ? at(b, p) : b, id)?.[field]);
    };
  const out: Record<string, Getter> = {
    AlarmFlag: f('alarm'),
    StatusFlag: f('status'),
    // SmallChi's own (non-standard) signed form: the wire value is the signed 1e-6 degrees.
    Lat: (b, i) => signedOrMicro(b, rp(i), 'latitude'),
    Lng: (b, i) => signedOrMicro(b, rp(i), 'longitude'),
    Altitude: f('altitude'),
    Speed: f('speed', tenth),
    Direction: f('course'),
    GPSTime: f('time', gmt8),
    // Our items are in physical units (km, L); SmallChi keeps the raw 1/10 values.
    'BasicLocationAttachData[JT808_0x0200_0x01].Mileage': it(0x01, 'mileage', tenth),
    'BasicLocationAttachData[JT808_0x0200_0x02].Oil': it(0x02, 'fuel', tenth),
  };
  out['CustomLocationAttachData[0x14].VideoRelateAlarm'] = it(0x14, 'flags');
  out['CustomLocationAttachData[0x15].VideoSignalLoseAlarmStatus'] = it(0x15, 'channels');
  out['CustomLocationAttachData[JT808_JT1078_Constants.JT808_0X0200_0x15].VideoSignalLoseAlarmStatus'] = it(
    0x15,
    'channels',
  );
  out['CustomLocationAttachData[0x16].VideoSignalOcclusionAlarmStatus'] = it(0x16, 'channels');
  out['CustomLocationAttachData[0x17].StorageFaultAlarmStatus'] = it(0x17, 'units');
  out['CustomLocationAttachData[0x18].AbnormalDrivingBehaviorAlarmType'] = it(0x18, 'behavior');
  out['CustomLocationAttachData[0x18].FatigueLevel'] = it(0x18, 'fatigueLevel');
  out['UnknownLocationAttachData[0xCA]'] = (b, i) => rawItem(b, rp(i), 0xca);
  out['UnknownLocationAttachData[0xCB]'] = (b, i) => rawItem(b, rp(i), 0xcb);
  out['UnknownLocationAttachData[0xCD]'] = (b, i) => rawItem(b, rp(i), 0xcd);
  if (!prefix) return out;
  return Object.fromEntries(Object.entries(out).map(([k, g]) => [`${prefix}${k}`, g]));
}

/** A vendor item kept raw: SmallChi compares the whole TLV (id, length, value) as bytes. */
function rawItem(b: unknown, rp: string, id: number): unknown {
  const it = item(rp ? at(b, rp) : b, id);
  if (!it) return undefined;
  const raw = hexOf(it.raw) ?? hexOf(it.value) ?? hexOf(it.data);
  if (raw === undefined) return undefined;
  const len = raw.length / 2;
  return `${id.toString(16).padStart(2, '0')}${len.toString(16).padStart(2, '0')}${raw}`;
}

const SAFETY_COMMON: Record<string, (it: Record<string, unknown>, idx: number[]) => unknown> = {
  AlarmId: (it) => it.alarmId,
  FlagState: (it) => it.flag,
  AlarmOrEventType: (it) => it.eventType,
  AlarmLevel: (it) => it.level,
  Speed: (it) => it.speed,
  Altitude: (it) => it.altitude,
  Latitude: (it) => micro(it.latitude),
  Longitude: (it) => micro(it.longitude),
  AlarmTime: (it) => gmt8(it.time),
  VehicleState: (it) => it.vehicleStatus,
  AttachInfoId: (it) => it.id,
  'AlarmIdentification.TerminalId': (it) => at(it, 'alarmIdentification.terminalId'),
  'AlarmIdentification.TerminalID': (it) => at(it, 'alarmIdentification.terminalId'),
  'AlarmIdentification.Time': (it) => gmt8(at(it, 'alarmIdentification.time')),
  'AlarmIdentification.SN': (it) => at(it, 'alarmIdentification.serial'),
  'AlarmIdentification.AttachCount': (it) => at(it, 'alarmIdentification.attachmentCount'),
  // 0x64 ADAS
  VehicleSpeed: (it) => it.frontSpeed,
  CarOrPedestrianDistanceAhead: (it) => it.frontDistance,
  DeviateType: (it) => it.departureType,
  RoadSignIdentificationType: (it) => it.roadSignType,
  RoadSignIdentificationData: (it) => it.roadSignData,
  // 0x65 DSM
  Fatigue: (it) => it.fatigueLevel,
  // 0x66 TPMS
  AlarmOrEventCount: (it) => (it.events as unknown[] | undefined)?.length,
  'AlarmOrEvents[].TirePressureAlarmPosition': (it, i) => at(it, `events[${i[0]}].tyre`),
  'AlarmOrEvents[].AlarmOrEventType': (it, i) => at(it, `events[${i[0]}].eventType`),
  'AlarmOrEvents[].TirePressure': (it, i) => at(it, `events[${i[0]}].pressure`),
  'AlarmOrEvents[].TireTemperature': (it, i) => at(it, `events[${i[0]}].temperature`),
  'AlarmOrEvents[].BatteryLevel': (it, i) => at(it, `events[${i[0]}].battery`),
};

/** Returned by a getter when the asserted value is not carried on the wire (no equivalent). */
const SKIP = Symbol('skip');

const len =
  (p: string): Fn =>
  (b) =>
    (at(b, p) as unknown[] | undefined)?.length;
const date =
  (p: string): Fn =>
  (b) =>
    gmt8(at(b, p));
const bytesLen =
  (p: string): Fn =>
  (b) =>
    Buffer.byteLength(String(at(b, p) ?? ''));
const big =
  (p: string): Fn =>
  (b) => {
    const v = asRecord(at(b, p)).$bigint;
    return typeof v === 'string' ? BigInt(v) : at(b, p);
  };
const utc = (v: unknown): unknown => {
  const iso = asRecord(v).$date;
  return typeof iso === 'string' ? iso.slice(0, 19).replace('T', ' ') : v;
};
const idx0 =
  (p: string): Fn =>
  (b, i) =>
    at(b, p.replace('[]', `[${i[0] ?? 0}]`));

/** Byte `i` of a `{ $hex }` field (SmallChi `byte[]` properties asserted element by element). */
const byteAt = (v: unknown, i: number | undefined): unknown => {
  const h = typeof v === 'string' ? v : hexOf(v);
  return h === undefined || i === undefined ? undefined : Buffer.from(h, 'hex')[i];
};

/** WORDs of a list as the big-endian hex SmallChi keeps as `byte[]`. */
const wordsHex =
  (p: string): Fn =>
  (b) => {
    const ids = at(b, p);
    if (!Array.isArray(ids)) return undefined;
    const w = Buffer.alloc(ids.length * 2);
    for (const [k, x] of ids.entries()) w.writeUInt16BE(Number(x), k * 2);
    return w.toString('hex');
  };

/**
 * 0x8105 command parameters, in SmallChi's `CommandParameters` order (`;`-separated; the
 * connection control, ports and time limit are binary). Our model keeps the parameter string.
 */
const CMD_PARAMS: Record<string, { pos: number; bin?: boolean }> = {
  ConnectionControlCommandParameter: { pos: 0, bin: true },
  DialPointNameCommandParameter: { pos: 1 },
  DialUserNameCommandParameter: { pos: 2 },
  DialPwdCommandParameter: { pos: 3 },
  ServerUrlCommandParameter: { pos: 4 },
  TcpPortCommandParameter: { pos: 5, bin: true },
  UdpPortCommandParameter: { pos: 6, bin: true },
  MakerIdCommandParameter: { pos: 7 },
  MonitorPlatformAuthCodeCommandParameter: { pos: 8 },
  HardwareVersionCommandParameter: { pos: 9 },
  FirmwareVersionCommandParameter: { pos: 10 },
  UrlCommandParameter: { pos: 11 },
  ConnectTimeLimitCommandParameter: { pos: 12, bin: true },
};

function commandParameter(b: unknown, name: string): unknown {
  const def = CMD_PARAMS[name];
  const raw = hexOf(at(b, 'paramsRaw'));
  if (!def || raw === undefined) return undefined;
  const parts: Buffer[] = [];
  const buf = Buffer.from(raw, 'hex');
  let start = 0;
  for (let k = 0; k < buf.length; k++) {
    if (buf[k] === 0x3b) {
      parts.push(buf.subarray(start, k));
      start = k + 1;
    }
  }
  const part = parts[def.pos];
  if (!part) return undefined;
  if (!def.bin) return part.toString('latin1');
  return part.length === 1 ? part[0] : part.length === 2 ? part.readUInt16BE(0) : undefined;
}

/** JT/T 1078 encoding settings (0x0075 whole, and each 0x0077 channel after its logical channel byte). */
function avEncoding(buf: Buffer, o: number): Record<string, number> {
  return {
    RTS_EncodeMode: buf.readUInt8(o),
    RTS_Resolution: buf.readUInt8(o + 1),
    RTS_KF_Interval: buf.readUInt16BE(o + 2),
    RTS_Target_FPS: buf.readUInt8(o + 4),
    RTS_Target_CodeRate: buf.readUInt32BE(o + 5),
    StreamStore_EncodeMode: buf.readUInt8(o + 9),
    StreamStore_Resolution: buf.readUInt8(o + 10),
    StreamStore_KF_Interval: buf.readUInt16BE(o + 11),
    StreamStore_Target_FPS: buf.readUInt8(o + 13),
    StreamStore_Target_CodeRate: buf.readUInt32BE(o + 14),
    OSD: buf.readUInt16BE(o + 18),
  };
}

/**
 * Fields of a parameter (SmallChi `JT808_0x8103_0xNNNN.*`, `ParamList[i].*`) → our params entry.
 * The JT/T 1078 parameters 0x0075–0x007C and 0x0110 are kept as bytes in our table: their
 * fields are read at their spec offsets. SKIP for fields of vendor parameters (0xF364…).
 */
function paramField(p: Record<string, unknown> | undefined, field: string, idx: number[]): unknown {
  if (!p) return undefined;
  const id = Number(p.id);
  if (field === 'ParamId') return id;
  if (field === 'ParamLength') return paramLength(p);
  if (field === 'ParamValue') {
    const h = hexOf(p.value);
    return h ?? p.value;
  }
  const h = hexOf(p.value);
  const buf = h === undefined ? undefined : Buffer.from(h, 'hex');
  try {
    switch (id) {
      case 0x0075:
        if (!buf) return undefined;
        if (field === 'AudioOutputEnabled') return buf.readUInt8(20);
        return avEncoding(buf, 0)[field];
      case 0x0076: {
        if (!buf) return undefined;
        const head: Record<string, number> = {
          AVChannelTotal: buf.readUInt8(0),
          AudioChannelTotal: buf.readUInt8(1),
          VudioChannelTotal: buf.readUInt8(2),
        };
        if (field in head) return head[field];
        const m = /^AVChannelRefTables\[\]\.(\w+)$/.exec(field);
        const k = idx[0];
        if (!m || k === undefined) return undefined;
        const o = 3 + k * 4;
        const cols: Record<string, number> = {
          PhysicalChannelNo: 0,
          LogicChannelNo: 1,
          ChannelType: 2,
          IsConnectCloudPlat: 3,
        };
        const c = cols[m[1]!];
        return c === undefined ? undefined : buf.readUInt8(o + c);
      }
      case 0x0077: {
        if (!buf) return undefined;
        if (field === 'NeedSetChannelTotal') return buf.readUInt8(0);
        const m = /^SignalChannels\[\]\.(\w+)$/.exec(field);
        const k = idx[0];
        if (!m || k === undefined) return undefined;
        const o = 1 + k * 21;
        if (m[1] === 'LogicChannelNo') return buf.readUInt8(o);
        return avEncoding(buf, o + 1)[m[1]!];
      }
      case 0x0079:
        if (!buf) return undefined;
        return { StorageThresholds: buf.readUInt8(0), Duration: buf.readUInt8(1), BeginMinute: buf.readUInt8(2) }[
          field
        ];
      case 0x007a:
        return field === 'AlarmShielding' ? p.value : undefined;
      case 0x007b:
        if (!buf) return undefined;
        return { NuclearLoadNumber: buf.readUInt8(0), FatigueThreshold: buf.readUInt8(1) }[field];
      case 0x007c: {
        if (!buf) return undefined;
        const head: Record<string, number> = {
          SleepWakeMode: buf.readUInt8(0),
          WakeConditionType: buf.readUInt8(1),
          TimerWakeDaySet: buf.readUInt8(2),
          'TimerWakeDayParamter.TimerWakeEnableFlag': buf.readUInt8(3),
        };
        if (field in head) return head[field];
        // BCD HHmm, wake time then close time per period; SmallChi drops the leading zeros.
        const m = /^TimerWakeDayParamter\.TimePeriod([1-4])(WakeTime|CloseTime)$/.exec(field);
        if (!m) return undefined;
        const o = 4 + (Number(m[1]) - 1) * 4 + (m[2] === 'CloseTime' ? 2 : 0);
        return buf
          .subarray(o, o + 2)
          .toString('hex')
          .replace(/^0+/, '');
      }
      case 0x0110: {
        if (!buf) return undefined;
        const lo = buf.readUInt32BE(4);
        return {
          CollectTimeInterval: buf.readUInt32BE(0),
          ChannelNo: lo >>> 31,
          FrameType: (lo >>> 30) & 1,
          CollectWay: (lo >>> 29) & 1,
          BusId: lo & 0x1fffffff,
        }[field];
      }
      default:
        return SKIP;
    }
  } catch {
    return undefined;
  }
}

const paramAt =
  (field: string): Fn =>
  (b, i) =>
    paramField(asRecord((at(b, 'params') as unknown[] | undefined)?.[i[0] ?? 0]), field, i.slice(1));

/** `ParamList[].<field>` getters of 0x8103 / 0x0104 (SmallChi internals Retain/Placeholder/Reserve excluded). */
function paramListGetters(): Record<string, Getter> {
  const fields = [
    'ParamId',
    'ParamLength',
    'ParamValue',
    'AudioOutputEnabled',
    ...Object.keys(avEncoding(Buffer.alloc(21), 0)),
    'AVChannelTotal',
    'AudioChannelTotal',
    'VudioChannelTotal',
    ...['PhysicalChannelNo', 'LogicChannelNo', 'ChannelType', 'IsConnectCloudPlat'].map(
      (f) => `AVChannelRefTables[].${f}`,
    ),
    'NeedSetChannelTotal',
    ...['LogicChannelNo', ...Object.keys(avEncoding(Buffer.alloc(21), 0))].map((f) => `SignalChannels[].${f}`),
    'StorageThresholds',
    'Duration',
    'BeginMinute',
    'AlarmShielding',
    'NuclearLoadNumber',
    'FatigueThreshold',
    'SleepWakeMode',
    'WakeConditionType',
    'TimerWakeDaySet',
    'TimerWakeDayParamter.TimerWakeEnableFlag',
    ...[1, 2, 3, 4]
      .flatMap((n) => [`TimePeriod${n}WakeTime`, `TimePeriod${n}CloseTime`])
      .map((f) => `TimerWakeDayParamter.${f}`),
    'CollectTimeInterval',
    'ChannelNo',
    'FrameType',
    'CollectWay',
    'BusId',
  ];
  return Object.fromEntries(fields.map((f) => [`ParamList[].${f}`, paramAt(f)]));
}

/** Standard (JT/T 808) additional items addressed as `BasicLocationAttachData[JT808_0x0200_0xNN].<field>`. */
const STANDARD_ITEM: Record<number, Record<string, (it: Record<string, unknown>, idx: number[]) => unknown>> = {
  1: { Mileage: (it) => tenth(it.mileage) },
  2: { Oil: (it) => tenth(it.fuel) },
  3: { Speed: (it) => tenth(it.speed) },
  4: { EventId: (it) => it.eventId },
  17: { AreaId: (it) => it.areaId, JT808PositionType: (it) => it.locationType },
  18: { AreaId: (it) => it.areaId, JT808PositionType: (it) => it.locationType, Direction: (it) => it.direction },
  19: { DrivenRouteId: (it) => it.sectionId, Time: (it) => it.travelTime, DrivenRoute: (it) => it.result },
  20: { VideoRelateAlarm: (it) => it.flags },
  21: { VideoSignalLoseAlarmStatus: (it) => it.channels },
  22: { VideoSignalOcclusionAlarmStatus: (it) => it.channels },
  23: { StorageFaultAlarmStatus: (it) => it.units },
  24: { AbnormalDrivingBehaviorAlarmType: (it) => it.behavior, FatigueLevel: (it) => it.fatigueLevel },
  37: { CarSignalStatus: (it) => it.signals },
  42: { IOStatus: (it) => it.ioStatus },
  // SmallChi lists the two WORDs in wire order: the high WORD (AD1) first.
  43: { 'Analogs[]': (it, i) => (i[0] === 0 ? it.ad1 : i[0] === 1 ? it.ad0 : undefined) },
  48: { WiFiSignalStrength: (it) => it.rssi },
  49: { GNSSCount: (it) => it.satellites },
};

/** `CustomLocationAttachData[JT808_0X0200_0x64].AlarmId`, `BasicLocationAttachData[JT808_0x0200_0x03].Speed` … */
function bracketItemGetter(key: string): Fn | undefined {
  const m = /^(?:Custom|Basic)LocationAttachData\[(?:JT808_0[xX]0200_)?0[xX]([0-9A-Fa-f]{2})\]\.(.+)$/.exec(key);
  if (!m) return undefined;
  const id = Number.parseInt(m[1]!, 16);
  const field = m[2]!;
  let g: ((it: Record<string, unknown>, idx: number[]) => unknown) | undefined;
  if (id >= 0x64 && id <= 0x67) {
    // 0x65 keeps its 4 reserved bytes (SmallChi `Retain`).
    if (id === 0x65 && field === 'Retain') g = (it) => hexOf(it.reserved);
    else if (id === 0x65 && field === 'Retain[]') g = (it, i) => byteAt(it.reserved, i[0]);
    else g = SAFETY_COMMON[field];
  } else g = STANDARD_ITEM[id]?.[field];
  if (!g) return undefined;
  const get = g;
  return (b, i) => {
    const it = item(b, id);
    return it ? get(it, i) : undefined;
  };
}

/** SmallChi `JT808_0xNNNN.<Property>` → our body field, per message id. */
export const SMALLCHI_BODY: Record<number, Record<string, Getter>> = {
  1: { ReplyMsgId: 'replyMsgId', ReplyMsgNum: 'replySerial', TerminalResult: 'result' },
  32769: { AckMsgId: 'replyMsgId', MsgNum: 'replySerial', JT808PlatformResult: 'result' },
  5: { OriginalMsgNum: 'firstSerial', AgainPackageCount: len('packageIndexes') },
  32771: {
    OriginalMsgNum: 'firstSerial',
    AgainPackageCount: len('packageIndexes'),
    AgainPackageData: wordsHex('packageIndexes'),
    'AgainPackageData[]': (b, i) => byteAt(wordsHex('packageIndexes')(b, i), i[0]),
  },
  256: {
    AreaID: 'provinceId',
    CityOrCountyId: 'cityId',
    MakerId: 'makerId',
    TerminalModel: 'model',
    TerminalId: 'terminalId',
    PlateColor: 'plateColor',
    PlateNo: 'plate',
  },
  258: { Code: 'authCode', CodeLength: bytesLen('authCode'), IMEI: 'imei', SoftwareVersion: 'softwareVersion' },
  260: {
    MsgNum: 'replySerial',
    AnswerParamsCount: (b) => at(b, 'declaredCount') ?? len('params')(b, []),
    ...paramListGetters(),
  },
  33027: { ...paramListGetters() },
  33029: {
    CommandWord: 'command',
    ...Object.fromEntries(
      Object.entries(CMD_PARAMS).map(([name, def]) => [
        `CommandParameters.GetCommandParameter<${name}>(.Value${def.bin ? '.Value' : ''}`,
        (b: unknown) => commandParameter(b, name),
      ]),
    ),
  },
  33030: { ParameterCount: len('ids'), 'Parameters[]': idx0('ids[]') },
  33536: { TextInfo: 'text', TextFlag: 'flag', TextType: 'textType' },
  34818: {
    ChannelId: 'channel',
    EventItemCoding: 'event',
    MultimediaType: 'mediaType',
    StartTime: date('startTime'),
    EndTime: date('endTime'),
  },
  34819: {
    ChannelId: 'channel',
    EventItemCoding: 'event',
    MultimediaType: 'mediaType',
    StartTime: date('startTime'),
    EndTime: date('endTime'),
    MultimediaDeleted: 'deleteFlag',
  },
  34820: { RecordCmd: 'command', RecordTime: 'duration', RecordSave: 'saveFlag', AudioSampleRate: 'sampleRate' },
  2050: {
    MsgNum: 'replySerial',
    MultimediaItemCount: len('items'),
    'MultimediaSearchItems[].MultimediaId': idx0('items[].mediaId'),
    'MultimediaSearchItems[].MultimediaType': idx0('items[].mediaType'),
    'MultimediaSearchItems[].ChannelId': idx0('items[].channel'),
    'MultimediaSearchItems[].EventItemCoding': idx0('items[].event'),
    ...report((i) => `items[${i[0] ?? 0}].location`, 'MultimediaSearchItems[].Position.'),
  },
  1793: { ElectronicWaybillLength: (b) => (hexOf(at(b, 'waybill'))?.length ?? 0) / 2 },
  263: {
    TerminalType: 'terminalType',
    MakerId: 'makerId',
    TerminalModel: 'model',
    TerminalId: 'terminalId',
    Terminal_Hardware_Version_Num: 'hardwareVersion',
    Terminal_Firmware_Version_Num: 'firmwareVersion',
    Terminal_SIM_ICCID: 'iccid',
    GNSSModule: 'gnssAttributes',
    CommunicationModule: 'commsAttributes',
  },
  264: { UpgradeType: 'upgradeType', UpgradeResult: 'result' },
  512: report(() => ''),
  513: { ReplyMsgNum: 'replySerial', ...report(() => 'location', 'Position.') },
  1280: { MsgNum: 'replySerial', ...report(() => 'location', 'JT808_0x0200.') },
  1796: {
    Count: len('entries'),
    LocationType: 'dataType',
    ...report((i) => `entries[${i[0] ?? 0}].report`, 'Positions[].'),
  },
  1794: {
    IC_Card_Status: 'status',
    IC_Card_PlugDateTime: date('time'),
    IC_Card_ReadResult: 'readResult',
    DriverUserName: 'card.driverName',
    QualificationCode: 'card.certificateCode',
    LicenseIssuing: 'card.issuer',
    DriverIdentityCard: 'card.idNumber',
    // BCD YYYYMMDD in our model.
    CertificateExpiresDate: (b) =>
      String(at(b, 'card.certificateExpiry') ?? '').replace(/^(\d{4})(\d{2})(\d{2})$/, '$1-$2-$3'),
    FaceMatchValue: 'card.faceMatch',
    'FaceMatchValue.Value': 'card.faceMatch',
    UID: 'card.idCardUid',
  },
  1797: {
    CanItemCount: len('items'),
    'CanItems[].CanId': idx0('items[].busId'),
    'CanItems[].CanData': (b, i) => hexOf(at(b, `items[${i[0] ?? 0}].data`)),
    'CanItems[].CanData[]': (b, i) => byteAt(at(b, `items[${i[0] ?? 0}].data`), i[1]),
    // Our model keeps the time of day (ms) only; SmallChi builds a DateTime on some date.
    FirstCanReceiveTime: (b, _i, expected) => {
      const ms = at(b, 'receiveTimeOfDay');
      if (typeof ms !== 'number' || typeof expected !== 'string') return undefined;
      const t = new Date(ms).toISOString().slice(11, expected.includes('.') ? 23 : 19);
      return /^\d{4}-/.test(expected) ? `${expected.slice(0, 11)}${t}` : t;
    },
  },
  2048: {
    MultimediaId: 'mediaId',
    MultimediaType: 'mediaType',
    MultimediaCodingFormat: 'mediaFormat',
    EventItemCoding: 'event',
    ChannelId: 'channel',
  },
  2049: {
    MultimediaId: 'mediaId',
    MultimediaType: 'mediaType',
    MultimediaCodingFormat: 'mediaFormat',
    EventItemCoding: 'event',
    ChannelId: 'channel',
    MultimediaDataPackage: (b) => hexOf(at(b, 'data')),
    'MultimediaDataPackage[]': (b, i) => byteAt(at(b, 'data'), i[0]),
    ...report(() => 'location', 'Position.'),
  },
  2053: { ReplyMsgNum: 'replySerial', Result: 'result', MultimediaIdCount: len('mediaIds') },
  2304: { PassthroughType: 'passThroughType' },
  35072: { PassthroughType: 'passThroughType' },
  2560: { E: 'exponent' },
  35328: { E: 'exponent' },
  4099: {
    EnterAudioEncoding: 'audioCodec',
    EnterAudioChannelsNumber: 'audioChannels',
    EnterAudioSampleRate: 'audioSampleRate',
    EnterAudioSampleDigits: 'audioSampleBits',
    AudioFrameLength: 'audioFrameLength',
    IsSupportedAudioOutput: 'audioOutput',
    VideoEncoding: 'videoCodec',
    TerminalSupportedMaxNumberOfAudioPhysicalChannels: 'maxAudioChannels',
    TerminalSupportedMaxNumberOfVideoPhysicalChannels: 'maxVideoChannels',
  },
  4101: {
    BeginTime: date('startTime'),
    EndTime: date('endTime'),
    GettingOnNumber: 'boarding',
    GettingOffNumber: 'alighting',
  },
  4613: {
    MsgNum: 'replySerial',
    AVResouceTotal: 'total',
    'AVResouces[].LogicChannelNo': idx0('items[].channel'),
    'AVResouces[].BeginTime': (b, i) => gmt8(at(b, `items[${i[0]}].startTime`)),
    'AVResouces[].EndTime': (b, i) => gmt8(at(b, `items[${i[0]}].endTime`)),
    'AVResouces[].AlarmFlag': (b, i) => big(`items[${i[0]}].alarmFlags`)(b, i),
    'AVResouces[].AVResourceType': idx0('items[].mediaType'),
    'AVResouces[].StreamType': idx0('items[].streamType'),
    'AVResouces[].MemoryType': idx0('items[].storageType'),
    'AVResouces[].FileSize': idx0('items[].fileSize'),
  },
  4614: { MsgNum: 'replySerial', Result: 'result' },
  4624: {
    TerminalId: 'terminalId',
    'AlarmIdentification.TerminalId': 'alarmId.terminalId',
    'AlarmIdentification.TerminalID': 'alarmId.terminalId',
    'AlarmIdentification.Time': date('alarmId.time'),
    'AlarmIdentification.SN': 'alarmId.serial',
    'AlarmIdentification.AttachCount': 'alarmId.attachmentCount',
    AlarmId: 'alarmNumber',
    InfoType: 'infoType',
    AttachCount: len('files'),
    'AttachInfos[].FileName': idx0('files[].name'),
    'AttachInfos[].FileNameLength': (b, i) => Buffer.byteLength(String(at(b, `files[${i[0]}].name`) ?? '')),
    'AttachInfos[].FileSize': idx0('files[].size'),
  },
  4625: { FileName: 'fileName', FileType: 'fileType', FileSize: 'fileSize' },
  4626: { FileName: 'fileName', FileType: 'fileType', FileSize: 'fileSize' },
  // JT/T 808-2019 0x8004 carries UTC (not GMT+8): compare the wall time in UTC.
  32772: { Time: (b) => utc(at(b, 'time')) },
  33024: {
    AckMsgNum: 'replySerial',
    // The auth code is only sent with result 0 (SmallChi's test builds one for result 4 too).
    Code: (b) => (at(b, 'result') === 0 ? at(b, 'authCode') : SKIP),
    JT808TerminalRegisterResult: 'result',
  },
  33282: { Interval: 'interval', LocationTrackingValidity: 'validity' },
  34816: {
    MultimediaId: 'mediaId',
    RetransmitPackageCount: len('packageIds'),
    RetransmitPackageIds: wordsHex('packageIds'),
    'RetransmitPackageIds[]': (b, i) => byteAt(wordsHex('packageIds')(b, i), i[0]),
  },
  34817: {
    ChannelId: 'channel',
    ShootingCommand: 'command',
    VideoTime: 'interval',
    SaveFlag: 'saveFlag',
    Resolution: 'resolution',
    VideoQuality: 'quality',
    Lighting: 'brightness',
    Contrast: 'contrast',
    Saturability: 'saturation',
    Chroma: 'chroma',
  },
  37121: {
    ServerIpLength: bytesLen('serverIp'),
    ServerIp: 'serverIp',
    TcpPort: 'tcpPort',
    UdpPort: 'udpPort',
    ChannelNo: 'channel',
    DataType: 'dataType',
    StreamType: 'streamType',
  },
  37122: { ChannelNo: 'channel', ControlCmd: 'command', CloseAVData: 'closeType', StreamType: 'streamType' },
  37125: { ChannelNo: 'channel', DropRate: 'packetLossRate' },
  37377: {
    ServerIpLength: bytesLen('serverIp'),
    ServerIp: 'serverIp',
    TcpPort: 'tcpPort',
    UdpPort: 'udpPort',
    ChannelNo: 'channel',
    MediaType: 'mediaType',
    StreamType: 'streamType',
    MemoryType: 'storageType',
    PlaybackWay: 'playbackMode',
    PlaySpeed: 'speed',
    BeginTime: date('startTime'),
    EndTime: date('endTime'),
  },
  37378: { ChannelNo: 'channel', PlayControl: 'control', PlaySpeed: 'speed', DragPlayPosition: date('seekTime') },
  37381: {
    ChannelNo: 'channel',
    BeginTime: date('startTime'),
    EndTime: date('endTime'),
    AlarmFlag: big('alarmFlags'),
    MediaType: 'mediaType',
    StreamType: 'streamType',
    MemoryType: 'storageType',
  },
  37382: {
    ServerIpLength: bytesLen('ftpHost'),
    ServerIp: 'ftpHost',
    Port: 'ftpPort',
    UserNameLength: bytesLen('username'),
    UserName: 'username',
    PasswordLength: bytesLen('password'),
    Password: 'password',
    FileUploadPathLength: bytesLen('uploadPath'),
    FileUploadPath: 'uploadPath',
    ChannelNo: 'channel',
    BeginTime: date('startTime'),
    EndTime: date('endTime'),
    AlarmFlag: big('alarmFlags'),
    MediaType: 'mediaType',
    StreamType: 'streamType',
    MemoryPositon: 'storageType',
    TaskExcuteCondition: 'conditions',
  },
  37383: { MgsNum: 'replySerial', UploadControl: 'control' },
  37384: {
    AlarmId: 'alarmNumber',
    AttachmentServerIP: 'serverIp',
    AttachmentServerIPTcpPort: 'tcpPort',
    AttachmentServerIPUdpPort: 'udpPort',
    'AlarmIdentification.TerminalId': 'alarmId.terminalId',
    'AlarmIdentification.TerminalID': 'alarmId.terminalId',
    'AlarmIdentification.Time': date('alarmId.time'),
    'AlarmIdentification.SN': 'alarmId.serial',
    'AlarmIdentification.AttachCount': 'alarmId.attachmentCount',
  },
  37394: {
    FileName: 'fileName',
    FileType: 'fileType',
    UploadResult: 'result',
    DataPackageCount: len('retransmits'),
    'DataPackages[].Offset': idx0('retransmits[].offset'),
    'DataPackages[].Length': idx0('retransmits[].length'),
  },
};

/** Reports inside messages that carry a 0x0200 body. */
const INNER_REPORT: Record<number, (body: unknown) => unknown[]> = {
  513: (b) => [at(b, 'location')],
  1280: (b) => [at(b, 'location')],
  2049: (b) => [at(b, 'location')],
  1796: (b) => ((at(b, 'entries') as unknown[] | undefined) ?? []).map((e) => at(e, 'report')),
};

/** Header fields (`JT808Package.Header.*`, `JT808Header.*`). */
function headerValue(h: jt808.Jt808Header, prop: string): { ok: true; value: unknown } | { ok: false } {
  switch (prop.replace(/^MessageBodyProperty\./, '')) {
    case 'MsgId':
      return { ok: true, value: h.msgId };
    case 'MsgNum':
    case 'ManualMsgNum':
      return { ok: true, value: h.serial };
    case 'TerminalPhoneNo':
      return { ok: true, value: jt808.phoneToDeviceId(h.phone) };
    case 'PackageIndex':
      return { ok: true, value: h.subpackage?.index ?? 0 };
    case 'PackgeCount':
      return { ok: true, value: h.subpackage?.total ?? 0 };
    case 'IsPackage':
      return { ok: true, value: h.subpackage !== undefined };
    case 'DataLength':
      return { ok: true, value: h.bodyLength };
    case 'VersionFlag':
      return { ok: true, value: h.version === 2019 || h.versionFlagMismatch === true };
    case 'ProtocolVersion':
      // SmallChi reports its default 1 for 2011/2013 headers, which carry no such byte.
      return h.version === 2019 ? { ok: true, value: h.protocolVersion } : { ok: false };
    case 'Encrypt':
      return { ok: true, value: h.encryption };
    default:
      return { ok: false };
  }
}

interface Assert {
  path: string;
  equals?: unknown;
  is?: string;
  is_type?: string;
}

/** SmallChi literal → comparable value, or `{ skip }` when it has no certain value. */
function literal(v: unknown): { value: unknown } | { skip: string } {
  if (v === null || typeof v !== 'object') return { value: v };
  const r = v as Record<string, unknown>;
  if (typeof r.datetime === 'string') return { value: r.datetime };
  if (typeof r.bytes_hex === 'string') return { value: r.bytes_hex.toLowerCase() };
  const name = (r.enum ?? r.const) as string | undefined;
  if (name !== undefined && name in ENUMS) return { value: ENUMS[name] };
  return { skip: `constant ${String(name)}` };
}

/** Parse a SmallChi path into a header field, a body field of a message id, or nothing. */
function classify(
  p: string,
  rowId: number | undefined,
): { scope: 'header'; prop: string } | { scope: 'body'; id: number; sub?: number; prop: string } | { scope: 'other' } {
  // `jT808Package1.…`, `jT808HeaderPackage1.…`: other objects built in the same test, not this row.
  if (/^jT808(?:Header)?Package\d+\./.test(p)) return { scope: 'other' };
  let m = /^(?:JT808Package|package|jT808Package)\.Header\.(.+)$/.exec(p);
  if (m) return { scope: 'header', prop: m[1]! };
  m = /^JT808Header(?:MessageBodyProperty)?\.(.+)$/.exec(p);
  if (m) return { scope: 'header', prop: m[1]! };
  if (p === 'JT808Package.Version') return { scope: 'header', prop: 'Version' };
  m = /^JT808Package\.Bodies\.(.+)$/.exec(p);
  if (m && rowId !== undefined) return { scope: 'body', id: rowId, prop: m[1]! };
  m = /^(?:JT808|jT808|jt808)_0[xX]([0-9A-Fa-f]{4})(?:_0[xX]([0-9A-Fa-f]+))?\.(.+)$/.exec(p);
  if (m) {
    const id = Number.parseInt(m[1]!, 16);
    if (m[2]) return { scope: 'body', id, sub: Number.parseInt(m[2], 16), prop: m[3]! };
    return { scope: 'body', id, prop: m[3]! };
  }
  m = /^_0x([0-9A-Fa-f]{4})\.(.+)$/.exec(p);
  if (m) return { scope: 'body', id: Number.parseInt(m[1]!, 16), prop: m[2]! };
  return { scope: 'other' };
}

/**
 * Builder objects a test reuses for every entry of a list (`JT808MultimediaSearchProperty`,
 * `JT808CanProperty`): the asserted value must match the field of one of the entries.
 */
const ALIASES: Record<string, { id: number; list: string; prefix: string }> = {
  'JT808MultimediaSearchProperty.': { id: 0x0802, list: 'items', prefix: 'MultimediaSearchItems[].' },
  'JT808CanProperty.': { id: 0x0705, list: 'items', prefix: 'CanItems[].' },
};

function checkAlias(check: RowCheck, d: Decoded | undefined, path: string, expectedRaw: unknown): boolean {
  const name = Object.keys(ALIASES).find((k) => path.startsWith(k));
  if (!name || !d || d.message.msgId !== ALIASES[name]!.id) return false;
  const { list, prefix } = ALIASES[name]!;
  const { key, idx } = genericPath(path.slice(name.length));
  const g = SMALLCHI_BODY[ALIASES[name]!.id]?.[`${prefix}${key}`];
  const lit = literal(expectedRaw);
  if (!g || typeof g === 'string' || 'skip' in lit) return false;
  const body = asRecord(d.json).body;
  const n = (at(body, list) as unknown[] | undefined)?.length ?? 0;
  const values = Array.from({ length: n }, (_x, k) => g(body, [k, ...idx], lit.value));
  check.eq(path, lit.value, values.some((v) => looseEqual(lit.value, v)) ? lit.value : values);
  return true;
}

function checkValue(
  check: RowCheck,
  d: Decoded | undefined,
  a: Assert,
  expectedRaw: unknown,
  rowId: number | undefined,
): void {
  const c = classify(a.path, rowId);
  if (c.scope === 'other') {
    if (!checkAlias(check, d, a.path, expectedRaw)) check.skip(a.path);
    return;
  }
  const lit = literal(expectedRaw);
  if ('skip' in lit) {
    check.skip(`${a.path} (${lit.skip})`);
    return;
  }
  let expected = lit.value;
  if (c.scope === 'header') {
    if (!d?.header) {
      check.skip(`${a.path} (no header: body-only row)`);
      return;
    }
    if (c.prop === 'Version') {
      check.eq(a.path, expected, d.header.version);
      return;
    }
    const v = headerValue(d.header, c.prop);
    if (!v.ok) {
      check.skip(a.path);
      return;
    }
    if (c.prop.endsWith('TerminalPhoneNo') && typeof expected === 'string') expected = jt808.phoneToDeviceId(expected);
    check.eq(a.path, expected, v.value);
    return;
  }
  if (!d) {
    check.skip(`${a.path} (message not complete in this row)`);
    return;
  }
  if (d.message.type === 'unknown' || d.message.type === 'fragment') {
    if (d.message.type === 'unknown' && d.message.reason.code === 'IOTHUB_ERR_UNKNOWN_MESSAGE') {
      check.skip(`${a.path} (no codec for 0x${d.message.msgId.toString(16)})`);
    } else check.skip(`${a.path} (${d.message.type})`);
    return;
  }
  const body = asRecord(d.json).body;
  const { key, idx } = genericPath(c.prop);
  if (c.sub !== undefined) {
    // A location item (0x0200_0x64 …) or a parameter (0x8103_0x0075 …, vendor 0x8103_0xF364 …).
    if (c.id === 0x8103 || c.id === 0x0104) {
      const params = (at(body, 'params') as unknown[] | undefined) ?? [];
      const p = params.map(asRecord).find((x) => x.id === c.sub);
      const got = paramField(p, key, idx);
      if (got === SKIP || got === undefined) check.skip(a.path);
      else check.eq(a.path, expected, got);
      return;
    }
    if (c.id !== 0x0200) {
      check.skip(a.path);
      return;
    }
    const g = SAFETY_COMMON[key];
    const it = item(body, c.sub);
    if (!g) check.skip(a.path);
    else if (!it) check.fail(`${a.path}: item 0x${c.sub.toString(16)} not decoded`);
    else check.eq(a.path, expected, g(it, idx));
    return;
  }
  const table = SMALLCHI_BODY[c.id];
  const rowType = d.message.msgId;
  if (c.id === 0x0200 && rowType !== 0x0200) {
    // The location object of a 0x0201 / 0x0500 / 0x0704 / 0x0801 test (built as a JT808_0x0200).
    const inner = INNER_REPORT[rowType];
    if (!inner) {
      check.skip(a.path);
      return;
    }
    const g0 = SMALLCHI_BODY[0x0200]?.[key] ?? bracketItemGetter(key);
    if (!g0 || typeof g0 === 'string') {
      check.skip(a.path);
      return;
    }
    const reports = inner(body);
    const values = reports.map((r) => g0(r, idx));
    const hit = values.find((v) => looseEqual(expected, v));
    check.eq(a.path, expected, hit !== undefined || values.some((v) => looseEqual(expected, v)) ? expected : values);
    return;
  }
  let trim: ((s: string) => string) | undefined;
  let prop = key;
  const t = /^(.*)\.TrimStart\((?:'(.)')?\)$/.exec(prop);
  if (t) {
    prop = t[1]!;
    const ch = t[2] ?? ' ';
    trim = (s) => s.replace(new RegExp(`^[${ch === ' ' ? '\\s' : ch}]+`), '');
  }
  const g = table?.[prop] ?? (c.id === 0x0200 ? bracketItemGetter(prop) : undefined);
  if (!g) {
    check.skip(a.path);
    return;
  }
  let got = typeof g === 'string' ? at(body, g) : g(body, idx, expected);
  if (got === SKIP) {
    check.skip(`${a.path} (not on the wire)`);
    return;
  }
  if (trim && typeof got === 'string') got = trim(got);
  if (typeof expected === 'string' && typeof got === 'string') got = got.replace(/\0+$/, '');
  check.eq(a.path, expected, got);
}

function bodyVersion(row: Row): 2011 | 2013 | 2019 {
  const m = row.method ?? '';
  if (/2019/.test(m)) return 2019;
  return /2011/.test(m) ? 2011 : 2013;
}

export function evaluateSmallChi(row: Row, check: RowCheck, state: FileState): void {
  const id = msgIdOf(row);
  // SmallChi's YueBiao (Guangdong) extension: 30-byte terminal id, 40-byte alarm identification.
  const options: jt808.Jt808DecodeOptions | undefined =
    row.profile === 'YueBiao' ? { alarmIdLayout: 'guangdong' } : undefined;
  let decoded: Decoded[] = [];
  if (row.kind === 'jt808-frame') {
    decoded = decodeWire(Buffer.from(row.hex, 'hex'), check, state, flagsOf(row, options));
  } else if (row.kind === 'jt808-body') {
    if (id === undefined) {
      check.skip('body row without a message id (tachograph/vendor sub-protocol)');
      return;
    }
    decoded = [decodeBody(id, Buffer.from(row.hex, 'hex'), bodyVersion(row), check, options)];
  } else if (row.kind === 'jt808-header-only') {
    const buf = Buffer.from(`${row.hex}00`, 'hex');
    const layout = jt808.detectLayout(buf);
    const header = jt808.readHeader(buf, { ...layout, version: (buf[2]! & 0x40) !== 0 ? 2019 : 2013 });
    decoded = [
      {
        header,
        message: {
          type: 'unknown',
          msgId: header.msgId,
          body: Buffer.alloc(0),
          reason: { code: 'IOTHUB_ERR_UNKNOWN_MESSAGE' },
        },
        json: null,
        issues: [],
      },
    ];
  } else {
    check.skip(`kind ${row.kind}`);
    return;
  }
  // The message the asserts are about: a reassembled one when this row completed it, else the frame.
  const main = decoded.find((d) => d.reassembled) ?? decoded.find((d) => d.message.type !== 'fragment') ?? decoded[0];
  const asserts = (row.expect.asserts as Assert[] | undefined) ?? [];
  const built = (row.expect.built_from as { path: string; value: unknown }[] | undefined) ?? [];
  // A test that loops over several packages lists the asserts of every iteration on each row:
  // a path asserted with several values must match one of them.
  const byPath = new Map<string, unknown[]>();
  for (const a of asserts) if (a.is === undefined && a.is_type === undefined) push(byPath, a.path, a.equals);
  for (const b of built) push(byPath, b.path, b.value);
  for (const a of asserts) if (a.is !== undefined || a.is_type !== undefined) checkIs(check, main, a);
  for (const [p, values] of byPath) {
    const distinct = values.filter((v, i) => values.findIndex((w) => looseEqual(v, w)) === i);
    if (distinct.length === 1) {
      checkValue(check, main, { path: p }, distinct[0], id);
      continue;
    }
    const trial = distinct.map((v) => {
      const c = new RowCheck();
      checkValue(c, main, { path: p }, v, id);
      return c;
    });
    const ok = trial.find((c) => c.failures.length === 0 && c.compared > 0);
    if (ok) check.compared++;
    else if (trial.every((c) => c.compared === 0)) check.skip(p);
    else check.fail(`${p}: none of ${fmt(distinct)} matches (${trial[0]?.failures[0] ?? ''})`);
  }

  if (row.check === 'serialize==hex' && main && row.kind !== 'jt808-header-only') {
    if (row.kind === 'jt808-body') {
      checkReencode(check, 'encode body', row.hex, () => reencodeBody(main, bodyVersion(row), options));
    } else checkReencode(check, 'encode frame', row.hex, () => reencodeFrame(main, options));
  }
}

function push(m: Map<string, unknown[]>, k: string, v: unknown): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

function checkIs(check: RowCheck, d: Decoded | undefined, a: Assert): void {
  if (a.path === '_0x0104.ParamList' && a.is === 'notempty') {
    if (d?.message.type !== 'query-params-response') {
      check.skip(`${a.path} (message not complete in this row)`);
      return;
    }
    check.eq(a.path, true, (at(asRecord(d.json).body, 'params') as unknown[]).length > 0);
    return;
  }
  check.skip(`${a.path} is ${a.is ?? a.is_type}`);
}
