import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CodecIssue } from '../../src/errors.ts';
import { jt808 } from '../../src/index.ts';
import { paramDef } from '../../src/jt808/params.ts';
import { Jt808Reassembler } from '../../src/jt808/reassembler.ts';
import { ROOT } from '../helpers/fixtures.ts';
import { invariantViolations } from '../helpers/invariants.ts';
import { type Json, toJson } from '../helpers/json.ts';

/**
 * Shared machinery of the JT/T 808 conformance test (conformance.test.ts): the row schema of
 * `../shared/fixtures/jt808/*.jsonl` (see the README there), framing and decoding a row with our
 * stack, value comparison, and the per-row verdict.
 *
 * A row passes when every frame in it frames and decodes without an error (a bad check code the
 * source itself flags is accepted: real decoders accept it, so do we) and every value the
 * original test asserts that has an equivalent in our model matches. Asserted values without an
 * equivalent are counted as "unmapped" and listed, never silently ignored.
 */

export interface FrameInfo {
  msg_id?: string;
  version?: string;
  checksum_ok?: boolean;
  wire_hex?: string;
  body_len_declared?: number;
  body_len_actual?: number;
  phone_bcd?: string;
  serial?: number;
  subpackage?: { total: number; index: number };
}

export interface Row {
  source: string;
  line: number;
  hex: string;
  check: string;
  expect: Record<string, unknown>;
  kind: string;
  layer?: string;
  frame_info?: FrameInfo;
  method?: string;
  test?: string;
  case?: string;
  key?: string;
  declared_version?: string;
  profile?: string;
  serializer_skips_crc_check?: boolean;
  session_step?: number;
  direction?: string;
  note?: string;
}

/** One decoded frame or body. `json` is the message in the golden-fixture JSON form. */
export interface Decoded {
  header?: jt808.Jt808Header;
  message: jt808.Jt808Message;
  json: Json;
  issues: CodecIssue[];
  /** Unescaped frame (header + body + check), for frames. */
  frame?: Buffer;
  /** Set when this is a message reassembled from fragments of this and earlier rows. */
  reassembled?: boolean;
}

/** Verdict bookkeeping of one row. */
export class RowCheck {
  readonly failures: string[] = [];
  readonly unmapped: string[] = [];
  compared = 0;
  /** Message ids met without a codec (decoded as `unknown`). */
  readonly noCodec = new Set<number>();
  /** Decoded positions seen, and the sanity-invariant violations among them (test/helpers/invariants.ts). */
  positions = 0;
  readonly invariantViolations: string[] = [];

  fail(what: string): void {
    this.failures.push(what);
  }

  /** Compare a value the source asserts with ours. */
  eq(label: string, expected: unknown, got: unknown): void {
    this.compared++;
    if (!looseEqual(expected, got)) this.failures.push(`${label}: expected ${fmt(expected)}, got ${fmt(got)}`);
  }

  skip(label: string): void {
    this.unmapped.push(label);
  }
}

export function fmt(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v instanceof Uint8Array) return `<${Buffer.from(v).toString('hex')}>`;
  if (v instanceof Date) return v.toISOString();
  const s = JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));
  return s.length > 160 ? `${s.slice(0, 160)}…` : s;
}

/** Numbers compare with a small tolerance (scaled units); bigint equals number; strings exact. */
export function looseEqual(a: unknown, b: unknown): boolean {
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    try {
      return BigInt(a as bigint | number | string) === BigInt(b as bigint | number | string);
    } catch {
      return false;
    }
  }
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a));
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => looseEqual(x, b[i]));
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.from(a).equals(Buffer.from(b));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a as object);
    const kb = Object.keys(b as object);
    return (
      ka.length === kb.length &&
      ka.every((k) => looseEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
  }
  return a === b;
}

/** Read a dotted path with `[n]` indexes from a JSON value; undefined when absent. */
export function at(value: unknown, path: string): unknown {
  let cur: unknown = value;
  if (path === '') return cur;
  for (const part of path.split('.')) {
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) return undefined;
    if (m[1]) {
      if (cur === null || typeof cur !== 'object') return undefined;
      cur = (cur as Record<string, unknown>)[m[1]];
    }
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[Number(idx[1])];
    }
  }
  return cur;
}

