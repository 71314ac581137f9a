import { xorChecksum, xorChecksumWords } from '../core/checksum.ts';
import type { CodecIssue } from '../errors.ts';

/**
 * Streaming JT/T 808 framer: bytes in any chunking → unescaped frames.
 *
 * A frame on the wire is `7e | escaped(header body check) | 7e` (JT/T 808 §4.4).
 * The framer removes the flags, reverses the escaping (a 0x7d split across two reads is
 * handled: the state survives between `push` calls), verifies the XOR check code, and
 * hands out `header + body + check`. A frame that arrived whole and without escapes in one chunk
 * is handed out as a view of that chunk (no copy); others are copied out of the framer's buffer.
 * Either way the frame stays valid after `push` returns, as long as the caller does not
 * overwrite the chunks it pushed (Node's socket buffers are never reused).
 *
 * Never throws. Everything else is reported through `sink.issue` and counted in `stats`:
 *  - bytes outside frames (before the first 7e, between frames): IOTHUB_ERR_FRAME_GARBAGE
 *  - a frame over `maxFrameSize` unescaped bytes: IOTHUB_ERR_FRAME_TOO_LARGE (dropped; resync at the next 7e)
 *  - a bad escape (7d not followed by 01/02): IOTHUB_ERR_FRAME_ESCAPE (frame dropped)
 *  - a frame shorter than the smallest header + check: IOTHUB_ERR_FRAME_TOO_SHORT (dropped)
 *  - a check-code mismatch: IOTHUB_ERR_FRAME_CHECKSUM (frame still delivered with `checksumOk=false`
 *    unless `dropBadChecksum` is set: real terminals and the reference decoders accept such frames)
 *
 * Memory is bounded: the framer holds at most `maxFrameSize` bytes.
 */
export interface Jt808FramerOptions {
  /** Largest unescaped frame (header + body + check) accepted. Default 1023 + 21 + 1 rounded up: 2048. */
  maxFrameSize?: number;
  /** Drop frames whose check code is wrong instead of delivering them flagged. Default false. */
  dropBadChecksum?: boolean;
}

export interface Jt808FrameSink {
  frame(frame: Buffer, checksumOk: boolean): void;
  /**
   * Optional allocation-free form, called instead of `frame` when present: the unescaped frame is
   * `buf[start, end)` (pass it to `decodeJt808FrameAt`). `buf` is the pushed chunk (a frame that
   * arrived whole without escapes) or a fresh copy; it stays valid as long as the caller does not
   * reuse its chunk buffers.
   */
  frameAt?(buf: Buffer, start: number, end: number, checksumOk: boolean): void;
  issue(issue: CodecIssue): void;
}

export interface FramerStats {
  frames: number;
  bytesIn: number;
  discardedBytes: number;
  checksumFailures: number;
  escapeErrors: number;
  oversized: number;
  tooShort: number;
}

/** Smallest unescaped frame: 12-byte 2013 header + check code. */
const MIN_FRAME = 13;
/**
 * A pushed chunk at least this long gets an Int32Array view for the check code (xorChecksumWords):
 * the view costs about as much as checking two frames byte by byte, so only chunks that carry
 * several frames (a busy connection's reads) are worth one.
 */
const WORDS_MIN_CHUNK = 512;
/** First accumulator size; small enough to come from Node's shared buffer pool. */
const ACC_INITIAL = 256;
/** An accumulator grown past this is released after its frame, so a burst does not pin it. */
const ACC_KEEP = 2048;
const EMPTY = Buffer.alloc(0);

export class Jt808Framer {
  readonly maxFrameSize: number;
  readonly dropBadChecksum: boolean;
  readonly stats: FramerStats = {
    frames: 0,
    bytesIn: 0,
    discardedBytes: 0,
    checksumFailures: 0,
    escapeErrors: 0,
    oversized: 0,
    tooShort: 0,
  };

