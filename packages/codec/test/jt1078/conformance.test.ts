import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CodecErrorCode, CodecIssue } from '../../src/errors.ts';
import { escapeAndWrap } from '../../src/jt808/escape.ts';
import {
  type AttachmentFileData,
  AttachmentStreamFramer,
  decodeAttachmentFileData,
  decodeJt1078Packet,
  encodeJt1078Packet,
  type Jt1078AudioFrame,
  Jt1078Framer,
  type Jt1078Packet,
  type Jt1078PacketInput,
  Jt1078Reassembler,
  type Jt1078VideoFrame,
} from '../../src/jt1078/index.ts';
import { loadShared } from '../helpers/fixtures.ts';
import { prng } from './util.ts';

/**
 * Conformance against the third-party JT/T 1078 corpora in ../shared/fixtures/jt1078/ (read from
 * there, never copied), plus the file-data packets of the Su-biao attachment session in
 * ../shared/fixtures/jt808/. Per source file: every packet frames and decodes without a framing
 * error (the deliberate error rows must give our defined error instead), and every value the
 * original test asserts that has an equivalent in our model matches. The captured streams must
 * frame in any chunking and reassemble into frames whose key-frame flag agrees with their NAL
 * units. Rows known to be malformed are listed in ../conformance-malformed.json.
 */

interface Row {
  source: string;
  line: number;
  hex: string;
  check: string;
  kind: string;
  expect: Record<string, unknown>;
  frame_info?: Record<string, unknown>;
  test?: string;
  case?: string;
  key?: string;
  method?: string;
  stream_index?: number;
  direction?: string;
  session_step?: number;
}

const FILES = ['go-jt808-packets.jsonl', 'smallchi-jt1078-packets.jsonl', 'traccar-packets.jsonl'] as const;
const ATTACHMENT = 'go-jt808-subiao-attachment-session.jsonl';
const corpora = FILES.map((f) => [f, loadShared<Row>(`jt1078/${f}`)] as const);
const attachment = loadShared<Row>(`jt808/${ATTACHMENT}`);
const available = corpora.every(([, rows]) => rows !== null) && attachment !== null;
if (!available) {
  console.log('conformance jt1078: ../shared/fixtures not found, JT/T 1078 conformance SKIPPED');
}

const here = dirname(fileURLToPath(import.meta.url));
const MALFORMED_PATH = join(here, '../conformance-malformed.json');
const malformed: Record<string, Record<string, string>> = existsSync(MALFORMED_PATH)
  ? (JSON.parse(readFileSync(MALFORMED_PATH, 'utf8')) as Record<string, Record<string, string>>)
  : {};

/** Row key in the malformed list: the source line, plus the stream index for rows of one hex stream. */
function rowKey(r: Row): string {
  return r.stream_index === undefined ? String(r.line) : `${r.line}#${r.stream_index}`;
}

// ---------------------------------------------------------------------------------------------
// Small accessors (the rows are JSON: `unknown` until checked).

