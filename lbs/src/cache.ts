/**
 * Result caches (convention 12: an interface, an in-memory implementation, a Redis one, one contract
 * suite for both: lbs/test/cache-contract.ts). The resolver keeps a per-process `MemoryLbsCache` in
 * front and, in fleet mode, a `RedisLbsCache` shared by every LBS process (and the upstream answers
 * it paid for).
 */
import { createHash } from 'node:crypto';
import { createRedis } from '@iothub/core';
import type { Redis } from 'ioredis';

export interface CachedResolution {
  /** 0 resolved, 400 nothing known. */
  code: 0 | 400;
  lat: number;
  lng: number;
  accuracy: number;
  type: number;
  from: string;
  usedCells: number;
  usedWifi: number;
  unknownCells: number;
  unknownWifi: number;
}

export interface LbsCache {
  get(key: string): Promise<CachedResolution | null>;
  set(key: string, value: CachedResolution, ttlMs: number): Promise<void>;
  close(): Promise<void>;
}

/** An LRU with a TTL per entry, bounded by `maxEntries`. */
export class MemoryLbsCache implements LbsCache {
  readonly #max: number;
  readonly #now: () => number;
  readonly #map = new Map<string, { v: CachedResolution; exp: number }>();

  constructor(options: { maxEntries?: number; now?: () => number } = {}) {
    this.#max = Math.max(1, options.maxEntries ?? 100_000);
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#map.size;
  }

  /** Synchronous lookup (the resolver's fast path). */
  peek(key: string): CachedResolution | null {
    const e = this.#map.get(key);
    if (!e) return null;
    if (e.exp <= this.#now()) {
      this.#map.delete(key);
      return null;
    }
    // Refresh recency.
    this.#map.delete(key);
    this.#map.set(key, e);
    return e.v;
  }

  put(key: string, value: CachedResolution, ttlMs: number): void {
    if (ttlMs <= 0) return;
    this.#map.delete(key);
    this.#map.set(key, { v: value, exp: this.#now() + ttlMs });
    while (this.#map.size > this.#max) {
      const oldest = this.#map.keys().next().value as string;
      this.#map.delete(oldest);
    }
  }

  async get(key: string): Promise<CachedResolution | null> {
    return this.peek(key);
  }

  async set(key: string, value: CachedResolution, ttlMs: number): Promise<void> {
    this.put(key, value, ttlMs);
  }

  async close(): Promise<void> {
    this.#map.clear();
  }
}

/**
 * Redis: one string per query, `<prefix><sha1 of the canonical query>`, JSON value, PX TTL.
 * A cache, not a dependency: commands time out after 500 ms and are skipped at once while the
 * connection is down (the resolver counts `lbs_cache_total{layer="redis",result="error"}` and goes on).
 */
export class RedisLbsCache implements LbsCache {
  readonly #redis: Redis;
  readonly #owned: boolean;
  readonly #prefix: string;

  constructor(options: { redis: string | Redis; keyPrefix?: string }) {
    this.#owned = typeof options.redis === 'string';
    this.#redis =
      typeof options.redis === 'string'
        ? createRedis(options.redis, { maxRetriesPerRequest: 1, commandTimeout: 500 })
        : options.redis;
    // An unhandled 'error' event would end the process; failures surface on the commands instead.
    if (this.#owned) this.#redis.on('error', () => undefined);
    this.#prefix = options.keyPrefix ?? 'iothub:lbs:';
  }

  /** Redis is known to be down (reconnecting / closed): skip it at once instead of queueing. */
  #down(): boolean {
    const st = this.#redis.status;
    return st === 'reconnecting' || st === 'close' || st === 'end';
  }

  #key(key: string): string {
    return this.#prefix + createHash('sha1').update(key).digest('base64url');
  }

  async get(key: string): Promise<CachedResolution | null> {
    if (this.#down()) throw new Error(`redis ${this.#redis.status}`);
    const v = await this.#redis.get(this.#key(key));
    if (v === null) return null;
    try {
      const parsed = JSON.parse(v) as CachedResolution;
      return parsed && typeof parsed === 'object' && (parsed.code === 0 || parsed.code === 400) ? parsed : null;
    } catch {
      return null;
    }
  }

  async set(key: string, value: CachedResolution, ttlMs: number): Promise<void> {
    if (ttlMs <= 0) return;
    if (this.#down()) throw new Error(`redis ${this.#redis.status}`);
    await this.#redis.set(this.#key(key), JSON.stringify(value), 'PX', Math.ceil(ttlMs));
  }

  async close(): Promise<void> {
    if (this.#owned) this.#redis.disconnect();
  }
}
