import { jt808 } from '../../src/index.ts';
import {
  asRecord,
  at,
  checkReencode,
  type Decoded,
  decodeWire,
  type FileState,
  flagsOf,
  gmt8,
  hexOf,
  item,
  paramLength,
  type Row,
  type RowCheck,
} from './conformance-harness.ts';

/**
 * Left unmapped (CONFORMANCE_VERBOSE=1 lists them): 0x0302/0x8302 (no codec); item 0x70 (kept raw);
 * `Reserved`/`AlarmReserve` bytes; Go constants (`Version`, `ActiveSafetyType`: they pick decode
 * options); `args.*` inputs and `want.err/path` of helper tests; `Items[].Len` of 0x0704 and
 * `ParamParseBeforeFunc` (library internals); `FileSizeByte` (go-jt808 computed display field);
 * 0x8300 `fields.Flag` (go keeps the flag in `P0x8300TextFlagDetails`, compared bit by bit).
 */
/**
 * go-jt808 rows (`go-jt808-frames.jsonl`, `go-jt808-subiao-attachment-session.jsonl`):
 *  - `expect.values` `fields.*` (decoded struct values) → our fields through GO_FIELDS below;
 *  - `expect.reply_hex` / `platform_reply_hex` → the reply built with OUR encoder from the request;
 *  - frame-reader / escape cases (`want.frames[i]`, `wantFrames`, `want` outputs) → our framer;
 *  - `wantErr` / `want.err` / `hasErr` error cases → our stack must report a problem too.
 */

type Getter = string | ((body: unknown, idx: number[]) => unknown);

/** Basic location block fields (go `T0x0200LocationItem.*`) of the report at `reportPath`. */
function locationFields(key: string, reportPath: (i: number[]) => string): Record<string, Getter> {
  const f =
    (field: string, conv: (v: unknown) => unknown = (v) => v): Getter =>
    (b, i) => {
      const rp = reportPath(i);
      return conv(at(b, rp ? `${rp}.${field}` : field));
    };
  const p = key ? `${key}.` : '';
  return {
    [`${p}AlarmSign`]: f('alarm'),
    [`${p}StatusSign`]: f('status'),
    [`${p}Latitude`]: f('latitude', micro),
    [`${p}Longitude`]: f('longitude', micro),
    [`${p}Altitude`]: f('altitude'),
    [`${p}Speed`]: f('speed', tenth),
    [`${p}Direction`]: f('course'),
    [`${p}DateTime`]: f('time', gmt8),
  };
}

export function micro(v: unknown): unknown {
  return typeof v === 'number' ? Math.round(Math.abs(v) * 1e6) : v;
}

export function tenth(v: unknown): unknown {
  return typeof v === 'number' ? Math.round(v * 10) : v;
}

const LOC = 'T0x0200LocationItem';

function param(b: unknown, id: number): Record<string, unknown> | undefined {
  const params = asRecord(b).params;
  if (!Array.isArray(params)) return undefined;
  const p = params.find((x) => asRecord(x).id === id);
  return p === undefined ? undefined : asRecord(p);
}

function paramValue(v: unknown): unknown {
  const h = hexOf(v);
  return h !== undefined ? h : v;
}

/**
 * Terminal parameter fields → our params[]: `TerminalParamDetails.T0x001HeartbeatInterval.{ID,Len,Value}`
 * and the parameters go-jt808 keeps as bytes, `TerminalParamDetails.OtherContent[0x75].{ID,Len,Value[i]}`
 * (the JT/T 1078 0x0075–0x007C, and 0x0018/0x0019/0x0021: our table decodes the latter as numbers,
 * compared here byte by byte in wire order).
 */
function paramGetter(field: string): Getter | undefined {
  const m = /^TerminalParamDetails\.T0x([0-9A-Fa-f]{3})[A-Za-z0-9]*\.(ID|Len|Value)$/.exec(field);
  if (m) {
    const id = Number.parseInt(m[1]!, 16);
    if (m[2] === 'ID') return (b) => (param(b, id) ? id : undefined);
    if (m[2] === 'Len') return (b) => paramLen(param(b, id));
    return (b) => paramValue(param(b, id)?.value);
  }
  const o = /^TerminalParamDetails\.OtherContent\[0x([0-9A-Fa-f]+)\]\.(ID|Len|Value\[(\d+)\])$/.exec(field);
  if (!o) return undefined;
  const id = Number.parseInt(o[1]!, 16);
  if (o[2] === 'ID') return (b) => (param(b, id) ? id : undefined);
  if (o[2] === 'Len') return (b) => paramLen(param(b, id));
  const k = Number(o[3]);
  return (b) => paramBytes(param(b, id))?.[k];
}

