import { jt808 } from '../../src/index.ts';
import {
  asRecord,
  at,
  checkReencode,
  type Decoded,
  decodeWire,
  type FileState,
  flagsOf,
  hexOf,
  item,
  type Row,
  type RowCheck,
  reencodeFrame,
} from './conformance-harness.ts';

/**
 * traccar rows (`traccar-frames.jsonl`). Protocol-decoder rows are UNESCAPED frames: we frame
 * `frame_info.wire_hex` (the re-escaped form) or, when absent, escape the hex ourselves.
 *  - verifyPosition / verifyPositions: a position with a valid time and coordinates;
 *  - verifyAttribute: the traccar attribute → our field through TRACCAR_ATTRIBUTES (vendor
 *    attributes traccar computes from model-specific items have no equivalent and are listed);
 *  - verifyNull / verifyNotNull / verifyAttributes: decodes without an error;
 *  - verifyFrame(decode / frameEncoder): our unescape / escape; verifyFrame(encodeCommand): our
 *    encoder reproduces traccar's command frame from its decoded value.
 */

type Report = Record<string, unknown>;

/** Reports carried by a decoded message (0x0200 body, 0x0201/0x0500 location, 0x0704 entries). */
function reportsOf(d: Decoded): Report[] {
  const body = asRecord(asRecord(d.json).body);
  switch (d.message.type) {
    case 'location-report':
      return [body];
    case 'location-query-response':
    case 'vehicle-control-response':
      return [asRecord(body.location)];
    case 'location-batch':
      return ((body.entries as unknown[] | undefined) ?? [])
        .map((e) => asRecord(e))
        .filter((e) => e.kind === 'report')
        .map((e) => asRecord(e.report));
    default:
      return [];
  }
}

function validPosition(r: Report): string | undefined {
  const lat = r.latitude;
  const lon = r.longitude;
  if (typeof lat !== 'number' || Math.abs(lat) > 90) return `latitude ${String(lat)}`;
  if (typeof lon !== 'number' || Math.abs(lon) > 180) return `longitude ${String(lon)}`;
  const iso = asRecord(r.time).$date;
  if (typeof iso !== 'string') return 'no time';
  const t = Date.parse(iso);
  if (!(t >= Date.UTC(2000, 0, 1) && t < Date.UTC(2100, 0, 1))) return `time ${iso}`;
  return undefined;
}

/** BCD `YYMMDDhhmmss` in GMT+8 of a JSON date. */
function bcdTime(v: unknown): string {
  const iso = asRecord(v).$date;
  if (typeof iso !== 'string') return '000000000000';
  const d = new Date(Date.parse(iso) + 8 * 3600_000).toISOString();
  return d.slice(2, 4) + d.slice(5, 7) + d.slice(8, 10) + d.slice(11, 13) + d.slice(14, 16) + d.slice(17, 19);
}

/** Standard alarm bit → the traccar alarm name it produces (Jt808ProtocolDecoder.decodeAlarm). */
const TRACCAR_ALARM_BITS: Record<string, number> = {
  sos: 0,
  overspeed: 1,
  fatigueDriving: 2,
  gpsAntennaCut: 5,
  lowPower: 7,
  powerCut: 8,
  accident: 29,
  tow: 28,
};

/**
 * traccar attribute → our value, for the attributes with an equivalent in our model. Returns
 * `undefined` (→ unmapped) when the value traccar asserts comes from a vendor field we keep raw.
 */
