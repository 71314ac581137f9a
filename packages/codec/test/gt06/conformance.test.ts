import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CodecIssue } from '../../src/errors.ts';
import { loadShared, ROOT } from '../helpers/fixtures.ts';
import { invariantViolations } from '../helpers/invariants.ts';
import { ALARM_NAMES, ATTRIBUTES, COMMANDS, NO_EQUIV, POSITION_TYPES, positionOf } from './conformance-map.ts';
import { gt06 } from './gt06.ts';

/**
 * GT06 conformance against the third-party corpora in `../shared/fixtures/gt06/` (read from
 * there, never copied; README there). A row passes when every wire frame in it frames (no
 * garbage, nothing left pending, our CRC verdict equals the corpus's) and decodes without an
 * error, and every value the source asserts that has an equivalent in our model matches
 * (conformance-map.ts). Values without an equivalent (protocols we keep raw) are counted and
 * printed, never silently treated as matches. Rows listed under "gt06/<file>" in
 * `packages/codec/test/conformance-malformed.json` are left out of the total.
 *
 * Prints `conformance <file> <passed>/<total>` and requires ≥ 98 % per file.
 * CONFORMANCE_VERBOSE=1 prints every row without an equivalent as well as the failures.
 */

interface Derived {
  declaredLength: number;
  protocol: string;
  lengthConsistent: boolean;
  crcOk: boolean;
}

interface TraccarRow {
  source: string;
  line: number;
  hex: string;
  check: string;
  expect: Record<string, unknown>;
  model?: string;
  derived: Derived[];
  multiFrame?: number;
}

interface DocRow {
  source: string;
  section: string;
  direction: 'up' | 'down';
  hex: string;
  protocol: string;
  crcOk: boolean;
}

const traccar = loadShared<TraccarRow>('gt06/traccar-frames.jsonl');
const docs = loadShared<DocRow>('gt06/doc-example-frames.jsonl');
const available = traccar !== null && docs !== null;
if (!available) console.log('conformance: ../shared/fixtures/gt06 not found, GT06 conformance skipped');
const verbose = process.env.CONFORMANCE_VERBOSE === '1';

const MALFORMED_KEY_PREFIX = 'gt06/';
function loadMalformed(): Record<string, Record<string, string>> {
  try {
    return JSON.parse(readFileSync(join(ROOT, 'packages/codec/test/conformance-malformed.json'), 'utf8')) as Record<
      string,
      Record<string, string>
    >;
  } catch {
    return {};
  }
}
const malformed = loadMalformed();

function rowKey(r: TraccarRow): string {
  return `${r.source.split(/\s+/).pop()}:${r.line}`;
}

interface Framed {
  frame: Buffer;
  crcOk: boolean | null;
}

class Verdict {
  readonly failures: string[] = [];
  readonly noEquivalent: string[] = [];
  compared = 0;
  fail(s: string): void {
    this.failures.push(s);
  }
}

function frameAll(hex: string, v: Verdict): Framed[] {
  const framer = new gt06.Gt06Framer();
  const frames: Framed[] = [];
  const issues: CodecIssue[] = [];
  framer.push(Buffer.from(hex, 'hex'), {
    frame: (frame, crcOk) => frames.push({ frame, crcOk }),
    issue: (i) => issues.push(i),
  });
  const framing = issues.filter((i) => i.code !== 'IOTHUB_ERR_FRAME_CHECKSUM');
  if (framing.length > 0) v.fail(`framing issues ${framing.map((i) => i.code).join(',')}`);
  if (framer.pendingBytes > 0) v.fail(`${framer.pendingBytes} bytes left pending`);
  return frames;
}

/** Decoded positions seen by `decode`, for the invariants line. */
let invariantPositions = 0;

