/**
 * sendInstruct fields → a `DownlinkCommand`, and a device's answer → the Jimi `_content` / `_proNo`
 * (jimi-iothub-interface.md §2.2–2.5, docs/api.md). Pure functions: no I/O.
 *
 * proNo 128 (text): Jimi devices get a 0x80 command (`jimi-text`); JT/T 808 devices get it as
 * 0x8300 text (`jt808-text`, flag = the gateway's default). JT/T proNos carry a JSON `cmdContent`
 * in the shapes of §2.5 (Jimi field names, numbers as numbers or decimal strings, times
 * `yyMMddHHmmss`), mapped here onto the codec's body types; a body is test-encoded before it is
 * routed, so a value the encoder refuses is a `_code` 200 naming the field, not a gateway failure.
 */
import { CodecError, jt808 } from '@iothub/codec';
import type { DeviceProtocol, DownlinkCommand } from '@iothub/core';

/** A field error: `_code` 200 with `field: reason`. */
export class FieldError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'FieldError';
  }
}

export const TEXT_PRO_NO = 128;

/** JT/T proNo (decimal message id) → codec message type. */
export const JT808_PRO_NOS: ReadonlyMap<number, string> = new Map([
  [0x8103, 'set-params'],
  [0x8104, 'query-all-params'],
  [0x8106, 'query-given-params'],
  [0x8107, 'query-attributes'],
  [0x8201, 'query-location'],
  [0x8300, 'text-message'],
  [0x8801, 'camera-shot-now'],
  [0x8802, 'stored-media-search'],
  [0x8803, 'stored-media-upload'],
  [0x8804, 'start-recording'],
  [0x8805, 'single-stored-media'],
  [0x9101, 'live-av-request'],
  [0x9102, 'live-av-control'],
  [0x9201, 'playback-request'],
  [0x9202, 'playback-control'],
  [0x9205, 'query-av-resources'],
  [0x9206, 'file-upload-command'],
  [0x9207, 'file-upload-control'],
  [0x9208, 'alarm-attachment-upload-request'],
]);

export const SUPPORTED_PRO_NOS: readonly number[] = [TEXT_PRO_NO, ...JT808_PRO_NOS.keys()];

export interface MapOptions {
  /**
   * Wire time zone of JT/T 808 BCD times, minutes east of UTC (the gateways' codec default, 480).
   * `yyMMddHHmmss` values are read in this zone so they reach the device digit for digit.
   */
  timeOffsetMinutes?: number;
}

/** A validated command, ready for any device of the protocols it supports. */
export type PreparedCommand =
  | { proNo: typeof TEXT_PRO_NO; text: string }
  | { proNo: number; jt808: { type: string; body: unknown } };

/**
 * Check `cmdContent` for `proNo` before anything is routed; throws `FieldError` (→ `_code` 200).
 */
export function prepareCommand(proNo: number, cmdContent: string, options: MapOptions = {}): PreparedCommand {
  if (proNo === TEXT_PRO_NO) {
    if (cmdContent.length === 0) throw new FieldError('cmdContent', 'must not be empty');
    return { proNo, text: cmdContent };
  }
  const type = JT808_PRO_NOS.get(proNo);
  if (type === undefined) {
    throw new FieldError('proNo', `${proNo} is not supported (supported: ${SUPPORTED_PRO_NOS.join(', ')})`);
  }
  const body = jt808Body(proNo, cmdContent, options.timeOffsetMinutes ?? 480);
  testEncode(type, body);
  return { proNo, jt808: { type, body: toWire(body) } };
}

/** The command for a device of `protocol`; throws `FieldError` when that protocol cannot take it. */
export function commandFor(
  prepared: PreparedCommand,
  protocol: DeviceProtocol,
  language: string | undefined,
): DownlinkCommand {
  if ('text' in prepared) {
    if (protocol === 'jt808') return { kind: 'jt808-text', text: prepared.text };
    const lang = jimiLanguage(language);
    return lang === undefined
      ? { kind: 'jimi-text', text: prepared.text }
      : { kind: 'jimi-text', text: prepared.text, language: lang };
  }
  if (protocol !== 'jt808') {
    throw new FieldError(
      'proNo',
      `${prepared.proNo} is a JT/T 808 command and the device speaks the ${protocol} protocol`,
    );
  }
  return { kind: 'jt808', type: prepared.jt808.type, body: prepared.jt808.body };
}

