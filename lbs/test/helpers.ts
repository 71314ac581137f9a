/**
 * The test dataset: a few cells / access points at known positions (the geometries the tests
 * check) mixed into generated rows (lbs/src/synthetic.ts), written as CSV and imported with the
 * real import into a temporary data directory.
 */
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importCsv } from '../src/import.ts';
import { CELL_STORE_FILE, WIFI_STORE_FILE } from '../src/resolver.ts';
import { generateCellsCsv, generateWifiCsv, type SyntheticCell, type SyntheticWifi } from '../src/synthetic.ts';

export const IMEI = '868120145233604';
export const TOKEN = 'secret-token';

/** Known cells (mcc 460, mnc 0, lac 10). */
export const CELL = {
  a: { mcc: 460, mnc: 0, lac: 10, ci: 100, lat: 22.5, lng: 114.0, range: 1000 },
  b: { mcc: 460, mnc: 0, lac: 10, ci: 101, lat: 22.51, lng: 114.0, range: 1000 },
  c: { mcc: 460, mnc: 0, lac: 10, ci: 102, lat: 22.5, lng: 114.01, range: 500 },
  far: { mcc: 460, mnc: 0, lac: 10, ci: 999, lat: 40.0, lng: -3.0, range: 1000 },
  /** A 4G cell with a large id (NR-style 36-bit). */
  big: { mcc: 724, mnc: 10, lac: 4_000_000_000, ci: 68_719_476_735, lat: -23.55, lng: -46.63, range: 300 },
} as const;

export const AP = {
  w1: { mac: '02:00:00:00:00:01', lat: 22.5005, lng: 114.0005, accuracy: 30 },
  w2: { mac: '02:00:00:00:00:02', lat: 22.5007, lng: 114.0005, accuracy: 30 },
  moved: { mac: '02:00:00:00:00:03', lat: 48.0, lng: 2.0, accuracy: 30 },
} as const;

export interface TestData {
  dir: string;
  cells: SyntheticCell[];
  wifi: SyntheticWifi[];
  cleanup(): void;
}

export async function buildTestData(options: { cells?: number; wifi?: number } = {}): Promise<TestData> {
  const dir = mkdtempSync(join(tmpdir(), 'iothub-lbs-'));
  const cellsCsv = join(dir, 'cells.csv');
  const wifiCsv = join(dir, 'wifi.csv');
  const cells = await generateCellsCsv(cellsCsv, { rows: options.cells ?? 5000, sampleEvery: 97 });
  const wifi = await generateWifiCsv(wifiCsv, { rows: options.wifi ?? 2000, sampleEvery: 53 });
  const known = Object.values(CELL)
    .map((c) => `LTE,${c.mcc},${c.mnc},${c.lac},${c.ci},0,${c.lng},${c.lat},${c.range},10,1,0,0,0\n`)
    .join('');
  appendFileSync(cellsCsv, known);
  appendFileSync(
    wifiCsv,
    Object.values(AP)
      .map((w) => `${w.mac},${w.lat},${w.lng},${w.accuracy}\n`)
      .join(''),
  );
  await importCsv({ kind: 'cell', files: [cellsCsv], out: join(dir, CELL_STORE_FILE) });
  await importCsv({ kind: 'wifi', files: [wifiCsv], out: join(dir, WIFI_STORE_FILE) });
  return { dir, cells, wifi, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