export function asRecord(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** `{"$date": ISO}` or Date → wall time in GMT+8 as `YYYY-MM-DD hh:mm:ss` (the sources' form). */
export function gmt8(v: unknown): string | undefined {
  let d: Date | undefined;
  if (v instanceof Date) d = v;
  else {
    const iso = asRecord(v).$date;
    if (typeof iso === 'string') d = new Date(iso);
  }
  if (!d || Number.isNaN(d.getTime())) return v === null ? 'null' : undefined;
  return new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

export function hexOf(v: unknown): string | undefined {
  const h = asRecord(v).$hex;
  return typeof h === 'string' ? h : undefined;
}

/** Wire length of a decoded parameter (JSON form): by its table type, or the bytes / GBK string. */
export function paramLength(p: Record<string, unknown>): number | undefined {
  const h = hexOf(p.value);
  if (h !== undefined) return h.length / 2;
  if (typeof p.value === 'string') return [...p.value].reduce((n, ch) => n + (ch.charCodeAt(0) < 0x80 ? 1 : 2), 0);
  const type = paramDef(Number(p.id))?.type;
  return type === 'dword' ? 4 : type === 'word' ? 2 : type === 'byte' ? 1 : undefined;
}

/** Location additional item with this id in a decoded report (JSON form). */
export function item(report: unknown, id: number): Record<string, unknown> | undefined {
  const items = asRecord(report).items;
  if (!Array.isArray(items)) return undefined;
  const found = items.find((i) => asRecord(i).id === id);
  return found === undefined ? undefined : asRecord(found);
}

export function msgIdOf(row: Row): number | undefined {
  const id = row.frame_info?.msg_id;
  return id ? Number.parseInt(id, 16) : undefined;
}

export function tolerated(code: string): boolean {
  return code === 'IOTHUB_ERR_UNKNOWN_MESSAGE' || code === 'IOTHUB_ERR_ENCRYPTED';
}

/** Per-file decoding state: fragments of subpackaged messages are reassembled across rows. */
export class FileState {
  readonly reassembler = new Jt808Reassembler();
  private clock = 0;
  tick(): number {
    this.clock += 1;
    return this.clock;
  }
}

/**
 * Frame a wire byte string and decode every frame. Framer issues and decode problems are reported
 * on `check`; a bad check code is accepted when the source flags it (`checksumFlagged`).
 */
/** What the source data itself flags (frame_info): such issues are expected, not failures. */
export interface SourceFlags {
  checksumFlagged?: boolean;
  lengthFlagged?: boolean;
  options?: jt808.Jt808DecodeOptions;
}

export function flagsOf(row: Row, options?: jt808.Jt808DecodeOptions): SourceFlags {
  const fi = row.frame_info;
  const flags: SourceFlags = {
    checksumFlagged: fi?.checksum_ok === false,
    lengthFlagged: fi?.body_len_declared !== undefined && fi.body_len_declared !== fi.body_len_actual,
  };
  if (options) flags.options = options;
  return flags;
}

export function decodeWire(wire: Buffer, check: RowCheck, state: FileState, opts: SourceFlags = {}): Decoded[] {
  const framer = new jt808.Jt808Framer();
  const frames: { frame: Buffer; ok: boolean }[] = [];
  const issues: CodecIssue[] = [];
  framer.push(wire, { frame: (frame, ok) => frames.push({ frame, ok }), issue: (i) => issues.push(i) });
  for (const i of issues) {
    if (i.code === 'IOTHUB_ERR_FRAME_CHECKSUM' && opts.checksumFlagged) continue;
    check.fail(`framer: ${i.code}${i.detail ? ` (${i.detail})` : ''}`);
  }
  if (framer.pendingBytes > 0) check.fail(`framer: ${framer.pendingBytes} bytes left pending (no closing 0x7e)`);
  const out: Decoded[] = [];
  for (const f of frames) out.push(...decodeFrame(f.frame, f.ok, check, state, opts));
  return out;
}

export function decodeFrame(
  frame: Buffer,
  ok: boolean,
  check: RowCheck,
  state: FileState,
  opts: SourceFlags,
): Decoded[] {
  const res = jt808.decodeJt808Frame(frame, ok, opts.options);
  if (!res.ok) {
    check.fail(`decodeJt808Frame: ${res.issue.code}${res.issue.detail ? ` (${res.issue.detail})` : ''}`);
    return [];
  }
  for (const i of res.issues) {
    if (i.code === 'IOTHUB_ERR_FRAME_CHECKSUM' && opts.checksumFlagged) continue;
    if (i.code === 'IOTHUB_ERR_FRAME_LENGTH' && opts.lengthFlagged) continue;
    if (tolerated(i.code)) continue;
    check.fail(`decode issue 0x${hex4(res.header.msgId)}: ${i.code}${i.detail ? ` (${i.detail})` : ''}`);
  }
  noteUnknown(res.message, check);
  const out: Decoded[] = [
    { header: res.header, message: res.message, json: toJson(res.message), issues: res.issues, frame },
  ];
  if (res.message.type === 'fragment') {
    const r = state.reassembler.push(res.header, res.message.body, state.tick());
    if (r.status === 'complete') {
      const m = r.message;
      const body = jt808.decodeJt808Body(m.msgId, m.body, { ...opts.options, version: m.header.version });
      if (body.issue && !tolerated(body.issue.code)) {
        check.fail(
          `reassembled 0x${hex4(m.msgId)}: ${body.issue.code}${body.issue.detail ? ` (${body.issue.detail})` : ''}`,
        );
      }
      noteUnknown(body.message, check);
      out.push({
        header: m.header,
        message: body.message,
        json: toJson(body.message),
        issues: body.issue ? [body.issue] : [],
        reassembled: true,
      });
    } else if (r.status === 'invalid' || r.status === 'overflow') {
      check.fail(`reassembly: ${r.issue.code}`);
    }
  }
  return out;
}

export function decodeBody(
  msgId: number,
  body: Buffer,
  version: 2011 | 2013 | 2019,
  check: RowCheck,
  options?: jt808.Jt808DecodeOptions,
): Decoded {
  const r = jt808.decodeJt808Body(msgId, body, { ...options, version });
  if (r.issue && !tolerated(r.issue.code)) {
    check.fail(`decodeJt808Body 0x${hex4(msgId)}: ${r.issue.code}${r.issue.detail ? ` (${r.issue.detail})` : ''}`);
  }
  noteUnknown(r.message, check);
  return { message: r.message, json: toJson(r.message), issues: r.issue ? [r.issue] : [] };
}

function noteUnknown(m: jt808.Jt808Message, check: RowCheck): void {
  if (m.type === 'unknown' && m.reason.code === 'IOTHUB_ERR_UNKNOWN_MESSAGE') check.noCodec.add(m.msgId);
  const inv = invariantViolations(m);
  check.positions += inv.positions;
  check.invariantViolations.push(...inv.violations);
}

export function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}

/** Re-encode a decoded frame with our encoder (same header fields), or undefined when we have no encoder. */
export function reencodeFrame(d: Decoded, options?: jt808.Jt808DecodeOptions): Buffer | undefined {
  if (!d.header || d.message.type === 'unknown' || d.message.type === 'fragment') return undefined;
  const h = d.header;
  const header: jt808.Jt808EncodeHeader = { version: h.version, phone: h.phone, serial: h.serial };
  if (h.protocolVersion !== undefined) header.protocolVersion = h.protocolVersion;
  if (h.subpackage) header.subpackage = h.subpackage;
  if (h.encryption) header.encryption = h.encryption;
  return jt808.encodeJt808(header, d.message, options ?? {});
}

export function reencodeBody(
  d: Decoded,
  version: 2011 | 2013 | 2019,
  options?: jt808.Jt808DecodeOptions,
): Buffer | undefined {
  if (d.message.type === 'unknown' || d.message.type === 'fragment') return undefined;
  return jt808.encodeJt808Body(d.message, { ...options, version });
}

/** `encode → same bytes` check shared by the sources (library-generated frames and bodies). */
export function checkReencode(
  check: RowCheck,
  label: string,
  expectedHex: string,
  encode: () => Buffer | undefined,
): void {
  let got: Buffer | undefined;
  try {
    got = encode();
  } catch (err) {
    check.compared++;
    check.fail(`${label}: encoder threw ${err instanceof Error ? err.message : String(err)}`);
    return;
  }
  if (!got) {
    check.skip(`${label} (no encoder)`);
    return;
  }
  check.eq(label, expectedHex.toLowerCase(), got.toString('hex'));
}

/**
 * The shared exclusion list `packages/codec/test/conformance-malformed.json`:
 * `{ "<fixture file>": { "<key>": "reason" } }`. A key is `<test file>:<line>` (the row's
 * `source` file name and `line`, unambiguous) or a bare `<line>` (every row of that line).
 */
export interface MalformedList {
  readonly path: string;
  readonly entries: Record<string, Record<string, string>>;
}

export function loadMalformed(): MalformedList {
  const path = join(ROOT, 'packages/codec/test/conformance-malformed.json');
  let entries: Record<string, Record<string, string>> = {};
  try {
    entries = JSON.parse(readFileSync(path, 'utf8')) as Record<string, Record<string, string>>;
  } catch {
    entries = {};
  }
  return { path, entries };
}

export function rowKey(row: Row): string {
  const file = row.source.split(/\s+/).slice(1).join(' ').split('/').pop() ?? row.source;
  return `${file}:${row.line}`;
}

export function exclusionReason(list: MalformedList, file: string, row: Row): string | undefined {
  const forFile = list.entries[file];
  if (!forFile) return undefined;
  return forFile[rowKey(row)] ?? forFile[String(row.line)];
}
