/**
 * What the instruction API keeps between requests: stored offline commands (per device, in order,
 * each with an expiry) and the devices it has seen log in (to tell `_code` 301 "not registered"
 * from 300 "offline"). Implementations: `MemoryCommandStore` (embedded mode, fast tests) and
 * `RedisCommandStore` (fleet; survives restarts; `take` is atomic, so with several API instances
 * a stored command is delivered by one of them only). One contract suite runs against both
 * (`instruction-server/test/store.contract.ts`).
 */

import type { DeviceProtocol } from '@iothub/core';
import { createRedis, LuaScript, quitRedis } from '@iothub/core';
import type { Redis } from 'ioredis';

export interface OfflineCommand {
  /** Unique id (returned by the query API, accepted by the delete API). */
  id: string;
  deviceImei: string;
  proNo: number;
  cmdContent: string;
  serverFlagId: string | number;
  cmdType: string;
  platform?: string;
  requestId?: string;
  language?: string;
  /** Seconds the device gets to answer once the command is delivered. */
  timeOutS: number;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms after which the command is dropped undelivered. */
  expiresAt: number;
}

export interface CommandStore {
  /** Append a command to the device's queue; false when it already holds `max` live commands. */
  add(command: OfflineCommand, max: number): Promise<boolean>;
  /** The device's live commands, oldest first. */
  list(deviceImei: string): Promise<OfflineCommand[]>;
  /** Remove the device's commands (all, or the one with `id`); returns how many went. */
  remove(deviceImei: string, id?: string): Promise<number>;
  /** Atomically remove and return all the device's commands, oldest first, expired ones included. */
  take(deviceImei: string): Promise<OfflineCommand[]>;
  /** Put commands back at the head of the queue (delivery could not happen), keeping their order. */
  putBack(deviceImei: string, commands: readonly OfflineCommand[]): Promise<void>;
  /** Remember that a device logged in (and its protocol) for `ttlMs`. */
  markSeen(deviceImei: string, protocol: DeviceProtocol, ttlMs: number): Promise<void>;
  /** The protocol of a device seen within its ttl; null when never seen. */
  seen(deviceImei: string): Promise<DeviceProtocol | null>;
  close(): Promise<void>;
}

export interface MemoryCommandStoreOptions {
  now?: () => number;
}

export class MemoryCommandStore implements CommandStore {
  readonly #now: () => number;
  readonly #queues = new Map<string, OfflineCommand[]>();
  readonly #seen = new Map<string, { protocol: DeviceProtocol; until: number }>();

  constructor(options: MemoryCommandStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
  }

  async add(command: OfflineCommand, max: number): Promise<boolean> {
    const q = this.#live(command.deviceImei);
    if (q.length >= max) return false;
    q.push(structuredClone(command));
    this.#queues.set(command.deviceImei, q);
    return true;
  }

  async list(deviceImei: string): Promise<OfflineCommand[]> {
    return structuredClone(this.#live(deviceImei));
  }

  async remove(deviceImei: string, id?: string): Promise<number> {
    const q = this.#live(deviceImei);
    const keep = id === undefined ? [] : q.filter((c) => c.id !== id);
    const removed = q.length - keep.length;
    if (keep.length === 0) this.#queues.delete(deviceImei);
    else this.#queues.set(deviceImei, keep);
    return removed;
  }

  async take(deviceImei: string): Promise<OfflineCommand[]> {
    const q = this.#queues.get(deviceImei) ?? [];
    this.#queues.delete(deviceImei);
    return q;
  }

  async putBack(deviceImei: string, commands: readonly OfflineCommand[]): Promise<void> {
    if (commands.length === 0) return;
    const q = this.#queues.get(deviceImei) ?? [];
    this.#queues.set(deviceImei, [...structuredClone(commands), ...q]);
  }

  async markSeen(deviceImei: string, protocol: DeviceProtocol, ttlMs: number): Promise<void> {
    this.#seen.set(deviceImei, { protocol, until: this.#now() + ttlMs });
  }

  async seen(deviceImei: string): Promise<DeviceProtocol | null> {
    const s = this.#seen.get(deviceImei);
    if (s === undefined) return null;
    if (s.until <= this.#now()) {
      this.#seen.delete(deviceImei);
      return null;
    }
    return s.protocol;
  }

  async close(): Promise<void> {}

  /** The device's queue without expired commands (dropped here, as Redis does on read). */
  #live(deviceImei: string): OfflineCommand[] {
    const q = this.#queues.get(deviceImei);
    if (q === undefined) return [];
    const now = this.#now();
    const live = q.filter((c) => c.expiresAt > now);
    if (live.length === 0) this.#queues.delete(deviceImei);
    else if (live.length !== q.length) this.#queues.set(deviceImei, live);
    return live;
  }
}