  /**
   * Accumulator of the frame being unescaped (slow path only). Allocated on first use and grown by
   * doubling up to `maxFrameSize`: most connections only ever take the fast path, and an idle
   * connection must not hold `maxFrameSize` bytes (issue #3: memory per idle connection).
   */
  private acc: Buffer = EMPTY;
  private len = 0;
  private inFrame = false;
  private escape = false;
  private badEscape = false;
  private overflow = false;
  private garbage = 0;
  /** Int32Array over the current chunk's ArrayBuffer (see WORDS_MIN_CHUNK), or null. */
  private words: Int32Array | null = null;
  /** The current chunk's byteOffset in that ArrayBuffer. */
  private wordsBase = 0;

  constructor(options: Jt808FramerOptions = {}) {
    this.maxFrameSize = options.maxFrameSize ?? 2048;
    this.dropBadChecksum = options.dropBadChecksum ?? false;
  }

  /** Bytes currently held for an incomplete frame. */
  get pendingBytes(): number {
    return this.len;
  }

  reset(): void {
    this.len = 0;
    this.inFrame = false;
    this.escape = false;
    this.badEscape = false;
    this.overflow = false;
    this.garbage = 0;
  }

  push(input: Uint8Array, sink: Jt808FrameSink): void {
    const chunk = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    this.stats.bytesIn += chunk.length;
    let i = 0;
    const n = chunk.length;
    // Position of the next 0x7d at or after `i` (n when none): found once, reused by the frames
    // before it, instead of one search per frame that may run far past the frame's end.
    let esc = -1;
    this.words = null;
    if (n >= WORDS_MIN_CHUNK) {
      const ab = chunk.buffer;
      this.words = new Int32Array(ab, 0, ab.byteLength >> 2);
      this.wordsBase = chunk.byteOffset;
    }
    while (i < n) {
      if (!this.inFrame) {
        // Back-to-back frames: the next flag usually follows the previous frame's closing one.
        const start = chunk[i] === 0x7e ? i : chunk.indexOf(0x7e, i);
        if (start < 0) {
          this.garbage += n - i;
          break;
        }
        this.garbage += start - i;
        this.flushGarbage(sink);
        this.openFrame();
        i = start + 1;
      }
      // Fast path: a whole frame without escapes inside this chunk is delivered as a view of
      // the chunk, without copying (the caller must not reuse the chunk's memory).
      if (this.len === 0 && !this.escape && !this.badEscape && !this.overflow) {
        const end = chunk.indexOf(0x7e, i);
        if (end > i && end - i <= this.maxFrameSize) {
          if (esc < i) {
            esc = chunk.indexOf(0x7d, i);
            if (esc < 0) esc = n;
          }
          if (esc > end) {
            this.inFrame = false;
            this.deliver(chunk, i, end, false, sink);
            i = end + 1;
            continue;
          }
        } else if (end === i) {
          // `7e 7e`: the closing flag of one frame and the opening flag of the next (or a resync
          // point): an empty frame is not a frame. Stay in frame mode.
          i = end + 1;
          continue;
        }
      }
      // Slow path: accumulate (escapes, or a frame split across reads).
      const end = chunk.indexOf(0x7e, i);
      const stop = end < 0 ? n : end;
      this.absorb(chunk, i, stop);
      if (end < 0) break;
      i = end + 1;
      if (this.len === 0 && !this.escape && !this.badEscape && !this.overflow) continue;
      this.closeFrame(sink);
    }
    this.words = null;
  }

  private openFrame(): void {
    this.inFrame = true;
    this.len = 0;
    this.escape = false;
    this.badEscape = false;
    this.overflow = false;
  }

  /** Make room for `need` bytes in the accumulator (need ≤ maxFrameSize), keeping its content. */
  private grow(need: number): void {
    const size = Math.min(this.maxFrameSize, Math.max(need, ACC_INITIAL, this.acc.length * 2));
    const next = Buffer.allocUnsafe(size);
    if (this.len > 0) this.acc.copy(next, 0, 0, this.len);
    this.acc = next;
  }

