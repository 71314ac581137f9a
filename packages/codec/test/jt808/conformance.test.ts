import { describe, expect, it } from 'vitest';
import { loadShared } from '../helpers/fixtures.ts';
import { evaluateGo } from './conformance-go.ts';
import { exclusionReason, FileState, hex4, loadMalformed, type Row, RowCheck, rowKey } from './conformance-harness.ts';
import { evaluateSmallChi } from './conformance-smallchi.ts';
import { evaluateTraccar } from './conformance-traccar.ts';

/**
 * JT/T 808 conformance against the third-party corpora in `../shared/fixtures/jt808/` (read from
 * there, never copied). Per file: every row frames and decodes without an error, and every value
 * the original test asserts that has an equivalent in our model matches (see the per-source
 * modules). Rows listed in `packages/codec/test/conformance-malformed.json` are left out of the
 * total; the `30 31 63 64` file-data rows of the attachment session are JT/T 1078-style data
 * packets tested elsewhere and are not counted here.
 *
 * Prints `conformance <file> <passed>/<total>` per file and requires ≥ 98 % of counted rows.
 * Set CONFORMANCE_VERBOSE=1 to print every failing row and every unmapped assertion.
 */

const FILES = [
  'traccar-frames.jsonl',
  'smallchi-jt808-frames.jsonl',
  'go-jt808-frames.jsonl',
  'go-jt808-subiao-attachment-session.jsonl',
] as const;

type Evaluator = (row: Row, check: RowCheck, state: FileState) => void;
const EVALUATORS: Record<(typeof FILES)[number], Evaluator> = {
  'traccar-frames.jsonl': evaluateTraccar,
  'smallchi-jt808-frames.jsonl': evaluateSmallChi,
  'go-jt808-frames.jsonl': evaluateGo,
  'go-jt808-subiao-attachment-session.jsonl': evaluateGo,
};

const corpora = FILES.map((f) => [f, loadShared<Row>(`jt808/${f}`)] as const);
const available = corpora.every(([, rows]) => rows !== null);
if (!available) console.log('conformance: ../shared/fixtures/jt808 not found, JT/T 808 conformance skipped');

const verbose = process.env.CONFORMANCE_VERBOSE === '1';
const malformed = loadMalformed();

/**
 * Sanity-invariant violations that are in the source data itself: the codec decodes the wire value
 * faithfully and the value is out of range (a gateway flags such a position as invalid). Every
 * violation the test finds must be one of these.
 */
const KNOWN_SOURCE_VIOLATIONS: Record<string, { pattern: RegExp; reason: string }[]> = {
  'go-jt808-frames.jsonl': [
    {
      pattern: /\.latitude 11[69]\.\d+$/,
      reason: "go-jt808's terminal simulator writes the longitude (116.3°, 119.5°) into the latitude field",
    },
    { pattern: /\.speed 1000\.1$/, reason: 'go-jt808 test vectors with speed 10001 (1/10 km/h)' },
  ],
};

describe.skipIf(!available)('JT/T 808 conformance (../shared/fixtures/jt808)', () => {
  it.each(corpora.map(([f, rows]) => [f, rows ?? []] as const))('%s', (file, rows) => {
    const state = new FileState();
    const evaluate = EVALUATORS[file];
    let total = 0;
    let passed = 0;
    let compared = 0;
    const unmapped = new Map<string, number>();
    const noCodec = new Set<number>();
    const failures: string[] = [];
    let excluded = 0;
    let notCounted = 0;
    let positions = 0;
    const violations: string[] = [];
    const usedKeys = new Set<string>();
    for (const row of rows) {
      const reason = exclusionReason(malformed, file, row);
      if (reason !== undefined) {
        excluded++;
        usedKeys.add(rowKey(row));
        usedKeys.add(String(row.line));
        continue;
      }
      if (row.kind.startsWith('subiao-file-data')) {
        notCounted++;
        continue;
      }
      const check = new RowCheck();
      try {
        evaluate(row, check, state);
      } catch (err) {
        check.fail(`harness threw: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
      total++;
      compared += check.compared;
      for (const u of check.unmapped) {
        const k = u.replace(/\[\d+\]/g, '[]');
        unmapped.set(k, (unmapped.get(k) ?? 0) + 1);
      }
      for (const id of check.noCodec) noCodec.add(id);
      positions += check.positions;
      for (const v of check.invariantViolations) violations.push(`${rowKey(row)} ${v}`);
      if (check.failures.length === 0) passed++;
      else failures.push(`${rowKey(row)} [${row.check}] ${check.failures.join('; ')}`);
    }
    console.log(`conformance jt808/${file} ${passed}/${total}`);
    console.log(
      `conformance-detail ${file}: ${compared} values compared, ${[...unmapped.values()].reduce((a, b) => a + b, 0)} unmapped, ${excluded} excluded (conformance-malformed.json), ${notCounted} not counted (file-data packets); ids without codec: ${
        [...noCodec]
          .sort((a, b) => a - b)
          .map((i) => `0x${hex4(i)}`)
          .join(' ') || 'none'
      }`,
    );
    const known = KNOWN_SOURCE_VIOLATIONS[file] ?? [];
    const unexplained = violations.filter((v) => !known.some((k) => k.pattern.test(v)));
    console.log(
      `invariants jt808/${file}: ${positions} decoded positions checked, ${violations.length} out of range in the source data (${unexplained.length} unexplained)`,
    );
    for (const v of unexplained) console.log(`  INVARIANT ${file} ${v}`);
    for (const f of failures) console.log(`  FAIL ${file} ${f}`);
    if (verbose) {
      for (const [k, n] of [...unmapped.entries()].sort((a, b) => b[1] - a[1])) console.log(`  unmapped ${n}× ${k}`);
    }
    // Every exclusion of this file must still match a row (no stale keys).
    const stale = Object.keys(malformed.entries[file] ?? {}).filter((k) => !usedKeys.has(k));
    expect(stale, `stale keys in conformance-malformed.json for ${file}`).toEqual([]);
    expect(unexplained, `${file}: out-of-range positions not explained by the source data`).toEqual([]);
    expect(total).toBeGreaterThan(0);
    expect(passed / total, `${file}: ${passed}/${total}`).toBeGreaterThanOrEqual(0.98);
  });
});
