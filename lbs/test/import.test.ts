/** The import: OpenCellID and WiFi CSVs (headers, bad rows, gzip) and the synthetic generator. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { parseImportArgs } from '../src/cli.ts';
import { type ImportProgress, importCsv, progressBar } from '../src/import.ts';
import { cellKey1, macKey, StoreReader } from '../src/store.ts';
import { generateCellsCsv, generateWifiCsv, syntheticCellKey } from '../src/synthetic.ts';

const dir = mkdtempSync(join(tmpdir(), 'iothub-lbs-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('import', () => {
  it('reads the OpenCellID layout, skips and counts bad rows, reports progress', async () => {
    const csv = join(dir, 'cells.csv');
    writeFileSync(
      csv,
      [
        'radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,averageSignal',
        'GSM,262,2,801,86355,0,13.285512,52.522202,1000,7,1,1282569574,1300155341,0',
        'UMTS,262,2,801,1,0,13.28,52.52,,,1,0,0,0',
        'LTE,262,2,801,x,0,13.28,52.52,1000,7,1,0,0,0',
        'LTE,262,2,801,2,0,200,52.52,1000,7,1,0,0,0',
        'LTE,1000,2,801,2,0,13,52.52,1000,7,1,0,0,0',
        'short,row',
        '',
        'LTE,262,2,801,3,0,13.3,52.6,-5,7,1,0,0,0\r',
        'LTE,262,3,65535,268435455,0,-0.1,51.5,250,3,1,0,0,0\r',
      ].join('\n'),
    );
    const seen: ImportProgress[] = [];
    const out = join(dir, 'cells.lbs');
    const r = await importCsv({ kind: 'cell', files: [csv], out, onProgress: (p) => seen.push(p), progressEvery: 1 });
    expect(r).toMatchObject({ rows: 3, skipped: 5, written: 3 });
    expect(r.samples.map((s) => s.line)).toEqual([4, 5, 6, 7, 9]);
    expect(seen.at(-1)?.phase).toBe('done');
    const s = StoreReader.open(out, 'cell');
    expect(s.get(cellKey1(262, 2, 801), 86355)).toEqual({ lat: 52.522202, lng: 13.285512, range: 1000, samples: 7 });
    expect(s.get(cellKey1(262, 2, 801), 1)).toMatchObject({ range: 0, samples: 0 });
    expect(s.get(cellKey1(262, 3, 65535), 268435455)).toMatchObject({ lat: 51.5, lng: -0.1 });
    s.close();
  });

  it('reads gzip files and the WiFi layout (with or without a header)', async () => {
    const gz = join(dir, 'wifi.csv.gz');
    writeFileSync(
      gz,
      gzipSync('bssid,lat,lng,accuracy\n02:00:00:00:00:01,1.5,2.5,20\nAA-BB-CC-DD-EE-FF,3,4,\nnot-a-mac,1,1,1\n'),
    );
    const plain = join(dir, 'wifi2.csv');
    writeFileSync(plain, '0a0b0c0d0e0f,5,6,70');
    const out = join(dir, 'wifi.lbs');
    const r = await importCsv({ kind: 'wifi', files: [gz, plain], out });
    expect(r).toMatchObject({ rows: 3, skipped: 1, written: 3 });
    const s = StoreReader.open(out, 'wifi');
    expect(s.getWifi(macKey('02:00:00:00:00:01'))).toMatchObject({ lat: 1.5, lng: 2.5, range: 20 });
    expect(s.getWifi(macKey('aa:bb:cc:dd:ee:ff'))).toMatchObject({ lat: 3, lng: 4, range: 0 });
    expect(s.getWifi(macKey('0a:0b:0c:0d:0e:0f'))).toMatchObject({ lat: 5, lng: 6 });
    s.close();
  });

  it('the synthetic dataset is deterministic, has unique keys and imports completely', async () => {
    const a = join(dir, 'a.csv');
    const b = join(dir, 'b.csv');
    const sa = await generateCellsCsv(a, { rows: 3000, sampleEvery: 500 });
    await generateCellsCsv(b, { rows: 3000, sampleEvery: 500 });
    expect(readFileSync(a, 'utf8')).toBe(readFileSync(b, 'utf8'));
    const keys = new Set(Array.from({ length: 50_000 }, (_, i) => JSON.stringify(syntheticCellKey(i * 37))));
    expect(keys.size).toBe(50_000);
    const r = await importCsv({ kind: 'cell', files: [a], out: join(dir, 'syn.lbs') });
    expect(r).toMatchObject({ rows: 3000, skipped: 0, written: 3000 });
    const s = StoreReader.open(join(dir, 'syn.lbs'));
    for (const c of sa)
      expect(s.get(cellKey1(c.mcc, c.mnc, c.lac), c.ci)).toMatchObject({ lat: c.lat, lng: c.lng, range: c.range });
    s.close();
    const w = await generateWifiCsv(join(dir, 'w.csv'), { rows: 100, sampleEvery: 10 });
    expect(w).toHaveLength(10);
  });

  it('progress bar and arguments', () => {
    const lines: string[] = [];
    const bar = progressBar((s) => lines.push(s), false);
    bar({ kind: 'cell', file: '/x/cells.csv', bytesRead: 50, bytesTotal: 100, rows: 10, skipped: 0, phase: 'read' });
    expect(lines[0]).toMatch(/^cell \[#{15} {15}\] {2}50% 10 rows/);
    expect(parseImportArgs(['--cells', 'a.csv', 'b.csv', '--wifi', 'w.csv', '--data-dir', 'd'])).toEqual({
      cells: ['a.csv', 'b.csv'],
      wifi: ['w.csv'],
      dataDir: 'd',
      synthetic: null,
    });
    expect(parseImportArgs(['--synthetic', '1000,20'])).toMatchObject({ synthetic: { cells: 1000, wifi: 20 } });
    expect(parseImportArgs(['a.csv'])).toMatch(/--cells or --wifi/);
    expect(parseImportArgs([])).toBe('nothing to import');
    expect(parseImportArgs(['--bogus'])).toMatch(/unknown option/);
  });
});
