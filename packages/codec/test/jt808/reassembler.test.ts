import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jt808 } from '../../src/index.ts';
import {
  type Jt808ReassembledMessage,
  Jt808Reassembler,
  type Jt808ReassemblyResult,
} from '../../src/jt808/reassembler.ts';

const PHONE = '013812345678';

function header(msgId: number, serial: number, total: number, index: number, phone = PHONE): jt808.Jt808Header {
  return { msgId, version: 2013, phone, serial, bodyLength: 0, encryption: 0, subpackage: { total, index } };
}

/** `total` pieces of a message whose piece 1 has serial `first`, bodies distinguishable by index. */
function pieces(msgId: number, first: number, total: number, size = 10, phone = PHONE) {
  return Array.from({ length: total }, (_, k) => ({
    header: header(msgId, (first + k) & 0xffff, total, k + 1, phone),
    body: Buffer.alloc(size, k + 1),
  }));
}

function complete(r: Jt808ReassemblyResult): Jt808ReassembledMessage {
  if (r.status !== 'complete') throw new Error(`expected complete, got ${r.status}`);
  return r.message;
}

describe('Jt808Reassembler', () => {
  it('reassembles pieces in order', () => {
    const ra = new Jt808Reassembler();
    const ps = pieces(0x0801, 100, 3);
    expect(ra.push(ps[0]!.header, ps[0]!.body, 0).status).toBe('pending');
    expect(ra.push(ps[1]!.header, ps[1]!.body, 1).status).toBe('pending');
    const m = complete(ra.push(ps[2]!.header, ps[2]!.body, 2));
    expect(m.body).toEqual(Buffer.concat(ps.map((p) => p.body)));
    expect(m.serial).toBe(100);
    expect(m.serials).toEqual([100, 101, 102]);
    expect(m.header).toBe(ps[0]!.header);
    expect(m.total).toBe(3);
    expect(ra.size).toBe(0);
    expect(ra.pendingBytes).toBe(0);
  });

  it('reassembles pieces in reverse order', () => {
    const ra = new Jt808Reassembler();
    const ps = pieces(0x0104, 7, 4).reverse();
    const results = ps.map((p, i) => ra.push(p.header, p.body, i));
    expect(results.slice(0, 3).map((r) => r.status)).toEqual(['pending', 'pending', 'pending']);
    const m = complete(results[3]!);
    expect(m.body).toEqual(Buffer.concat([1, 2, 3, 4].map((k) => Buffer.alloc(10, k))));
    expect(m.serial).toBe(7);
    expect(m.serials).toEqual([7, 8, 9, 10]);
  });

  it('reassembles shuffled pieces with duplicates, interleaved with another message (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 12 }).chain((total) =>
          fc.record({
            total: fc.constant(total),
            order: fc.shuffledSubarray(
              Array.from({ length: total }, (_, k) => k),
              { minLength: total, maxLength: total },
            ),
            first: fc.integer({ min: 0, max: 0xffff }),
            dups: fc.array(fc.nat(), { maxLength: 6 }),
            slots: fc.array(fc.nat(), { minLength: 2, maxLength: 2 }),
          }),
        ),
        ({ total, order, first, dups, slots }) => {
          const a = pieces(0x0801, first, total, 5);
          const b = pieces(0x0801, (first + total) & 0xffff, 2, 3);
          // a shuffled; duplicates of its early pieces before its last one; b in order in between.
          const early = order.slice(0, -1).map((k) => a[k]!);
          const stream = [...early, ...dups.map((d) => early[d % early.length]!), a[order[total - 1]!]!];
          const at = slots.map((x) => x % (stream.length + 1)).sort((x, y) => x - y);
          stream.splice(at[1]!, 0, b[1]!);
          stream.splice(at[0]!, 0, b[0]!);
          const ra = new Jt808Reassembler();
          const done: Jt808ReassembledMessage[] = [];
          const statuses: string[] = [];
          for (const [t, p] of stream.entries()) {
            const r = ra.push(p.header, p.body, t);
            statuses.push(r.status);
            if (r.status === 'complete') done.push(r.message);
          }
          expect(statuses.filter((x) => x === 'duplicate')).toHaveLength(dups.length);
          expect(done.map((m) => m.serial).sort((x, y) => x - y)).toEqual(
            [first, (first + total) & 0xffff].sort((x, y) => x - y),
          );
          const bySerial = new Map(done.map((m) => [m.serial, m]));
          expect(bySerial.get(first)?.body).toEqual(Buffer.concat(a.map((p) => p.body)));
          expect(bySerial.get(first)?.serials).toEqual(a.map((p) => p.header.serial));
          expect(bySerial.get((first + total) & 0xffff)?.body).toEqual(Buffer.concat(b.map((p) => p.body)));
          expect(ra.size).toBe(0);
        },
      ),
      { numRuns: 500, seed: 1205 },
    );
  });

  it('ignores duplicates', () => {
    const ra = new Jt808Reassembler();
    const ps = pieces(0x0801, 1, 3);
    ra.push(ps[0]!.header, ps[0]!.body, 0);
    const dup = ra.push(ps[0]!.header, Buffer.alloc(10, 0xee), 1);
    expect(dup.status).toBe('duplicate');
    if (dup.status === 'duplicate') expect(dup.partial.received).toBe(1);
    ra.push(ps[1]!.header, ps[1]!.body, 2);
    expect(ra.push(ps[1]!.header, ps[1]!.body, 3).status).toBe('duplicate');
    const m = complete(ra.push(ps[2]!.header, ps[2]!.body, 4));
    expect(m.body).toEqual(Buffer.concat(ps.map((p) => p.body))); // the first copy wins
  });

  it('handles the serial wrap-around at 0xFFFF', () => {
    const ra = new Jt808Reassembler();
    const ps = pieces(0x1205, 0xfffe, 4); // serials fffe, ffff, 0000, 0001
    expect(ps.map((p) => p.header.serial)).toEqual([0xfffe, 0xffff, 0, 1]);
    for (const p of [ps[3]!, ps[1]!, ps[2]!]) expect(ra.push(p.header, p.body, 0).status).toBe('pending');
    expect(ra.pending()).toHaveLength(1);
    expect(ra.pending()[0]!.firstSerial).toBe(0xfffe);
    const m = complete(ra.push(ps[0]!.header, ps[0]!.body, 0));
    expect(m.serial).toBe(0xfffe);
    expect(m.serials).toEqual([0xfffe, 0xffff, 0, 1]);
  });

  it('joins pieces whose serials are not consecutive (other messages interleaved)', () => {
    // SmallChi MergerTest: a 2-piece 0x0104 with serials 1233 and 1250.
    for (const order of [
      [0, 1],
      [1, 0],
    ]) {
      const ra = new Jt808Reassembler();
      const ps = [
        { header: header(0x0104, 1233, 2, 1), body: Buffer.from('aa', 'hex') },
        { header: header(0x0104, 1250, 2, 2), body: Buffer.from('bb', 'hex') },
      ];
      expect(ra.push(ps[order[0]!]!.header, ps[order[0]!]!.body, 0).status).toBe('pending');
      const m = complete(ra.push(ps[order[1]!]!.header, ps[order[1]!]!.body, 1));
      expect(m.body.toString('hex')).toBe('aabb');
      expect(m.serial).toBe(1233);
      expect(m.serials).toEqual([1233, 1250]);
    }
  });

  it('accepts a resent last piece under a new serial, and keeps other terminals and ids apart', () => {
    const ra = new Jt808Reassembler();
    const ps = pieces(0x0801, 500, 3);
    ra.push(ps[0]!.header, ps[0]!.body, 0);
    ra.push(ps[1]!.header, ps[1]!.body, 0);
    // Same shape from another phone and another id: separate partials.
    const other = pieces(0x0801, 501, 3, 10, '013800000000');
    expect(ra.push(other[1]!.header, other[1]!.body, 0).status).toBe('pending');
    const otherId = pieces(0x1205, 501, 3);
    expect(ra.push(otherId[1]!.header, otherId[1]!.body, 0).status).toBe('pending');
    // Piece 3 resent after a 0x8003 with serial 900.
    const m = complete(ra.push(header(0x0801, 900, 3, 3), ps[2]!.body, 1));
    expect(m.serials).toEqual([500, 501, 900]);
    expect(ra.size).toBe(2);
  });

  it('does not glue the next message onto a partial that lost its first piece', () => {
    const ra = new Jt808Reassembler();
    const a = pieces(0x0104, 0, 2);
    const b = pieces(0x0104, 2, 2, 10);
    b[0]!.body.fill(0xb1);
    b[1]!.body.fill(0xb2);
    ra.push(a[1]!.header, a[1]!.body, 0); // a's piece 1 was lost
    expect(ra.push(b[0]!.header, b[0]!.body, 1).status).toBe('pending');
    const m = complete(ra.push(b[1]!.header, b[1]!.body, 2));
    expect(m.body).toEqual(Buffer.concat([b[0]!.body, b[1]!.body]));
    expect(ra.pending()).toEqual([expect.objectContaining({ firstSerial: 0, received: 1 })]);
  });

  it('rejects inconsistent pieces', () => {
    const ra = new Jt808Reassembler();
    const codes = (r: Jt808ReassemblyResult) => (r.status === 'invalid' ? r.issue.code : r.status);
    expect(codes(ra.push(header(0x0801, 1, 3, 0), Buffer.alloc(1), 0))).toBe('IOTHUB_ERR_REASSEMBLY_INVALID');
    expect(codes(ra.push(header(0x0801, 1, 3, 4), Buffer.alloc(1), 0))).toBe('IOTHUB_ERR_REASSEMBLY_INVALID');
    expect(codes(ra.push(header(0x0801, 1, 0, 0), Buffer.alloc(1), 0))).toBe('IOTHUB_ERR_REASSEMBLY_INVALID');
    const noSub: jt808.Jt808Header = {
      msgId: 0x0801,
      version: 2013,
      phone: PHONE,
      serial: 1,
      bodyLength: 0,
      encryption: 0,
    };
    expect(codes(ra.push(noSub, Buffer.alloc(1), 0))).toBe('IOTHUB_ERR_REASSEMBLY_INVALID');
    // Total changed for the same first serial.
    expect(ra.push(header(0x0801, 10, 3, 1), Buffer.alloc(1), 0).status).toBe('pending');
    expect(codes(ra.push(header(0x0801, 11, 4, 2), Buffer.alloc(1), 0))).toBe('IOTHUB_ERR_REASSEMBLY_INVALID');
    expect(ra.pending()).toEqual([expect.objectContaining({ total: 3, received: 1 })]);
    expect(ra.size).toBe(1);
  });

  it('completes a single-piece "subpackage" at once', () => {
    const ra = new Jt808Reassembler();
    const m = complete(ra.push(header(0x0801, 9, 1, 1), Buffer.from('0102', 'hex'), 0));
    expect(m.body.toString('hex')).toBe('0102');
    expect(ra.size).toBe(0);
  });

  it('drops the oldest partials when the byte bound is reached', () => {
    const ra = new Jt808Reassembler({ maxPendingBytes: 100 });
    const a = pieces(0x0801, 10, 3, 30);
    const b = pieces(0x0801, 20, 3, 30);
    ra.push(a[0]!.header, a[0]!.body, 0);
    ra.push(a[1]!.header, a[1]!.body, 1);
    ra.push(b[0]!.header, b[0]!.body, 2); // 90 bytes held
    const r = ra.push(b[1]!.header, b[1]!.body, 3); // 120 > 100: a goes
    expect(r.status).toBe('pending');
    expect(r.dropped).toHaveLength(1);
    expect(r.dropped[0]!.issue.code).toBe('IOTHUB_ERR_REASSEMBLY_OVERFLOW');
    expect(r.dropped[0]!.partial).toMatchObject({ firstSerial: 10, received: 2, bytes: 60 });
    expect(r.dropped[0]!.missing).toEqual([3]);
    expect(ra.pendingBytes).toBe(60);
    complete(ra.push(b[2]!.header, b[2]!.body, 4));
    expect(ra.pendingBytes).toBe(0);
  });

  it('drops a message that alone exceeds the byte bound', () => {
    const ra = new Jt808Reassembler({ maxPendingBytes: 50 });
    const a = pieces(0x0801, 10, 3, 30);
    expect(ra.push(a[0]!.header, a[0]!.body, 0).status).toBe('pending');
    const r = ra.push(a[1]!.header, a[1]!.body, 1);
    expect(r.status).toBe('overflow');
    expect(r.dropped.map((d) => d.issue.code)).toEqual(['IOTHUB_ERR_REASSEMBLY_OVERFLOW']);
    expect(ra.size).toBe(0);
    expect(ra.pendingBytes).toBe(0);
  });

  it('never holds more than the bound on random pieces (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            id: fc.constantFrom(0x0801, 0x1205),
            serial: fc.integer({ min: 0, max: 0xffff }),
            total: fc.integer({ min: 0, max: 6 }),
            index: fc.integer({ min: 0, max: 7 }),
            size: fc.integer({ min: 0, max: 40 }),
          }),
          { maxLength: 60 },
        ),
        (ops) => {
          const ra = new Jt808Reassembler({ maxPendingBytes: 120, timeoutMs: 10 });
          for (const [t, o] of ops.entries()) {
            ra.push(header(o.id, o.serial, o.total, o.index), Buffer.alloc(o.size), t);
            if (t % 7 === 0) ra.expire(t);
            if (ra.pendingBytes > 120) return false;
            if (ra.pending().reduce((n, p) => n + p.bytes, 0) !== ra.pendingBytes) return false;
          }
          return true;
        },
      ),
      { numRuns: 500, seed: 808 },
    );
  });

  it('expires partials idle for longer than the timeout', () => {
    const ra = new Jt808Reassembler({ timeoutMs: 1000 });
    const a = pieces(0x0801, 10, 3);
    const b = pieces(0x0801, 20, 2);
    ra.push(a[0]!.header, a[0]!.body, 0);
    ra.push(b[0]!.header, b[0]!.body, 500);
    ra.push(a[1]!.header, a[1]!.body, 800); // a's age counts from its last piece
    expect(ra.expire(1500)).toEqual([]);
    const gone = ra.expire(1501);
    expect(gone.map((d) => [d.partial.firstSerial, d.issue.code, d.missing])).toEqual([
      [20, 'IOTHUB_ERR_REASSEMBLY_TIMEOUT', [2]],
    ]);
    expect(ra.expire(1801).map((d) => [d.partial.firstSerial, d.missing])).toEqual([[10, [3]]]);
    expect(ra.size).toBe(0);
    expect(ra.pendingBytes).toBe(0);
  });

  it('lists missing indexes and the first serial for 0x8003', () => {
    const ra = new Jt808Reassembler();
    const a = pieces(0x0801, 0xfffe, 6);
    for (const k of [1, 3, 5]) ra.push(a[k]!.header, a[k]!.body, 100); // indexes 2, 4, 6
    const b = pieces(0x1205, 40, 2);
    ra.push(b[0]!.header, b[0]!.body, 900);
    expect(ra.missing(1000, 500)).toEqual([
      {
        phone: PHONE,
        msgId: 0x0801,
        firstSerial: 0xfffe,
        total: 6,
        missing: [1, 3, 5],
        header: a[1]!.header,
        idleMs: 900,
      },
    ]);
    expect(ra.missing(1400, 500).map((m) => [m.msgId, m.firstSerial, m.missing])).toEqual([
      [0x0801, 0xfffe, [1, 3, 5]],
      [0x1205, 40, [2]],
    ]);
    expect(ra.size).toBe(2); // a query does not change state
  });

  it('discards the partials of one terminal', () => {
    const ra = new Jt808Reassembler();
    const a = pieces(0x0801, 10, 3);
    const b = pieces(0x0801, 10, 3, 10, '013800000000');
    ra.push(a[0]!.header, a[0]!.body, 0);
    ra.push(b[0]!.header, b[0]!.body, 0);
    expect(ra.discard(PHONE)).toHaveLength(1);
    expect(ra.pending().map((p) => p.phone)).toEqual(['013800000000']);
  });

  it('end to end: subpackaged encode → framer → fragment decode → reassemble → body decode', () => {
    const extra = Buffer.alloc(2500);
    for (let i = 0; i < extra.length; i++) extra[i] = (i * 31) & 0xff; // includes 0x7e / 0x7d bytes
    const body = jt808.encodeJt808Body({ type: 'heartbeat', body: { extra } });
    for (const version of [2013, 2019] as const) {
      const frames = jt808.encodeJt808Subpackaged({ msgId: 0x0002, version, phone: PHONE, serial: 0xfffe }, body);
      expect(frames).toHaveLength(3);
      const framer = new jt808.Jt808Framer();
      const ra = new Jt808Reassembler();
      const out: Jt808ReassembledMessage[] = [];
      // Out of order, glued in one chunk.
      const issues: unknown[] = [];
      framer.push(Buffer.concat([frames[2]!, frames[0]!, frames[1]!]), {
        frame(frame, ok) {
          const res = jt808.decodeJt808Frame(frame, ok);
          if (!res.ok) throw new Error(res.issue.code);
          expect(res.issues).toEqual([]);
          if (res.message.type !== 'fragment') throw new Error(`expected a fragment, got ${res.message.type}`);
          const r = ra.push(res.header, res.message.body, 0);
          if (r.status === 'complete') out.push(r.message);
        },
        issue: (i) => issues.push(i),
      });
      expect(issues).toEqual([]);
      expect(out).toHaveLength(1);
      const m = out[0]!;
      expect(m.serial).toBe(0xfffe);
      expect(m.serials).toEqual([0xfffe, 0xffff, 0]);
      expect(m.header.version).toBe(version);
      const decoded = jt808.decodeJt808Body(m.msgId, m.body, { version: m.header.version });
      expect(decoded.issue).toBeUndefined();
      expect(decoded.message).toEqual({ type: 'heartbeat', msgId: 0x0002, body: { extra } });
    }
  });
});
