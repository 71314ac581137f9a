import { bcdToString, writeBcd } from '../core/bcd.ts';
import { CodecError, type CodecIssue } from '../errors.ts';

/**
 * JT/T 1078-2016 stream packet ("RTP" packet of the media connection). Not 0x7e-framed, not
 * escaped; self-delimiting through the body-length field. Offsets for a 6-byte SIM:
 *
 * | off | size | field                                                                          |
 * |-----|------|--------------------------------------------------------------------------------|
 * | 0   | 4    | frame header `30 31 63 64` ("01cd")                                            |
 * | 4   | 1    | V(2)=2, P(1)=0, X(1)=0, CC(4)=1: normally 0x81                                 |
 * | 5   | 1    | M(1): 1 on the packet that ends a frame; PT(7): payload type (payload-types.ts) |
 * | 6   | 2    | sequence number, +1 per packet, wraps                                          |
 * | 8   | 6    | SIM BCD[6] (some 2019 terminals: BCD[10], shifting everything below by 4)      |
 * | 14  | 1    | logical channel                                                                |
 * | 15  | 1    | high nibble data type (0 I, 1 P, 2 B, 3 audio, 4 pass-through);               |
 * |     |      | low nibble subpacket flag (0 atomic, 1 first, 2 last, 3 middle)                |
 * | 16  | 8    | timestamp, ms. Absent for data type 4                                          |
 * | 24  | 2    | interval since the last I-frame, ms. Video (types 0–2) only                   |
 * | 26  | 2    | interval since the previous frame, ms. Video only                             |
 * | 28  | 2    | body length (≤ 950)                                                            |
 * | 30  | n    | body                                                                           |
 *
 * Header length: 30 (video), 26 (audio), 18 (pass-through), +4 with a 10-byte SIM.
 * JT/T 1078 has one edition; the 2011/2013/2019 differences of JT/T 808 show up here only as the
 * SIM length (2019 terminals may send BCD[10]). Source: protocols/jt808-jt1078.md §9.
 *
 * **SIM length.** Nothing in the packet says which one is used. We try 6 first and check that the
 * declared length is consistent (the bytes end exactly there, or the next packet's magic follows),
 * else 10 (§9 "Finding the SIM length"); `measureJt1078` implements the rule for the framer, which
 * remembers the answer per connection once a following magic proved it.
 */

export const JT1078_MAGIC = 0x30316364;
/** Largest body the standard allows ("不超过950字节"; every capture caps at 950, protocols/jt808-jt1078.md §9). */
export const JT1078_MAX_BODY = 950;
/** Longest header: video with a 10-byte SIM. */
export const JT1078_MAX_HEADER = 34;

export type Jt1078SimLength = 6 | 10;
export type Jt1078VideoDataType = 0 | 1 | 2;
export type Jt1078DataType = Jt1078VideoDataType | 3 | 4;
export type Jt1078Subpacket = 0 | 1 | 2 | 3;

/** Data type (high nibble of the data-type byte). */
export const Jt1078DataTypes = { videoI: 0, videoP: 1, videoB: 2, audio: 3, passThrough: 4 } as const;
/** Subpacket flag (low nibble). Note 2 = last and 3 = middle (easy to swap). */
export const Jt1078Subpackets = { atomic: 0, first: 1, last: 2, middle: 3 } as const;

interface Jt1078PacketCommon {
  /** RTP version V (2 bits), normally 2. */
  readonly version: number;
  /** RTP padding bit P, normally false. */
  readonly padding: boolean;
  /** RTP extension bit X, normally false. */
  readonly extension: boolean;
  /** RTP CSRC count CC (4 bits), normally 1. */
  readonly csrcCount: number;
  /** M bit: true on the packet that ends a frame (atomic or last). */
  readonly marker: boolean;
  /** Payload type, 7 bits (see `JT1078_PAYLOAD_TYPES`). */
  readonly payloadType: number;
  /** Packet sequence number, 0–65535, wraps. */
  readonly sequence: number;
  /** SIM number as BCD digits: 12 digits (BCD[6]) or 20 digits (BCD[10]), not trimmed. */
  readonly sim: string;
  /** Bytes of the SIM field on the wire. */
  readonly simLength: Jt1078SimLength;
  /** Logical channel number (1-based as in 0x9101). */
  readonly channel: number;
  /** 0 atomic, 1 first, 2 last, 3 middle. */
  readonly subpacket: Jt1078Subpacket;
  /** Declared body length in bytes. */
  readonly bodyLength: number;
  /** The whole packet, header included: a view of the input (created on first access). */
  readonly raw: Buffer;
  /** The body: a view of the input (created on first access). */
  readonly body: Buffer;
}

