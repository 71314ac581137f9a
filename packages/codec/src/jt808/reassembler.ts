import type { CodecIssue } from '../errors.ts';
import type { Jt808Header } from './header.ts';

/**
 * JT/T 808 subpackage reassembly (protocols/jt808-jt1078.md §2.3). Pure: no timers, the caller
 * passes `now` (ms) to every call and runs `expire` / `missing` from its own clock.
 *
 * A long body is cut into pieces, each with header bit 13, the total and a 1-based index; the
 * receiver concatenates the bodies in index order. The logical message has one id, and its serial
 * is the serial of piece 1.
 *
 * Keying. The spec gives every piece the next serial, so the primary key is
 * (phone, message id, serial − (index − 1) mod 65536). Real terminals do not always do that: they
 * interleave other messages between pieces (SmallChi `JT808SerializerTest.MergerTest`: a 2-piece
 * 0x0104 with serials 1233 and 1250; `JT808_0x0801Test.Test1`: serial 8244 skipped). So when no
 * partial has the primary key, a piece joins an existing partial of the same (phone, message id,
 * total) that lacks its index and whose received serials are in index order with this one (after
 * the lower indexes, before the higher ones, at least one serial per index step); the most recently
 * active candidate wins. Otherwise the piece starts a new partial.
 * A piece resent after a 0x8003 is expected under its original serial (the primary key). Under a
 * fresh serial it still joins when it is the highest index held so far; a resent middle piece under
 * a fresh serial is not matched, because accepting "any later serial" would also glue the first
 * piece of the next message of the same id onto a partial that lost its own first piece.
 *
 * Bounds:
 *  - `maxPendingBytes` over all partials: the oldest partials are dropped first
 *    (IOTHUB_ERR_REASSEMBLY_OVERFLOW); a message larger than the bound on its own is dropped.
 *  - `timeoutMs`: `expire(now)` removes partials with no accepted piece for that long
 *    (IOTHUB_ERR_REASSEMBLY_TIMEOUT). Age is counted from the last accepted piece, not the first,
 *    so a slow upload that makes progress (or answers a 0x8003) is not cut off.
 *  - `missing(now, afterMs)` lists, for partials idle for at least `afterMs`, the missing 1-based
 *    indexes and the first serial: what a 0x8003 (JT/T 808 §8.4) needs. It does not change state;
 *    the caller rate-limits its requests (and caps the list at 255 indexes for a 2013 0x8003).
 *
 * Inconsistent pieces (no subpackage item, total 0, index 0 or > total, total different from the
 * partial with the same key) are rejected with IOTHUB_ERR_REASSEMBLY_INVALID and change nothing.
 * A piece whose index is already held by the partial of its primary key is a duplicate and is
 * ignored (the first copy wins). A piece that arrives after its message completed starts a new
 * partial, which expires unless the whole message is sent again.
 */
export interface Jt808ReassemblerOptions {
  /** Bound on the body bytes held across all partials. Default 2 MiB. */
  maxPendingBytes?: number;
  /** A partial with no accepted piece for this long is expired. Default 60 s. */
  timeoutMs?: number;
}

/** A complete logical message. */
export interface Jt808ReassembledMessage {
  /** Header of piece 1 (its `subpackage` still describes piece 1). */
  header: Jt808Header;
  msgId: number;
  phone: string;
  /** Serial of piece 1: the serial of the logical message, quoted by replies. */
  serial: number;
  total: number;
  /** Concatenated bodies in index order (a new Buffer). */
  body: Buffer;
  /** Serial of every piece, in index order. */
  serials: number[];
}

/** A snapshot of one pending partial. */
export interface Jt808PartialInfo {
  phone: string;
  msgId: number;
  /** Serial of piece 1 when held; otherwise estimated as serial − (index − 1) of the lowest piece held. */
  firstSerial: number;
  total: number;
  received: number;
  /** Body bytes held. */
  bytes: number;
  /** `now` of the first and of the last accepted piece. */
  firstAt: number;
  lastAt: number;
}

/** A partial that was dropped (overflow, timeout, discard), with why. */
export interface Jt808DroppedPartial {
  partial: Jt808PartialInfo;
  /** 1-based indexes that never arrived. */
  missing: number[];
  issue: CodecIssue;
}

/** What a 0x8003 request for a partial needs. */
export interface Jt808MissingPieces {
  phone: string;
  msgId: number;
  firstSerial: number;
  total: number;
  /** 1-based indexes not received yet, ascending. */
  missing: number[];
  /** Header of the lowest-index piece held: version and protocol version to reply in. */
  header: Jt808Header;
  /** ms since the last accepted piece. */
  idleMs: number;
}