function decode(f: Framed, v: Verdict, options?: gt06.Gt06DecodeOptions): gt06.Gt06Packet | undefined {
  const d = gt06.decodeGt06Frame(f.frame, f.crcOk, options);
  if (!d.ok) {
    v.fail(`decode failed ${d.issue.code}`);
    return undefined;
  }
  const bad = d.issues.filter((i) => i.code !== 'IOTHUB_ERR_FRAME_CHECKSUM' && i.code !== 'IOTHUB_ERR_UNKNOWN_MESSAGE');
  if (bad.length > 0) v.fail(`decode issues ${bad.map((i) => `${i.code} ${i.detail ?? ''}`).join(',')}`);
  // Sanity invariants on every decoded position, not only the rows traccar checks with verifyPosition.
  const inv = invariantViolations(d.message);
  invariantPositions += inv.positions;
  if (inv.violations.length > 0) v.fail(`invariants: ${inv.violations.join('; ')}`);
  return d;
}

function near(a: number, b: number, tol: number): boolean {
  return Math.abs(a - b) <= tol;
}

function valueMatches(attribute: string, expected: unknown, got: unknown): boolean {
  if (attribute === 'alarm') {
    const accepted = ALARM_NAMES[String(expected)] ?? [];
    return Array.isArray(got) && got.some((g) => accepted.includes(String(g)));
  }
  if (expected === null) return got === null || got === undefined;
  if (typeof expected === 'number' && typeof got === 'number') return near(expected, got, 0.005);
  if (typeof expected === 'string' && typeof got === 'string') return expected.toLowerCase() === got.toLowerCase();
  return expected === got;
}

function checkPosition(m: gt06.Gt06Message, v: Verdict, exact?: Record<string, unknown>): void {
  const p = positionOf(m);
  if (!p) {
    if (m.type === 'unknown') v.noEquivalent.push(`position in protocol 0x${m.protocol.toString(16)}`);
    else v.fail(`${m.type} carries no position`);
    return;
  }
  v.compared++;
  const t = p.time?.getTime() ?? Number.NaN;
  if (!(Math.abs(p.latitude) <= 90 && Math.abs(p.longitude) <= 180)) v.fail(`lat/lon ${p.latitude},${p.longitude}`);
  if (!(p.speed >= 0 && p.course >= 0 && p.course <= 360)) v.fail(`speed/course ${p.speed},${p.course}`);
  if (!(t >= Date.UTC(2000, 0, 1) && t < Date.UTC(2100, 0, 1))) v.fail(`time ${p.time?.toISOString()}`);
  if (exact) {
    const tol = Number(exact.tolerance ?? 1e-5);
    const fix = Date.parse(`${String(exact.fixTimeUtc).replace(' ', 'T')}Z`);
    if (t !== fix) v.fail(`time ${p.time?.toISOString()} ≠ ${String(exact.fixTimeUtc)}`);
    if (exact.valid !== undefined && p.valid !== exact.valid) v.fail(`valid ${p.valid}`);
    if (!near(p.latitude, Number(exact.latitude), tol)) v.fail(`latitude ${p.latitude}`);
    if (!near(p.longitude, Number(exact.longitude), tol)) v.fail(`longitude ${p.longitude}`);
  }
}

