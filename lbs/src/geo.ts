/**
 * The accuracy model (docs/lbs.md "Accuracy model"): pure functions, no I/O.
 *
 *  1. Each known cell / access point i has a position p_i, a range r_i (metres; OpenCellID `range`,
 *     WiFi `accuracy`; 0 or missing → the kind's default) and a signal s_i.
 *  2. Weight w_i = signal(s_i) / r_i: stronger and smaller cells pull harder. signal(dBm) =
 *     10^((dBm + 120) / 40), clamped to −120…−20 dBm (×10 per 40 dB); a positive reading is a
 *     0…255 "strength" (GT06: 0x00 weakest … 0xFF strongest) mapped linearly onto −110…−50 dBm;
 *     no reading → −90 dBm.
 *  3. Outliers (moved access points, wrong cells): with three or more points, those farther than
 *     max(floor, 3 × median range) from the coordinate-wise median are dropped (floor 2 km WiFi,
 *     20 km cells), unless that would drop all.
 *  4. Position = weighted mean of the unit vectors (correct across the antimeridian and near the
 *     poles), back to latitude / longitude.
 *  5. Accuracy = √(spread² + r̄² / n), spread = √(Σ w_i d_i² / Σ w_i) (d_i = distance from the estimate),
 *     r̄ = Σ w_i r_i / Σ w_i: one point gives its own range; agreeing points shrink it; disagreeing ones
 *     grow it.
 *  6. WiFi and cells both resolved: when the two estimates agree (distance ≤ sum of accuracies) they
 *     are fused by inverse variance (type 3, mixed); otherwise WiFi wins (type 2). WiFi only: type 2;
 *     cells only: type 4.
 */

export const EARTH_RADIUS_M = 6_371_008.8;
export const DEFAULT_CELL_RANGE_M = 1000;
export const DEFAULT_WIFI_RANGE_M = 50;
const NO_SIGNAL_DBM = -90;

export interface WeightedPoint {
  lat: number;
  lng: number;
  /** Metres (> 0). */
  range: number;
  /** Signal reading as received (dBm when negative, 0…255 strength when positive), or undefined. */
  rssi?: number | undefined;
}

export interface Estimate {
  lat: number;
  lng: number;
  /** Metres, rounded, ≥ 1. */
  accuracy: number;
  /** Points that contributed (after outlier rejection). */
  used: number;
  /** Points dropped as outliers. */
  outliers: number;
}

const RAD = Math.PI / 180;

/** Great-circle distance in metres (haversine). */
export function distanceM(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLng = (lng2 - lng1) * RAD;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** A reading as dBm (see the module comment). */
export function toDbm(rssi: number | undefined): number {
  if (rssi === undefined || !Number.isFinite(rssi) || rssi === 0) return NO_SIGNAL_DBM;
  if (rssi < 0) return Math.min(-20, Math.max(-120, rssi));
  return -110 + (Math.min(255, rssi) / 255) * 60;
}

export function signalWeight(rssi: number | undefined): number {
  return 10 ** ((toDbm(rssi) + 120) / 40);
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Weighted position and accuracy of known points; null when there are none. */
export function estimate(points: readonly WeightedPoint[], outlierFloorM: number): Estimate | null {
  if (points.length === 0) return null;
  let kept = points;
  if (points.length >= 3) {
    const mLat = median(points.map((p) => p.lat));
    const mLng = median(points.map((p) => p.lng));
    const limit = Math.max(outlierFloorM, 3 * median(points.map((p) => p.range)));
    const near = points.filter((p) => distanceM(mLat, mLng, p.lat, p.lng) <= limit);
    if (near.length > 0) kept = near;
  }
  let x = 0;
  let y = 0;
  let z = 0;
  let sw = 0;
  let swr = 0;
  const ws: number[] = [];
  for (const p of kept) {
    const w = signalWeight(p.rssi) / Math.max(1, p.range);
    ws.push(w);
    const la = p.lat * RAD;
    const lo = p.lng * RAD;
    x += w * Math.cos(la) * Math.cos(lo);
    y += w * Math.cos(la) * Math.sin(lo);
    z += w * Math.sin(la);
    sw += w;
    swr += w * p.range;
  }
  const lat = Math.atan2(z, Math.hypot(x, y)) / RAD;
  const lng = kept.length === 1 ? kept[0]!.lng : Math.atan2(y, x) / RAD;
  const latOut = kept.length === 1 ? kept[0]!.lat : lat;
  let sd2 = 0;
  for (let i = 0; i < kept.length; i++) {
    const p = kept[i]!;
    sd2 += ws[i]! * distanceM(latOut, lng, p.lat, p.lng) ** 2;
  }
  const spread2 = sd2 / sw;
  const rBar = swr / sw;
  const accuracy = Math.max(1, Math.round(Math.sqrt(spread2 + (rBar * rBar) / kept.length)));
  return { lat: latOut, lng, accuracy, used: kept.length, outliers: points.length - kept.length };
}

/** API `type`: 0 none, 1 GPS, 2 WiFi, 3 mixed, 4 cell, 5 other. */
export type LocationType = 0 | 1 | 2 | 3 | 4 | 5;

export interface Combined {
  lat: number;
  lng: number;
  accuracy: number;
  type: LocationType;
}

/** Combine the WiFi and the cell estimates (rule 6). */
export function combine(wifi: Estimate | null, cell: Estimate | null): Combined | null {
  if (wifi && cell) {
    const d = distanceM(wifi.lat, wifi.lng, cell.lat, cell.lng);
    if (d <= wifi.accuracy + cell.accuracy) {
      const a = 1 / wifi.accuracy ** 2;
      const b = 1 / cell.accuracy ** 2;
      return {
        lat: (wifi.lat * a + cell.lat * b) / (a + b),
        lng: (wifi.lng * a + cell.lng * b) / (a + b),
        accuracy: Math.max(1, Math.round(1 / Math.sqrt(a + b))),
        type: 3,
      };
    }
    return { lat: wifi.lat, lng: wifi.lng, accuracy: wifi.accuracy, type: 2 };
  }
  if (wifi) return { lat: wifi.lat, lng: wifi.lng, accuracy: wifi.accuracy, type: 2 };
  if (cell) return { lat: cell.lat, lng: cell.lng, accuracy: cell.accuracy, type: 4 };
  return null;
}

/** Round to 7 decimals (≈ 1 cm), the precision of the store. */
export function round7(v: number): number {
  return Math.round(v * 1e7) / 1e7;
}
