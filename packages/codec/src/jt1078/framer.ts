import type { CodecIssue } from '../errors.ts';
import {
  Jt1078Measure,
  type Jt1078Packet,
  type Jt1078SimLength,
  MEASURE_ACCEPT,
  MEASURE_NEED,
  measureJt1078,
  readJt1078Packet,
} from './packet.ts';

/**
 * Streaming JT/T 1078 framer for one media connection: bytes in any chunking → stream packets
 * (protocols/jt808-jt1078.md §9; packet layout in packet.ts).
 *
 * Packets are found by their `30 31 63 64` magic and delimited by their body-length field. The SIM
 * length (BCD[6] or BCD[10]) is guessed per packet (`measureJt1078`) until a packet followed by the
 * next packet's magic proves it; from then on the connection's length is used (unless it is
 * impossible for a packet, which falls back to guessing). The guess may need a little lookahead:
 * an ambiguous packet is held until 4 bytes after it (or the end of the bytes received so far)
 * settle it.
 *
 * A packet that lies whole inside one pushed chunk is handed out as a view of that chunk (no copy;
 * the caller must not overwrite pushed chunks, which Node's socket buffers never are); one split
 * across reads is copied out of the framer's buffer.
 *
 * Never throws. Problems go to `sink.issue` and `stats`:
 *  - bytes outside packets: IOTHUB_ERR_FRAME_GARBAGE (one issue per run, reported when the next
 *    packet or issue comes; `stats.discardedBytes` counts immediately)
 *  - a magic followed by a data-type byte with an invalid nibble: IOTHUB_ERR_FIELD_VALUE
 *  - a declared length over `maxPacketSize`: IOTHUB_ERR_FRAME_TOO_LARGE
 *  In both cases the magic is skipped and the framer resynchronises at the next magic.
 *
 * Memory is bounded: the framer holds at most `maxPacketSize + 4` bytes (`pendingBytes`).
 */
export interface Jt1078FramerOptions {
  /** Largest packet (header + body) accepted. Default 4096 (the standard caps bodies at 950). Minimum 64. */
  maxPacketSize?: number;
  /** SIM length when known for the device (per-device setting or the 808 link's version). Default: guess. */
  simLength?: Jt1078SimLength;
  /** Remember a SIM length once a packet proved it. Default true. */
  learnSimLength?: boolean;
}

export interface Jt1078PacketSink {
  packet(packet: Jt1078Packet): void;
  issue(issue: CodecIssue): void;
}

export interface Jt1078FramerStats {
  packets: number;
  bytesIn: number;
  discardedBytes: number;
  /** Magics followed by an impossible data-type byte. */
  invalidHeaders: number;
  /** Packets whose declared length exceeded `maxPacketSize`. */
  oversized: number;
}

const MAGIC = Buffer.from([0x30, 0x31, 0x63, 0x64]);

export class Jt1078Framer {
  readonly maxPacketSize: number;
  readonly stats: Jt1078FramerStats = { packets: 0, bytesIn: 0, discardedBytes: 0, invalidHeaders: 0, oversized: 0 };

  private readonly learn: boolean;
  private sim: Jt1078SimLength | 0;
  private readonly acc: Buffer;
  private accLen = 0;
  private garbage = 0;
  private readonly m = new Jt1078Measure();

  constructor(options: Jt1078FramerOptions = {}) {
    this.maxPacketSize = Math.max(64, options.maxPacketSize ?? 4096);
    this.sim = options.simLength ?? 0;
    this.learn = options.learnSimLength ?? true;
    this.acc = Buffer.allocUnsafe(this.maxPacketSize + 4);
  }

  /** Bytes currently held (an incomplete packet, or lookahead to settle the SIM length). */
  get pendingBytes(): number {
    return this.accLen;
  }

  /** The connection's SIM length once configured or learned; undefined while guessing. */
  get simLength(): Jt1078SimLength | undefined {
    return this.sim === 0 ? undefined : this.sim;
  }

  reset(): void {
    this.accLen = 0;
    this.garbage = 0;
  }

  push(chunk: Uint8Array, sink: Jt1078PacketSink): void {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const n = buf.length;
    this.stats.bytesIn += n;
    let i = 0;
    // 1. Complete what the buffer holds, taking from the chunk only the bytes the decision needs.
    while (this.accLen > 0) {
      const m = this.m;
      measureJt1078(this.acc, 0, this.accLen, i === n, false, this.sim, this.maxPacketSize, m);
      if (m.kind === MEASURE_NEED) {
        if (i === n) return;
        const take = Math.min(m.need - this.accLen, n - i);
        buf.copy(this.acc, this.accLen, i, i + take);
        this.accLen += take;
        i += take;
      } else if (m.kind === MEASURE_ACCEPT) {
        const total = m.total;
        const own = Buffer.allocUnsafe(total);
        this.acc.copy(own, 0, 0, total);
        this.acc.copyWithin(0, total, this.accLen);
        this.accLen -= total;
        this.emit(own, 0, sink);
      } else {
        // Not a packet start after all: drop one byte and rescan what is held.
        this.invalid(sink);
        const rest = Buffer.from(this.acc.subarray(1, this.accLen));
        this.accLen = 0;
        this.scan(rest, 0, i === n, sink);
      }
    }
    // 2. Straight from the chunk.
    this.scan(buf, i, true, sink);
  }

