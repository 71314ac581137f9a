/**
 * `GET /loc/query` parameters → a validated `LbsQuery` or an API error (docs/lbs.md "API").
 *
 *   imei   15 digits (else 102; absent → 100)
 *   token  required (absent → 100; wrong → 101, checked before everything below)
 *   wifi   `mac,rssi|mac,rssi|…`  MAC as aa:bb:cc:dd:ee:ff, aa-bb-…, or 12 hex digits; rssi an integer
 *   lbs    `mcc,mnc,lac,ci,rssi|…` (rssi optional); mcc 0–999, mnc 0–999, lac 0–2^32−1, ci 0–2^40−1
 *   coord  optional; only `wgs84` is supported (anything else → 200)
 * At least one of wifi / lbs; at most MAX_ENTRIES of each; every field a plain decimal integer (no
 * signs other than a leading `-` on rssi, no exponents, no spaces): anything else is 100.
 */
import { API_CODES, type ApiCode } from './errors.ts';
import { KEY_LIMITS, macKey } from './store.ts';

export const MAX_ENTRIES = 64;
/** Longest accepted value of `wifi` / `lbs` (characters). */
export const MAX_LIST_CHARS = 4096;

export interface CellObservation {
  mcc: number;
  mnc: number;
  lac: number;
  ci: number;
  rssi?: number;
}

export interface WifiObservation {
  /** Normalised `aa:bb:cc:dd:ee:ff`. */
  mac: string;
  rssi?: number;
}

export interface LbsQuery {
  imei: string;
  cells: CellObservation[];
  wifi: WifiObservation[];
}

export type ParseResult = { ok: true; query: LbsQuery; token: string } | { ok: false; code: ApiCode; detail: string };

const UINT = /^[0-9]{1,13}$/;
const INT = /^-?[0-9]{1,4}$/;
const IMEI = /^[0-9]{15}$/;

function fail(code: ApiCode, detail: string): ParseResult {
  return { ok: false, code, detail };
}

function one(v: unknown): string | undefined | null {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  // Repeated parameter (`?imei=1&imei=2`) or a nested object: not a valid request.
  return null;
}

function uint(s: string | undefined, max: number): number | null {
  if (s === undefined || !UINT.test(s)) return null;
  const n = Number(s);
  return n <= max ? n : null;
}

function rssiOf(s: string | undefined): number | undefined | null {
  if (s === undefined || s === '') return undefined;
  if (!INT.test(s)) return null;
  const n = Number(s);
  return n >= -200 && n <= 255 ? n : null;
}

export function parseWifi(value: string): WifiObservation[] | string {
  const out: WifiObservation[] = [];
  const items = value.split('|');
  if (items.length > MAX_ENTRIES) return `more than ${MAX_ENTRIES} wifi entries`;
  for (const item of items) {
    if (item === '') continue;
    const parts = item.split(',');
    if (parts.length > 2) return `wifi entry "${item.slice(0, 40)}": expected mac,rssi`;
    const key = macKey(parts[0]!);
    if (Number.isNaN(key)) return `wifi entry "${item.slice(0, 40)}": bad MAC`;
    const rssi = rssiOf(parts[1]);
    if (rssi === null) return `wifi entry "${item.slice(0, 40)}": bad rssi`;
    const mac = key.toString(16).padStart(12, '0').match(/../g)!.join(':');
    out.push(rssi === undefined ? { mac } : { mac, rssi });
  }
  return out;
}