  private absorb(chunk: Buffer, from: number, to: number): void {
    if (this.overflow) return;
    let i = from;
    if (this.escape && i < to) {
      this.escape = false;
      this.unescapeByte(chunk[i++]!);
    }
    // Fast path: copy runs without 0x7d in one go.
    while (i < to) {
      let j = chunk.indexOf(0x7d, i);
      if (j < 0 || j >= to) j = to;
      const run = j - i;
      if (run > 0) {
        if (this.len + run > this.maxFrameSize) {
          this.overflow = true;
          return;
        }
        if (this.len + run > this.acc.length) this.grow(this.len + run);
        chunk.copy(this.acc, this.len, i, j);
        this.len += run;
      }
      if (j >= to) break;
      // chunk[j] === 0x7d
      if (j + 1 >= to) {
        this.escape = true;
        break;
      }
      this.unescapeByte(chunk[j + 1]!);
      i = j + 2;
    }
  }

  private unescapeByte(b: number): void {
    if (b === 0x01) this.appendByte(0x7d);
    else if (b === 0x02) this.appendByte(0x7e);
    else this.badEscape = true;
  }

  private appendByte(b: number): void {
    if (this.len >= this.maxFrameSize) {
      this.overflow = true;
      return;
    }
    if (this.len >= this.acc.length) this.grow(this.len + 1);
    this.acc[this.len++] = b;
  }

  private closeFrame(sink: Jt808FrameSink): void {
    this.inFrame = false;
    const len = this.len;
    if (this.overflow) {
      this.stats.oversized++;
      sink.issue({ code: 'IOTHUB_ERR_FRAME_TOO_LARGE', detail: `frame over ${this.maxFrameSize} bytes dropped` });
    } else if (this.badEscape || this.escape) {
      this.stats.escapeErrors++;
      sink.issue({ code: 'IOTHUB_ERR_FRAME_ESCAPE', bytes: len, detail: 'frame with an invalid 0x7d escape dropped' });
    } else {
      this.deliver(this.acc, 0, len, true, sink);
    }
    if (this.acc.length > ACC_KEEP) this.acc = EMPTY;
    this.len = 0;
    this.escape = false;
    this.badEscape = false;
    this.overflow = false;
  }

  /** Check length and check code of the unescaped frame in buf[start, end) and hand it out. */
  private deliver(buf: Buffer, start: number, end: number, copy: boolean, sink: Jt808FrameSink): void {
    const len = end - start;
    if (len < MIN_FRAME) {
      this.stats.tooShort++;
      sink.issue({ code: 'IOTHUB_ERR_FRAME_TOO_SHORT', bytes: len, detail: `${len}-byte frame dropped` });
      return;
    }
    const words = copy ? null : this.words;
    const x =
      words === null ? xorChecksum(buf, start, end - 1) : xorChecksumWords(buf, words, this.wordsBase, start, end - 1);
    const ok = x === buf[end - 1];
    if (!ok) {
      this.stats.checksumFailures++;
      sink.issue({
        code: 'IOTHUB_ERR_FRAME_CHECKSUM',
        bytes: len,
        detail: `check 0x${buf[end - 1]!.toString(16)} computed 0x${x.toString(16)}`,
      });
      if (this.dropBadChecksum) return;
    }
    this.stats.frames++;
    if (sink.frameAt !== undefined) {
      if (copy) sink.frameAt(Buffer.from(buf.subarray(start, end)), 0, len, ok);
      else sink.frameAt(buf, start, end, ok);
    } else {
      sink.frame(copy ? Buffer.from(buf.subarray(start, end)) : buf.subarray(start, end), ok);
    }
  }

  private flushGarbage(sink: Jt808FrameSink): void {
    if (this.garbage > 0) {
      this.stats.discardedBytes += this.garbage;
      sink.issue({ code: 'IOTHUB_ERR_FRAME_GARBAGE', bytes: this.garbage });
      this.garbage = 0;
    }
  }
}