function paramLen(p: Record<string, unknown> | undefined): number | undefined {
  return p ? paramLength(p) : undefined;
}

/** Wire bytes of a decoded parameter: the raw bytes, or a number written big-endian in its length. */
function paramBytes(p: Record<string, unknown> | undefined): Buffer | undefined {
  if (!p) return undefined;
  const h = hexOf(p.value);
  if (h !== undefined) return Buffer.from(h, 'hex');
  const n = paramLength(p);
  if (typeof p.value !== 'number' || n === undefined) return undefined;
  const out = Buffer.alloc(n);
  out.writeUIntBE(p.value, 0, n);
  return out;
}

const ALARM_SIGN = (prefix: string): Record<string, Getter> => ({
  [`${prefix}.TerminalID`]: (b) => at(b, `${base(prefix)}terminalId`),
  [`${prefix}.Time`]: (b) => gmt8(at(b, `${base(prefix)}time`)),
  [`${prefix}.SerialNumber`]: (b) => at(b, `${base(prefix)}serial`),
  [`${prefix}.AttachNumber`]: (b) => at(b, `${base(prefix)}attachmentCount`),
});
function base(prefix: string): string {
  return prefix === 'P9208AlarmSign' ? 'alarmId.' : 'alarmIdentification.';
}

/** go-jt808 `fields.*` → our body field, per message id. `[]` stands for the first index. */
export const GO_FIELDS: Record<number, Record<string, Getter>> = {
  1: { SerialNumber: 'replySerial', ID: 'replyMsgId', Result: 'result' },
  32769: { RespondSerialNumber: 'replySerial', RespondID: 'replyMsgId', Result: 'result' },
  33024: { RespondSerialNumber: 'replySerial', Result: 'result', AuthCode: 'authCode' },
  258: {
    AuthCode: 'authCode',
    TerminalIMEI: (b) => at(b, 'imei') ?? '',
    SoftwareVersion: (b) => at(b, 'softwareVersion') ?? '',
    AuthCodeLen: (b) => (at(b, 'edition') === 2019 ? String(at(b, 'authCode') ?? '').length : 0),
  },
  256: {
    ProvinceID: 'provinceId',
    CityID: 'cityId',
    ManufacturerID: 'makerId',
    TerminalModel: 'model',
    TerminalID: 'terminalId',
    PlateColor: 'plateColor',
    LicensePlateNumber: 'plate',
  },
  512: locationFields(LOC, () => ''),
  513: { RespondSerialNumber: 'replySerial', ...locationFields(LOC, () => 'location') },
  1796: {
    Num: (b) => (at(b, 'declaredCount') as number | undefined) ?? (at(b, 'entries') as unknown[] | undefined)?.length,
    LocationType: 'dataType',
    ...locationFields(`Items[].${LOC}`, (i) => `entries[${i[0] ?? 0}].report`),
  },
  260: { RespondSerialNumber: 'replySerial', RespondParamCount: (b) => (at(b, 'params') as unknown[]).length },
  33027: { ParamTotal: (b) => (at(b, 'declaredCount') as number | undefined) ?? (at(b, 'params') as unknown[]).length },
  4099: {
    EnterAudioEncoding: 'audioCodec',
    EnterAudioChannelsNumber: 'audioChannels',
    EnterAudioSampleRate: 'audioSampleRate',
    EnterAudioSampleDigits: 'audioSampleBits',
    AudioFrameLength: 'audioFrameLength',
    HasSupportedAudioOutput: 'audioOutput',
    VideoEncoding: 'videoCodec',
    TerminalSupportedMaxNumberOfAudioPhysicalChannels: 'maxAudioChannels',
    TerminalSupportedMaxNumberOfVideoPhysicalChannels: 'maxVideoChannels',
  },
  37121: {
    ServerIPLen: (b) => Buffer.byteLength(String(at(b, 'serverIp') ?? '')),
    ServerIPAddr: 'serverIp',
    TcpPort: 'tcpPort',
    UdpPort: 'udpPort',
    ChannelNo: 'channel',
    DataType: 'dataType',
    StreamType: 'streamType',
  },
  4101: {
    StartTime: (b) => gmt8(at(b, 'startTime')),
    EndTime: (b) => gmt8(at(b, 'endTime')),
    BoardNumber: 'boarding',
    AlightNumber: 'alighting',
  },
  37122: { ChannelNo: 'channel', ControlCmd: 'command', CloseAudioVideoData: 'closeType', StreamType: 'streamType' },
  37377: {
    ServerIPLen: (b) => Buffer.byteLength(String(at(b, 'serverIp') ?? '')),
    ServerIPAddr: 'serverIp',
    TcpPort: 'tcpPort',
    UdpPort: 'udpPort',
    ChannelNo: 'channel',
    MediaType: 'mediaType',
    StreamType: 'streamType',
    MemoryType: 'storageType',
    PlaybackWay: 'playbackMode',
    PlaySpeed: 'speed',
    StartTime: (b) => gmt8(at(b, 'startTime')),
    EndTime: (b) => gmt8(at(b, 'endTime')),
  },
  37381: {
    ChannelNo: 'channel',
    StartTime: (b) => gmt8(at(b, 'startTime')),
    EndTime: (b) => gmt8(at(b, 'endTime')),
    AlarmFlag: (b) => bigintOf(at(b, 'alarmFlags')),
    MediaType: 'mediaType',
    StreamType: 'streamType',
    StorageType: 'storageType',
  },
  4613: {
    SerialNumber: 'replySerial',
    AudioVideoResourceTotal: 'total',
    'AudioVideoResourceList[].ChannelNo': (b, i) => at(b, `items[${i[0]}].channel`),
    'AudioVideoResourceList[].StartTime': (b, i) => gmt8(at(b, `items[${i[0]}].startTime`)),
    'AudioVideoResourceList[].EndTime': (b, i) => gmt8(at(b, `items[${i[0]}].endTime`)),
    'AudioVideoResourceList[].AlarmFlag': (b, i) => bigintOf(at(b, `items[${i[0]}].alarmFlags`)),
    'AudioVideoResourceList[].AudioVideoResourceType': (b, i) => at(b, `items[${i[0]}].mediaType`),
    'AudioVideoResourceList[].StreamType': (b, i) => at(b, `items[${i[0]}].streamType`),
    'AudioVideoResourceList[].MemoryType': (b, i) => at(b, `items[${i[0]}].storageType`),
    'AudioVideoResourceList[].FileSize': (b, i) => at(b, `items[${i[0]}].fileSize`),
  },
  37382: {
    FTPAddrLen: (b) => Buffer.byteLength(String(at(b, 'ftpHost') ?? '')),
    FTPAddr: 'ftpHost',
    Port: 'ftpPort',
    UsernameLen: (b) => Buffer.byteLength(String(at(b, 'username') ?? '')),
    Username: 'username',
    PasswordLen: (b) => Buffer.byteLength(String(at(b, 'password') ?? '')),
    Password: 'password',
    FileUploadPathLen: (b) => Buffer.byteLength(String(at(b, 'uploadPath') ?? '')),
    FileUploadPath: 'uploadPath',
    ChannelNo: 'channel',
    StartTime: (b) => gmt8(at(b, 'startTime')),
    EndTime: (b) => gmt8(at(b, 'endTime')),
    AlarmFlag: (b) => bigintOf(at(b, 'alarmFlags')),
    MediaType: 'mediaType',
    StreamType: 'streamType',
    MemoryPosition: 'storageType',
    TaskExecuteCondition: 'conditions',
  },
  4614: { RespondSerialNumber: 'replySerial', Result: 'result' },
  37383: { RespondSerialNumber: 'replySerial', UploadControl: 'control' },
  32771: {
    OriginalSerialNumber: 'firstSerial',
    AgainPackageCount: (b) => (at(b, 'packageIndexes') as unknown[] | undefined)?.length,
    'AgainPackageList[]': (b, i) => at(b, `packageIndexes[${i[0]}]`),
  },
  37125: { ChannelNo: 'channel', PackageLossRate: 'packetLossRate' },
  37378: {
    ChannelNo: 'channel',
    PlayControl: 'control',
    PlaySpeed: 'speed',
    DateTime: (b) => gmt8(at(b, 'seekTime')),
  },
  34817: {
    ChannelID: 'channel',
    ShootCommand: 'command',
    PhotoIntervalOrVideoTime: 'interval',
    SaveFlag: 'saveFlag',
    Resolution: 'resolution',
    VideoQuality: 'quality',
    Intensity: 'brightness',
    Contrast: 'contrast',
    Saturation: 'saturation',
    Chroma: 'chroma',
  },
  2053: {
    RespondSerialNumber: 'replySerial',
    Result: 'result',
    MultimediaIDNumber: (b) => (at(b, 'mediaIds') as unknown[] | undefined)?.length,
    'MultimediaIDList[]': (b, i) => at(b, `mediaIds[${i[0]}]`),
  },
  2048: {
    MultimediaID: 'mediaId',
    MultimediaType: 'mediaType',
    MultimediaFormatEncode: 'mediaFormat',
    EventItemEncode: 'event',
    ChannelID: 'channel',
  },
  2049: {
    MultimediaID: 'mediaId',
    MultimediaType: 'mediaType',
    MultimediaFormatEncode: 'mediaFormat',
    EventItemEncode: 'event',
    ChannelID: 'channel',
    ...locationFields(LOC, () => 'location'),
    'MultimediaPackage[]': (b, i) => Buffer.from(hexOf(at(b, 'data')) ?? '', 'hex')[i[0] ?? 0],
  },
  34816: {
    MultimediaID: 'mediaId',
    AgainPackageCount: (b) => (at(b, 'packageIds') as unknown[] | undefined)?.length,
    'AgainPackageList[]': (b, i) => at(b, `packageIds[${i[0]}]`),
  },
  37384: {
    ServerIPLen: (b) => Buffer.byteLength(String(at(b, 'serverIp') ?? '')),
    ServerAddr: 'serverIp',
    TcpPort: 'tcpPort',
    UdpPort: 'udpPort',
    ...ALARM_SIGN('P9208AlarmSign'),
    AlarmID: 'alarmNumber',
  },
  4624: {
    TerminalID: (b) => at(b, 'terminalId') ?? '',
    ...ALARM_SIGN('P9208AlarmSign'),
    AlarmID: 'alarmNumber',
    InfoType: 'infoType',
    AttachCount: (b) => (at(b, 'files') as unknown[] | undefined)?.length,
    'T0x1210AlarmItemList[].FileNameLen': (b, i) => Buffer.byteLength(String(at(b, `files[${i[0]}].name`) ?? '')),
    'T0x1210AlarmItemList[].FileName': (b, i) => at(b, `files[${i[0]}].name`),
    'T0x1210AlarmItemList[].FileSize': (b, i) => at(b, `files[${i[0]}].size`),
  },
  4625: {
    FileNameLen: (b) => Buffer.byteLength(String(at(b, 'fileName') ?? '')),
    FileName: 'fileName',
    FileType: 'fileType',
    FileSize: 'fileSize',
  },
  4626: {
    'T0x1211.FileNameLen': (b) => Buffer.byteLength(String(at(b, 'fileName') ?? '')),
    'T0x1211.FileName': 'fileName',
    'T0x1211.FileType': 'fileType',
    'T0x1211.FileSize': 'fileSize',
  },
  37394: {
    FileNameLen: (b) => Buffer.byteLength(String(at(b, 'fileName') ?? '')),
    FileName: 'fileName',
    FileType: 'fileType',
    UploadResult: 'result',
    RetransmitPacketNumber: (b) => (at(b, 'retransmits') as unknown[] | undefined)?.length,
    'P0x9212RetransmitPacketList[].DataOffset': (b, i) => at(b, `retransmits[${i[0]}].offset`),
    'P0x9212RetransmitPacketList[].DataLength': (b, i) => at(b, `retransmits[${i[0]}].length`),
  },
  // go-jt808 keeps the flag byte in P0x8300TextFlagDetails (its `Flag` field stays 0): compare the bits.
  33536: {
    Text: 'text',
    'P0x8300TextFlagDetails.Urgent': flagBit(0),
    'P0x8300TextFlagDetails.Bit1Reserve': flagBit(1),
    'P0x8300TextFlagDetails.Display': flagBit(2),
    'P0x8300TextFlagDetails.TTS': flagBit(3),
    'P0x8300TextFlagDetails.AdvertisingScreen': flagBit(4),
    'P0x8300TextFlagDetails.InfoCategory': (b) => (Number(at(b, 'flag')) >> 5) & 1,
    'P0x8300TextFlagDetails.Bit6Reserve': flagBit(6),
    'P0x8300TextFlagDetails.Bit7Reserve': flagBit(7),
  },
  33538: {
    Flag: 'flag',
    QuestionContent: (b) => at(b, 'question'),
    'AnswerList[].AnswerID': (b, i) => at(b, `answers[${i[0]}].id`),
    'AnswerList[].AnswerContent': (b, i) => at(b, `answers[${i[0]}].text`),
  },
  770: { SerialNumber: 'replySerial', AnswerID: 'answerId' },
  33282: { TimeInterval: 'interval', TrackValidity: 'validity' },
};

