/**
 * How a gateway resolves the cells / WiFi access points devices report (docs/lbs.md "Gateway use").
 *
 * `LbsClient` is the one interface the runtime (`GatewayServer`, effect `resolve-location`) uses:
 *  - `HttpLbsClient`: `GET <LBS_URL>/loc/query` (fleet mode), with a timeout and an in-memory cache;
 *  - in the embedded process, the `@iothub/lbs` resolver itself (same `resolve` shape, no HTTP hop),
 *    wrapped by `lbsClientFromResolver`.
 * The runtime also bounds every call by its own timeout; an answer that is neither success (0) nor
 * "no data" (400) is a failure and the device data is published unresolved.
 */
import type { LocationQuery, ResolvedLocation } from './protocol.ts';

/** `code`: the LBS API code (0 success, 400 nothing known, anything else a failure). */
export interface LbsAnswer extends ResolvedLocation {
  code: number;
}

export interface LbsClient {
  resolve(query: LocationQuery): Promise<LbsAnswer>;
}

export class LbsClientError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'LbsClientError';
  }
}

export interface HttpLbsClientOptions {
  /** Base URL of the LBS service (`http://host:10099`); `/loc/query` is appended. */
  url: string;
  /** LBS_TOKEN; the embedded LBS accepts any token when none is configured. */
  token: string | null;
  /** Per request. Default 1500 ms. */
  timeoutMs?: number;
  /** Cached answers (found and not-found). Default 10,000; 0 = none. */
  cacheSize?: number;
  /** Default 10 minutes. */
  cacheTtlMs?: number;
  now?: () => number;
}

/**
 * The `imei` the LBS interface takes is 15 digits; JT/T 808 device ids are phone numbers (11–20
 * digits). Shorter ids are zero-padded on the left, longer ones keep their last 15 digits; the LBS
 * uses it only to identify the caller in its logs.
 */
export function lbsImei(deviceId: string): string {
  const digits = deviceId.replace(/[^0-9]/g, '');
  return digits.length >= 15 ? digits.slice(-15) : digits.padStart(15, '0');
}

function listParams(q: LocationQuery): string {
  const p = new URLSearchParams({ imei: lbsImei(q.imei) });
  if (q.wifi.length > 0) p.set('wifi', q.wifi.map((w) => `${w.mac},${w.rssi ?? ''}`).join('|'));
  if (q.cells.length > 0) {
    p.set(
      'lbs',
      q.cells.map((c) => `${c.mcc},${c.mnc},${c.lac},${c.ci}${c.rssi === undefined ? '' : `,${c.rssi}`}`).join('|'),
    );
  }
  return p.toString();
}

export class HttpLbsClient implements LbsClient {
  readonly #base: string;
  readonly #token: string;
  readonly #timeoutMs: number;
  readonly #cacheSize: number;
  readonly #ttl: number;
  readonly #now: () => number;
  readonly #cache = new Map<string, { a: LbsAnswer; exp: number }>();

  constructor(o: HttpLbsClientOptions) {
    this.#base = `${o.url.replace(/\/+$/, '')}/loc/query`;
    // The embedded LBS without LBS_TOKEN accepts any non-empty token.
    this.#token = o.token ?? 'iothub';
    this.#timeoutMs = o.timeoutMs ?? 1500;
    this.#cacheSize = o.cacheSize ?? 10_000;
    this.#ttl = o.cacheTtlMs ?? 600_000;
    this.#now = o.now ?? Date.now;
  }

  async resolve(query: LocationQuery): Promise<LbsAnswer> {
    const params = listParams(query);
    // The IMEI is not part of the position: cache on the lists only.
    const key = params.slice(params.indexOf('&') + 1);
    const hit = this.#cache.get(key);
    if (hit && hit.exp > this.#now()) return hit.a;
    const res = await fetch(`${this.#base}?${params}&token=${encodeURIComponent(this.#token)}`, {
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    if (!res.ok) throw new LbsClientError('IOTHUB_ERR_LBS_FAILED', `LBS HTTP ${res.status}`);
    const body = (await res.json()) as { code?: unknown; data?: Record<string, unknown> | null };
    const code = typeof body.code === 'number' ? body.code : -1;
    let a: LbsAnswer;
    if (code === 0 && body.data) {
      a = {
        code,
        lat: Number(body.data.lat),
        lng: Number(body.data.lng),
        accuracy: Number(body.data.accuracy),
        type: Number(body.data.type),
      };
      if (!Number.isFinite(a.lat) || !Number.isFinite(a.lng)) {
        throw new LbsClientError('IOTHUB_ERR_LBS_FAILED', 'LBS answered without a position');
      }
    } else if (code === 400) {
      a = { code, lat: 0, lng: 0, accuracy: 0, type: 0 };
    } else {
      throw new LbsClientError('IOTHUB_ERR_LBS_FAILED', `LBS code ${String(body.code)}`);
    }
    if (this.#cacheSize > 0) {
      this.#cache.set(key, { a, exp: this.#now() + this.#ttl });
      if (this.#cache.size > this.#cacheSize) this.#cache.delete(this.#cache.keys().next().value as string);
    }
    return a;
  }
}

/** The shape of `@iothub/lbs` `LbsResolver.resolve` (structural: the gateways do not import the LBS package). */
export interface InProcessResolver {
  resolve(query: LocationQuery): Promise<{ code: number; lat: number; lng: number; accuracy: number; type: number }>;
}

export function lbsClientFromResolver(resolver: InProcessResolver): LbsClient {
  return {
    async resolve(query) {
      const r = await resolver.resolve(query);
      return { code: r.code, lat: r.lat, lng: r.lng, accuracy: r.accuracy, type: r.type };
    },
  };
}