/** Video packet: data type 0 (I-frame), 1 (P-frame) or 2 (B-frame). */
export interface Jt1078VideoPacket extends Jt1078PacketCommon {
  readonly dataType: Jt1078VideoDataType;
  /** Frame time in ms: epoch ms or a relative counter, depending on the terminal. */
  readonly timestamp: number;
  /** Interval since the last I-frame, ms. */
  readonly lastIFrameInterval: number;
  /** Interval since the previous frame, ms. */
  readonly lastFrameInterval: number;
}

/** Audio packet: data type 3. */
export interface Jt1078AudioPacket extends Jt1078PacketCommon {
  readonly dataType: 3;
  /** Frame time in ms. */
  readonly timestamp: number;
}

/** Pass-through packet: data type 4, no timestamp. */
export interface Jt1078PassThroughPacket extends Jt1078PacketCommon {
  readonly dataType: 4;
}

export type Jt1078Packet = Jt1078VideoPacket | Jt1078AudioPacket | Jt1078PassThroughPacket;

// ---------------------------------------------------------------------------------------------
// Decoding. `raw` and `body` are created lazily: a Buffer view costs more than the whole header parse.

/** One-entry cache: a connection sends the same SIM in every packet. */
let simKeyHi = -1;
let simKeyLo = -1;
let simCached = '';

function readSim(b: Buffer, p: number, len: Jt1078SimLength): string {
  let hi = -2;
  let q = p;
  if (len === 10) {
    hi = b[q]! * 0x1000000 + ((b[q + 1]! << 16) | (b[q + 2]! << 8) | b[q + 3]!);
    q += 4;
  }
  const lo =
    (b[q]! * 0x10000 + ((b[q + 1]! << 8) | b[q + 2]!)) * 0x1000000 + ((b[q + 3]! << 16) | (b[q + 4]! << 8) | b[q + 5]!);
  if (lo === simKeyLo && hi === simKeyHi) return simCached;
  simKeyHi = hi;
  simKeyLo = lo;
  simCached = bcdToString(b, p, p + len);
  return simCached;
}

function u16(b: Buffer, p: number): number {
  return (b[p]! << 8) | b[p + 1]!;
}

function u64(b: Buffer, p: number): number {
  // Exact below 2^53 (every real timestamp); larger garbage values lose precision only.
  return (
    (b[p]! * 0x1000000 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!)) * 0x100000000 +
    (b[p + 4]! * 0x1000000 + ((b[p + 5]! << 16) | (b[p + 6]! << 8) | b[p + 7]!))
  );
}

/**
 * The one implementation of the three packet interfaces. Fields are assigned in a fixed order and
 * the type-specific ones only when present, so V8 sees exactly three shapes; `declare` keeps the
 * compiler from emitting field definitions (measurably slower than plain assignments here).
 */
class PacketImpl {
  readonly #src: Buffer;
  readonly #start: number;
  readonly #bodyStart: number;
  #raw: Buffer | undefined;
  #body: Buffer | undefined;
  declare readonly version: number;
  declare readonly padding: boolean;
  declare readonly extension: boolean;
  declare readonly csrcCount: number;
  declare readonly marker: boolean;
  declare readonly payloadType: number;
  declare readonly sequence: number;
  declare readonly sim: string;
  declare readonly simLength: Jt1078SimLength;
  declare readonly channel: number;
  declare readonly subpacket: Jt1078Subpacket;
  declare readonly bodyLength: number;
  declare readonly dataType: Jt1078DataType;
  declare readonly timestamp?: number;
  declare readonly lastIFrameInterval?: number;
  declare readonly lastFrameInterval?: number;