function flagBit(bit: number): Getter {
  return (b) => ((Number(at(b, 'flag')) >> bit) & 1) === 1;
}

function bigintOf(v: unknown): unknown {
  const b = asRecord(v).$bigint;
  return typeof b === 'string' ? BigInt(b) : v;
}

/** Active-safety item fields of go `t_0x0200_addition_extensions_test.go` (`want.*`) → our 0x64–0x70 item. */
const GO_SAFETY: Record<string, (it: Record<string, unknown>, i: number[]) => unknown> = {
  AlarmID: (it) => it.alarmId,
  FlagStatus: (it) => it.flag,
  AlarmEventType: (it) => it.eventType,
  AlarmLevel: (it) => it.level,
  PreVehicleSpeed: (it) => it.frontSpeed,
  PreVehicleOrPedestrianDistance: (it) => it.frontDistance,
  DeviationType: (it) => it.departureType,
  RoadSignRecognitionType: (it) => it.roadSignType,
  RoadSignRecognitionData: (it) => it.roadSignData,
  FatigueLevel: (it) => it.fatigueLevel,
  'T0x0200ExtensionSBBase.VehicleSpeed': (it) => it.speed,
  'T0x0200ExtensionSBBase.Altitude': (it) => it.altitude,
  'T0x0200ExtensionSBBase.Latitude': (it) => micro(it.latitude),
  'T0x0200ExtensionSBBase.Longitude': (it) => micro(it.longitude),
  'T0x0200ExtensionSBBase.DateTime': (it) => gmt8(it.time),
  'T0x0200ExtensionSBBase.VehicleStatus.OriginalValue': (it) => it.vehicleStatus,
  // Su-biao vehicle status bits: 0 ACC, 1 left turn, 2 right turn, 3 wiper, 4 brake, 5 card, 10 positioned.
  ...Object.fromEntries(
    (
      [
        ['ACC', 0],
        ['LeftTurn', 1],
        ['RightTurn', 2],
        ['Wipers', 3],
        ['Brake', 4],
        ['Card', 5],
        ['Location', 10],
      ] as const
    ).map(([name, bit]) => [
      `T0x0200ExtensionSBBase.VehicleStatus.${name}`,
      (it: Record<string, unknown>) => ((Number(it.vehicleStatus) >> bit) & 1) === 1,
    ]),
  ),
  'T0x0200ExtensionSBBase.P9208AlarmSign.TerminalID': (it) => at(it, 'alarmIdentification.terminalId'),
  'T0x0200ExtensionSBBase.P9208AlarmSign.Time': (it) => gmt8(at(it, 'alarmIdentification.time')),
  'T0x0200ExtensionSBBase.P9208AlarmSign.SerialNumber': (it) => at(it, 'alarmIdentification.serial'),
  'T0x0200ExtensionSBBase.P9208AlarmSign.AttachNumber': (it) => at(it, 'alarmIdentification.attachmentCount'),
  AlarmOrEventCount: (it) => (it.events as unknown[] | undefined)?.length,
  'AlarmOrEventList[].TirePressureAlarmLocation': (it, i) => at(it, `events[${i[0]}].tyre`),
  'AlarmOrEventList[].AlarmOrEventType': (it, i) => at(it, `events[${i[0]}].eventType`),
  'AlarmOrEventList[].TirePressure': (it, i) => at(it, `events[${i[0]}].pressure`),
  'AlarmOrEventList[].TireTemperature': (it, i) => at(it, `events[${i[0]}].temperature`),
  'AlarmOrEventList[].BatteryLevel': (it, i) => at(it, `events[${i[0]}].battery`),
};