function evaluateTraccar(r: TraccarRow, model: string | undefined, v: Verdict): void {
  const frames = frameAll(r.hex, v);
  const want = r.multiFrame ?? r.derived.length;
  if (frames.length !== want) {
    v.fail(`framed ${frames.length} frame(s), expected ${want}`);
    return;
  }
  // Our CRC verdict must equal the corpus's (null for frames without a CRC position).
  frames.forEach((f, i) => {
    const d = r.derived[i] ?? r.derived[0]!;
    const expected = d.lengthConsistent && d.declaredLength >= 5 ? d.crcOk : null;
    if (f.crcOk !== expected) v.fail(`crcOk ${f.crcOk}, corpus ${expected}`);
  });
  const options = model ? { model } : undefined;
  const packets = frames.map((f) => decode(f, v, options));
  const first = packets[0];
  if (!first) return;
  const m = first.message;
  switch (r.check) {
    case 'verifyFrame':
      v.compared++;
      if (frames[0]!.frame.toString('hex') !== String(r.expect.frameOut).toLowerCase()) v.fail('frameOut differs');
      return;
    case 'verifyCommand': {
      v.compared++;
      const cmd = r.expect.command as { type: string };
      const text = COMMANDS[cmd.type];
      if (!text) v.fail(`command ${cmd.type} not mapped`);
      else if (gt06.encodeCommand({ command: text }).toString('hex') !== String(r.expect.encodedFrame).toLowerCase()) {
        v.fail('encoded command differs');
      }
      return;
    }
    case 'verifyNull':
      v.compared++;
      for (const p of packets) {
        if (p && POSITION_TYPES.has(p.message.type)) v.fail(`decoded to position type ${p.message.type}`);
      }
      return;
    case 'verifyNotNull':
      if (m.type === 'unknown') v.noEquivalent.push(`protocol 0x${m.protocol.toString(16)}`);
      else v.compared++;
      return;
    case 'verifyAttributes':
      if (m.type === 'unknown') v.noEquivalent.push(`attributes of protocol 0x${m.protocol.toString(16)}`);
      else v.compared++;
      return;
    case 'verifyPosition':
      checkPosition(m, v, r.expect.position as Record<string, unknown> | undefined);
      return;
    case 'verifyAttribute': {
      const attribute = String(r.expect.attribute);
      if (attribute === 'speed' || attribute === 'course' || attribute === 'altitude') {
        v.noEquivalent.push(`${attribute} (protocol 0x${m.protocol.toString(16)})`);
        return;
      }
      const extract = ATTRIBUTES[attribute];
      const got = extract ? extract(m) : NO_EQUIV;
      if (got === NO_EQUIV) {
        v.noEquivalent.push(`${attribute} (${m.type} 0x${m.protocol.toString(16)})`);
        return;
      }
      v.compared++;
      if (!valueMatches(attribute, r.expect.value, got)) {
        v.fail(`${attribute}: expected ${JSON.stringify(r.expect.value)}, got ${JSON.stringify(got)}`);
      }
      return;
    }
    default:
      v.fail(`unknown check ${r.check}`);
  }
}

function evaluateDoc(r: DocRow, v: Verdict): void {
  const frames = frameAll(r.hex, v);
  if (frames.length !== 1) {
    v.fail(`framed ${frames.length} frames`);
    return;
  }
  const f = frames[0]!;
  v.compared += 2;
  if (f.crcOk !== r.crcOk) v.fail(`crcOk ${f.crcOk}`);
  const p = decode(f, v);
  if (!p) return;
  if (p.header.protocol !== Number.parseInt(r.protocol, 16)) v.fail(`protocol 0x${p.header.protocol.toString(16)}`);
  if (p.message.type === 'unknown') {
    v.fail(`not decoded: ${p.message.reason.code}`);
    return;
  }
  if (r.direction === 'down') {
    // Server responses: our encoders must produce the same bytes.
    v.compared++;
    const encoded = gt06.encodeGt06(p.header, p.message);
    if (encoded.toString('hex') !== r.hex.toLowerCase()) v.fail(`re-encoded ${encoded.toString('hex')}`);
  }
}

function report(file: string, total: number, passed: number, compared: number, noEq: string[], failures: string[]) {
  console.log(`conformance gt06/${file} ${passed}/${total}`);
  console.log(
    `conformance-detail ${file}: ${compared} values compared, ${noEq.length} assertions without an equivalent in our model`,
  );
  console.log(`invariants gt06/${file}: ${invariantPositions} decoded positions checked`);
  invariantPositions = 0;
  for (const f of failures) console.log(`  FAIL ${file} ${f}`);
  if (verbose) for (const n of noEq) console.log(`  no-equivalent ${file} ${n}`);
}