  /**
   * End of stream: decide what is held as if no more bytes will come (an ambiguous last packet
   * takes the 6-byte reading; a packet embedded in an incomplete one is still found). Whatever is
   * left is reported as discarded. The learned SIM length is kept.
   */
  flush(sink: Jt1078PacketSink): void {
    while (this.accLen > 0) {
      const m = this.m;
      measureJt1078(this.acc, 0, this.accLen, true, true, this.sim, this.maxPacketSize, m);
      if (m.kind === MEASURE_ACCEPT) {
        const own = Buffer.from(this.acc.subarray(0, m.total));
        this.acc.copyWithin(0, m.total, this.accLen);
        this.accLen -= m.total;
        this.emit(own, 0, sink);
      } else {
        // Cannot complete (or not a packet): drop one byte and look for a packet in the rest.
        if (m.kind === MEASURE_NEED) this.discard(1);
        else this.invalid(sink);
        const rest = Buffer.from(this.acc.subarray(1, this.accLen));
        this.accLen = 0;
        this.scan(rest, 0, true, sink);
      }
    }
    this.flushGarbage(sink);
  }

  /** Scan `buf` from `from` (the framer's buffer is empty); `atEnd`: no further bytes follow `buf` yet. */
  private scan(buf: Buffer, from: number, atEnd: boolean, sink: Jt1078PacketSink): void {
    const n = buf.length;
    const m = this.m;
    let i = from;
    while (i < n) {
      if (buf[i] !== 0x30 || buf[i + 1] !== 0x31 || buf[i + 2] !== 0x63 || buf[i + 3] !== 0x64) {
        const j = buf.indexOf(MAGIC, i);
        if (j < 0) {
          // Keep a possible magic prefix at the end (`30`, `30 31`, `30 31 63`).
          let k = Math.min(3, n - i);
          while (k > 0 && !isMagicPrefix(buf, n - k, k)) k--;
          this.discard(n - i - k);
          buf.copy(this.acc, 0, n - k, n);
          this.accLen = k;
          return;
        }
        this.discard(j - i);
        i = j;
      }
      measureJt1078(buf, i, n, atEnd, false, this.sim, this.maxPacketSize, m);
      if (m.kind === MEASURE_ACCEPT) {
        this.emit(buf, i, sink);
        i += m.total;
      } else if (m.kind === MEASURE_NEED) {
        // n - i < need ≤ maxPacketSize + 4: it fits.
        buf.copy(this.acc, 0, i, n);
        this.accLen = n - i;
        return;
      } else {
        this.invalid(sink);
        i++;
      }
    }
  }

  private emit(src: Buffer, start: number, sink: Jt1078PacketSink): void {
    const m = this.m;
    if (m.proven && this.learn && this.sim === 0) this.sim = m.simLength;
    const packet = readJt1078Packet(src, start, m.simLength);
    this.stats.packets++;
    if (this.garbage > 0) this.flushGarbage(sink);
    sink.packet(packet);
  }

  /** The magic at the current position does not start a packet: count it, report, skip one byte. */
  private invalid(sink: Jt1078PacketSink): void {
    const reason = this.m.reason;
    if (reason !== 'magic') {
      this.flushGarbage(sink);
      if (reason === 'size') {
        this.stats.oversized++;
        sink.issue({ code: 'IOTHUB_ERR_FRAME_TOO_LARGE', detail: `packet over ${this.maxPacketSize} bytes skipped` });
      } else {
        this.stats.invalidHeaders++;
        sink.issue({
          code: 'IOTHUB_ERR_FIELD_VALUE',
          detail: 'data type / subpacket nibble out of range; magic skipped',
        });
      }
    }
    this.discard(1);
  }

  private discard(bytes: number): void {
    this.garbage += bytes;
    this.stats.discardedBytes += bytes;
  }

  private flushGarbage(sink: Jt1078PacketSink): void {
    if (this.garbage > 0) {
      sink.issue({ code: 'IOTHUB_ERR_FRAME_GARBAGE', bytes: this.garbage });
      this.garbage = 0;
    }
  }
}

function isMagicPrefix(buf: Buffer, at: number, k: number): boolean {
  for (let q = 0; q < k; q++) if (buf[at + q] !== MAGIC[q]) return false;
  return true;
}