/** Jimi 0x80 language word: 1 Chinese, 2 English (jimi-gt06.md §9); other values: the gateway default. */
function jimiLanguage(language: string | undefined): number | undefined {
  if (language === undefined) return undefined;
  const l = language.toLowerCase();
  if (l === 'zh' || l.startsWith('zh-') || l === 'cn') return 1;
  if (l === 'en' || l.startsWith('en-')) return 2;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// JSON cmdContent → codec bodies

type Json = Record<string, unknown>;

function parseJson(cmdContent: string, allowEmpty: boolean): Json {
  const t = cmdContent.trim();
  if (t === '' && allowEmpty) return {};
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch {
    throw new FieldError('cmdContent', 'must be a JSON object for this proNo (jimi-iothub-interface.md §2.5)');
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new FieldError('cmdContent', 'must be a JSON object for this proNo');
  }
  return v as Json;
}

/** The first of `names` present in `o` (Jimi spellings first, then the codec's). */
function pick(o: Json, names: readonly string[]): { name: string; value: unknown } | undefined {
  for (const n of names) if (o[n] !== undefined && o[n] !== null && o[n] !== '') return { name: n, value: o[n] };
  return undefined;
}

function int(o: Json, names: readonly string[], max: number, def?: number): number {
  const f = pick(o, names);
  const field = `cmdContent.${names[0]}`;
  if (f === undefined) {
    if (def === undefined) throw new FieldError(field, 'is required');
    return def;
  }
  const n =
    typeof f.value === 'number'
      ? f.value
      : typeof f.value === 'string' && /^\s*\d+\s*$/.test(f.value)
        ? Number(f.value)
        : Number.NaN;
  if (!Number.isInteger(n) || n < 0 || n > max)
    throw new FieldError(`cmdContent.${f.name}`, `expected an integer from 0 to ${max}`);
  return n;
}

function str(o: Json, names: readonly string[], def?: string): string {
  const f = pick(o, names);
  if (f === undefined) {
    if (def === undefined) throw new FieldError(`cmdContent.${names[0]}`, 'is required');
    return def;
  }
  if (typeof f.value !== 'string' && typeof f.value !== 'number')
    throw new FieldError(`cmdContent.${f.name}`, 'expected a string');
  return String(f.value);
}

/**
 * `yyMMddHHmmss` (Jimi) or `yyyy-MM-ddTHH:mm:ss…Z` → Date, read in the wire zone so the device gets
 * the same digits; absent, empty or all zeros → null ("unbounded").
 */
function time(o: Json, names: readonly string[], offsetMinutes: number, required: boolean): Date | null {
  const f = pick(o, names);
  if (f === undefined) {
    if (required) throw new FieldError(`cmdContent.${names[0]}`, 'is required (yyMMddHHmmss)');
    return null;
  }
  const field = `cmdContent.${f.name}`;
  if (typeof f.value !== 'string' && typeof f.value !== 'number') throw new FieldError(field, 'expected yyMMddHHmmss');
  const s = String(f.value).trim();
  if (/^0+$/.test(s)) return null;
  const m = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)$/.exec(s);
  if (m) {
    const [yy, mo, dd, hh, mi, ss] = m.slice(1).map(Number) as [number, number, number, number, number, number];
    const ms = Date.UTC(2000 + yy, mo - 1, dd, hh, mi, ss);
    const d = new Date(ms);
    if (d.getUTCMonth() !== mo - 1 || d.getUTCDate() !== dd || hh > 23 || mi > 59 || ss > 59) {
      throw new FieldError(field, `${s} is not a valid yyMMddHHmmss time`);
    }
    return new Date(ms - offsetMinutes * 60_000);
  }
  if (/^\d{4}-\d\d-\d\dT/.test(s)) {
    const d = new Date(s);
    if (!Number.isNaN(d.getTime())) return d;
  }
  throw new FieldError(field, 'expected yyMMddHHmmss');
}

function alarmFlags(o: Json): bigint {
  const f = pick(o, ['alarmFlag', 'alarmFlags']);
  if (f === undefined) return 0n;
  const s = String(f.value).trim();
  if (!/^\d{1,20}$/.test(s) || BigInt(s) > 0xffffffffffffffffn) {
    throw new FieldError(`cmdContent.${f.name}`, 'expected a 64-bit unsigned integer (decimal)');
  }
  return BigInt(s);
}

const U8 = 0xff;
const U16 = 0xffff;
const U32 = 0xffffffff;