/** Splits `a[3].b[1]` into the generic key `a[].b[]` and the indexes [3, 1]. */
export function genericPath(p: string): { key: string; idx: number[] } {
  const idx: number[] = [];
  const key = p.replace(/\[(\d+)\]/g, (_m, n: string) => {
    idx.push(Number(n));
    return '[]';
  });
  return { key, idx };
}

interface GoValue {
  path: string;
  value: unknown;
}

/** go-jt808 literal value → comparable JS value (Go `const`s are not comparable: undefined). */
function goLiteral(v: unknown): unknown {
  if (v !== null && typeof v === 'object' && 'const' in (v as object)) return undefined;
  return v;
}

function isErrorCase(values: GoValue[]): boolean {
  return values.some(
    (v) =>
      ((v.path === 'wantErr' || v.path === 'want.err') && v.value !== null) ||
      (v.path === 'want.hasErr' && v.value === true) ||
      (v.path === 'wantDecode' && v.value === true),
  );
}

export function evaluateGo(row: Row, check: RowCheck, state: FileState): void {
  const values = (row.expect.values as GoValue[] | undefined) ?? [];
  const outputs = asRecord(row.expect.outputs);
  const src = row.source.split('/').pop() ?? '';

  // Escape / unescape / check-code unit cases: our escape module and XOR.
  if (src.startsWith('go-jt808 packet_codec_test.go') || /packet_codec_test\.go$/.test(row.source)) {
    if (row.test === 'Test_escape' && typeof outputs.want === 'string') {
      check.eq('escape', outputs.want, jt808.escapeAndWrap(Buffer.from(row.hex, 'hex')).toString('hex'));
      return;
    }
    if (row.test === 'Test_unescape') {
      const inner = Buffer.from(row.hex, 'hex').subarray(1, -1);
      let got: string;
      try {
        got = jt808.unescapeJt808(inner).toString('hex');
      } catch (err) {
        got = `error ${err instanceof Error ? err.message : String(err)}`;
      }
      if (typeof outputs.want === 'string') check.eq('unescape', outputs.want, got);
      else if (isErrorCase(values)) check.eq('unescape rejects', true, got.startsWith('error'));
      return;
    }
  }
  if (/utils_test\.go$/.test(row.source)) {
    if (row.test === 'TestCreateVerifyCode') {
      const want = values.find((v) => v.path === 'want')?.value;
      const bytes = Buffer.from(row.hex, 'hex');
      let x = 0;
      for (const b of bytes) x ^= b;
      check.eq('XOR check code', want, x);
    } else check.skip(`${row.test}: BCD helper with hex letters (not a JT/T 808 value)`);
    return;
  }

  // Frame-reader style cases: feed the bytes to our framer.
  const wantFrames = Object.entries(outputs)
    .filter(([k]) => /^want\.(frames|msgs)\[\d+\]$/.test(k))
    .map(([, v]) => String(v));
  const countValue = values.find((v) => v.path === 'wantFrames')?.value;
  if (row.kind === 'hex' || row.kind === 'hex-truncated' || wantFrames.length > 0 || countValue !== undefined) {
    let hex = row.hex;
    if (hex.length % 2 === 1) hex = hex.slice(0, -1); // deliberately truncated input
    const framer = new jt808.Jt808Framer();
    const frames: Buffer[] = [];
    let problems = 0;
    framer.push(Buffer.from(hex, 'hex'), {
      frame: (f, ok) => {
        // A frame our decoder rejects is what go-jt808 calls "cannot Decode".
        const res = jt808.decodeJt808Frame(f, ok);
        if (res.ok && ok) frames.push(f);
        else problems++;
      },
      issue: (i) => {
        if (i.code !== 'IOTHUB_ERR_FRAME_GARBAGE' && i.code !== 'IOTHUB_ERR_FRAME_CHECKSUM') problems++;
      },
    });
    if (wantFrames.length > 0) {
      check.eq(
        'frames',
        wantFrames,
        frames.map((f) => jt808.escapeAndWrap(f).toString('hex')),
      );
    }
    if (typeof countValue === 'number') check.eq('frame count', countValue, frames.length);
    // An incomplete frame stays pending in a stream framer: that is how it is "rejected".
    if (isErrorCase(values)) check.eq('rejects the bad frame', true, problems > 0 || framer.pendingBytes > 0);
    if (values.some((v) => v.path === 'want.frames' || v.path === 'want.msgs')) check.eq('no frame', 0, frames.length);
    return;
  }

  // Whole-frame error cases (TestJTMessageDecode, TestLocationAddition, TestTerminalParamDetails).
  if (isErrorCase(values)) {
    const scratch = new (check.constructor as new () => RowCheck)();
    const decoded = decodeWire(Buffer.from(row.hex, 'hex'), scratch, state, { options: goOptions(values) ?? {} });
    const reported = scratch.failures.length > 0 || decoded.some((d) => d.issues.length > 0 || hasItemError(d));
    check.eq('reports the deliberate error', true, reported);
    return;
  }

  const decoded = decodeWire(Buffer.from(row.hex, 'hex'), check, state, flagsOf(row, goOptions(values)));
  const main = decoded.find((d) => d.message.type !== 'fragment') ?? decoded[0];
  if (!main) return;

  // Library-produced frames: our encoder must produce the same bytes from the decoded value.
  if (row.check === 'expected output of the library for this case' && main.header) {
    checkReencode(check, 'encode', row.hex, () => jt808ReencodeOrUndefined(main));
  }

  for (const v of values) {
    const expected = goLiteral(v.value);
    if (v.path.startsWith('fields.')) {
      if (expected === undefined) {
        check.skip(`${v.path} (Go constant)`);
        continue;
      }
      compareField(check, main, v.path.slice('fields.'.length), expected);
    } else if (v.path.startsWith('want.') && /addition_extensions/.test(row.source)) {
      const idValue = values.find((x) => x.path === 'args.ID')?.value;
      const it = typeof idValue === 'number' ? item(asRecord(main.json).body, idValue) : undefined;
      const { key, idx } = genericPath(v.path.slice('want.'.length));
      const g = GO_SAFETY[key];
      if (!g) check.skip(`${v.path}`);
      else if (it?.kind === 'unknown') check.skip(`${v.path} (item 0x${Number(idValue).toString(16)} kept raw)`);
      else if (!it) check.fail(`${v.path}: item 0x${Number(idValue).toString(16)} not decoded`);
      else check.eq(v.path, expected, g(it, idx));
    } else check.skip(v.path);
  }

  const reply = (row.expect.reply_hex ?? row.expect.platform_reply_hex) as string | undefined;
  if (reply && main.header) checkReply(check, main, reply, values);
}

