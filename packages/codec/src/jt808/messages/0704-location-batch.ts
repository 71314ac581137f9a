import { Reader } from '../../core/reader.ts';
import { CodecError, type CodecIssue, toIssue } from '../../errors.ts';
import { type LocationReport, readLocationReport, writeLocationReport } from '../location/report.ts';
import { defineMessage } from '../message.ts';

/**
 * 0x0704 Location batch / blind-area upload (T→P), answered with 0x8001. 2013 and 2019 (absent
 * from 2011).
 *
 * | field      | type | notes                                                  |
 * |------------|------|--------------------------------------------------------|
 * | count      | WORD | number of entries                                      |
 * | data type  | BYTE | 0 normal batch, 1 blind-area re-upload                 |
 * | entries    | …    | count × (length WORD, 0x0200 body of that length)      |
 *
 * Tolerance: an entry whose body cannot be read (shorter than the 28-byte basic block) becomes
 * `{ kind: 'invalid', raw, error }` and the others survive. A count that disagrees with the
 * entries present is kept as `declaredCount`; bytes that do not form a whole entry (a length
 * running past the body, or bytes after the declared count) are kept as `trailing`. Each entry
 * is read through its own view, so error details carry offsets relative to the entry.
 */
export type LocationBatchEntry =
  | { kind: 'report'; report: LocationReport }
  | { kind: 'invalid'; raw: Buffer; error: CodecIssue };

export interface LocationBatch {
  /** 0 normal batch, 1 blind-area re-upload. */
  dataType: number;
  entries: LocationBatchEntry[];
  /** The count field, present only when it differs from `entries.length`. */
  declaredCount?: number;
  /** Bytes that do not form a whole entry, kept for re-encoding and reported. */
  trailing?: { raw: Buffer; error: CodecIssue };
}

export const LocationBatchType = { normal: 0, blindArea: 1 } as const;

export const m0704 = defineMessage({
  msgId: 0x0704,
  type: 'location-batch',
  direction: 'up',
  decode(r, ctx): LocationBatch {
    const count = r.u16();
    const dataType = r.u8();
    const b = r.buf;
    const end = r.end;
    let p = r.pos;
    const entries: LocationBatchEntry[] = [];
    for (let i = 0; i < count; i++) {
      if (end - p < 2) break;
      const start = p + 2;
      const stop = start + ((b[p]! << 8) | b[p + 1]!);
      if (stop > end) break;
      try {
        entries.push({ kind: 'report', report: readLocationReport(new Reader(b.subarray(start, stop)), ctx) });
      } catch (err) {
        entries.push({ kind: 'invalid', raw: b.subarray(start, stop), error: toIssue(err) });
      }
      p = stop;
    }
    const body: LocationBatch = { dataType, entries };
    if (entries.length !== count) body.declaredCount = count;
    if (p < end) {
      const error: CodecIssue =
        entries.length < count
          ? {
              code: 'IOTHUB_ERR_TRUNCATED',
              detail: `entry ${entries.length + 1} of ${count} incomplete`,
              bytes: end - p,
            }
          : { code: 'IOTHUB_ERR_TRAILING_BYTES', detail: `bytes after ${count} entries`, bytes: end - p };
      body.trailing = { raw: b.subarray(p, end), error };
    }
    r.pos = end;
    return body;
  },
  encode(w, body: LocationBatch, ctx) {
    w.u16(body.declaredCount ?? body.entries.length).u8(body.dataType);
    for (const e of body.entries) {
      const at = w.pos;
      w.u16(0);
      if (e.kind === 'report') writeLocationReport(w, e.report, ctx);
      else w.bytes(e.raw);
      const len = w.pos - at - 2;
      if (len > 0xffff) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `batch entry of ${len} bytes`);
      w.patchU16(at, len);
    }
    if (body.trailing) w.bytes(body.trailing.raw);
  },
});