// KEYS: queue. ARGV: command JSON, max, now, expiresAt. Drops expired heads of line first.
const ADD = new LuaScript(`
local items = redis.call('LRANGE', KEYS[1], 0, -1)
local live = 0
local now = tonumber(ARGV[3])
for _, s in ipairs(items) do
  local ok, c = pcall(cjson.decode, s)
  if ok and tonumber(c.expiresAt) > now then live = live + 1 else redis.call('LREM', KEYS[1], 1, s) end
end
if live >= tonumber(ARGV[2]) then return 0 end
redis.call('RPUSH', KEYS[1], ARGV[1])
local ttl = tonumber(ARGV[4]) - now
if ttl < 1 then ttl = 1 end
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1
`);

// KEYS: queue.
const TAKE = new LuaScript(`
local items = redis.call('LRANGE', KEYS[1], 0, -1)
redis.call('DEL', KEYS[1])
return items
`);

export interface RedisCommandStoreOptions {
  /** A `redis://` URL (the store owns that connection) or a client (left open by `close`). */
  redis: string | Redis;
  /** Key prefix (default `iothub:`): `<prefix>offline:<imei>` (list of JSON), `<prefix>seen:<imei>`. */
  keyPrefix?: string;
  now?: () => number;
}

export class RedisCommandStore implements CommandStore {
  readonly #redis: Redis;
  readonly #owned: boolean;
  readonly #prefix: string;
  readonly #now: () => number;

  constructor(options: RedisCommandStoreOptions) {
    this.#owned = typeof options.redis === 'string';
    this.#redis = typeof options.redis === 'string' ? createRedis(options.redis) : options.redis;
    this.#prefix = options.keyPrefix ?? 'iothub:';
    this.#now = options.now ?? Date.now;
  }

  async add(command: OfflineCommand, max: number): Promise<boolean> {
    const ok = await ADD.run(
      this.#redis,
      [this.#queue(command.deviceImei)],
      [JSON.stringify(command), max, this.#now(), command.expiresAt],
    );
    return ok === 1;
  }

  async list(deviceImei: string): Promise<OfflineCommand[]> {
    const now = this.#now();
    return parseAll(await this.#redis.lrange(this.#queue(deviceImei), 0, -1)).filter((c) => c.expiresAt > now);
  }

  async remove(deviceImei: string, id?: string): Promise<number> {
    const key = this.#queue(deviceImei);
    if (id === undefined) {
      const n = (await this.list(deviceImei)).length;
      await this.#redis.del(key);
      return n;
    }
    const raw = await this.#redis.lrange(key, 0, -1);
    let removed = 0;
    for (const s of raw) {
      const c = parseOne(s);
      if (c !== null && c.id === id) removed += await this.#redis.lrem(key, 1, s);
    }
    return removed;
  }

  async take(deviceImei: string): Promise<OfflineCommand[]> {
    const items = (await TAKE.run(this.#redis, [this.#queue(deviceImei)], [])) as string[];
    return parseAll(items);
  }

  async putBack(deviceImei: string, commands: readonly OfflineCommand[]): Promise<void> {
    if (commands.length === 0) return;
    const key = this.#queue(deviceImei);
    // LPUSH puts each at the head: push newest first so the oldest ends up first.
    const values = [...commands].reverse().map((c) => JSON.stringify(c));
    const longest = Math.max(...commands.map((c) => c.expiresAt)) - this.#now();
    await this.#redis.lpush(key, ...values);
    const current = await this.#redis.pttl(key);
    if (current < longest) await this.#redis.pexpire(key, Math.max(1, longest));
  }

  async markSeen(deviceImei: string, protocol: DeviceProtocol, ttlMs: number): Promise<void> {
    await this.#redis.set(this.#seenKey(deviceImei), protocol, 'PX', Math.max(1, Math.ceil(ttlMs)));
  }

  async seen(deviceImei: string): Promise<DeviceProtocol | null> {
    const v = await this.#redis.get(this.#seenKey(deviceImei));
    return v === 'jt808' || v === 'jimi' ? v : null;
  }

  async close(): Promise<void> {
    if (this.#owned) await quitRedis(this.#redis);
  }

  #queue(imei: string): string {
    return `${this.#prefix}offline:${imei}`;
  }

  #seenKey(imei: string): string {
    return `${this.#prefix}seen:${imei}`;
  }
}

function parseOne(s: string): OfflineCommand | null {
  try {
    const c = JSON.parse(s) as OfflineCommand;
    return typeof c.id === 'string' && typeof c.expiresAt === 'number' ? c : null;
  } catch {
    return null;
  }
}

function parseAll(items: readonly string[]): OfflineCommand[] {
  const out: OfflineCommand[] = [];
  for (const s of items) {
    const c = parseOne(s);
    if (c !== null) out.push(c);
  }
  return out;
}
