/**
 * The per-device outstanding-command limit ("at most one outstanding command per device", `_code`
 * 302), shared by every router instance. A slot is held from the moment a command is sent until
 * its outcome; every slot has a lease (`ttlMs`) so an instance that dies while holding one cannot
 * block the device for longer than that.
 *
 * Implementations: `MemoryDeviceLock` (embedded mode, fast tests) and `RedisDeviceLock` (fleet:
 * one sorted set per device, member = slot token, score = lease end; acquire is one Lua script, so
 * two instances racing for the last slot cannot both win). One contract suite runs against both
 * (`router/test/lock.contract.ts`).
 */
import { createRedis, LuaScript, quitRedis } from '@iothub/core';
import type { Redis } from 'ioredis';

export interface DeviceLock {
  /** Take one of the device's `max` slots for `ttlMs`; false when all are taken. */
  acquire(deviceImei: string, token: string, max: number, ttlMs: number): Promise<boolean>;
  /** Give the slot back (no-op when it expired or was never held). */
  release(deviceImei: string, token: string): Promise<void>;
  /** Slots currently held (for tests and /health). */
  held(deviceImei: string): Promise<number>;
  close(): Promise<void>;
}

export interface MemoryDeviceLockOptions {
  /** Epoch ms clock (default `Date.now`); injectable so leases are testable without waiting. */
  now?: () => number;
}

export class MemoryDeviceLock implements DeviceLock {
  readonly #now: () => number;
  /** imei → token → lease end. */
  readonly #slots = new Map<string, Map<string, number>>();

  constructor(options: MemoryDeviceLockOptions = {}) {
    this.#now = options.now ?? Date.now;
  }

  async acquire(deviceImei: string, token: string, max: number, ttlMs: number): Promise<boolean> {
    const slots = this.#live(deviceImei);
    if (slots !== undefined && slots.size >= max && !slots.has(token)) return false;
    let s = slots;
    if (s === undefined) {
      s = new Map();
      this.#slots.set(deviceImei, s);
    }
    s.set(token, this.#now() + ttlMs);
    return true;
  }

  async release(deviceImei: string, token: string): Promise<void> {
    const slots = this.#slots.get(deviceImei);
    if (slots === undefined) return;
    slots.delete(token);
    if (slots.size === 0) this.#slots.delete(deviceImei);
  }

  async held(deviceImei: string): Promise<number> {
    return this.#live(deviceImei)?.size ?? 0;
  }

  async close(): Promise<void> {
    this.#slots.clear();
  }

  /** The device's slots with the expired leases removed. */
  #live(deviceImei: string): Map<string, number> | undefined {
    const slots = this.#slots.get(deviceImei);
    if (slots === undefined) return undefined;
    const now = this.#now();
    for (const [token, until] of slots) if (until <= now) slots.delete(token);
    if (slots.size === 0) {
      this.#slots.delete(deviceImei);
      return undefined;
    }
    return slots;
  }
}

// KEYS: the device's slot set. ARGV: token, max, ttl ms. Server time, so instances need no clock agreement.
const ACQUIRE = new LuaScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == false and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return 1
`);

// KEYS: the device's slot set.
const HELD = new LuaScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')
`);

export interface RedisDeviceLockOptions {
  /** A `redis://` URL (the lock owns that connection) or a client (left open by `close`). */
  redis: string | Redis;
  /** Key prefix (default `iothub:`); keys are `<prefix>cmd-slots:<imei>`. */
  keyPrefix?: string;
}

export class RedisDeviceLock implements DeviceLock {
  readonly #redis: Redis;
  readonly #owned: boolean;
  readonly #prefix: string;

  constructor(options: RedisDeviceLockOptions) {
    this.#owned = typeof options.redis === 'string';
    this.#redis = typeof options.redis === 'string' ? createRedis(options.redis) : options.redis;
    this.#prefix = options.keyPrefix ?? 'iothub:';
  }

  async acquire(deviceImei: string, token: string, max: number, ttlMs: number): Promise<boolean> {
    const ok = await ACQUIRE.run(this.#redis, [this.#key(deviceImei)], [token, max, Math.max(1, Math.ceil(ttlMs))]);
    return ok === 1;
  }

  async release(deviceImei: string, token: string): Promise<void> {
    await this.#redis.zrem(this.#key(deviceImei), token);
  }

  async held(deviceImei: string): Promise<number> {
    return Number(await HELD.run(this.#redis, [this.#key(deviceImei)], []));
  }

  async close(): Promise<void> {
    if (this.#owned) await quitRedis(this.#redis);
  }

  #key(imei: string): string {
    return `${this.#prefix}cmd-slots:${imei}`;
  }
}