function obj(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** `{ "const": "X" }` → "X". */
function constName(v: unknown): string | undefined {
  const c = obj(v).const;
  return typeof c === 'string' ? c : undefined;
}

function bytesHex(v: unknown): string | undefined {
  const h = obj(v).bytes_hex;
  return typeof h === 'string' ? h.toLowerCase() : undefined;
}

// ---------------------------------------------------------------------------------------------
// Expected outcomes.

/** go-jt808's errors and ours. */
const GO_ERRORS: Record<string, CodecErrorCode> = {
  ErrUnqualifiedData: 'IOTHUB_ERR_FRAME_GARBAGE',
  ErrHeaderLength2Short: 'IOTHUB_ERR_FRAME_TOO_SHORT',
  ErrBodyLength2Short: 'IOTHUB_ERR_FRAME_LENGTH',
};

function goWantErr(r: Row): string | null | undefined {
  for (const v of arr(r.expect.values)) {
    const o = obj(v);
    if (o.path === 'want.err') return o.value === null ? null : (constName(o.value) ?? 'unknown');
  }
  return undefined;
}

/** The error a row must produce, or null when it must decode. */
function expectedError(r: Row, rows: Row[]): CodecErrorCode | null {
  if (r.check === 'verifyNull') return 'IOTHUB_ERR_FRAME_TOO_SHORT';
  if (r.test === 'TestDecode') {
    // The library's output rows (key want.msg) inherit the outcome of their input row.
    const args = r.key === 'args' ? r : rows.find((x) => x.test === r.test && x.case === r.case && x.key === 'args');
    const err = args ? goWantErr(args) : null;
    if (err) {
      // The output of a decoding error is its input unchanged, which fails the same way. The
      // output of the surplus-body case is the surplus: a whole packet.
      return GO_ERRORS[err] ?? 'IOTHUB_ERR_FIELD_VALUE';
    }
  }
  return null;
}

const NAL_TYPES: Record<string, number> = {
  'NalUnitType.SLICE': 1,
  'NalUnitType.IDR': 5,
  'NalUnitType.SEI': 6,
  'NalUnitType.SPS': 7,
  'NalUnitType.PPS': 8,
};

const FRAME_KINDS: Record<string, number> = { 视频I帧: 0, 视频P帧: 1, 视频B帧: 2, 音频帧: 3, 透传数据: 4 };
const SPLIT_KINDS: Record<string, number> = {
  原子包: 0,
  分包处理时的第一个包: 1,
  分包处理时的最后一个包: 2,
  分包处理时的中间包: 3,
};

// ---------------------------------------------------------------------------------------------
// Per-row checks: a list of failures (empty = pass).

function frameAll(bytes: Buffer): { packets: Jt1078Packet[]; issues: CodecIssue[]; framer: Jt1078Framer } {
  const framer = new Jt1078Framer({ maxPacketSize: 65_535 + 34 });
  const packets: Jt1078Packet[] = [];
  const issues: CodecIssue[] = [];
  const sink = { packet: (p: Jt1078Packet) => packets.push(p), issue: (i: CodecIssue) => issues.push(i) };
  framer.push(bytes, sink);
  return { packets, issues, framer };
}

function headerByte(p: Jt1078Packet, label: string): number {
  if (label === 'Label1') return (p.version << 6) | (p.padding ? 0x20 : 0) | (p.extension ? 0x10 : 0) | p.csrcCount;
  if (label === 'Label2') return (p.marker ? 0x80 : 0) | p.payloadType;
  return (p.dataType << 4) | p.subpacket;
}

function reassembleOne(p: Jt1078Packet): Jt1078VideoFrame | undefined {
  const r = new Jt1078Reassembler();
  let frame: Jt1078VideoFrame | undefined;
  r.push(p, { video: (f) => (frame = f), audio: () => {}, passThrough: () => {}, issue: () => {} });
  return frame;
}

/** Value of a SmallChi assertion path in our model; undefined when the path has no equivalent. */
function smallchiValue(p: Jt1078Packet, path: string): unknown {
  const m = /^JT1078Package\.(\w+)/.exec(path);
  if (m) {
    switch (m[1]) {
      case 'Label1':
      case 'Label2':
      case 'Label3':
        return headerByte(p, m[1]);
      case 'SN':
        return p.sequence;
      case 'SIM':
        return p.sim;
      case 'LogicChannelNumber':
        return p.channel;
      case 'Timestamp':
        return 'timestamp' in p ? p.timestamp : null;
      case 'LastIFrameInterval':
        return 'lastIFrameInterval' in p ? p.lastIFrameInterval : null;
      case 'LastFrameInterval':
        return 'lastFrameInterval' in p ? p.lastFrameInterval : null;
      case 'DataBodyLength':
        return p.bodyLength;
      case 'Bodies':
        return p.body.toString('hex');
      default:
        return undefined;
    }
  }
  if (path.startsWith('nalu.NALUHeader.')) {
    const frame = reassembleOne(p);
    const unit = frame?.nalUnits[0];
    if (!frame || !unit) return null;
    const h = frame.data[unit.offset]!;
    if (path.endsWith('ForbiddenZeroBit')) return h >> 7;
    if (path.endsWith('NalRefIdc')) return (h >> 5) & 3;
    if (path.endsWith('NalUnitType')) return unit.type;
  }
  return undefined;
}

function checkFrameInfo(p: Jt1078Packet, fi: Record<string, unknown>, fail: string[]): void {
  const pairs: [string, unknown, unknown][] = [
    ['pt', p.payloadType, fi.pt],
    ['marker', p.marker ? 1 : 0, fi.marker],
    ['seq', p.sequence, fi.seq],
    ['sim_len', p.simLength, fi.sim_len],
    ['sim_bcd', p.sim, fi.sim_bcd],
    ['channel', p.channel, fi.channel],
    ['data_type', p.dataType, fi.data_type],
    ['subpacket', p.subpacket, fi.subpacket],
    ['body_len_declared', p.bodyLength, fi.body_len_declared],
    ['timestamp_ms', 'timestamp' in p ? p.timestamp : undefined, fi.timestamp_ms],
    ['last_i_frame_interval', 'lastIFrameInterval' in p ? p.lastIFrameInterval : undefined, fi.last_i_frame_interval],
    ['last_frame_interval', 'lastFrameInterval' in p ? p.lastFrameInterval : undefined, fi.last_frame_interval],
  ];
  for (const [k, ours, theirs] of pairs) if (ours !== theirs) fail.push(`frame_info.${k}: ${ours} != ${theirs}`);
}

function checkRow(r: Row, rows: Row[]): string[] {
  const fail: string[] = [];
  const bytes = Buffer.from(r.hex, 'hex');
  const want = expectedError(r, rows);
  const res = decodeJt1078Packet(bytes);
  const framed = frameAll(bytes);

  if (want !== null) {
    if (res.ok) fail.push(`decoded, but ${want} expected`);
    else if (res.issue.code !== want) fail.push(`${res.issue.code} instead of ${want}`);
    if (framed.packets.length > 0) fail.push('framer yielded a packet from an error row');
    if (framed.framer.stats.discardedBytes + framed.framer.pendingBytes !== bytes.length) {
      fail.push('framer lost track of bytes');
    }
    return fail;
  }

  if (!res.ok) return [`decode failed: ${res.issue.code} ${res.issue.detail ?? ''}`];
  const p = res.packet;
  if (framed.issues.length > 0) fail.push(`framer issues: ${framed.issues.map((i) => i.code).join(',')}`);
  framed.framer.flush({ packet: (q) => framed.packets.push(q), issue: (i) => fail.push(`flush: ${i.code}`) });
  if (framed.packets[0]?.raw.toString('hex') !== p.raw.toString('hex')) fail.push('framer and decoder disagree');
  if (p.raw.length === bytes.length && framed.packets.length !== 1) fail.push('framer yielded extra packets');

  // Our own encoder reproduces every packet byte for byte.
  if (!encodeJt1078Packet(p).equals(p.raw)) fail.push('re-encoding differs');

  if (r.frame_info) checkFrameInfo(p, r.frame_info, fail);

  // go-jt808 table values: want.msg is what remains after the packet.
  const rest = bytes.subarray(p.raw.length).toString('hex');
  for (const v of arr(r.expect.values)) {
    const o = obj(v);
    if (o.path === 'want.msg' && typeof o.value === 'string' && o.value !== rest) fail.push(`remainder ${rest}`);
  }
  const outMsg = obj(r.expect.outputs)['want.msg'];
  if (typeof outMsg === 'string' && outMsg !== rest) fail.push(`remainder ${rest} != ${outMsg}`);

  // traccar frame decoder: the packet comes out unchanged.
  if (typeof r.expect.decoded_hex === 'string') {
    const out = framed.packets.map((q) => q.raw.toString('hex'));
    if (out.length !== 1 || out[0] !== r.expect.decoded_hex) fail.push('traccar decoded_hex differs');
  }

  // SmallChi assertions.
  for (const a of arr(r.expect.asserts)) {
    const o = obj(a);
    const path = String(o.path);
    const ours = smallchiValue(p, path);
    if (ours === undefined) {
      fail.push(`no equivalent for ${path}`);
      continue;
    }
    const eq = o.equals;
    const theirs = bytesHex(eq) ?? (constName(eq) !== undefined ? NAL_TYPES[constName(eq)!] : eq);
    if (ours !== theirs) fail.push(`${path}: ${String(ours)} != ${String(theirs)}`);
  }
  // SmallChi serialise tests: the packet built from these values is `hex`.
  const built = arr(r.expect.built_from);
  if (built.length > 0) {
    const input: Record<string, unknown> = { ...p, body: p.body };
    for (const b of built) {
      const o = obj(b);
      const path = String(o.path).replace(/^JT1078Package\./, '');
      const v = o.value;
      if (path === 'SN') input.sequence = v;
      else if (path === 'SIM') input.sim = String(v).padStart(12, '0');
      else if (path === 'LogicChannelNumber') input.channel = v;
      else if (path === 'Timestamp') input.timestamp = v;
      else if (path === 'LastIFrameInterval') input.lastIFrameInterval = v;
      else if (path === 'LastFrameInterval') input.lastFrameInterval = v;
      else if (path === 'Bodies') input.body = Buffer.from(bytesHex(v) ?? '', 'hex');
      else fail.push(`no equivalent for built_from ${path}`);
    }
    const encoded = encodeJt1078Packet(input as unknown as Jt1078PacketInput);
    if (encoded.toString('hex') !== r.hex) fail.push('serialising the built_from values differs');
  }

  // Capture metadata (SmallChi CSV columns): SIM, sequence, channel, frame and split kind.
  const csv = obj(r.expect.capture_csv);
  if (Object.keys(csv).length > 0) {
    const kind = FRAME_KINDS[String(csv.frame_kind).split(' ')[0]!];
    const split = SPLIT_KINDS[String(csv.split_kind).split(' ')[0]!.replace(/_.*/, '')];
    if (csv.sim !== p.sim) fail.push(`csv sim ${String(csv.sim)}`);
    if (Number(csv.col3) !== p.sequence) fail.push(`csv sequence ${String(csv.col3)}`);
    if (Number(csv.col4) !== p.channel) fail.push(`csv channel ${String(csv.col4)}`);
    if (kind !== p.dataType) fail.push(`csv frame kind ${String(csv.frame_kind)}`);
    if (split !== p.subpacket) fail.push(`csv split kind ${String(csv.split_kind)}`);
  }
  return fail;
}

// ---------------------------------------------------------------------------------------------
// Captured streams: framing in any chunking, reassembly with key-frame flags.

function checkStream(rows: Row[]): string[] {
  const fail: string[] = [];
  const wire = Buffer.concat(rows.map((r) => Buffer.from(r.hex, 'hex')));
  const want = rows.map((r) => r.hex);
  for (const seed of [0, 1, 2, 3]) {
    const rnd = prng(seed);
    const framer = new Jt1078Framer();
    const got: Jt1078Packet[] = [];
    const issues: CodecIssue[] = [];
    const sink = { packet: (p: Jt1078Packet) => got.push(p), issue: (i: CodecIssue) => issues.push(i) };
    let at = 0;
    while (at < wire.length) {
      const n = seed === 0 ? wire.length : 1 + (rnd() % (seed * 700));
      framer.push(wire.subarray(at, at + n), sink);
      at += n;
    }
    if (issues.length > 0) fail.push(`seed ${seed}: framer issues ${issues.map((i) => i.code).join(',')}`);
    const hex = got.map((p) => p.raw.toString('hex'));
    if (hex.length !== want.length || hex.some((h, k) => h !== want[k])) fail.push(`seed ${seed}: packets differ`);
    if (framer.pendingBytes !== 0) fail.push(`seed ${seed}: ${framer.pendingBytes} bytes left`);
    if (seed !== 0) continue;

    // Expected frames from the rows' own flags: (first sequence, data type, pieces, bytes).
    const expected: { video: string[]; audio: string[] } = { video: [], audio: [] };
    const open = new Map<string, { seq: number; dt: number; n: number; bytes: number }>();
    for (const r of rows) {
      const fi = obj(r.frame_info);
      const dt = Number(fi.data_type);
      const sp = Number(fi.subpacket);
      const key = `${String(fi.sim_bcd)}/${String(fi.channel)}/${dt === 3 ? 'a' : 'v'}`;
      if (sp === 0 || sp === 1) open.set(key, { seq: Number(fi.seq), dt, n: 0, bytes: 0 });
      const f = open.get(key)!;
      f.n++;
      f.bytes += Number(fi.body_len_declared);
      if (sp === 0 || sp === 2) {
        (dt === 3 ? expected.audio : expected.video).push(`${f.seq}/${f.dt}/${f.n}/${f.bytes}`);
        open.delete(key);
      }
    }
    const video: Jt1078VideoFrame[] = [];
    const audio: Jt1078AudioFrame[] = [];
    const r = new Jt1078Reassembler();
    const rsink = {
      video: (f: Jt1078VideoFrame) => video.push(f),
      audio: (f: Jt1078AudioFrame) => audio.push(f),
      passThrough: () => fail.push('unexpected pass-through'),
      issue: (i: CodecIssue) => fail.push(`reassembly: ${i.code} ${i.detail ?? ''}`),
    };
    for (const p of got) r.push(p, rsink);
    const gotVideo = video.map((f) => `${f.sequence}/${f.dataType}/${f.packets}/${f.data.length}`);
    const gotAudio = audio.map((f) => `${f.sequence}/3/${f.packets}/${f.data.length}`);
    if (gotVideo.join() !== expected.video.join()) fail.push('video frames differ from the rows');
    if (gotAudio.join() !== expected.audio.join()) fail.push('audio frames differ from the rows');
    for (const f of video) {
      const types = f.nalUnits.map((u) => u.type);
      // H.264: an I-frame carries an IDR slice (5) and SPS (7); a P-frame only non-IDR slices (1).
      const key = types.includes(5) && types.includes(7);
      if (f.keyFrame !== key) fail.push(`frame ${f.sequence}: keyFrame ${f.keyFrame}, NAL types ${types.join(' ')}`);
      if (!f.keyFrame && types.some((t) => t !== 1)) fail.push(`frame ${f.sequence}: P-frame NAL types ${types}`);
    }
    if (video.filter((f) => f.keyFrame).length === 0) fail.push('no key frame');
  }
  return fail;
}

function report(file: string, rows: Row[], failures: Map<Row, string[]>): void {
  const known = malformed[file] ?? {};
  let passed = 0;
  const shown: string[] = [];
  for (const r of rows) {
    const f = failures.get(r) ?? [];
    if (f.length === 0) passed++;
    else if (known[rowKey(r)] !== undefined) passed++;
    else if (shown.length < 10) shown.push(`  line ${rowKey(r)}: ${f.join('; ')}`);
  }
  console.log(`conformance jt1078/${file} ${passed}/${rows.length}`);
  if (shown.length > 0) console.log(shown.join('\n'));
  expect(passed / rows.length, `${file}: ${shown.join('\n')}`).toBeGreaterThanOrEqual(0.98);
}

describe.skipIf(!available)('JT/T 1078 conformance (../shared/fixtures/jt1078)', () => {
  it.each(FILES.map((f) => [f] as const))('%s', (file) => {
    const rows = corpora.find(([f]) => f === file)![1]!;
    const failures = new Map<Row, string[]>();
    for (const r of rows) failures.set(r, checkRow(r, rows));
    const streams = new Map<string, Row[]>();
    for (const r of rows) {
      if (r.stream_index === undefined) continue;
      const s = streams.get(r.source) ?? [];
      s.push(r);
      streams.set(r.source, s);
    }
    for (const s of streams.values()) {
      s.sort((a, b) => a.stream_index! - b.stream_index!);
      const f = checkStream(s);
      if (f.length > 0) for (const r of s) failures.get(r)!.push(...f.map((x) => `stream: ${x}`));
    }
    report(file, rows, failures);
  });

  it(`${ATTACHMENT}: file-data packets`, () => {
    const rows = attachment!;
    const data = rows.filter((r) => r.kind.startsWith('subiao-file-data'));
    expect(data.length).toBeGreaterThan(0);
    const failures = new Map<Row, string[]>();
    for (const r of data) {
      const fail: string[] = [];
      const res = decodeAttachmentFileData(Buffer.from(r.hex, 'hex'));
      const fi = obj(r.frame_info);
      if (!res.ok) fail.push(`decode failed: ${res.issue.code}`);
      else {
        const p = res.packet;
        if (p.fileName !== fi.file_name) fail.push(`file name ${p.fileName}`);
        if (p.offset !== fi.data_offset) fail.push(`offset ${p.offset}`);
        if (p.length !== fi.data_length || p.data.length !== fi.data_length_actual) fail.push(`length ${p.length}`);
        if (p.data.toString('hex') !== fi.data_hex) fail.push('data differs');
      }
      failures.set(r, fail);
    }
    // The terminal's side of the session, in order, through the demultiplexing framer.
    const upstream = rows.filter((r) => r.direction === 'terminal->platform' && r.session_step !== undefined);
    const out: string[] = [];
    const issues: CodecIssue[] = [];
    const framer = new AttachmentStreamFramer();
    const sink = {
      fileData: (p: AttachmentFileData) => out.push(`f:${p.fileName}:${p.offset}:${p.data.toString('hex')}`),
      jt808Frame: (f: Buffer) => out.push(`j:${escapeAndWrap(f).toString('hex')}`),
      issue: (i: CodecIssue) => issues.push(i),
    };
    for (const r of upstream) framer.push(Buffer.from(r.hex, 'hex'), sink);
    const want = upstream.map((r) => {
      const fi = obj(r.frame_info);
      return r.kind.startsWith('subiao-file-data')
        ? `f:${String(fi.file_name)}:${String(fi.data_offset)}:${String(fi.data_hex)}`
        : `j:${r.hex}`;
    });
    if (issues.length > 0 || out.join() !== want.join()) {
      for (const r of data) failures.get(r)!.push('demultiplexed session differs');
    }
    report(`${ATTACHMENT}:file-data`, data, failures);
  });
});
