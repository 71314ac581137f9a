import { describe, expect, it } from 'vitest';
import { jt808 } from '../../src/index.ts';
import { loadGolden } from '../helpers/fixtures.ts';
import { checkInvariants } from '../helpers/invariants.ts';
import { type Json, revive, toJson } from '../helpers/json.ts';

/**
 * Every project-owned JT/T 808 fixture (test/fixtures/jt808/*.json): framed, decoded to the
 * expected header and message, encoded back to the same bytes, round-tripped, invariants applied.
 */
const cases = loadGolden('jt808');

function frameOne(wire: Buffer): { frame: Buffer; ok: boolean } {
  const framer = new jt808.Jt808Framer();
  const frames: { frame: Buffer; ok: boolean }[] = [];
  const issues: unknown[] = [];
  framer.push(wire, { frame: (frame, ok) => frames.push({ frame, ok }), issue: (i) => issues.push(i) });
  expect(issues).toEqual([]);
  expect(frames).toHaveLength(1);
  return frames[0]!;
}

describe('JT/T 808 golden fixtures', () => {
  it('has fixtures', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  it.each(cases.map(([file, c]) => [`${file}: ${c.name}`, c] as const))('%s', (_name, c) => {
    const wire = Buffer.from(c.wire, 'hex');
    const { frame, ok } = frameOne(wire);
    expect(ok, 'check code').toBe(true);
    const options = (c.options ? revive(c.options as Json) : undefined) as jt808.Jt808DecodeOptions | undefined;
    const res = jt808.decodeJt808Frame(frame, ok, options);
    if (!res.ok) throw new Error(`decode failed: ${res.issue.code}`);
    expect(res.issues).toEqual([]);
    if (c.header !== undefined) expect(toJson(res.header)).toEqual(c.header);
    expect(toJson(res.message)).toEqual(c.message);
    checkInvariants(res.message);
    checkInvariants(res.header);

    if (c.encode === false) return;
    const message = revive(c.message) as jt808.Jt808KnownMessage;
    const h = res.header;
    const headerIn: jt808.Jt808EncodeHeader = { version: h.version, phone: h.phone, serial: h.serial };
    if (h.protocolVersion !== undefined) headerIn.protocolVersion = h.protocolVersion;
    if (h.subpackage) headerIn.subpackage = h.subpackage;
    const ctx: Partial<Omit<jt808.Jt808Context, 'version'>> = {};
    if (options?.timeOffsetMinutes !== undefined) ctx.timeOffsetMinutes = options.timeOffsetMinutes;
    if (options?.alarmIdLayout !== undefined) ctx.alarmIdLayout = options.alarmIdLayout;
    const encoded = jt808.encodeJt808(headerIn, message, ctx);
    expect(encoded.toString('hex')).toBe(c.wire.toLowerCase());

    // Round trip from the revived value, independently of the wire bytes.
    const again = jt808.decodeJt808Frame(frameOne(encoded).frame, true, options);
    if (!again.ok) throw new Error('round trip decode failed');
    expect(toJson(again.message)).toEqual(c.message);
  });
});
