import { crc16x25 } from '../core/checksum.ts';
import type { CodecIssue } from '../errors.ts';

/**
 * Streaming GT06 framer: bytes in any chunking → whole frames (start bytes through 0D 0A).
 *
 * Algorithm (protocols/jimi-gt06.md §2.2, traccar's Gt06FrameDecoder, made stricter):
 *  1. Find a start marker `78 78` (1-byte LEN) or `79 79` (2-byte LEN); bytes before it are garbage.
 *  2. Length rule: size = LEN + 5 (short) / LEN + 6 (long). When that many bytes are there and
 *     the last two are 0D 0A, that is the frame. While fewer are there, wait.
 *  3. Fallback (the clone forms whose byte 2 is not a length, §8.6): when the length rule fails
 *     (stop bytes missing at the declared end, or LEN impossible), the frame runs to the first
 *     0D 0A after the start. Unlike traccar we do not cut at an 0D 0A while the declared length
 *     is still arriving (D9 warns about 0D 0A inside binary content), with one exception: the
 *     15-byte clone login whose byte 2 (0x0D) claims 18 bytes.
 *  4. Resync: before cutting a fallback frame, an intact standard frame (length rule + CRC)
 *     that starts inside it wins; the bytes before it are garbage. The same check runs while
 *     waiting for a declared length once the data so far ends in 0D 0A, so a truncated frame
 *     does not hold back the intact ones behind it (bounded work per pending start).
 *  5. CRC-16/X-25 over LEN..SERIAL is checked for length-rule frames with LEN ≥ 5; a mismatch is
 *     reported and counted, and the frame is still delivered unless `dropBadCrc` (§2.3) or an
 *     intact frame starts inside it (then the length rule matched by accident: resync).
 *     Fallback frames have no CRC position: `crcOk` is null.
 *
 * Never throws. Memory is bounded: at most `maxFrameSize` bytes are held; a frame that cannot
 * complete within it is dropped (IOTHUB_ERR_FRAME_TOO_LARGE) and scanning resumes at a later
 * marker. `stats.discardedBytes` is always current; IOTHUB_ERR_FRAME_GARBAGE is reported once per
 * run of garbage (before the next frame, or at the end of a push once the run reaches 4 KiB). Frames lying wholly inside one pushed chunk are views of it (no copy); frames
 * assembled across chunks are fresh buffers.
 */
export interface Gt06FramerOptions {
  /** Largest frame accepted, bytes (start through stop). Default 8192 (traccar: 32 KiB). */
  maxFrameSize?: number;
  /** Drop frames whose CRC is wrong instead of delivering them flagged. Default false. */
  dropBadCrc?: boolean;
}

export interface Gt06FrameSink {
  /** `crcOk` is null for frames without a CRC (clone forms, LEN < 5). */
  frame(frame: Buffer, crcOk: boolean | null): void;
  /**
   * Optional zero-allocation form, called instead of `frame` when present: the frame is
   * `buf[start, end)` (pass it to `decodeGt06FrameAt`). `buf` is the pushed chunk or a fresh
   * copy; it stays valid as long as the caller does not reuse its chunk buffers.
   */
  frameAt?(buf: Buffer, start: number, end: number, crcOk: boolean | null): void;
  issue(issue: CodecIssue): void;
}

export interface Gt06FramerStats {
  frames: number;
  bytesIn: number;
  /** Bytes discarded: garbage between frames and dropped oversized frames. */
  discardedBytes: number;
  crcFailures: number;
  /** Frames dropped because of `dropBadCrc`. */
  droppedBadCrc: number;
  oversized: number;
  /** Frames delimited by the 0D 0A fallback instead of the length. */
  fallbackFrames: number;
}

const EMPTY = Buffer.alloc(0);
/** A pending run of garbage is reported at the end of a push once it is this long. */
const GARBAGE_REPORT_BYTES = 4096;

/** CRC verdict of a length-rule frame at p (null when LEN < 5: no serial / CRC). */
function crcOf(buf: Buffer, p: number, size: number): boolean | null {
  const lenField = buf[p] === 0x79 ? size - 6 : size - 5;
  if (lenField < 5) return null;
  const end = p + size;
  return crc16x25(buf, p + 2, end - 4) === ((buf[end - 4]! << 8) | buf[end - 3]!);
}

function isMarker(buf: Uint8Array, p: number): boolean {
  const b = buf[p];
  return (b === 0x78 || b === 0x79) && buf[p + 1] === b;
}

export class Gt06Framer {
  readonly maxFrameSize: number;
  readonly dropBadCrc: boolean;
  readonly stats: Gt06FramerStats = {
    frames: 0,
    bytesIn: 0,
    discardedBytes: 0,
    crcFailures: 0,
    droppedBadCrc: 0,
    oversized: 0,
    fallbackFrames: 0,
  };