export type Jt808ReassemblyResult =
  | { status: 'complete'; message: Jt808ReassembledMessage; dropped: Jt808DroppedPartial[] }
  | { status: 'pending'; partial: Jt808PartialInfo; dropped: Jt808DroppedPartial[] }
  | { status: 'duplicate'; partial: Jt808PartialInfo; dropped: Jt808DroppedPartial[] }
  | { status: 'invalid'; issue: CodecIssue; dropped: Jt808DroppedPartial[] }
  /** The piece's own message could not be held within `maxPendingBytes`; it is in `dropped`. */
  | { status: 'overflow'; issue: CodecIssue; dropped: Jt808DroppedPartial[] };

interface Piece {
  serial: number;
  body: Buffer;
  header: Jt808Header;
}

interface Partial {
  key: string;
  group: string;
  phone: string;
  msgId: number;
  total: number;
  pieces: Map<number, Piece>;
  bytes: number;
  firstAt: number;
  lastAt: number;
}

const DEFAULT_MAX_PENDING = 2 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 60_000;
const NONE: Jt808DroppedPartial[] = [];

/** (b − a) mod 65536 as a signed distance in (−32768, 32768]: > 0 means b comes after a. */
function serialDelta(a: number, b: number): number {
  const d = (b - a) & 0xffff;
  return d > 0x8000 ? d - 0x10000 : d;
}

export class Jt808Reassembler {
  readonly maxPendingBytes: number;
  readonly timeoutMs: number;
  /** Partials by primary key, in creation order (the eviction order). */
  private readonly partials = new Map<string, Partial>();
  /** Partials by (phone, msgId), for the fallback match. */
  private readonly groups = new Map<string, Set<Partial>>();
  private bytes = 0;

  constructor(options: Jt808ReassemblerOptions = {}) {
    this.maxPendingBytes = options.maxPendingBytes ?? DEFAULT_MAX_PENDING;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!(this.maxPendingBytes > 0)) throw new RangeError('maxPendingBytes must be > 0');
    if (!(this.timeoutMs > 0)) throw new RangeError('timeoutMs must be > 0');
  }

  /** Body bytes held across all partials. */
  get pendingBytes(): number {
    return this.bytes;
  }

  /** Number of partials held. */
  get size(): number {
    return this.partials.size;
  }

  /**
   * Offer one piece: the header of a frame with bit 13 set and its body (copied; the caller may
   * reuse the buffer). Never throws.
   */
  push(header: Jt808Header, body: Uint8Array, now: number): Jt808ReassemblyResult {
    const sp = header.subpackage;
    if (!sp) return invalid('no subpackage item (header bit 13 clear)');
    const { total, index } = sp;
    if (total < 1 || index < 1 || index > total) return invalid(`index ${index} of total ${total}`);
    const piece: Piece = { serial: header.serial, body: Buffer.from(body), header };
    if (total === 1) {
      return {
        status: 'complete',
        message: {
          header,
          msgId: header.msgId,
          phone: header.phone,
          serial: header.serial,
          total: 1,
          body: piece.body,
          serials: [header.serial],
        },
        dropped: NONE,
      };
    }
    const first = (header.serial - (index - 1)) & 0xffff;
    const group = `${header.phone}/${header.msgId}`;
    const key = `${group}/${first}`;
    let p = this.partials.get(key);
    if (p) {
      if (p.total !== total) return invalid(`total ${total} differs from ${p.total} of serial ${first}`);
      if (p.pieces.has(index)) return { status: 'duplicate', partial: info(p), dropped: NONE };
    } else {
      const candidates = this.groups.get(group);
      if (candidates) p = pickCandidate(candidates, total, index, header.serial);
    }

    // Make room: oldest partials first, never the one this piece belongs to unless it alone is too big.
    const dropped: Jt808DroppedPartial[] = [];
    const need = piece.body.length;
    if (need + (p?.bytes ?? 0) > this.maxPendingBytes) {
      const detail = `message of ${need + (p?.bytes ?? 0)} bytes over the ${this.maxPendingBytes}-byte bound`;
      if (p) dropped.push(this.remove(p, { code: 'IOTHUB_ERR_REASSEMBLY_OVERFLOW', detail }));
      return { status: 'overflow', issue: { code: 'IOTHUB_ERR_REASSEMBLY_OVERFLOW', detail, bytes: need }, dropped };
    }
    if (this.bytes + need > this.maxPendingBytes) {
      for (const victim of this.partials.values()) {
        if (this.bytes + need <= this.maxPendingBytes) break;
        if (victim === p) continue;
        dropped.push(
          this.remove(victim, {
            code: 'IOTHUB_ERR_REASSEMBLY_OVERFLOW',
            detail: `oldest partial dropped to stay within ${this.maxPendingBytes} bytes`,
          }),
        );
      }
    }

    if (!p) {
      p = {
        key,
        group,
        phone: header.phone,
        msgId: header.msgId,
        total,
        pieces: new Map(),
        bytes: 0,
        firstAt: now,
        lastAt: now,
      };
      this.partials.set(key, p);
      let set = this.groups.get(group);
      if (!set) {
        set = new Set();
        this.groups.set(group, set);
      }
      set.add(p);
    }
    p.pieces.set(index, piece);
    p.bytes += need;
    p.lastAt = now;
    this.bytes += need;
    if (p.pieces.size < p.total) return { status: 'pending', partial: info(p), dropped };

    this.remove(p, { code: 'IOTHUB_ERR_REASSEMBLY_TIMEOUT' });
    const bodies: Buffer[] = [];
    const serials: number[] = [];
    for (let i = 1; i <= p.total; i++) {
      const q = p.pieces.get(i)!;
      bodies.push(q.body);
      serials.push(q.serial);
    }
    const head = p.pieces.get(1)!;
    return {
      status: 'complete',
      message: {
        header: head.header,
        msgId: p.msgId,
        phone: p.phone,
        serial: head.serial,
        total: p.total,
        body: Buffer.concat(bodies, p.bytes),
        serials,
      },
      dropped,
    };
  }

  /** Remove and return the partials with no accepted piece for more than `timeoutMs`. */
  expire(now: number): Jt808DroppedPartial[] {
    const out: Jt808DroppedPartial[] = [];
    for (const p of this.partials.values()) {
      const idle = now - p.lastAt;
      if (idle > this.timeoutMs) {
        out.push(this.remove(p, { code: 'IOTHUB_ERR_REASSEMBLY_TIMEOUT', detail: `no piece for ${idle} ms` }));
      }
    }
    return out;
  }

  /** For each partial idle for at least `afterMs`: the missing indexes and first serial (for 0x8003). */
  missing(now: number, afterMs: number): Jt808MissingPieces[] {
    const out: Jt808MissingPieces[] = [];
    for (const p of this.partials.values()) {
      const idleMs = now - p.lastAt;
      if (idleMs < afterMs) continue;
      out.push({
        phone: p.phone,
        msgId: p.msgId,
        firstSerial: firstSerial(p),
        total: p.total,
        missing: missingIndexes(p),
        header: lowest(p).header,
        idleMs,
      });
    }
    return out;
  }

  /** Drop every partial of one terminal (its connection closed). */
  discard(phone: string): Jt808DroppedPartial[] {
    const out: Jt808DroppedPartial[] = [];
    for (const p of this.partials.values()) {
      if (p.phone === phone) {
        out.push(this.remove(p, { code: 'IOTHUB_ERR_REASSEMBLY_TIMEOUT', detail: 'discarded' }));
      }
    }
    return out;
  }

  /** Snapshot of every partial, oldest first. */
  pending(): Jt808PartialInfo[] {
    return [...this.partials.values()].map(info);
  }

  private remove(p: Partial, issue: CodecIssue): Jt808DroppedPartial {
    this.partials.delete(p.key);
    const set = this.groups.get(p.group);
    if (set) {
      set.delete(p);
      if (set.size === 0) this.groups.delete(p.group);
    }
    this.bytes -= p.bytes;
    return { partial: info(p), missing: missingIndexes(p), issue };
  }
}