/** go-jt808 `ActiveSafetyType` (regional Su-biao layout) → our decode option. */
const GO_LAYOUTS: Record<string, jt808.Jt808DecodeOptions['alarmIdLayout']> = {
  'consts.ActiveSafetyJS': 'jiangsu',
  'consts.ActiveSafetyHN': 'hunan',
  'consts.ActiveSafetyHLJ': 'heilongjiang',
  'consts.ActiveSafetySC': 'sichuan',
  'consts.ActiveSafetyGD': 'guangdong',
};

function goOptions(values: GoValue[]): jt808.Jt808DecodeOptions | undefined {
  const v = values.find((x) => x.path.endsWith('ActiveSafetyType'))?.value;
  const name = asRecord(v).const;
  const layout = typeof name === 'string' ? GO_LAYOUTS[name] : undefined;
  return layout ? { alarmIdLayout: layout } : undefined;
}

function hasItemError(d: Decoded): boolean {
  const body = asRecord(asRecord(d.json).body);
  if (body.trailing !== undefined) return true;
  const items = body.items;
  if (Array.isArray(items) && items.some((i) => asRecord(i).error !== undefined || asRecord(i).kind === 'invalid')) {
    return true;
  }
  if (body.declaredCount !== undefined) return true;
  const params = body.params;
  return Array.isArray(params) && params.some((p) => asRecord(p).error !== undefined);
}