function jt808Body(proNo: number, cmdContent: string, tz: number): unknown {
  switch (proNo) {
    case 0x8104:
    case 0x8107:
    case 0x8201:
      // No body: any (or no) cmdContent; a present one must still be JSON.
      parseJson(cmdContent, true);
      return {};
    case 0x8103:
      return { params: setParams(parseJson(cmdContent, false)) };
    case 0x8106:
      return { ids: paramIds(cmdContent) };
    case 0x8300: {
      const t = cmdContent.trim();
      if (!t.startsWith('{')) {
        if (t === '') throw new FieldError('cmdContent', 'must not be empty');
        return { flag: 0x08, text: cmdContent };
      }
      const o = parseJson(cmdContent, false);
      const body: { flag: number; text: string; textType?: number } = {
        flag: int(o, ['flag'], U8, 0x08),
        text: str(o, ['text', 'content']),
      };
      if (pick(o, ['textType']) !== undefined) body.textType = int(o, ['textType'], U8);
      return body;
    }
    case 0x8801: {
      const o = parseJson(cmdContent, false);
      return {
        channel: int(o, ['channel', 'channelId'], U8, 1),
        command: int(o, ['command', 'shootCommand'], U16, 1),
        interval: int(o, ['interval', 'shootInterval'], U16, 0),
        saveFlag: int(o, ['saveFlag'], U8, 0),
        resolution: int(o, ['resolution'], U8, 1),
        quality: int(o, ['quality'], U8, 5),
        brightness: int(o, ['brightness'], U8, 128),
        contrast: int(o, ['contrast'], U8, 64),
        saturation: int(o, ['saturation'], U8, 64),
        chroma: int(o, ['chroma'], U8, 128),
      };
    }
    case 0x8802:
    case 0x8803: {
      const o = parseJson(cmdContent, false);
      const body: Record<string, unknown> = {
        mediaType: int(o, ['mediaType', 'multimediaType'], U8, 0),
        channel: int(o, ['channel', 'channelId'], U8, 0),
        event: int(o, ['event', 'eventCode'], U8, 0),
        startTime: time(o, ['beginTime', 'startTime'], tz, false),
        endTime: time(o, ['endTime'], tz, false),
      };
      if (proNo === 0x8803) body.deleteFlag = int(o, ['deleteFlag'], U8, 0);
      return body;
    }
    case 0x8804: {
      const o = parseJson(cmdContent, false);
      return {
        command: int(o, ['command', 'recordCommand'], U8),
        duration: int(o, ['duration', 'recordTime'], U16, 0),
        saveFlag: int(o, ['saveFlag'], U8, 0),
        sampleRate: int(o, ['sampleRate', 'audioSampleRate'], U8, 0),
      };
    }
    case 0x8805: {
      const o = parseJson(cmdContent, false);
      return { mediaId: int(o, ['mediaId', 'multimediaId'], U32), deleteFlag: int(o, ['deleteFlag'], U8, 0) };
    }
    case 0x9101: {
      // §2.5: {"dataType","codeStreamType","channel","videoIP","videoTCPPort","videoUDPPort"}
      const o = parseJson(cmdContent, false);
      return {
        serverIp: str(o, ['videoIP', 'serverIp', 'serverAddress']),
        tcpPort: int(o, ['videoTCPPort', 'tcpPort'], U16, 0),
        udpPort: int(o, ['videoUDPPort', 'udpPort'], U16, 0),
        channel: int(o, ['channel', 'channelId'], U8),
        dataType: int(o, ['dataType'], U8, 0),
        streamType: int(o, ['codeStreamType', 'streamType'], U8, 0),
      };
    }
    case 0x9102: {
      // §2.5: {"channel","cmd","dataType","codeStreamType"}
      const o = parseJson(cmdContent, false);
      return {
        channel: int(o, ['channel', 'channelId'], U8),
        command: int(o, ['cmd', 'command'], U8),
        closeType: int(o, ['dataType', 'closeType'], U8, 0),
        streamType: int(o, ['codeStreamType', 'streamType'], U8, 0),
      };
    }
    case 0x9201: {
      const o = parseJson(cmdContent, false);
      return {
        serverIp: str(o, ['serverAddress', 'serverIp', 'videoIP']),
        tcpPort: int(o, ['tcpPort'], U16, 0),
        udpPort: int(o, ['udpPort'], U16, 0),
        channel: int(o, ['channel', 'channelId'], U8),
        mediaType: int(o, ['resourceType', 'mediaType'], U8, 0),
        streamType: int(o, ['codeType', 'streamType'], U8, 0),
        storageType: int(o, ['storageType'], U8, 0),
        playbackMode: int(o, ['playMethod', 'playbackMode'], U8, 0),
        speed: int(o, ['forwardRewind', 'speed'], U8, 0),
        startTime: time(o, ['beginTime', 'startTime'], tz, false),
        endTime: time(o, ['endTime'], tz, false),
      };
    }
    case 0x9202: {
      const o = parseJson(cmdContent, false);
      return {
        channel: int(o, ['channel', 'channelId'], U8),
        control: int(o, ['playCtrl', 'control'], U8),
        speed: int(o, ['forwardRewind', 'speed'], U8, 0),
        seekTime: time(o, ['beginTime', 'seekTime'], tz, false),
      };
    }
    case 0x9205: {
      const o = parseJson(cmdContent, false);
      return {
        channel: int(o, ['channel', 'channelId'], U8, 0),
        startTime: time(o, ['beginTime', 'startTime'], tz, false),
        endTime: time(o, ['endTime'], tz, false),
        alarmFlags: alarmFlags(o),
        mediaType: int(o, ['resourceType', 'mediaType'], U8, 0),
        streamType: int(o, ['codeType', 'streamType'], U8, 0),
        storageType: int(o, ['storageType'], U8, 0),
      };
    }
    case 0x9206: {
      const o = parseJson(cmdContent, false);
      return {
        ftpHost: str(o, ['serverAddress', 'ftpHost', 'ip']),
        ftpPort: int(o, ['port', 'ftpPort'], U16),
        username: str(o, ['userName', 'username'], ''),
        password: str(o, ['password'], ''),
        uploadPath: str(o, ['fileUploadPath', 'uploadPath'], '/'),
        channel: int(o, ['channel', 'channelId'], U8),
        startTime: time(o, ['beginTime', 'startTime'], tz, false),
        endTime: time(o, ['endTime'], tz, false),
        alarmFlags: alarmFlags(o),
        mediaType: int(o, ['resourceType', 'mediaType'], U8, 0),
        streamType: int(o, ['codeType', 'streamType'], U8, 0),
        storageType: int(o, ['storageType'], U8, 0),
        conditions: int(o, ['taskExecuteCondition', 'conditions'], U8, 7),
      };
    }
    case 0x9207: {
      const o = parseJson(cmdContent, false);
      return {
        replySerial: int(o, ['serialNumber', 'replySerial', 'responseSerialNo'], U16),
        control: int(o, ['uploadControl', 'control'], U8),
      };
    }
    case 0x9208: {
      const o = parseJson(cmdContent, false);
      const id = o.alarmId;
      if (id === null || typeof id !== 'object' || Array.isArray(id)) {
        throw new FieldError('cmdContent.alarmId', 'expected {terminalId, time, serial, attachmentCount}');
      }
      const a = id as Json;
      return {
        serverIp: str(o, ['serverIp', 'serverAddress', 'ip']),
        tcpPort: int(o, ['tcpPort'], U16),
        udpPort: int(o, ['udpPort'], U16, 0),
        alarmId: {
          terminalId: str(a, ['terminalId']),
          time: time(a, ['time'], tz, true),
          serial: int(a, ['serial'], U8, 0),
          attachmentCount: int(a, ['attachmentCount'], U8, 0),
          reserved: Buffer.alloc(1),
        },
        alarmNumber: str(o, ['alarmNumber']),
      };
    }
    default:
      throw new FieldError('proNo', `${proNo} is not supported`);
  }
}

