import { decodeGbk, encodeGbk, trimPadEnd } from '../core/text.ts';
import { CodecError, type CodecIssue } from '../errors.ts';
import { Jt808Framer, type Jt808FramerOptions, type Jt808FrameSink } from '../jt808/framer.ts';

/**
 * Active-safety (Su-biao) alarm-attachment file-data packet, sent on the attachment TCP connection
 * the terminal opens after 0x9208, between the JT/T 808 frames 0x1211 and 0x1212
 * (protocols/jt808-jt1078.md §8). Not 0x7e-framed, not escaped. It shares the `30 31 63 64` magic
 * with the JT/T 1078 stream packet but not its layout:
 *
 * | off | size | field                                           |
 * |-----|------|-------------------------------------------------|
 * | 0   | 4    | frame header `30 31 63 64`                      |
 * | 4   | 50   | file name BYTE[50], NUL-padded on the right     |
 * | 54  | 4    | data offset in the file DWORD                   |
 * | 58  | 4    | data length DWORD                               |
 * | 62  | n    | data                                            |
 *
 * Packets of one file may arrive in any order (the platform tracks offsets and asks for missing
 * blocks in 0x9212). The layout is the same for every JT/T 808 version and regional variant; only
 * the 808 messages around it change (0x1210 id lengths, §8 table).
 */
export interface AttachmentFileData {
  /** File name (GBK, NUL padding trimmed). */
  fileName: string;
  /** Offset of `data` in the file, bytes. */
  offset: number;
  /** Declared data length, bytes. */
  length: number;
  /** The data: a view of the input. */
  data: Buffer;
}

export const FILE_DATA_HEADER_LENGTH = 62;
const NAME_LENGTH = 50;
const MAGIC = Buffer.from([0x30, 0x31, 0x63, 0x64]);

export type AttachmentFileDataResult = { ok: true; packet: AttachmentFileData } | { ok: false; issue: CodecIssue };

function readFileData(b: Buffer, start: number): AttachmentFileData {
  const nameEnd = trimPadEnd(b, start + 4, start + 4 + NAME_LENGTH);
  const length = b.readUInt32BE(start + 58);
  return {
    fileName: decodeGbk(b, start + 4, nameEnd),
    offset: b.readUInt32BE(start + 54),
    length,
    data: b.subarray(start + FILE_DATA_HEADER_LENGTH, start + FILE_DATA_HEADER_LENGTH + length),
  };
}

function isMagicPrefix(b: Uint8Array, at: number, k: number): boolean {
  for (let q = 0; q < k; q++) if (b[at + q] !== MAGIC[q]) return false;
  return true;
}

const INVALID_MAGIC = 0;
const INVALID_SIZE = -1;

/** Total length of the packet at `start`; negative: bytes needed (≥ 4); INVALID_*: not a packet. */
function measureFileData(b: Uint8Array, start: number, end: number, maxData: number): number {
  const avail = end - start;
  if (!isMagicPrefix(b, start, Math.min(4, avail))) return INVALID_MAGIC;
  if (avail < FILE_DATA_HEADER_LENGTH) return -(avail < 4 ? 4 : FILE_DATA_HEADER_LENGTH);
  const p = start + 58;
  const length = b[p]! * 0x1000000 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
  if (length > maxData) return INVALID_SIZE;
  const total = FILE_DATA_HEADER_LENGTH + length;
  return avail >= total ? total : -total;
}

/**
 * Decode the file-data packet at the start of `buf` (bytes after it are left alone). Never throws.
 * Errors: no magic → IOTHUB_ERR_FRAME_GARBAGE; fewer than 62 bytes → IOTHUB_ERR_FRAME_TOO_SHORT;
 * data shorter than declared → IOTHUB_ERR_FRAME_LENGTH.
 */