/** Encode a message by id with a body built from decoded JSON values (test boundary: unchecked). */
export function encodeById(header: jt808.Jt808EncodeHeader, msgId: number, body: unknown): Buffer | undefined {
  const codec = jt808.codecForId(msgId);
  if (!codec) return undefined;
  return jt808.encodeJt808({ ...header, msgId }, { type: codec.type, body } as unknown as jt808.Jt808KnownMessage);
}

function jt808ReencodeOrUndefined(d: Decoded): Buffer | undefined {
  if (!d.header || d.message.type === 'unknown' || d.message.type === 'fragment') return undefined;
  const h = d.header;
  const header: jt808.Jt808EncodeHeader = { version: h.version, phone: h.phone, serial: h.serial };
  if (h.protocolVersion !== undefined) header.protocolVersion = h.protocolVersion;
  if (h.subpackage) header.subpackage = h.subpackage;
  return jt808.encodeJt808(header, d.message);
}

function compareField(check: RowCheck, d: Decoded, field: string, expected: unknown): void {
  const id = d.header?.msgId ?? d.message.msgId;
  const table = GO_FIELDS[id];
  const body = asRecord(d.json).body;
  const { key, idx } = genericPath(field);
  const g = table?.[key] ?? (id === 0x0104 || id === 0x8103 ? paramGetter(field) : undefined);
  if (!g) {
    check.skip(`0x${id.toString(16)} fields.${field}`);
    return;
  }
  if (d.message.type === 'unknown') {
    if (d.message.reason.code === 'IOTHUB_ERR_UNKNOWN_MESSAGE')
      check.skip(`fields.${field} (no codec for 0x${id.toString(16)})`);
    else check.fail(`fields.${field}: message 0x${id.toString(16)} not decoded (${d.message.reason.code})`);
    return;
  }
  const got = typeof g === 'string' ? at(body, g) : g(body, idx);
  check.eq(`fields.${field}`, expected, got);
}