  /** Pending bytes of an incomplete frame: acc[0, len), starting at a marker (or its first byte). */
  private acc: Buffer = EMPTY;
  private len = 0;
  /** Bytes after the pending frame's start already searched for 0D 0A (fallback scan). */
  private scanned = 0;
  private garbage = 0;
  /** Bytes the early-resync check may still examine for the current pending start. */
  private budget: number;

  constructor(options: Gt06FramerOptions = {}) {
    this.maxFrameSize = Math.max(16, options.maxFrameSize ?? 8192);
    this.dropBadCrc = options.dropBadCrc ?? false;
    this.budget = 2 * this.maxFrameSize;
  }

  /** Bytes currently held for an incomplete frame. */
  get pendingBytes(): number {
    return this.len;
  }

  reset(): void {
    this.len = 0;
    this.scanned = 0;
    this.garbage = 0;
    this.budget = 2 * this.maxFrameSize;
  }

  push(chunk: Uint8Array, sink: Gt06FrameSink): void {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const n = buf.length;
    this.stats.bytesIn += n;
    let i = 0;
    // Complete a pending frame first, appending only what it needs.
    while (this.len > 0 && i < n) {
      const take = Math.min(n - i, this.want(buf, i, n));
      this.append(buf, i, i + take);
      i += take;
      this.compact(this.scan(this.acc, 0, this.len, sink, true));
    }
    if (this.len === 0 && i < n) {
      const used = this.scan(buf, i, n, sink, false);
      if (used < n) this.stash(buf, used, n);
    }
    // One IOTHUB_ERR_FRAME_GARBAGE per run of garbage: reported before the next frame, or here
    // once a run is long (a flood of 1-byte reads does not become a flood of issues).
    if (this.garbage >= GARBAGE_REPORT_BYTES) this.flushGarbage(sink);
  }

  /** How many bytes the pending frame wants before it is worth scanning again (≥ 1). */
  private want(buf: Buffer, i: number, n: number): number {
    const acc = this.acc;
    const len = this.len;
    if (len < 4) return 4 - len;
    const long = acc[0] === 0x79;
    const size = long ? ((acc[2]! << 8) | acc[3]!) + 6 : acc[2]! + 5;
    if (size >= (long ? 7 : 6) && size <= this.maxFrameSize && len < size) return size - len;
    // Fallback mode: only an 0D 0A can end it; take up to the next 0A.
    const j = buf.indexOf(0x0a, i);
    const upto = j < 0 ? n - i : j - i + 1;
    return Math.max(1, Math.min(upto, this.maxFrameSize - len));
  }

  /** Emits every frame it can decide in buf[from, end); returns the first unconsumed index. */
  private scan(buf: Buffer, from: number, end: number, sink: Gt06FrameSink, copy: boolean): number {
    const max = this.maxFrameSize;
    let i = from;
    for (;;) {
      let p = i;
      while (p + 1 < end && !isMarker(buf, p)) p++;
      if (p + 1 >= end) {
        // No marker; keep a last 78 / 79 that may be the first half of one.
        const keep = p < end && (buf[p] === 0x78 || buf[p] === 0x79) ? p : end;
        this.discard(keep - i);
        this.scanned = 0;
        return keep;
      }
      if (p > i) {
        this.discard(p - i);
        this.scanned = 0;
        this.budget = 2 * max;
      }
      const avail = end - p;
      const long = buf[p] === 0x79;
      if (avail < (long ? 4 : 3)) return p;
      const size = long ? ((buf[p + 2]! << 8) | buf[p + 3]!) + 6 : buf[p + 2]! + 5;
      if (size >= (long ? 7 : 6) && size <= max) {
        if (avail >= size) {
          if (buf[p + size - 2] === 0x0d && buf[p + size - 1] === 0x0a) {
            const crcOk = crcOf(buf, p, size);
            // A CRC mismatch with an intact frame inside: the length rule matched by accident.
            const inner = crcOk === false ? this.innerFrame(buf, p + 1, p + size - 1, end) : -1;
            if (inner >= 0) {
              this.discard(inner - p);
              i = inner;
              this.scanned = 0;
              continue;
            }
            this.emit(buf, p, size, crcOk, false, sink, copy);
            i = p + size;
            this.scanned = 0;
            continue;
          }
        } else if (
          // §8.6 / D9: the 15-byte clone login (IMEI + version, no serial / CRC) with byte 2 = 0x0D.
          !long &&
          size === 18 &&
          avail >= 15 &&
          buf[p + 3] === 0x01 &&
          buf[p + 13] === 0x0d &&
          buf[p + 14] === 0x0a
        ) {
          this.emit(buf, p, 15, null, true, sink, copy);
          i = p + 15;
          this.scanned = 0;
          continue;
        } else {
          // Waiting for the declared length. When what has arrived ends with 0D 0A, an intact
          // frame may already sit inside it (the pending start was a truncated frame): resync
          // now instead of when the declared length is reached. Budgeted per pending start.
          if (avail >= 12 && buf[end - 2] === 0x0d && buf[end - 1] === 0x0a && this.budget >= avail) {
            this.budget -= avail;
            const inner = this.innerFrame(buf, p + 1, end - 1, end);
            if (inner >= 0) {
              this.discard(inner - p);
              i = inner;
              this.scanned = 0;
              this.budget = 2 * max;
              continue;
            }
          }
          return p;
        }
      }
      // Fallback (§2.2 step 4): up to the first 0D 0A after the start.
      let q = -1;
      let k = p + Math.max(4, this.scanned);
      for (; k + 1 < end; k++) {
        if (buf[k] === 0x0d && buf[k + 1] === 0x0a) {
          q = k;
          break;
        }
      }
      if (q < 0) {
        if (avail < max) {
          this.scanned = Math.max(4, k - p);
          return p;
        }
        // Cannot complete within maxFrameSize. No 0D 0A ends anything in [p + 4, end - 1), so a
        // frame can only start in the last maxFrameSize bytes: drop all but (at most) the last
        // half, from a marker on, which keeps the work linear on marker-only floods.
        let m = Math.max(p + 1, end - (max >> 1));
        while (m + 1 < end && !isMarker(buf, m)) m++;
        this.flushGarbage(sink);
        this.budget = 2 * max;
        this.stats.oversized++;
        this.stats.discardedBytes += m - p;
        sink.issue({ code: 'IOTHUB_ERR_FRAME_TOO_LARGE', bytes: m - p, detail: `no frame end within ${max} bytes` });
        i = m;
        this.scanned = Math.max(4, end - 1 - m);
        continue;
      }
      const inner = this.innerFrame(buf, p + 1, q, end);
      if (inner >= 0) {
        this.discard(inner - p);
        i = inner;
        this.scanned = 0;
        continue;
      }
      this.emit(buf, p, q + 2 - p, null, true, sink, copy);
      i = q + 2;
      this.scanned = 0;
    }
  }