export function decodeAttachmentFileData(buf: Buffer): AttachmentFileDataResult {
  const r = measureFileData(buf, 0, buf.length, 0xffffffff);
  if (r > 0) return { ok: true, packet: readFileData(buf, 0) };
  if (r === INVALID_MAGIC) {
    return {
      ok: false,
      issue: { code: 'IOTHUB_ERR_FRAME_GARBAGE', bytes: buf.length, detail: 'no 30 31 63 64 header' },
    };
  }
  if (r === -FILE_DATA_HEADER_LENGTH || r === -4) {
    return { ok: false, issue: { code: 'IOTHUB_ERR_FRAME_TOO_SHORT', bytes: buf.length } };
  }
  return {
    ok: false,
    issue: { code: 'IOTHUB_ERR_FRAME_LENGTH', bytes: buf.length, detail: `packet needs ${-r} bytes` },
  };
}

export interface AttachmentFileDataInput {
  fileName: string;
  offset: number;
  data: Uint8Array;
}

/** Encode one file-data packet. Throws `CodecError(IOTHUB_ERR_ENCODE_VALUE)` on a bad value. */
export function encodeAttachmentFileData(p: AttachmentFileDataInput): Buffer {
  const name = encodeGbk(p.fileName);
  if (name.length > NAME_LENGTH) {
    throw new CodecError(
      'IOTHUB_ERR_ENCODE_VALUE',
      `file name is ${name.length} bytes, the field holds ${NAME_LENGTH}`,
    );
  }
  if (name.includes(0)) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'file name contains NUL');
  if (!Number.isInteger(p.offset) || p.offset < 0 || p.offset > 0xffffffff) {
    throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `offset ${p.offset} out of range`);
  }
  const out = Buffer.alloc(FILE_DATA_HEADER_LENGTH + p.data.length);
  MAGIC.copy(out, 0);
  name.copy(out, 4);
  out.writeUInt32BE(p.offset, 54);
  out.writeUInt32BE(p.data.length, 58);
  out.set(p.data, FILE_DATA_HEADER_LENGTH);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Streaming.

export interface AttachmentFileDataSink {
  fileData(packet: AttachmentFileData): void;
  issue(issue: CodecIssue): void;
}

export interface AttachmentStreamSink extends AttachmentFileDataSink {
  /** A JT/T 808 frame (unescaped header + body + check), as `Jt808Framer` yields it. */
  jt808Frame(frame: Buffer, checksumOk: boolean): void;
}

export interface AttachmentFramerOptions {
  /** Largest data length accepted in a file-data packet. Default 1 MiB. */
  maxDataLength?: number;
}

export interface AttachmentStreamFramerOptions extends AttachmentFramerOptions {
  /** Options of the inner JT/T 808 framer. */
  jt808?: Jt808FramerOptions;
}

export interface AttachmentFramerStats {
  fileData: number;
  bytesIn: number;
  discardedBytes: number;
  /** File-data packets whose declared length exceeded `maxDataLength`. */
  oversized: number;
}

/**
 * The state machine shared by both framers: file-data packets, and (when `jt808` is set) JT/T 808
 * frames, which are found by their 0x7e flags and handed whole to a `Jt808Framer`.
 */
class AttachmentCore {
  readonly stats: AttachmentFramerStats = { fileData: 0, bytesIn: 0, discardedBytes: 0, oversized: 0 };
  readonly maxData: number;
  private acc: Buffer = Buffer.allocUnsafe(0);
  private accLen = 0;
  private garbage = 0;
  /** Inside a JT/T 808 frame (after its opening flag). */
  private in808 = false;
  private len808 = 0;
  private sink: AttachmentStreamSink | AttachmentFileDataSink | null = null;
  private readonly jt808Sink: Jt808FrameSink;

  constructor(
    options: AttachmentFramerOptions,
    readonly jt808: Jt808Framer | null,
  ) {
    this.maxData = options.maxDataLength ?? 1024 * 1024;
    this.jt808Sink = {
      frame: (frame, ok) => {
        const s = this.sink;
        if (s !== null && 'jt808Frame' in s) s.jt808Frame(frame, ok);
      },
      issue: (issue) => this.sink?.issue(issue),
    };
  }

  get pendingBytes(): number {
    return this.accLen + (this.jt808?.pendingBytes ?? 0);
  }

