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
  type Row,
  RowCheck,
  reencodeBody,
  reencodeFrame,
} from './conformance-harness.ts';

/**
 * SmallChi/JT808 rows (`smallchi-jt808-frames.jsonl`):
 *  - `deserialize+assert`: each `expect.asserts[i]` (`path` → `equals` / `is`) is mapped to our
 *    field through the explicit tables below (SMALLCHI_BODY, header fields, location items);
 *  - `serialize==hex`: the `built_from` values are checked the same way on our decoding of the
 *    hex, and our encoder, given those decoded values, must produce the hex;
 *  - everything else: the hex must frame / decode without an error.
 * Body-only rows are decoded with `decodeJt808Body` and the id from `frame_info`.
 */

type Fn = (body: unknown, idx: number[]) => unknown;
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

/** SmallChi `JT808_0xNNNN.<Property>` → our body field, per message id. */
export const SMALLCHI_BODY: Record<number, Record<string, Getter>> = {
  1: { ReplyMsgId: 'replyMsgId', ReplyMsgNum: 'replySerial', TerminalResult: 'result' },
  32769: { AckMsgId: 'replyMsgId', MsgNum: 'replySerial', JT808PlatformResult: 'result' },
  5: { OriginalMsgNum: 'firstSerial', AgainPackageCount: len('packageIndexes') },
  32771: { OriginalMsgNum: 'firstSerial', AgainPackageCount: len('packageIndexes') },
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
  260: { MsgNum: 'replySerial', AnswerParamsCount: (b) => at(b, 'declaredCount') ?? len('params')(b, []) },
  263: {
    TerminalType: 'terminalType',
    MakerId: 'makerId',
    TerminalModel: 'model',
    TerminalId: 'terminalId',
    Terminal_Hardware_Version_Num: 'hardwareVersion',
    Terminal_Firmware_Version_Num: 'firmwareVersion',
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
  },
  1797: {
    CanItemCount: len('items'),
    'CanItems[].CanId': idx0('items[].busId'),
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
    RetransmitPackageIds: (b) => {
      const ids = at(b, 'packageIds');
      if (!Array.isArray(ids)) return undefined;
      const w = Buffer.alloc(ids.length * 2);
      for (const [k, x] of ids.entries()) w.writeUInt16BE(Number(x), k * 2);
      return w.toString('hex');
    },
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

function checkValue(
  check: RowCheck,
  d: Decoded | undefined,
  a: Assert,
  expectedRaw: unknown,
  rowId: number | undefined,
): void {
  const c = classify(a.path, rowId);
  if (c.scope === 'other') {
    check.skip(a.path);
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
    // A location item (0x0200_0x64 …) or a parameter (0x8103_0xF364 …).
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
    const g0 = SMALLCHI_BODY[0x0200]?.[key];
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
  const g = table?.[prop];
  if (!g) {
    check.skip(a.path);
    return;
  }
  let got = typeof g === 'string' ? at(body, g) : g(body, idx);
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
