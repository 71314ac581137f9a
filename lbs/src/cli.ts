/**
 * The `iothub lbs-import` command (bin/iothub.ts; `pnpm lbs:import`):
 *
 *   iothub lbs-import [--cells FILE ...] [--wifi FILE ...] [--data-dir DIR] [--synthetic CELLS[,WIFI]]
 *
 * Imports OpenCellID-layout cell CSVs into `<dir>/cells.lbs` and `bssid,lat,lng,accuracy` CSVs into
 * `<dir>/wifi.lbs` (dir: `--data-dir`, else LBS_DATA_DIR, default `data/lbs`), with a progress bar
 * on stderr. `--synthetic N[,M]` first writes the generated dataset (lbs/src/synthetic.ts) as
 * `<dir>/synthetic-cells.csv` / `synthetic-wifi.csv` and imports those. Each store file is replaced
 * atomically; a running LBS picks a new file up on restart.
 * Exit codes: 0 done, 2 usage or unreadable input.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { importCsv, progressBar } from './import.ts';
import { CELL_STORE_FILE, WIFI_STORE_FILE } from './resolver.ts';
import { generateCellsCsv, generateWifiCsv } from './synthetic.ts';

export const LBS_IMPORT_USAGE =
  'usage: iothub lbs-import [--cells FILE ...] [--wifi FILE ...] [--data-dir DIR] [--synthetic CELLS[,WIFI]]';

export interface ImportArgs {
  cells: string[];
  wifi: string[];
  dataDir: string | null;
  synthetic: { cells: number; wifi: number } | null;
}

/** Parse the arguments; a string is a usage error. */
export function parseImportArgs(argv: readonly string[]): ImportArgs | string {
  const out: ImportArgs = { cells: [], wifi: [], dataDir: null, synthetic: null };
  let mode: 'cells' | 'wifi' | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--cells' || a === '--wifi') mode = a === '--cells' ? 'cells' : 'wifi';
    else if (a === '--data-dir') {
      const v = argv[++i];
      if (!v) return '--data-dir needs a directory';
      out.dataDir = v;
    } else if (a === '--synthetic') {
      const v = argv[++i] ?? '';
      const m = /^([0-9]{1,9})(?:,([0-9]{1,9}))?$/.exec(v);
      if (!m) return '--synthetic needs CELLS[,WIFI] (row counts)';
      out.synthetic = { cells: Number(m[1]), wifi: Number(m[2] ?? 0) };
    } else if (a.startsWith('--')) return `unknown option ${a}`;
    else if (mode === null) return `${a}: say --cells or --wifi first`;
    else out[mode].push(a);
  }
  if (out.cells.length === 0 && out.wifi.length === 0 && out.synthetic === null) return 'nothing to import';
  return out;
}

export async function runLbsImport(argv: readonly string[], defaultDataDir: string): Promise<number> {
  const args = parseImportArgs(argv);
  if (typeof args === 'string') {
    process.stderr.write(`iothub lbs-import: ${args}\n${LBS_IMPORT_USAGE}\n`);
    return 2;
  }
  const dir = args.dataDir ?? defaultDataDir;
  mkdirSync(dir, { recursive: true });
  if (args.synthetic) {
    const c = join(dir, 'synthetic-cells.csv');
    const w = join(dir, 'synthetic-wifi.csv');
    if (args.synthetic.cells > 0) {
      await generateCellsCsv(c, { rows: args.synthetic.cells });
      args.cells.push(c);
    }
    if (args.synthetic.wifi > 0) {
      await generateWifiCsv(w, { rows: args.synthetic.wifi });
      args.wifi.push(w);
    }
  }
  for (const f of [...args.cells, ...args.wifi]) {
    if (!existsSync(f)) {
      process.stderr.write(`iothub lbs-import: ${f}: no such file\n`);
      return 2;
    }
  }
  const bar = progressBar((s) => process.stderr.write(s), process.stderr.isTTY === true);
  for (const [kind, files, file] of [
    ['cell', args.cells, CELL_STORE_FILE],
    ['wifi', args.wifi, WIFI_STORE_FILE],
  ] as const) {
    if (files.length === 0) continue;
    const out = join(dir, file);
    const r = await importCsv({ kind, files, out, onProgress: bar });
    process.stdout.write(
      `${kind}: ${r.rows.toLocaleString('en')} rows read, ${r.skipped.toLocaleString('en')} skipped, ${r.written.toLocaleString('en')} written to ${out} in ${r.seconds.toFixed(1)} s\n`,
    );
    for (const s of r.samples) {
      process.stderr.write(`  IOTHUB_ERR_LBS_IMPORT_ROW ${s.file}:${s.line}: ${s.reason}\n`);
    }
  }
  return 0;
}