  constructor(src: Buffer, start: number, simLength: Jt1078SimLength) {
    const vpxcc = src[start + 4]!;
    const mpt = src[start + 5]!;
    const typeAt = start + 9 + simLength;
    const t = src[typeAt]!;
    const dt = (t >> 4) as Jt1078DataType;
    // JT/T 1078 packet table (protocols/jt808-jt1078.md §9): no timestamp for pass-through (4),
    // no intervals for audio (3) and pass-through.
    const bodyStart = typeAt + 3 + (dt === 4 ? 0 : dt === 3 ? 8 : 12);
    this.#src = src;
    this.#start = start;
    this.#bodyStart = bodyStart;
    this.#raw = undefined;
    this.#body = undefined;
    this.version = vpxcc >> 6;
    this.padding = (vpxcc & 0x20) !== 0;
    this.extension = (vpxcc & 0x10) !== 0;
    this.csrcCount = vpxcc & 0x0f;
    this.marker = mpt >= 0x80;
    this.payloadType = mpt & 0x7f;
    this.sequence = u16(src, start + 6);
    this.sim = readSim(src, start + 8, simLength);
    this.simLength = simLength;
    this.channel = src[typeAt - 1]!;
    this.subpacket = (t & 0x0f) as Jt1078Subpacket;
    this.bodyLength = u16(src, bodyStart - 2);
    this.dataType = dt;
    if (dt !== 4) {
      this.timestamp = u64(src, typeAt + 1);
      if (dt !== 3) {
        this.lastIFrameInterval = u16(src, typeAt + 9);
        this.lastFrameInterval = u16(src, typeAt + 11);
      }
    }
  }