/** Trial header for test encodes. */
const TRIAL_HEADER: jt808.Jt808EncodeHeader = { version: 2013, phone: '1', serial: 0 };

function testEncode(type: string, body: unknown): void {
  try {
    jt808.encodeJt808(TRIAL_HEADER, { type, body } as Pick<jt808.Jt808KnownMessage, 'type' | 'body'>);
  } catch (err) {
    if (err instanceof FieldError) throw err;
    const why = err instanceof CodecError ? err.message : err instanceof Error ? err.message : String(err);
    throw new FieldError('cmdContent', `cannot be encoded: ${why}`);
  }
}

function encodesParam(p: { id: number; value: number | string | Buffer }): boolean {
  try {
    jt808.encodeJt808(TRIAL_HEADER, { type: 'set-params', body: { params: [p] } } as Pick<
      jt808.Jt808KnownMessage,
      'type' | 'body'
    >);
    return true;
  } catch {
    return false;
  }
}

/** Parameter id from a JSON key: decimal (Jimi: "1", "19") or hex ("0x0001"). */
function paramId(key: string): number {
  const k = key.trim();
  const n = /^0[xX][0-9a-fA-F]{1,8}$/.test(k)
    ? Number.parseInt(k.slice(2), 16)
    : /^\d{1,10}$/.test(k)
      ? Number(k)
      : Number.NaN;
  if (!Number.isInteger(n) || n < 0 || n > U32)
    throw new FieldError(`cmdContent.${key}`, 'is not a parameter id (decimal like "1" or hex like "0x0001")');
  return n;
}