/** The platform reply go-jt808 sends, built with our encoders (JT/T 808 §4 reply rules). */
function checkReply(check: RowCheck, req: Decoded, replyHex: string, values: GoValue[]): void {
  const h = req.header!;
  const expected = Buffer.from(replyHex, 'hex');
  // The reply serial is the platform's own counter (policy, not codec): take it from the bytes.
  const unescaped = jt808.unescapeJt808(expected.subarray(1, -1));
  const serialAt = h.version === 2019 ? 15 : 10;
  const serial = unescaped.length > serialAt + 1 ? unescaped.readUInt16BE(serialAt) : 0;
  const header: jt808.Jt808EncodeHeader = { version: h.version, phone: h.phone, serial };
  if (h.protocolVersion !== undefined) header.protocolVersion = h.protocolVersion;
  const body = asRecord(asRecord(req.json).body);
  const id = h.msgId;
  if (id === 0x1003 && unescaped.length === 13) {
    check.skip('reply: go-jt808 answers 0x1003 with an empty-bodied 0x8001 (JT/T 808 0x8001 has a 5-byte body)');
    return;
  }
  const lastByte = unescaped[unescaped.length - 2] ?? 0;
  checkReencode(check, `reply to 0x${id.toString(16)}`, replyHex, () => {
    switch (id) {
      case 0x0100:
        return encodeById(header, 0x8100, {
          replySerial: h.serial,
          result: 0,
          authCode: jt808.phoneToDeviceId(h.phone),
        });
      case 0x0801: // go-jt808 answers a complete upload with the media id alone (no count byte)
        return encodeById(header, 0x8800, { mediaId: body.mediaId, packageIds: [], countOmitted: true });
      case 0x1212: {
        const blocks: { offset: number; length: number }[] = [];
        for (const v of values) {
          const m = /P0x9212RetransmitPacketList\[(\d+)\]\.(DataOffset|DataLength)$/.exec(v.path);
          if (!m) continue;
          const i = Number(m[1]);
          blocks[i] ??= { offset: 0, length: 0 };
          if (m[2] === 'DataOffset') blocks[i].offset = Number(v.value);
          else blocks[i].length = Number(v.value);
        }
        return encodeById(header, 0x9212, {
          fileName: body.fileName,
          fileType: body.fileType,
          result: blocks.length > 0 ? 1 : 0,
          retransmits: blocks,
        });
      }
      default:
        // 0x8001. The result is session policy: go-jt808 rejects the 2013 0x0102 of reply_test.go
        // (result 1, auth code mismatch), so the result byte is taken from the expected reply.
        return encodeById(header, 0x8001, { replySerial: h.serial, replyMsgId: id, result: lastByte });
    }
  });
}
