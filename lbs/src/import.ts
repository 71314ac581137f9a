/**
 * Import CSV files into a store file (docs/lbs.md "Import").
 *
 *   cells: the OpenCellID layout
 *          radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,averageSignal
 *   wifi:  bssid,lat,lng,accuracy
 *
 * A header line (first field `radio` / `bssid`) is skipped. A row that does not parse or is out of
 * range is skipped and counted (`IOTHUB_ERR_LBS_IMPORT_ROW`), never fatal. Files may be gzip
 * (`.gz`). All rows are held in typed arrays (≈ 40 bytes per row), sorted and written in one pass.
 */
import { createReadStream, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { cellKey1, KEY_LIMITS, macKey, StoreBuilder, type StoreKind } from './store.ts';

export interface ImportProgress {
  kind: StoreKind;
  file: string;
  bytesRead: number;
  bytesTotal: number;
  rows: number;
  skipped: number;
  /** 'read' while parsing, 'write' while sorting and writing, 'done'. */
  phase: 'read' | 'write' | 'done';
}

export interface ImportOptions {
  kind: StoreKind;
  files: readonly string[];
  /** Store file to write (replaced atomically). */
  out: string;
  onProgress?: (p: ImportProgress) => void;
  /** Progress callback period in rows. Default 250,000. */
  progressEvery?: number;
}

export interface ImportResult {
  kind: StoreKind;
  rows: number;
  skipped: number;
  written: number;
  seconds: number;
  /** First skipped rows (line number and reason), at most 10. */
  samples: { file: string; line: number; reason: string }[];
}

const COMMAS = new Int32Array(10);

/** A plain decimal integer of 1–13 digits in t[start, end), or −1. */
function uintAt(t: string, start: number, end: number): number {
  const len = end - start;
  if (len < 1 || len > 13) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const d = t.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** One OpenCellID row (hot path: no split, the first ten fields located by their commas). */
function parseCellLine(t: string, b: StoreBuilder, start = 0, end = t.length): string | null {
  let p = start;
  for (let f = 0; f < 10; f++) {
    let q = t.indexOf(',', p);
    if (q >= end) q = -1;
    if (q < 0) {
      if (f === 9) {
        COMMAS[9] = end;
        break;
      }
      return 'fewer than 10 fields';
    }
    COMMAS[f] = q;
    p = q + 1;
  }
  const c = COMMAS;
  const m = uintAt(t, c[0]! + 1, c[1]!);
  const n = uintAt(t, c[1]! + 1, c[2]!);
  const a = uintAt(t, c[2]! + 1, c[3]!);
  const cell = uintAt(t, c[3]! + 1, c[4]!);
  if (m < 0 || n < 0 || a < 0 || cell < 0) return 'mcc/net/area/cell not integers';
  if (m > KEY_LIMITS.mcc || n > KEY_LIMITS.mnc || a > KEY_LIMITS.lac || cell > KEY_LIMITS.ci) return 'key out of range';
  if (c[6]! - c[5]! < 2 || c[7]! - c[6]! < 2) return 'bad lat/lon';
  const lon = Number(t.slice(c[5]! + 1, c[6]!));
  const lat = Number(t.slice(c[6]! + 1, c[7]!));
  if (!(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180)) return 'bad lat/lon';
  const range = c[8]! - c[7]! < 2 ? 0 : Number(t.slice(c[7]! + 1, c[8]!));
  const samples = c[9]! - c[8]! < 2 ? 0 : Number(t.slice(c[8]! + 1, c[9]!));
  if (!(range >= 0) || !(samples >= 0)) return 'bad range/samples';
  b.addValues(cellKey1(m, n, a), cell, lat, lon, range, samples);
  return null;
}

function parseWifiRow(f: string[], b: StoreBuilder): string | null {
  if (f.length < 3) return 'fewer than 3 fields';
  const key = macKey(f[0]!.trim());
  if (Number.isNaN(key)) return 'bad bssid';
  const lat = Number(f[1]);
  const lng = Number(f[2]);
  if (!(lat >= -90 && lat <= 90 && lng >= -180 && lng <= 180) || f[1] === '' || f[2] === '') return 'bad lat/lng';
  const acc = f[3] === undefined || f[3] === '' ? 0 : Number(f[3]);
  if (!(acc >= 0)) return 'bad accuracy';
  b.add(key, 0, { lat, lng, range: acc, samples: 1 });
  return null;
}

export async function importCsv(options: ImportOptions): Promise<ImportResult> {
  const started = performance.now();
  const { kind } = options;
  const builder = new StoreBuilder(kind);
  const parse = kind === 'cell' ? parseCellLine : (t: string, b: StoreBuilder) => parseWifiRow(t.split(','), b);
  const headerWord = kind === 'cell' ? 'radio' : 'bssid';
  const every = options.progressEvery ?? 250_000;
  let rows = 0;
  let skipped = 0;
  const samples: ImportResult['samples'] = [];
  for (const file of options.files) {
    const total = statSync(file).size;
    let bytesRead = 0;
    let line = 0;
    let rest = '';
    const raw = createReadStream(file, { highWaterMark: 1 << 20 });
    raw.on('data', (c: Buffer | string) => {
      bytesRead += c.length;
    });
    const stream = file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
    stream.setEncoding('latin1');
    const onLine = (text: string) => {
      line++;
      const t = text.endsWith('\r') ? text.slice(0, -1) : text;
      if (t === '') return;
      if (line === 1 && t.slice(0, t.indexOf(',')).trim().toLowerCase() === headerWord) return;
      const reason = parse(t, builder);
      if (reason === null) {
        rows++;
        if (options.onProgress && rows % every === 0) {
          options.onProgress({ kind, file, bytesRead, bytesTotal: total, rows, skipped, phase: 'read' });
        }
      } else {
        skipped++;
        if (samples.length < 10) samples.push({ file, line, reason });
      }
    };
    for await (const chunk of stream as AsyncIterable<string>) {
      const text = rest + chunk;
      let start = 0;
      let nl = text.indexOf('\n', start);
      while (nl >= 0) {
        if (kind === 'cell' && line > 0 && nl > start && text.charCodeAt(nl - 1) !== 13) {
          // Hot path: parse in place, no line string.
          line++;
          const reason = parseCellLine(text, builder, start, nl);
          if (reason === null) {
            rows++;
            if (options.onProgress && rows % every === 0) {
              options.onProgress({ kind, file, bytesRead, bytesTotal: total, rows, skipped, phase: 'read' });
            }
          } else {
            skipped++;
            if (samples.length < 10) samples.push({ file, line, reason });
          }
        } else onLine(text.slice(start, nl));
        start = nl + 1;
        nl = text.indexOf('\n', start);
      }
      rest = text.slice(start);
      if (rest.length > 1 << 20) {
        // A "line" over 1 MiB is not a CSV row: skip it.
        skipped++;
        if (samples.length < 10) samples.push({ file, line: line + 1, reason: 'line longer than 1 MiB' });
        rest = '';
      }
    }
    if (rest !== '') onLine(rest);
    options.onProgress?.({ kind, file, bytesRead: total, bytesTotal: total, rows, skipped, phase: 'write' });
  }
  const written = builder.write(options.out);
  const seconds = (performance.now() - started) / 1000;
  options.onProgress?.({
    kind,
    file: options.files.at(-1) ?? '',
    bytesRead: 0,
    bytesTotal: 0,
    rows,
    skipped,
    phase: 'done',
  });
  return { kind, rows, skipped, written, seconds, samples };
}

/** A one-line progress bar (`\r`-redrawn on a terminal, a line per 10 % otherwise). */
export function progressBar(write: (s: string) => void, isTty: boolean): (p: ImportProgress) => void {
  let lastDecile = -1;
  const started = performance.now();
  return (p) => {
    const frac = p.bytesTotal > 0 ? Math.min(1, p.bytesRead / p.bytesTotal) : 1;
    const width = 30;
    const filled = Math.round(frac * width);
    const rate = Math.round(p.rows / Math.max(0.001, (performance.now() - started) / 1000));
    const label =
      p.phase === 'read' ? `${p.file.split('/').at(-1)}` : p.phase === 'write' ? 'sorting + writing' : 'done';
    const line = `${p.kind} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${p.rows.toLocaleString('en')} rows (${p.skipped} skipped) ${rate.toLocaleString('en')} rows/s ${label}`;
    if (isTty) write(`\r${line}${p.phase === 'done' ? '\n' : ''}`);
    else {
      const decile = Math.floor(frac * 10);
      if (decile !== lastDecile || p.phase !== 'read') write(`${line}\n`);
      lastDecile = decile;
    }
  };
}
