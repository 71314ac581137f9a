import type { CodecIssue } from '../errors.ts';
import { type NalUnit, splitAnnexB } from './nal.ts';
import type { Jt1078Packet, Jt1078VideoDataType } from './packet.ts';

/**
 * JT/T 1078 reassembly: stream packets → complete video frames, audio frames and pass-through
 * data, per (SIM, logical channel) (protocols/jt808-jt1078.md §9 "How video/audio is carried").
 *
 * A frame is one atomic packet (subpacket flag 0) or first (1), middle (3)…, last (2) with
 * consecutive sequence numbers; its data is the bodies concatenated. Video, audio and pass-through
 * are assembled separately, so audio interleaved inside a split video frame does not break it.
 *
 * A partial frame is dropped and reported (IOTHUB_ERR_STREAM_GAP) when a first or atomic packet of
 * the same kind arrives before its last piece, or when a piece is not the next sequence number;
 * pieces of a frame whose start was lost are dropped silently after that one report. "Next" means
 * one more than the frame's previous piece, than the previous packet of the (SIM, channel), or than
 * the previous packet seen by this reassembler: terminals number per media connection, per
 * channel or per track, and all three are accepted. A frame over `maxFrameBytes` is dropped
 * (IOTHUB_ERR_REASSEMBLY_OVERFLOW).
 *
 * Video frames of PT 98 (H.264) and 99 (H.265) are split into NAL units at the Annex-B start
 * codes; `keyFrame` is data type 0 (I-frame). Audio payloads lose the HiSilicon `00 01 LL 00`
 * header when one is present (LL = payload length in 16-bit words; SmallChi `AudioCodecFactory`).
 *
 * Pure: no time, no I/O. Memory is bounded by `maxStreams` × (video + audio + pass-through) ×
 * `maxFrameBytes`; the least recently used stream is evicted to admit a new one. The data of a
 * single-packet frame is a view of the packet's body; a multi-packet frame's data is a new Buffer.
 */
export interface Jt1078ReassemblerOptions {
  /** Largest frame (bytes of concatenated bodies). Default 4 MiB. */
  maxFrameBytes?: number;
  /** Largest number of (SIM, channel) streams tracked. Default 64. */
  maxStreams?: number;
}

interface FrameCommon {
  sim: string;
  channel: number;
  payloadType: number;
  /** Sequence number of the frame's first packet. */
  sequence: number;
  /** Number of packets the frame came in. */
  packets: number;
}

export interface Jt1078VideoFrame extends FrameCommon {
  dataType: Jt1078VideoDataType;
  /** Data type 0 (I-frame). */
  keyFrame: boolean;
  /** ms, from the first packet. */
  timestamp: number;
  /** ms, from the first packet. */
  lastIFrameInterval: number;
  /** ms, from the first packet. */
  lastFrameInterval: number;
  /** The access unit (Annex-B byte stream for H.264/H.265). */
  data: Buffer;
  /** NAL units of `data` (PT 98/99 only; empty for other payload types). */
  nalUnits: NalUnit[];
}

export interface Jt1078AudioFrame extends FrameCommon {
  /** ms, from the first packet. */
  timestamp: number;
  /** The audio payload, without a HiSilicon header. */
  data: Buffer;
  /** True when a HiSilicon `00 01 LL 00` header was stripped. */
  hisiliconHeader: boolean;
}

export interface Jt1078PassThroughData extends FrameCommon {
  data: Buffer;
}

export interface Jt1078FrameSink {
  video(frame: Jt1078VideoFrame): void;
  audio(frame: Jt1078AudioFrame): void;
  passThrough(data: Jt1078PassThroughData): void;
  issue(issue: CodecIssue): void;
}

export interface Jt1078ReassemblerStats {
  packets: number;
  videoFrames: number;
  keyFrames: number;
  audioFrames: number;
  passThrough: number;
  /** Partial frames dropped (gap, early first/atomic, too large, stream evicted). */
  droppedFrames: number;
  /** Pieces dropped because their frame's start was lost or dropped. */
  droppedPackets: number;
  /** Body bytes dropped with them. */
  droppedBytes: number;
  /** Sequence gaps inside frames. */
  gaps: number;
  oversized: number;
  evictedStreams: number;
}

const VIDEO = 0;
const AUDIO = 1;
const PASS = 2;

/** One frame being assembled. */
class Track {
  /** A first piece arrived and its last has not. */
  active = false;
  /** The frame was dropped: its remaining pieces are dropped silently until the next start. */
  skipping = false;
  first: Jt1078Packet | null = null;
  lastSeq = 0;
  packets = 0;
  buf: Buffer | null = null;
  len = 0;
}