  reset(): void {
    this.accLen = 0;
    this.garbage = 0;
    this.in808 = false;
    this.len808 = 0;
    this.jt808?.reset();
  }

  push(chunk: Uint8Array, sink: AttachmentStreamSink | AttachmentFileDataSink): void {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.stats.bytesIn += buf.length;
    this.sink = sink;
    try {
      this.process(buf, sink);
    } finally {
      this.sink = null;
    }
  }

  private process(buf: Buffer, sink: AttachmentFileDataSink): void {
    const n = buf.length;
    let i = 0;
    for (;;) {
      if (this.accLen > 0) {
        // Completing a file-data packet held from earlier bytes (checked even when `buf` is used up).
        const r = measureFileData(this.acc, 0, this.accLen, this.maxData);
        if (r < INVALID_SIZE) {
          if (i === n) return;
          const take = Math.min(-r - this.accLen, n - i);
          this.reserve(-r);
          buf.copy(this.acc, this.accLen, i, i + take);
          this.accLen += take;
          i += take;
        } else if (r > 0) {
          const own = Buffer.from(this.acc.subarray(0, r));
          this.accLen = 0;
          this.emit(own, 0, sink);
        } else {
          this.invalid(r, sink);
          const rest = Buffer.from(this.acc.subarray(1, this.accLen));
          this.accLen = 0;
          this.process(rest, sink);
        }
        continue;
      }
      if (i >= n) return;
      if (this.in808) {
        i = this.continue808(buf, i);
        continue;
      }
      const b = buf[i]!;
      if (b === 0x7e && this.jt808 !== null) {
        i = this.open808(buf, i, sink);
        continue;
      }
      if (b === 0x30) {
        const r = measureFileData(buf, i, n, this.maxData);
        if (r > 0) {
          this.emit(buf, i, sink);
          i += r;
          continue;
        }
        if (r < INVALID_SIZE) {
          this.reserve(-r);
          buf.copy(this.acc, 0, i, n);
          this.accLen = n - i;
          return;
        }
        this.invalid(r, sink);
        i++;
        continue;
      }
      // Garbage: skip to the next possible start.
      let next = buf.indexOf(0x30, i + 1);
      if (this.jt808 !== null) {
        const f = buf.indexOf(0x7e, i + 1);
        if (f >= 0 && (next < 0 || f < next)) next = f;
      }
      if (next < 0) next = n;
      this.discard(next - i);
      i = next;
    }
  }

  /** At an opening 0x7e: hand the frame (or its first part) to the JT/T 808 framer. */
  private open808(buf: Buffer, i: number, sink: AttachmentFileDataSink): number {
    const jt808 = this.jt808!;
    const end = buf.indexOf(0x7e, i + 1);
    if (end === i + 1) return i + 1; // `7e 7e`: a stray flag; the second one opens the frame
    if ((end < 0 ? buf.length : end) - i - 1 > this.max808()) {
      // No frame is that long (even fully escaped): this flag opens nothing; rescan after it.
      this.discard(1);
      return i + 1;
    }
    this.flushGarbage(sink);
    if (end < 0) {
      jt808.push(buf.subarray(i), this.jt808Sink);
      this.in808 = true;
      this.len808 = buf.length - i - 1;
      this.abandon808IfTooLong();
      return buf.length;
    }
    jt808.push(buf.subarray(i, end + 1), this.jt808Sink);
    return end + 1;
  }

  /** Inside a frame split across reads: forward up to and including its closing flag. */
  private continue808(buf: Buffer, i: number): number {
    const jt808 = this.jt808!;
    const end = buf.indexOf(0x7e, i);
    if (end < 0) {
      jt808.push(buf.subarray(i), this.jt808Sink);
      this.len808 += buf.length - i;
      this.abandon808IfTooLong();
      return buf.length;
    }
    jt808.push(buf.subarray(i, end + 1), this.jt808Sink);
    if (end === i && this.len808 === 0) return end + 1; // `7e 7e`: the frame opens here
    this.in808 = false;
    this.len808 = 0;
    return end + 1;
  }

