/**
 * `LbsResolver`: a validated query → a position. Order: per-process memory cache → shared cache
 * (Redis, fleet mode) → local store (cells.lbs / wifi.lbs) → upstream provider (only when the store
 * resolves nothing and one is configured). Answers (found and not-found) are cached; errors are not.
 * Used by the HTTP server and, in the embedded process, directly by the gateways (no HTTP hop).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { CachedResolution, LbsCache } from './cache.ts';
import { MemoryLbsCache } from './cache.ts';
import {
  combine,
  DEFAULT_CELL_RANGE_M,
  DEFAULT_WIFI_RANGE_M,
  type Estimate,
  estimate,
  round7,
  type WeightedPoint,
} from './geo.ts';
import { type LbsMetrics, lbsMetrics } from './metrics.ts';
import { cacheKeyOf, type LbsQuery } from './query.ts';
import { cellKey1, macKey, StoreReader } from './store.ts';
import type { UpstreamProvider } from './upstream.ts';

export const CELL_STORE_FILE = 'cells.lbs';
export const WIFI_STORE_FILE = 'wifi.lbs';

export interface LbsResolution extends Omit<CachedResolution, 'code'> {
  /** 0 resolved, 300 failure (store / upstream error), 400 nothing known. */
  code: 0 | 300 | 400;
  /** When the answer was produced (ms). */
  time: number;
  /** Stable error code when `code` is 300. */
  error?: string;
}

export interface LbsResolverOptions {
  /** Directory holding `cells.lbs` / `wifi.lbs` (either may be missing). */
  dataDir?: string | null;
  /** Open stores (tests); override `dataDir`. */
  cells?: StoreReader | null;
  wifi?: StoreReader | null;
  /** Entries of the per-process result cache. Default 100,000; 0 = none. */
  memoryCacheSize?: number;
  /** TTL of found answers. Default 24 h. */
  cacheTtlMs?: number;
  /** TTL of "nothing known" answers. Default 1 h. */
  notFoundTtlMs?: number;
  /** Shared cache (Redis) in fleet mode. */
  sharedCache?: LbsCache | null;
  upstream?: UpstreamProvider | null;
  registry?: Registry | null;
  logger?: Logger | null;
  now?: () => number;
}

const ZERO = { lat: 0, lng: 0, accuracy: 0, type: 0 };

export class LbsResolver {
  readonly cells: StoreReader | null;
  readonly wifi: StoreReader | null;
  readonly #memory: MemoryLbsCache | null;
  readonly #shared: LbsCache | null;
  readonly #upstream: UpstreamProvider | null;
  readonly #ttl: number;
  readonly #notFoundTtl: number;
  readonly #metrics: LbsMetrics | null;
  readonly #log: Logger | null;
  readonly #now: () => number;

  constructor(options: LbsResolverOptions = {}) {
    const dir = options.dataDir ?? null;
    const openIf = (file: string, kind: 'cell' | 'wifi') => {
      if (dir === null) return null;
      const p = join(dir, file);
      return existsSync(p) ? StoreReader.open(p, kind) : null;
    };
    this.cells = options.cells !== undefined ? options.cells : openIf(CELL_STORE_FILE, 'cell');
    this.wifi = options.wifi !== undefined ? options.wifi : openIf(WIFI_STORE_FILE, 'wifi');
    const size = options.memoryCacheSize ?? 100_000;
    this.#now = options.now ?? Date.now;
    this.#memory = size > 0 ? new MemoryLbsCache({ maxEntries: size, now: this.#now }) : null;
    this.#shared = options.sharedCache ?? null;
    this.#upstream = options.upstream ?? null;
    this.#ttl = options.cacheTtlMs ?? 24 * 3600_000;
    this.#notFoundTtl = options.notFoundTtlMs ?? 3600_000;
    this.#metrics = options.registry ? lbsMetrics(options.registry) : null;
    this.#log = options.logger ?? null;
  }

  /** Rows in the stores (for /health and the start-up line). */
  get counts(): { cells: number; wifi: number } {
    return { cells: this.cells?.count ?? 0, wifi: this.wifi?.count ?? 0 };
  }