export function parseCells(value: string): CellObservation[] | string {
  const out: CellObservation[] = [];
  const items = value.split('|');
  if (items.length > MAX_ENTRIES) return `more than ${MAX_ENTRIES} lbs entries`;
  for (const item of items) {
    if (item === '') continue;
    const p = item.split(',');
    if (p.length < 4 || p.length > 5) return `lbs entry "${item.slice(0, 40)}": expected mcc,mnc,lac,ci,rssi`;
    const mcc = uint(p[0], KEY_LIMITS.mcc);
    const mnc = uint(p[1], KEY_LIMITS.mnc);
    const lac = uint(p[2], KEY_LIMITS.lac);
    const ci = uint(p[3], KEY_LIMITS.ci);
    const rssi = rssiOf(p[4]);
    if (mcc === null || mnc === null || lac === null || ci === null || rssi === null) {
      return `lbs entry "${item.slice(0, 40)}": a field out of range or not a decimal integer`;
    }
    out.push(rssi === undefined ? { mcc, mnc, lac, ci } : { mcc, mnc, lac, ci, rssi });
  }
  return out;
}

/** Validate the query-string object of a request (values as the HTTP layer decoded them). */
export function parseQueryParams(
  q: Record<string, unknown>,
  tokenOk: (token: string) => boolean = () => true,
): ParseResult {
  const imei = one(q.imei);
  const token = one(q.token);
  const wifi = one(q.wifi);
  const lbs = one(q.lbs);
  const coord = one(q.coord);
  if (imei === null || token === null || wifi === null || lbs === null || coord === null) {
    return fail(API_CODES.INVALID_PARAMS, 'a parameter given more than once');
  }
  if (imei === undefined || imei === '') return fail(API_CODES.INVALID_PARAMS, 'imei is required');
  if (token === undefined || token === '') return fail(API_CODES.INVALID_PARAMS, 'token is required');
  if ((wifi === undefined || wifi === '') && (lbs === undefined || lbs === '')) {
    return fail(API_CODES.INVALID_PARAMS, 'at least one of wifi and lbs is required');
  }
  // The token before anything else is validated: an unauthenticated caller learns nothing more.
  if (!tokenOk(token)) return fail(API_CODES.INVALID_TOKEN, 'token does not match');
  if (!IMEI.test(imei)) return fail(API_CODES.INVALID_IMEI, 'imei must be 15 digits');
  if (coord !== undefined && coord.toLowerCase() !== 'wgs84') {
    return fail(API_CODES.UNSUPPORTED, `coordinate system ${coord.slice(0, 16)}: only wgs84`);
  }
  if ((wifi?.length ?? 0) > MAX_LIST_CHARS || (lbs?.length ?? 0) > MAX_LIST_CHARS) {
    return fail(API_CODES.INVALID_PARAMS, `wifi / lbs longer than ${MAX_LIST_CHARS} characters`);
  }
  const w = wifi ? parseWifi(wifi) : [];
  if (typeof w === 'string') return fail(API_CODES.INVALID_PARAMS, w);
  const c = lbs ? parseCells(lbs) : [];
  if (typeof c === 'string') return fail(API_CODES.INVALID_PARAMS, c);
  if (w.length === 0 && c.length === 0) return fail(API_CODES.INVALID_PARAMS, 'no wifi or lbs entry');
  return { ok: true, token, query: { imei, cells: c, wifi: w } };
}

/** Query-string form of a query (the HTTP client and the upstream provider send this). */
export function formatQuery(q: LbsQuery): { wifi?: string; lbs?: string } {
  const out: { wifi?: string; lbs?: string } = {};
  if (q.wifi.length > 0) out.wifi = q.wifi.map((w) => `${w.mac},${w.rssi ?? ''}`).join('|');
  if (q.cells.length > 0) {
    out.lbs = q.cells
      .map((c) => `${c.mcc},${c.mnc},${c.lac},${c.ci}${c.rssi === undefined ? '' : `,${c.rssi}`}`)
      .join('|');
  }
  return out;
}

/** The cache key of a query: the observations in a canonical order (the IMEI is not part of it). */
export function cacheKeyOf(q: LbsQuery): string {
  const w = q.wifi.map((x) => `${x.mac},${x.rssi ?? ''}`).sort();
  const c = q.cells.map((x) => `${x.mcc},${x.mnc},${x.lac},${x.ci},${x.rssi ?? ''}`).sort();
  return `${w.join('|')}#${c.join('|')}`;
}