  /** A 0x7e that opened no frame of sane length: give up on it (the 808 framer resyncs). */
  private abandon808IfTooLong(): void {
    const jt808 = this.jt808!;
    if (this.len808 > this.max808()) {
      this.stats.discardedBytes += this.len808;
      jt808.reset();
      this.in808 = false;
      this.len808 = 0;
      this.sink?.issue({
        code: 'IOTHUB_ERR_FRAME_TOO_LARGE',
        detail: 'JT/T 808 frame without a closing flag abandoned',
      });
    }
  }

  /** Longest possible escaped JT/T 808 frame content (every byte escaped). */
  private max808(): number {
    return 2 * this.jt808!.maxFrameSize;
  }

  private reserve(need: number): void {
    if (this.acc.length >= need) return;
    let size = Math.max(256, this.acc.length * 2);
    while (size < need) size *= 2;
    const bigger = Buffer.allocUnsafe(Math.min(size, FILE_DATA_HEADER_LENGTH + this.maxData));
    this.acc.copy(bigger, 0, 0, this.accLen);
    this.acc = bigger;
  }

  private emit(src: Buffer, start: number, sink: AttachmentFileDataSink): void {
    this.stats.fileData++;
    this.flushGarbage(sink);
    sink.fileData(readFileData(src, start));
  }

  private invalid(r: number, sink: AttachmentFileDataSink): void {
    if (r === INVALID_SIZE) {
      this.flushGarbage(sink);
      this.stats.oversized++;
      sink.issue({ code: 'IOTHUB_ERR_FRAME_TOO_LARGE', detail: `file data over ${this.maxData} bytes skipped` });
    }
    this.discard(1);
  }

  private discard(bytes: number): void {
    this.garbage += bytes;
    this.stats.discardedBytes += bytes;
  }

  private flushGarbage(sink: AttachmentFileDataSink): void {
    if (this.garbage > 0) {
      sink.issue({ code: 'IOTHUB_ERR_FRAME_GARBAGE', bytes: this.garbage });
      this.garbage = 0;
    }
  }
}

/**
 * Streaming framer for file-data packets only (a connection known to carry nothing else).
 * Never throws; garbage is skipped to the next magic (IOTHUB_ERR_FRAME_GARBAGE), a declared
 * length over `maxDataLength` is reported (IOTHUB_ERR_FRAME_TOO_LARGE) and its magic skipped.
 * Memory: at most 62 + `maxDataLength` bytes. A packet whole inside one chunk is a view of it.
 */
export class AttachmentFileDataFramer {
  private readonly core: AttachmentCore;
  constructor(options: AttachmentFramerOptions = {}) {
    this.core = new AttachmentCore(options, null);
  }
  get stats(): AttachmentFramerStats {
    return this.core.stats;
  }
  get pendingBytes(): number {
    return this.core.pendingBytes;
  }
  reset(): void {
    this.core.reset();
  }
  push(chunk: Uint8Array, sink: AttachmentFileDataSink): void {
    this.core.push(chunk, sink);
  }
}

/**
 * Demultiplexing framer for the attachment connection (§8): file-data packets (`30 31 63 64`)
 * mixed with 0x7e-framed JT/T 808 frames (0x1210 / 0x1211 / 0x1212). Each 808 frame is handed to
 * an inner `Jt808Framer` (unescaping, check code) and comes out through `sink.jt808Frame`; its
 * issues go to `sink.issue`. Never throws. Memory: 62 + `maxDataLength` bytes plus the 808 framer's.
 */
export class AttachmentStreamFramer {
  readonly jt808: Jt808Framer;
  private readonly core: AttachmentCore;
  constructor(options: AttachmentStreamFramerOptions = {}) {
    this.jt808 = new Jt808Framer(options.jt808);
    this.core = new AttachmentCore(options, this.jt808);
  }
  get stats(): AttachmentFramerStats {
    return this.core.stats;
  }
  get pendingBytes(): number {
    return this.core.pendingBytes;
  }
  reset(): void {
    this.core.reset();
  }
  push(chunk: Uint8Array, sink: AttachmentStreamSink): void {
    this.core.push(chunk, sink);
  }
}