  async resolve(query: LbsQuery): Promise<LbsResolution> {
    const started = performance.now();
    const key = cacheKeyOf(query);
    const m = this.#metrics;
    const mem = this.#memory?.peek(key) ?? null;
    if (mem) {
      m?.cache.labels('memory', 'hit').inc();
      m?.resolveSeconds.labels('memory').observe((performance.now() - started) / 1000);
      return { ...mem, time: this.#now() };
    }
    if (this.#memory) m?.cache.labels('memory', 'miss').inc();
    if (this.#shared) {
      try {
        const hit = await this.#shared.get(key);
        if (hit) {
          m?.cache.labels('redis', 'hit').inc();
          this.#memory?.put(key, hit, hit.code === 0 ? this.#ttl : this.#notFoundTtl);
          m?.resolveSeconds.labels('redis').observe((performance.now() - started) / 1000);
          return { ...hit, time: this.#now() };
        }
        m?.cache.labels('redis', 'miss').inc();
      } catch (err) {
        m?.cache.labels('redis', 'error').inc();
        this.#log?.warn({ err, code: 'IOTHUB_ERR_LBS_CACHE' }, 'shared cache read failed');
      }
    }
    let local: CachedResolution;
    try {
      local = this.resolveLocal(query);
    } catch (err) {
      this.#log?.error({ err, code: 'IOTHUB_ERR_LBS_INTERNAL' }, 'store lookup failed');
      return {
        ...ZERO,
        from: 'local',
        ...counts0(query),
        code: 300,
        time: this.#now(),
        error: 'IOTHUB_ERR_LBS_INTERNAL',
      };
    }
    let answer = local;
    let source = 'local';
    if (local.code === 400 && this.#upstream) {
      source = 'upstream';
      try {
        const up = await this.#upstream.resolve(query);
        m?.upstream.labels(up ? 'found' : 'not-found').inc();
        if (up) {
          answer = {
            ...local,
            code: 0,
            lat: round7(up.lat),
            lng: round7(up.lng),
            accuracy: Math.round(up.accuracy),
            type: up.type,
            from: 'upstream',
          };
        }
      } catch (err) {
        m?.upstream.labels('error').inc();
        this.#log?.warn({ err, code: 'IOTHUB_ERR_LBS_UPSTREAM' }, 'upstream provider failed');
        // Not cached: the next request tries again.
        m?.resolveSeconds.labels(source).observe((performance.now() - started) / 1000);
        return { ...local, time: this.#now() };
      }
    }
    const ttl = answer.code === 0 ? this.#ttl : this.#notFoundTtl;
    this.#memory?.put(key, answer, ttl);
    if (this.#shared) {
      this.#shared.set(key, answer, ttl).catch((err: unknown) => {
        m?.cache.labels('redis', 'error').inc();
        this.#log?.warn({ err, code: 'IOTHUB_ERR_LBS_CACHE' }, 'shared cache write failed');
      });
    }
    m?.resolveSeconds.labels(source).observe((performance.now() - started) / 1000);
    return { ...answer, time: this.#now() };
  }

  /** Resolve from the local store only (synchronous; no cache). */
  resolveLocal(query: LbsQuery): CachedResolution {
    const m = this.#metrics;
    const wifiPoints: WeightedPoint[] = [];
    const cellPoints: WeightedPoint[] = [];
    let unknownWifi = 0;
    let unknownCells = 0;
    const seen = new Set<string>();
    for (const w of query.wifi) {
      if (seen.has(w.mac)) continue;
      seen.add(w.mac);
      const r = this.wifi?.get(macKey(w.mac), 0) ?? null;
      if (r) wifiPoints.push({ lat: r.lat, lng: r.lng, range: r.range || DEFAULT_WIFI_RANGE_M, rssi: w.rssi });
      else unknownWifi++;
    }
    for (const c of query.cells) {
      const id = `${c.mcc},${c.mnc},${c.lac},${c.ci}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const r = this.cells?.get(cellKey1(c.mcc, c.mnc, c.lac), c.ci) ?? null;
      if (r) cellPoints.push({ lat: r.lat, lng: r.lng, range: r.range || DEFAULT_CELL_RANGE_M, rssi: c.rssi });
      else unknownCells++;
    }
    if (m) {
      if (wifiPoints.length) m.observations.labels('wifi', 'known').inc(wifiPoints.length);
      if (unknownWifi) m.observations.labels('wifi', 'unknown').inc(unknownWifi);
      if (cellPoints.length) m.observations.labels('cell', 'known').inc(cellPoints.length);
      if (unknownCells) m.observations.labels('cell', 'unknown').inc(unknownCells);
    }
    const we: Estimate | null = estimate(wifiPoints, 2_000);
    const ce: Estimate | null = estimate(cellPoints, 20_000);
    const c = combine(we, ce);
    const usedWifi = c && c.type !== 4 ? (we?.used ?? 0) : 0;
    const usedCells = c && (c.type === 3 || c.type === 4) ? (ce?.used ?? 0) : 0;
    const base = { usedCells, usedWifi, unknownCells, unknownWifi, from: 'local' };
    if (!c) return { code: 400, ...ZERO, ...base };
    return { code: 0, lat: round7(c.lat), lng: round7(c.lng), accuracy: c.accuracy, type: c.type, ...base };
  }

  async close(): Promise<void> {
    this.cells?.close();
    this.wifi?.close();
    await this.#memory?.close();
    await this.#shared?.close();
  }
}

function counts0(q: LbsQuery) {
  return { usedCells: 0, usedWifi: 0, unknownCells: q.cells.length, unknownWifi: q.wifi.length };
}