  get raw(): Buffer {
    if (this.#raw === undefined) this.#raw = this.#src.subarray(this.#start, this.#bodyStart + this.bodyLength);
    return this.#raw;
  }

  get body(): Buffer {
    if (this.#body === undefined) this.#body = this.#src.subarray(this.#bodyStart, this.#bodyStart + this.bodyLength);
    return this.#body;
  }
}

/**
 * Build the packet at `start` of `src` with a known SIM length. Unchecked: the caller has
 * measured the packet (`measureJt1078`), so every byte of it is present and the data type is 0–4.
 * Internal to the jt1078 module (the framer's hot path); use `decodeJt1078Packet` otherwise.
 */
export function readJt1078Packet(src: Buffer, start: number, simLength: Jt1078SimLength): Jt1078Packet {
  // The constructor sets exactly the fields of the interface its data type selects.
  return new PacketImpl(src, start, simLength) as unknown as Jt1078Packet;
}

/** Header length for a data type and SIM length (30 / 26 / 18 with a 6-byte SIM). */
export function jt1078HeaderLength(dataType: Jt1078DataType, simLength: Jt1078SimLength): number {
  return 12 + simLength + (dataType === 4 ? 0 : dataType === 3 ? 8 : 12);
}

// ---------------------------------------------------------------------------------------------
// Measuring: where does the packet that starts at `start` end, and with which SIM length?

export const MEASURE_ACCEPT = 0;
export const MEASURE_NEED = 1;
export const MEASURE_INVALID = 2;

/** Scratch result of `measureJt1078` (reused; no allocation per packet). @internal */
export class Jt1078Measure {
  /** MEASURE_ACCEPT, MEASURE_NEED or MEASURE_INVALID. */
  kind = MEASURE_NEED;
  /** ACCEPT: the packet's length in bytes. */
  total = 0;
  /** ACCEPT: the SIM length decided. */
  simLength: Jt1078SimLength = 6;
  /** ACCEPT: the next packet's magic follows, so the SIM length is proven for the connection. */
  proven = false;
  /** NEED: total bytes (from `start`) needed before the decision can move on. */
  need = 0;
  /** NEED: true when a header is complete (so what is missing is body bytes). */
  headerComplete = false;
  /** INVALID: why (`magic`, `type` nibble out of range, `size` over the maximum). */
  reason: 'magic' | 'type' | 'size' = 'magic';
}

const DEAD_TYPE = 0;
const DEAD_SIZE = -1;

/** Total length of the packet read with one SIM length; negative: bytes needed; DEAD_*: impossible. */
function candidate(b: Uint8Array, start: number, avail: number, simLength: Jt1078SimLength, max: number): number {
  const typeAt = 9 + simLength;
  if (avail <= typeAt) return -(typeAt + 1);
  const t = b[start + typeAt]!;
  const dt = t >> 4;
  if (dt > 4 || (t & 0x0f) > 3) return DEAD_TYPE;
  const hdr = typeAt + 3 + (dt === 4 ? 0 : dt === 3 ? 8 : 12);
  if (avail < hdr) return -hdr;
  const total = hdr + ((b[start + hdr - 2]! << 8) | b[start + hdr - 1]!);
  return total > max ? DEAD_SIZE : total;
}

function magicAt(b: Uint8Array, p: number): boolean {
  return b[p] === 0x30 && b[p + 1] === 0x31 && b[p + 2] === 0x63 && b[p + 3] === 0x64;
}

/** Bytes needed before candidate `c` (a `candidate` result) can change state. */
function threshold(c: number, avail: number): number {
  if (c < 0) return -c;
  return avail < c ? c : c + 4;
}

function accept(out: Jt1078Measure, total: number, simLength: Jt1078SimLength, proven: boolean): number {
  out.kind = MEASURE_ACCEPT;
  out.total = total;
  out.simLength = simLength;
  out.proven = proven;
  return MEASURE_ACCEPT;
}

function needBytes(out: Jt1078Measure, need: number, headerComplete: boolean): number {
  out.kind = MEASURE_NEED;
  out.need = need;
  out.headerComplete = headerComplete;
  return MEASURE_NEED;
}

function invalid(out: Jt1078Measure, reason: Jt1078Measure['reason']): number {
  out.kind = MEASURE_INVALID;
  out.reason = reason;
  return MEASURE_INVALID;
}

/**
 * Decide how the packet starting at `start` (bytes up to `end`) is delimited; the result (also
 * returned as its `kind`) goes to `out`. The rule
 * (protocols/jt808-jt1078.md §9 "Finding the SIM length"):
 *  1. A SIM length whose data-type byte has an invalid nibble, or whose packet would exceed `max`,
 *     is impossible. If one length remains, it is used.
 *  2. If both are possible: the one followed by the next packet's magic wins (6 first) and is
 *     `proven`; else the one whose declared length ends exactly at the end of the received bytes
 *     (`atEnd`: nothing else has arrived yet), 6 first; else, when neither is followed by a magic,
 *     6; else more bytes are needed (at most `max + 4`).
 *  3. `forced` (a configured or learned length) skips the guessing unless it is impossible.
 *  4. `final` (no more bytes will come): the first complete reading (6, then 10) is taken.
 */
export function measureJt1078(
  b: Uint8Array,
  start: number,
  end: number,
  atEnd: boolean,
  final: boolean,
  forced: Jt1078SimLength | 0,
  max: number,
  out: Jt1078Measure,
): number {
  const avail = end - start;
  if (avail < 4) {
    for (let k = 0; k < avail; k++) {
      if (b[start + k] !== MAGIC_BYTES[k]) return invalid(out, 'magic');
    }
    return needBytes(out, 4, false);
  }
  if (!magicAt(b, start)) return invalid(out, 'magic');
  if (forced !== 0) {
    const c = candidate(b, start, avail, forced, max);
    if (c > 0) {
      if (avail < c) return needBytes(out, c, true);
      if (avail >= c + 4 && !magicAt(b, start + c)) {
        // Not followed by a packet: take the other length only if a packet follows *it*.
        const other: Jt1078SimLength = forced === 6 ? 10 : 6;
        const o = candidate(b, start, avail, other, max);
        if (o > 0 && avail >= o + 4 && magicAt(b, start + o)) return accept(out, o, other, false);
      }
      return accept(out, c, forced, false);
    }
    if (c < DEAD_SIZE) return needBytes(out, -c, false);
    // The configured length is impossible for this packet: fall back to guessing.
  }
  const c6 = candidate(b, start, avail, 6, max);
  const c10 = candidate(b, start, avail, 10, max);
  const alive6 = c6 !== DEAD_TYPE && c6 !== DEAD_SIZE;
  const alive10 = c10 !== DEAD_TYPE && c10 !== DEAD_SIZE;
  if (!alive6 && !alive10) return invalid(out, c6 === DEAD_SIZE || c10 === DEAD_SIZE ? 'size' : 'type');
  if (c6 > 0 && avail >= c6 + 4 && magicAt(b, start + c6)) return accept(out, c6, 6, true);
  if (c10 > 0 && avail >= c10 + 4 && magicAt(b, start + c10)) return accept(out, c10, 10, true);
  if (!alive10) return avail >= c6 && c6 > 0 ? accept(out, c6, 6, false) : needBytes(out, threshold(c6, avail), c6 > 0);
  if (!alive6) {
    return avail >= c10 && c10 > 0 ? accept(out, c10, 10, false) : needBytes(out, threshold(c10, avail), c10 > 0);
  }
  // Both readings possible and neither proven by a following magic.
  if (atEnd) {
    if (avail === c6) return accept(out, c6, 6, false);
    if (avail === c10) return accept(out, c10, 10, false);
  }
  const settled6 = c6 > 0 && avail >= c6 + 4;
  const settled10 = c10 > 0 && avail >= c10 + 4;
  if (settled6 && settled10) return accept(out, c6, 6, false);
  if (final) {
    if (c6 > 0 && avail >= c6) return accept(out, c6, 6, false);
    if (c10 > 0 && avail >= c10) return accept(out, c10, 10, false);
  }
  let need = Number.MAX_SAFE_INTEGER;
  if (!settled6) need = threshold(c6, avail);
  if (!settled10) need = Math.min(need, threshold(c10, avail));
  return needBytes(out, need, c6 > 0 || c10 > 0);
}

const MAGIC_BYTES = [0x30, 0x31, 0x63, 0x64] as const;

// ---------------------------------------------------------------------------------------------
// Decoding one packet from a buffer.

export interface Jt1078DecodeOptions {
  /** SIM length when known (per-device setting, or learned from the 808 link: 2019 → 10). Default: guess. */
  simLength?: Jt1078SimLength;
  /** Largest packet accepted. Default 65,535 + 34 (no limit beyond the length field). */
  maxPacketSize?: number;
}

export type Jt1078DecodeResult = { ok: true; packet: Jt1078Packet } | { ok: false; issue: CodecIssue };

const decodeScratch = new Jt1078Measure();

/**
 * Decode the packet at the start of `buf`. Bytes after the packet are left alone
 * (`packet.raw.length` says where the next one starts). Never throws. Errors:
 *  - no `30 31 63 64` magic: IOTHUB_ERR_FRAME_GARBAGE
 *  - a data-type byte with an invalid nibble: IOTHUB_ERR_FIELD_VALUE
 *  - header incomplete: IOTHUB_ERR_FRAME_TOO_SHORT; body incomplete: IOTHUB_ERR_FRAME_LENGTH
 *  - longer than `maxPacketSize`: IOTHUB_ERR_FRAME_TOO_LARGE
 */
export function decodeJt1078Packet(buf: Buffer, options?: Jt1078DecodeOptions): Jt1078DecodeResult {
  const m = decodeScratch;
  const max = options?.maxPacketSize ?? 0xffff + JT1078_MAX_HEADER;
  measureJt1078(buf, 0, buf.length, true, true, options?.simLength ?? 0, max, m);
  if (m.kind === MEASURE_ACCEPT) return { ok: true, packet: readJt1078Packet(buf, 0, m.simLength) };
  if (m.kind === MEASURE_NEED) {
    return m.headerComplete
      ? {
          ok: false,
          issue: { code: 'IOTHUB_ERR_FRAME_LENGTH', bytes: buf.length, detail: `packet needs ${m.need} bytes` },
        }
      : { ok: false, issue: { code: 'IOTHUB_ERR_FRAME_TOO_SHORT', bytes: buf.length } };
  }
  switch (m.reason) {
    case 'magic':
      return {
        ok: false,
        issue: { code: 'IOTHUB_ERR_FRAME_GARBAGE', bytes: buf.length, detail: 'no 30 31 63 64 frame header' },
      };
    case 'type':
      return {
        ok: false,
        issue: {
          code: 'IOTHUB_ERR_FIELD_VALUE',
          bytes: buf.length,
          detail: 'data type / subpacket nibble out of range',
        },
      };
    case 'size':
      return { ok: false, issue: { code: 'IOTHUB_ERR_FRAME_TOO_LARGE', bytes: buf.length } };
    default: {
      const never: never = m.reason;
      throw new Error(`unreachable ${String(never)}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding (tests, the simulator, talk-back audio sent down the media connection).

interface Jt1078PacketInputCommon {
  /** BCD digits; left-padded with 0 to the SIM length. */
  sim: string;
  /** Default: 6 when `sim` has at most 12 digits, else 10. */
  simLength?: Jt1078SimLength;
  channel: number;
  sequence: number;
  payloadType: number;
  /** Default 0 (atomic). */
  subpacket?: Jt1078Subpacket;
  /** Default: true for atomic and last packets (as every capture does). */
  marker?: boolean;
  /** ≤ 950 bytes. */
  body: Uint8Array;
  /** Default 2. */
  version?: number;
  /** Default false. */
  padding?: boolean;
  /** Default false. */
  extension?: boolean;
  /** Default 1. */
  csrcCount?: number;
}

export type Jt1078PacketInput =
  | (Jt1078PacketInputCommon & {
      dataType: Jt1078VideoDataType;
      timestamp: number;
      /** Default 0. */
      lastIFrameInterval?: number;
      /** Default 0. */
      lastFrameInterval?: number;
    })
  | (Jt1078PacketInputCommon & { dataType: 3; timestamp: number })
  | (Jt1078PacketInputCommon & { dataType: 4 });

function check(v: number, max: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `${what} ${v} out of range 0..${max}`);
  }
  return v;
}

/** Encode one packet. Throws `CodecError(IOTHUB_ERR_ENCODE_VALUE)` on a value the field cannot hold. */
export function encodeJt1078Packet(p: Jt1078PacketInput): Buffer {
  const simLength = p.simLength ?? (p.sim.length > 12 ? 10 : 6);
  if (simLength !== 6 && simLength !== 10) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `SIM length ${simLength}`);
  const dataType = p.dataType;
  check(dataType, 4, 'data type');
  const subpacket = check(p.subpacket ?? 0, 3, 'subpacket flag');
  const body = p.body;
  if (body.length > JT1078_MAX_BODY) {
    throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `body ${body.length} bytes, at most ${JT1078_MAX_BODY}`);
  }
  const hdr = jt1078HeaderLength(dataType, simLength);
  const out = Buffer.allocUnsafe(hdr + body.length);
  out.writeUInt32BE(JT1078_MAGIC, 0);
  const version = check(p.version ?? 2, 3, 'version');
  const csrc = check(p.csrcCount ?? 1, 15, 'CSRC count');
  out[4] = (version << 6) | (p.padding ? 0x20 : 0) | (p.extension ? 0x10 : 0) | csrc;
  const marker = p.marker ?? (subpacket === 0 || subpacket === 2);
  out[5] = (marker ? 0x80 : 0) | check(p.payloadType, 0x7f, 'payload type');
  out.writeUInt16BE(check(p.sequence, 0xffff, 'sequence'), 6);
  writeBcd(out, 8, p.sim, simLength);
  let q = 8 + simLength;
  out[q++] = check(p.channel, 0xff, 'channel');
  out[q++] = (dataType << 4) | subpacket;
  if (p.dataType !== 4) {
    const ts = p.timestamp;
    if (!Number.isSafeInteger(ts) || ts < 0) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `timestamp ${ts}`);
    out.writeUInt32BE(Math.floor(ts / 0x100000000), q);
    out.writeUInt32BE(ts % 0x100000000, q + 4);
    q += 8;
    if (p.dataType !== 3) {
      out.writeUInt16BE(check(p.lastIFrameInterval ?? 0, 0xffff, 'last I-frame interval'), q);
      out.writeUInt16BE(check(p.lastFrameInterval ?? 0, 0xffff, 'last frame interval'), q + 2);
      q += 4;
    }
  }
  out.writeUInt16BE(body.length, q);
  out.set(body, q + 2);
  return out;
}

/**
 * Split one frame (or an audio frame, or pass-through data) into packets of at most `maxBody`
 * bytes: atomic when it fits, else first, middle…, last, with consecutive sequence numbers from
 * `sequence` (wrapping) and the M bit on the last one. For the simulator and talk-back audio.
 */
export function encodeJt1078Frame(
  input: Omit<Jt1078PacketInputCommon, 'body' | 'subpacket' | 'marker'> &
    (
      | { dataType: Jt1078VideoDataType; timestamp: number; lastIFrameInterval?: number; lastFrameInterval?: number }
      | { dataType: 3; timestamp: number }
      | { dataType: 4 }
    ),
  data: Uint8Array,
  maxBody: number = JT1078_MAX_BODY,
): Buffer[] {
  check(input.sequence, 0xffff, 'sequence');
  check(maxBody, JT1078_MAX_BODY, 'max body');
  if (maxBody < 1) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'max body 0');
  const count = Math.max(1, Math.ceil(data.length / maxBody));
  const out: Buffer[] = [];
  for (let k = 0; k < count; k++) {
    const subpacket: Jt1078Subpacket = count === 1 ? 0 : k === 0 ? 1 : k === count - 1 ? 2 : 3;
    out.push(
      encodeJt1078Packet({
        ...input,
        sequence: (input.sequence + k) & 0xffff,
        subpacket,
        body: data.subarray(k * maxBody, Math.min(data.length, (k + 1) * maxBody)),
      }),
    );
  }
  return out;
}