function invalid(detail: string): Jt808ReassemblyResult {
  return { status: 'invalid', issue: { code: 'IOTHUB_ERR_REASSEMBLY_INVALID', detail }, dropped: NONE };
}

/** The fallback match described in the module comment. */
function pickCandidate(set: Set<Partial>, total: number, index: number, serial: number): Partial | undefined {
  let best: Partial | undefined;
  for (const p of set) {
    if (p.total !== total || p.pieces.has(index)) continue;
    let inOrder = true;
    for (const [i, q] of p.pieces) {
      const d = serialDelta(q.serial, serial);
      const steps = index - i;
      if (steps > 0 ? d < steps : d > steps) {
        inOrder = false;
        break;
      }
    }
    if (inOrder && (!best || p.lastAt >= best.lastAt)) best = p;
  }
  return best;
}

function lowest(p: Partial): Piece {
  let best: Piece | undefined;
  let bestIndex = Number.POSITIVE_INFINITY;
  for (const [i, q] of p.pieces) {
    if (i < bestIndex) {
      bestIndex = i;
      best = q;
    }
  }
  return best!;
}

function firstSerial(p: Partial): number {
  let bestIndex = Number.POSITIVE_INFINITY;
  let serial = 0;
  for (const [i, q] of p.pieces) {
    if (i < bestIndex) {
      bestIndex = i;
      serial = q.serial;
    }
  }
  return (serial - (bestIndex - 1)) & 0xffff;
}

function missingIndexes(p: Partial): number[] {
  const out: number[] = [];
  for (let i = 1; i <= p.total; i++) if (!p.pieces.has(i)) out.push(i);
  return out;
}

function info(p: Partial): Jt808PartialInfo {
  return {
    phone: p.phone,
    msgId: p.msgId,
    firstSerial: firstSerial(p),
    total: p.total,
    received: p.pieces.size,
    bytes: p.bytes,
    firstAt: p.firstAt,
    lastAt: p.lastAt,
  };
}