/**
 * 0x8103 JSON keyed by parameter id (`{"1":"180","19":"1.2.3.4"}`, the 0x0104 `_content` shape;
 * `paramCount` ignored). The value type comes from the parameter table: each value is tried as a
 * number, as a string, then as hex bytes (`{"$hex":"…"}` forces bytes), first that encodes wins.
 */
function setParams(o: Json): { id: number; value: number | string | Buffer }[] {
  const out: { id: number; value: number | string | Buffer }[] = [];
  for (const [key, v] of Object.entries(o)) {
    if (key === 'paramCount') continue;
    const id = paramId(key);
    const candidates: (number | string | Buffer)[] = [];
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const hex = (v as Json).$hex;
      if (typeof hex === 'string' && /^([0-9a-fA-F]{2})*$/.test(hex)) candidates.push(Buffer.from(hex, 'hex'));
    } else if (typeof v === 'number') {
      candidates.push(v, String(v));
    } else if (typeof v === 'string') {
      if (/^\d+$/.test(v.trim())) candidates.push(Number(v.trim()));
      candidates.push(v);
      if (/^([0-9a-fA-F]{2})+$/.test(v)) candidates.push(Buffer.from(v, 'hex'));
    }
    const value = candidates.find((c) => encodesParam({ id, value: c }));
    if (value === undefined) {
      throw new FieldError(
        `cmdContent.${key}`,
        `value ${JSON.stringify(v)} does not fit parameter 0x${id.toString(16).padStart(4, '0')}`,
      );
    }
    out.push({ id, value });
  }
  if (out.length === 0) throw new FieldError('cmdContent', 'no parameters to set');
  if (out.length > 255) throw new FieldError('cmdContent', 'at most 255 parameters');
  return out;
}

/** 0x8106 ids: `{"ids":[1,19]}`, `[1,19]`, or an object keyed by id (values ignored). */
function paramIds(cmdContent: string): number[] {
  let v: unknown;
  try {
    v = JSON.parse(cmdContent);
  } catch {
    throw new FieldError('cmdContent', 'must be JSON: {"ids":[1,19]}, [1,19] or {"1":"","19":""}');
  }
  let keys: string[];
  if (Array.isArray(v)) keys = v.map(String);
  else if (v !== null && typeof v === 'object') {
    const ids = (v as Json).ids;
    keys = Array.isArray(ids) ? ids.map(String) : Object.keys(v).filter((k) => k !== 'paramCount');
  } else throw new FieldError('cmdContent', 'must be {"ids":[…]} or an array of parameter ids');
  if (keys.length === 0 || keys.length > 255) throw new FieldError('cmdContent', 'expected 1 to 255 parameter ids');
  return keys.map(paramId);
}

/**
 * A codec body in its control-channel (JSON) form: Date → ISO string, bigint → decimal string,
 * bytes → `{ "$hex": "…" }` (the gateway revives them: `reviveCommandBody`, docs/router.md).
 */
export function toWire(value: unknown): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array)
    return { $hex: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex') };
  if (Array.isArray(value)) return value.map(toWire);
  if (typeof value === 'object') {
    const out: Json = {};
    for (const [k, v] of Object.entries(value as Json)) if (v !== undefined) out[k] = toWire(v);
    return out;
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Answers → _content / _proNo

/**
 * The device's answer as the Jimi `_content`: Jimi 0x21 / 0x15 → the reply text; JT/T 808 0x0104 →
 * `{"paramCount":"n","<decimal id>":"<value>",…}` (the production capture in §2.3); any other
 * JT/T answer → its fields as a JSON object string, top-level numbers as decimal strings.
 */
export function replyContent(protocol: DeviceProtocol, msgId: number, reply: Record<string, unknown>): string {
  if (protocol === 'jimi') {
    const text = reply.text ?? reply.content ?? reply.command;
    return typeof text === 'string' ? text : JSON.stringify(reply);
  }
  if (msgId === 0x0104 && Array.isArray(reply.params)) {
    const out: Record<string, string> = { paramCount: String(reply.params.length) };
    for (const p of reply.params as { id?: unknown; value?: unknown }[]) {
      if (typeof p.id !== 'number') continue;
      out[String(p.id)] =
        typeof p.value === 'string' || typeof p.value === 'number' ? String(p.value) : JSON.stringify(p.value);
    }
    return JSON.stringify(out);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(reply)) out[k] = typeof v === 'number' ? String(v) : v;
  return JSON.stringify(out);
}