class Stream {
  readonly tracks: [Track, Track, Track] = [new Track(), new Track(), new Track()];
  lastSeq = -1;
  used = 0;
  constructor(
    readonly sim: string,
    readonly channel: number,
  ) {}
}

const HISILICON_MIN = 4;

export class Jt1078Reassembler {
  readonly maxFrameBytes: number;
  readonly maxStreams: number;
  readonly stats: Jt1078ReassemblerStats = {
    packets: 0,
    videoFrames: 0,
    keyFrames: 0,
    audioFrames: 0,
    passThrough: 0,
    droppedFrames: 0,
    droppedPackets: 0,
    droppedBytes: 0,
    gaps: 0,
    oversized: 0,
    evictedStreams: 0,
  };

  /** SIM → channel → stream. */
  private readonly streams = new Map<string, Map<number, Stream>>();
  private count = 0;
  private last: Stream | null = null;
  private lastSeq = -1;
  private clock = 0;

  constructor(options: Jt1078ReassemblerOptions = {}) {
    this.maxFrameBytes = Math.max(1, options.maxFrameBytes ?? 4 * 1024 * 1024);
    this.maxStreams = Math.max(1, options.maxStreams ?? 64);
  }

  /** Streams currently tracked. */
  get streamCount(): number {
    return this.count;
  }

  /** Forget every stream and partial frame. */
  reset(): void {
    this.streams.clear();
    this.count = 0;
    this.last = null;
    this.lastSeq = -1;
  }

  push(p: Jt1078Packet, sink: Jt1078FrameSink): void {
    this.stats.packets++;
    const s = this.stream(p, sink);
    s.used = ++this.clock;
    const kind = p.dataType < 3 ? VIDEO : p.dataType === 3 ? AUDIO : PASS;
    const t = s.tracks[kind];
    const seq = p.sequence;
    switch (p.subpacket) {
      case 0:
        if (t.active) this.drop(t, sink, 'atomic packet before the last piece of the frame');
        t.skipping = false;
        this.emit(s, p, p.body, 1, sink);
        break;
      case 1:
        if (t.active) this.drop(t, sink, 'first packet before the last piece of the previous frame');
        t.skipping = false;
        this.start(t, p, sink);
        break;
      case 2:
      case 3: {
        if (!t.active) {
          this.orphan(t, p, sink);
          break;
        }
        const next = (seq - 1) & 0xffff;
        if (next !== t.lastSeq && next !== s.lastSeq && next !== this.lastSeq) {
          this.stats.gaps++;
          this.drop(t, sink, `sequence ${seq} after ${t.lastSeq}`);
          this.countDropped(p);
          break;
        }
        if (!this.append(t, p, sink)) break;
        if (p.subpacket === 2) {
          const first = t.first!;
          const data = t.buf!.subarray(0, t.len);
          const packets = t.packets;
          this.clear(t);
          this.emit(s, first, data, packets, sink);
        }
        break;
      }
      default: {
        const never: never = p.subpacket;
        throw new Error(`unreachable subpacket ${String(never)}`);
      }
    }
    s.lastSeq = seq;
    this.lastSeq = seq;
  }

  private stream(p: Jt1078Packet, sink: Jt1078FrameSink): Stream {
    const last = this.last;
    if (last !== null && last.sim === p.sim && last.channel === p.channel) return last;
    let s = this.streams.get(p.sim)?.get(p.channel);
    if (s === undefined) {
      if (this.count >= this.maxStreams) this.evict(sink);
      s = new Stream(p.sim, p.channel);
      let channels = this.streams.get(p.sim);
      if (channels === undefined) {
        channels = new Map();
        this.streams.set(p.sim, channels);
      }
      channels.set(p.channel, s);
      this.count++;
    }
    this.last = s;
    return s;
  }

  private evict(sink: Jt1078FrameSink): void {
    let victim: Stream | null = null;
    for (const channels of this.streams.values()) {
      for (const s of channels.values()) if (victim === null || s.used < victim.used) victim = s;
    }
    if (victim === null) return;
    this.stats.evictedStreams++;
    for (const t of victim.tracks) {
      if (t.active)
        this.drop(t, sink, `stream ${victim.sim}/${victim.channel} evicted`, 'IOTHUB_ERR_REASSEMBLY_OVERFLOW');
    }
    const channels = this.streams.get(victim.sim)!;
    channels.delete(victim.channel);
    if (channels.size === 0) this.streams.delete(victim.sim);
    this.count--;
    if (this.last === victim) this.last = null;
  }

  private start(t: Track, p: Jt1078Packet, sink: Jt1078FrameSink): void {
    t.active = true;
    t.first = p;
    t.packets = 0;
    t.len = 0;
    if (t.buf === null) t.buf = Buffer.allocUnsafe(Math.min(this.maxFrameBytes, Math.max(32 * 1024, p.bodyLength * 8)));
    this.append(t, p, sink);
  }