  /** First marker in [from, to) that starts an intact standard frame (length rule + CRC) within end. */
  private innerFrame(buf: Buffer, from: number, to: number, end: number): number {
    for (let m = from; m < to; m++) {
      if (!isMarker(buf, m) || m + 4 > end) continue;
      const long = buf[m] === 0x79;
      const lenField = long ? (buf[m + 2]! << 8) | buf[m + 3]! : buf[m + 2]!;
      const size = lenField + (long ? 6 : 5);
      if (lenField < 5 || size > this.maxFrameSize || m + size > end) continue;
      if (buf[m + size - 2] !== 0x0d || buf[m + size - 1] !== 0x0a) continue;
      if (crc16x25(buf, m + 2, m + size - 4) === ((buf[m + size - 4]! << 8) | buf[m + size - 3]!)) return m;
    }
    return -1;
  }

  private emit(
    buf: Buffer,
    p: number,
    size: number,
    crcOk: boolean | null,
    fallback: boolean,
    sink: Gt06FrameSink,
    copy: boolean,
  ): void {
    this.flushGarbage(sink);
    this.budget = 2 * this.maxFrameSize;
    if (fallback) this.stats.fallbackFrames++;
    if (crcOk === false) {
      this.stats.crcFailures++;
      sink.issue({ code: 'IOTHUB_ERR_FRAME_CHECKSUM', bytes: size, detail: 'CRC-16/X-25 mismatch' });
      if (this.dropBadCrc) {
        this.stats.droppedBadCrc++;
        return;
      }
    }
    this.stats.frames++;
    if (sink.frameAt !== undefined) {
      if (copy) sink.frameAt(Buffer.from(buf.subarray(p, p + size)), 0, size, crcOk);
      else sink.frameAt(buf, p, p + size, crcOk);
    } else {
      sink.frame(copy ? Buffer.from(buf.subarray(p, p + size)) : buf.subarray(p, p + size), crcOk);
    }
  }

  private append(buf: Buffer, from: number, to: number): void {
    const need = this.len + (to - from);
    if (need > this.acc.length) {
      let size = Math.max(64, this.acc.length * 2);
      while (size < need) size *= 2;
      const next = Buffer.allocUnsafe(Math.max(need, Math.min(size, this.maxFrameSize)));
      this.acc.copy(next, 0, 0, this.len);
      this.acc = next;
    }
    buf.copy(this.acc, this.len, from, to);
    this.len = need;
  }

  private compact(used: number): void {
    if (used >= this.len) {
      this.len = 0;
      this.scanned = 0;
    } else if (used > 0) {
      this.acc.copy(this.acc, 0, used, this.len);
      this.len -= used;
    }
  }

  private stash(buf: Buffer, from: number, to: number): void {
    this.len = 0;
    this.append(buf, from, to);
  }

  /** Counts discarded bytes at once; the issue is reported per run of garbage (see flushGarbage). */
  private discard(n: number): void {
    this.garbage += n;
    this.stats.discardedBytes += n;
  }

  private flushGarbage(sink: Gt06FrameSink): void {
    if (this.garbage > 0) {
      sink.issue({ code: 'IOTHUB_ERR_FRAME_GARBAGE', bytes: this.garbage });
      this.garbage = 0;
    }
  }
}