describe.skipIf(!available)('GT06 conformance (../shared/fixtures/gt06)', () => {
  it('traccar-frames.jsonl', () => {
    const file = 'traccar-frames.jsonl';
    const excluded = malformed[`${MALFORMED_KEY_PREFIX}${file}`] ?? {};
    const used = new Set<string>();
    let total = 0;
    let passed = 0;
    let compared = 0;
    const noEq: string[] = [];
    const failures: string[] = [];
    // A model override applies to its row and every later row of the same test file.
    const models = new Map<string, string>();
    for (const r of traccar ?? []) {
      if (r.model) models.set(r.source, r.model);
      const key = rowKey(r);
      if (excluded[key] !== undefined) {
        used.add(key);
        continue;
      }
      const v = new Verdict();
      try {
        evaluateTraccar(r, models.get(r.source), v);
      } catch (err) {
        v.fail(`threw ${err instanceof Error ? err.message : String(err)}`);
      }
      total++;
      compared += v.compared;
      for (const n of v.noEquivalent) noEq.push(`${key} ${n}`);
      if (v.failures.length === 0) passed++;
      else failures.push(`${key} [${r.check}] ${v.failures.join('; ')}`);
    }
    report(file, total, passed, compared, noEq, failures);
    expect(
      Object.keys(excluded).filter((k) => !used.has(k)),
      'stale keys in conformance-malformed.json',
    ).toEqual([]);
    expect(passed / total, `${file}: ${passed}/${total}`).toBeGreaterThanOrEqual(0.98);
  });

  it('doc-example-frames.jsonl', () => {
    const file = 'doc-example-frames.jsonl';
    let passed = 0;
    let compared = 0;
    const failures: string[] = [];
    (docs ?? []).forEach((r, i) => {
      const v = new Verdict();
      try {
        evaluateDoc(r, v);
      } catch (err) {
        v.fail(`threw ${err instanceof Error ? err.message : String(err)}`);
      }
      compared += v.compared;
      if (v.failures.length === 0) passed++;
      else failures.push(`#${i + 1} ${r.section}: ${v.failures.join('; ')}`);
    });
    const total = docs?.length ?? 0;
    report(file, total, passed, compared, [], failures);
    expect(passed / total, `${file}: ${passed}/${total}`).toBeGreaterThanOrEqual(0.98);
  });

  it('doc examples: the replies ackFor builds equal the documented server responses', () => {
    const rows = docs ?? [];
    const find = (section: string) => rows.find((r) => r.section === section)!;
    const decodeHex = (hex: string) => {
      const d = gt06.decodeGt06Frame(Buffer.from(hex, 'hex'));
      if (!d.ok) throw new Error(d.issue.code);
      return d;
    };
    const pairs: [string, string, gt06.AckOptions?][] = [
      ['1.1 login', '1.2 login response'],
      ['2.1 heartbeat EG02/EG03 (0x23)', '2.2 heartbeat response EG02/EG03 (0x23)'],
      ['9.1 time request 0x8A', '9.2 time response 0x8A', { now: new Date(Date.UTC(2015, 11, 29, 0, 0, 21)) }],
    ];
    for (const [req, res, options] of pairs) {
      const reply = gt06.ackFor(decodeHex(find(req).hex), options);
      expect(reply?.toString('hex'), req).toBe(find(res).hex.toLowerCase());
    }
    // 0x80 examples rebuilt by encodeCommand.
    expect(gt06.encodeCommand({ command: 'sos#', serial: 1 }).toString('hex')).toBe(
      find('8.1 online command 0x80 without language').hex.toLowerCase(),
    );
    expect(gt06.encodeCommand({ command: 'sos#', serial: 1, language: 2 }).toString('hex')).toBe(
      find('8.1 online command 0x80 with language').hex.toLowerCase(),
    );
  });
});