  /** Append a piece's body; false (and the frame dropped) when the frame grows over the maximum. */
  private append(t: Track, p: Jt1078Packet, sink: Jt1078FrameSink): boolean {
    const need = t.len + p.bodyLength;
    if (need > this.maxFrameBytes) {
      this.stats.oversized++;
      this.countDropped(p);
      this.drop(t, sink, `frame over ${this.maxFrameBytes} bytes`, 'IOTHUB_ERR_REASSEMBLY_OVERFLOW');
      return false;
    }
    let buf = t.buf!;
    if (need > buf.length) {
      let size = buf.length * 2;
      while (size < need) size *= 2;
      const bigger = Buffer.allocUnsafe(Math.min(size, this.maxFrameBytes));
      buf.copy(bigger, 0, 0, t.len);
      buf = bigger;
      t.buf = buf;
    }
    p.body.copy(buf, t.len);
    t.len = need;
    t.packets++;
    t.lastSeq = p.sequence;
    return true;
  }

  /** Frame done: the buffer goes with the frame; the next frame allocates its own. */
  private clear(t: Track): void {
    t.active = false;
    t.first = null;
    t.buf = null;
    t.len = 0;
    t.packets = 0;
  }

  private drop(t: Track, sink: Jt1078FrameSink, why: string, code: CodecIssue['code'] = 'IOTHUB_ERR_STREAM_GAP'): void {
    const bytes = t.len;
    this.stats.droppedFrames++;
    this.stats.droppedBytes += bytes;
    const first = t.first;
    const where = first === null ? '' : ` (${first.sim}/${first.channel}, first sequence ${first.sequence})`;
    t.len = 0;
    t.active = false;
    t.first = null;
    t.packets = 0;
    t.skipping = true;
    sink.issue({ code, bytes, detail: `partial frame of ${bytes} bytes dropped${where}: ${why}` });
  }

  private orphan(t: Track, p: Jt1078Packet, sink: Jt1078FrameSink): void {
    this.countDropped(p);
    if (t.skipping) return;
    // A middle or last piece whose frame never started here (its first piece was lost).
    t.skipping = true;
    this.stats.gaps++;
    sink.issue({
      code: 'IOTHUB_ERR_STREAM_GAP',
      bytes: p.bodyLength,
      detail: `piece of a frame without its first packet dropped (${p.sim}/${p.channel}, sequence ${p.sequence})`,
    });
  }

  private countDropped(p: Jt1078Packet): void {
    this.stats.droppedPackets++;
    this.stats.droppedBytes += p.bodyLength;
  }

  private emit(s: Stream, first: Jt1078Packet, data: Buffer, packets: number, sink: Jt1078FrameSink): void {
    switch (first.dataType) {
      case 0:
      case 1:
      case 2: {
        const pt = first.payloadType;
        const keyFrame = first.dataType === 0;
        this.stats.videoFrames++;
        if (keyFrame) this.stats.keyFrames++;
        sink.video({
          sim: s.sim,
          channel: s.channel,
          payloadType: pt,
          sequence: first.sequence,
          packets,
          dataType: first.dataType,
          keyFrame,
          timestamp: first.timestamp,
          lastIFrameInterval: first.lastIFrameInterval,
          lastFrameInterval: first.lastFrameInterval,
          data,
          nalUnits: pt === 98 ? splitAnnexB(data, 'h264') : pt === 99 ? splitAnnexB(data, 'h265') : [],
        });
        break;
      }
      case 3: {
        this.stats.audioFrames++;
        const hisilicon = hasHisiliconHeader(data);
        sink.audio({
          sim: s.sim,
          channel: s.channel,
          payloadType: first.payloadType,
          sequence: first.sequence,
          packets,
          timestamp: first.timestamp,
          data: hisilicon ? data.subarray(HISILICON_MIN) : data,
          hisiliconHeader: hisilicon,
        });
        break;
      }
      case 4:
        this.stats.passThrough++;
        sink.passThrough({
          sim: s.sim,
          channel: s.channel,
          payloadType: first.payloadType,
          sequence: first.sequence,
          packets,
          data,
        });
        break;
      default: {
        const never: never = first;
        throw new Error(`unreachable data type ${String(never)}`);
      }
    }
  }
}

/**
 * HiSilicon audio header `00 01 LL 00`: LL is the payload length in 16-bit words
 * (`data[2] == (len - 4) / 2`, the check other JT/T 1078 servers use).
 */
export function hasHisiliconHeader(data: Uint8Array): boolean {
  const n = data.length;
  return n >= HISILICON_MIN && data[0] === 0 && data[1] === 1 && data[3] === 0 && data[2]! * 2 === n - 4;
}