const TRACCAR_ATTRIBUTES: Record<string, (d: Decoded, expected: unknown) => unknown> = {
  sat: (d) => reportsOf(d).map((r) => item(r, 0x31)?.satellites),
  rssi: (d) => reportsOf(d).map((r) => item(r, 0x30)?.rssi),
  odometer: (d) => reportsOf(d).map((r) => num(item(r, 0x01)?.mileage, 1000)),
  videoAlarm: (d) => reportsOf(d).map((r) => item(r, 0x14)?.flags),
  alarm: (d, expected) => {
    const bit = TRACCAR_ALARM_BITS[String(expected)];
    if (bit === undefined) return undefined;
    const r = reportsOf(d)[0];
    if (!r || typeof r.alarm !== 'number' || ((r.alarm >>> bit) & 1) === 0) return undefined;
    return [expected];
  },
  iccid: (d) => (d.message.type === 'terminal-attributes' ? [at(asRecord(d.json).body, 'iccid')] : undefined),
  result: (d) =>
    d.message.type === 'electronic-waybill'
      ? [Buffer.from(hexOf(at(asRecord(d.json).body, 'waybill')) ?? '', 'hex').toString('latin1')]
      : undefined,
  alarmLabel: (d) => {
    const out: string[] = [];
    for (const r of reportsOf(d)) {
      for (const it of (r.items as unknown[] | undefined) ?? []) {
        const id = asRecord(asRecord(it).alarmIdentification);
        if (typeof id.terminalId !== 'string') continue;
        const tid = Buffer.alloc(7);
        tid.write(id.terminalId, 'latin1');
        out.push(
          tid.toString('hex') +
            bcdTime(id.time) +
            Number(id.serial).toString(16).padStart(2, '0') +
            Number(id.attachmentCount).toString(16).padStart(2, '0') +
            (hexOf(id.reserved) ?? ''),
        );
      }
    }
    return out.length > 0 ? out : undefined;
  },
};

function num(v: unknown, scale: number): unknown {
  return typeof v === 'number' ? Math.round(v * scale) : v;
}

function wireOf(row: Row): Buffer {
  if (row.frame_info?.wire_hex) return Buffer.from(row.frame_info.wire_hex, 'hex');
  const content = Buffer.from(row.hex, 'hex');
  return jt808.escapeAndWrap(content.subarray(1, content.length - 1));
}

export function evaluateTraccar(row: Row, check: RowCheck, state: FileState): void {
  if (row.check === 'verifyFrame(decode)') {
    const bytes = Buffer.from(row.hex, 'hex');
    const start = bytes.indexOf(0x7e);
    const end = bytes.lastIndexOf(0x7e);
    const want = Buffer.from(String(row.expect.decoded_hex), 'hex');
    // traccar's frame-decoder test frames are 5-byte toys (below our 13-byte minimum frame):
    // what they test is the unescaping, so that is what we compare.
    check.eq(
      'unescape',
      want.subarray(1, -1).toString('hex'),
      jt808.unescapeJt808(bytes.subarray(start + 1, end)).toString('hex'),
    );
    return;
  }
  if (row.check === 'verifyFrame(frameEncoder)') {
    const input = Buffer.from(String(row.expect.encoder_input_hex), 'hex');
    check.eq('escape', row.hex, jt808.escapeAndWrap(input.subarray(1, -1)).toString('hex'));
    return;
  }
  const decoded = decodeWire(wireOf(row), check, state, flagsOf(row));
  const main = decoded.find((d) => d.message.type !== 'fragment') ?? decoded[0];
  if (!main) {
    check.fail('no frame');
    return;
  }
  switch (row.check) {
    case 'verifyFrame(encodeCommand)':
      checkReencode(check, 'command frame', wireOf(row).toString('hex'), () => reencodeFrame(main));
      return;
    case 'verifyPosition':
    case 'verifyPositions': {
      const reports = reportsOf(main);
      if (reports.length === 0) {
        if (main.message.type === 'unknown') check.skip(`position of 0x${main.message.msgId.toString(16)} (no codec)`);
        else check.skip(`position inside ${main.message.type} (vendor payload kept raw)`);
        return;
      }
      for (const [i, r] of reports.entries()) {
        const bad = validPosition(r);
        check.eq(`position[${i}] valid`, 'valid', bad ?? 'valid');
      }
      return;
    }
    case 'verifyAttribute': {
      const name = String(row.expect.attribute);
      const expected = row.expect.value;
      const g = TRACCAR_ATTRIBUTES[name];
      const got = g?.(main, expected);
      if (got === undefined || (Array.isArray(got) && got.every((x) => x === undefined))) {
        check.skip(`${name} (traccar vendor attribute, no equivalent in our model)`);
        return;
      }
      const values = Array.isArray(got) ? got : [got];
      const ok = values.some(
        (v) =>
          v === expected || (typeof v === 'number' && typeof expected === 'number' && Math.abs(v - expected) < 1e-6),
      );
      check.eq(name, expected, ok ? expected : values);
      return;
    }
    default:
      // verifyNull / verifyNotNull / verifyAttributes: decoding without an error is the check.
      return;
  }
}
