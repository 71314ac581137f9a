/**
 * The synthetic dataset generator (docs/lbs.md "Synthetic dataset"): deterministic CSV files in the
 * import layouts, for tests, the benchmark and trying the service without real data. No real cell
 * or access point is described: the keys are a mixed-radix counter and the positions a seeded PRNG.
 *
 *   row i → mnc = i mod 20, lac = 1 + ⌊i / 20⌋ mod 60000, ci = ⌊i / 1.2e6⌋ × 1000003 + 17 + (i mod 7),
 *           mcc = [460, 724, 262, 310][⌊i / 20⌋ mod 4]   (unique keys for any i)
 *           lat ∈ [−60, 70), lon ∈ [−180, 180), range 200–5000 m, samples 1–100
 *   WiFi i → bssid = 02:00:00:00:00:00 + i × 7919 (locally administered), lat/lng as above, accuracy 10–100 m
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

/** mulberry32: a small seeded PRNG (deterministic datasets). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MCCS = [460, 724, 262, 310] as const;

export interface SyntheticCell {
  mcc: number;
  mnc: number;
  lac: number;
  ci: number;
  lat: number;
  lng: number;
  range: number;
}

export interface SyntheticWifi {
  mac: string;
  lat: number;
  lng: number;
  accuracy: number;
}

export function syntheticCellKey(i: number): { mcc: number; mnc: number; lac: number; ci: number } {
  const q = Math.floor(i / 20);
  return {
    mcc: MCCS[q % 4]!,
    mnc: i % 20,
    lac: 1 + (q % 60000),
    ci: Math.floor(i / 1_200_000) * 1_000_003 + 17 + (i % 7),
  };
}

export function syntheticMac(i: number): string {
  const v = 0x020000000000 + i * 7919;
  return v.toString(16).padStart(12, '0').match(/../g)!.join(':');
}

async function writeLines(path: string, header: string, rows: number, line: (i: number) => string): Promise<void> {
  const out = createWriteStream(path);
  let buf = `${header}\n`;
  for (let i = 0; i < rows; i++) {
    buf += line(i);
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}

/**
 * Write `rows` cells in the OpenCellID layout; returns every `sampleEvery`-th row (for probes).
 */
export async function generateCellsCsv(
  path: string,
  options: { rows: number; seed?: number; sampleEvery?: number },
): Promise<SyntheticCell[]> {
  const rnd = prng(options.seed ?? 1);
  const every = options.sampleEvery ?? 1000;
  const samples: SyntheticCell[] = [];
  await writeLines(
    path,
    'radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,averageSignal',
    options.rows,
    (i) => {
      const k = syntheticCellKey(i);
      const lat = Math.round((-60 + rnd() * 130) * 1e6) / 1e6;
      const lng = Math.round((-180 + rnd() * 360) * 1e6) / 1e6;
      const range = 200 + Math.floor(rnd() * 4800);
      const n = 1 + Math.floor(rnd() * 100);
      if (i % every === 0) samples.push({ ...k, lat, lng, range });
      return `GSM,${k.mcc},${k.mnc},${k.lac},${k.ci},0,${lng},${lat},${range},${n},1,1459692016,1459692016,0\n`;
    },
  );
  return samples;
}

/** Write `rows` access points (`bssid,lat,lng,accuracy`); returns every `sampleEvery`-th row. */
export async function generateWifiCsv(
  path: string,
  options: { rows: number; seed?: number; sampleEvery?: number },
): Promise<SyntheticWifi[]> {
  const rnd = prng(options.seed ?? 2);
  const every = options.sampleEvery ?? 1000;
  const samples: SyntheticWifi[] = [];
  await writeLines(path, 'bssid,lat,lng,accuracy', options.rows, (i) => {
    const mac = syntheticMac(i);
    const lat = Math.round((-60 + rnd() * 130) * 1e6) / 1e6;
    const lng = Math.round((-180 + rnd() * 360) * 1e6) / 1e6;
    const accuracy = 10 + Math.floor(rnd() * 90);
    if (i % every === 0) samples.push({ mac, lat, lng, accuracy });
    return `${mac},${lat},${lng},${accuracy}\n`;
  });
  return samples;
}
