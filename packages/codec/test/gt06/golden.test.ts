import { describe, expect, it } from 'vitest';
import { loadGolden } from '../helpers/fixtures.ts';
import { checkInvariants } from '../helpers/invariants.ts';
import { type Json, revive, toJson } from '../helpers/json.ts';
import { gt06 } from './gt06.ts';

/**
 * Every project-owned GT06 fixture (test/fixtures/gt06/*.json): framed, decoded to the expected
 * header and message, encoded back to the same bytes, round-tripped, invariants applied.
 */
const cases = loadGolden('gt06');

function frameOne(wire: Buffer): { frame: Buffer; crcOk: boolean | null } {
  const framer = new gt06.Gt06Framer();
  const frames: { frame: Buffer; crcOk: boolean | null }[] = [];
  const issues: unknown[] = [];
  framer.push(wire, { frame: (frame, crcOk) => frames.push({ frame, crcOk }), issue: (i) => issues.push(i) });
  expect(issues).toEqual([]);
  expect(frames).toHaveLength(1);
  expect(framer.pendingBytes).toBe(0);
  return frames[0]!;
}

describe('GT06 golden fixtures', () => {
  it('has fixtures', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  it.each(cases.map(([file, c]) => [`${file}: ${c.name}`, c] as const))('%s', (_name, c) => {
    const wire = Buffer.from(c.wire, 'hex');
    const { frame, crcOk } = frameOne(wire);
    expect(frame.toString('hex'), 'framer yields the whole frame').toBe(c.wire.toLowerCase());
    const options = (c.options ? revive(c.options as Json) : undefined) as gt06.Gt06DecodeOptions | undefined;
    const res = gt06.decodeGt06Frame(frame, crcOk, options);
    if (!res.ok) throw new Error(`decode failed: ${res.issue.code}`);
    expect(res.issues).toEqual([]);
    if (c.header !== undefined) expect(toJson(res.header)).toEqual(c.header);
    expect(toJson(res.message)).toEqual(c.message);
    expect(res.message.type).not.toBe('unknown');
    checkInvariants(res.message);
    checkInvariants(res.header);

    if (c.encode === false) return;
    const message = revive(c.message) as gt06.Gt06KnownMessage;
    const h = res.header;
    const headerIn: gt06.Gt06EncodeHeader = { start: h.start, serial: h.serial };
    if (h.serial === null) headerIn.length = h.length;
    const encoded = gt06.encodeGt06(headerIn, message, options);
    expect(encoded.toString('hex')).toBe(c.wire.toLowerCase());

    // Round trip from the revived value, independently of the wire bytes.
    const again = gt06.decodeGt06Frame(frameOne(encoded).frame, undefined, options);
    if (!again.ok) throw new Error('round trip decode failed');
    expect(toJson(again.message)).toEqual(c.message);
  });
});
