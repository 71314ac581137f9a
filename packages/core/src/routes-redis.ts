/**
 * `RouteTable` on Redis (fleet mode), standalone Redis (the scripts touch keys they derive, which a
 * Redis Cluster would refuse). Keys, under a prefix (default `iothub:`):
 *
 *   route:<imei>          hash { gateId, connId, entry (RouteEntry JSON) }, PX = the entry's ttl
 *   gate:<gateId>         liveness of a gateway process, PX = its announce ttl
 *   gate-routes:<gateId>  set of the imeis claimed through that gateway (for retireGate), PX ≥ its entries'
 *   auth:<phone>          JT/T 808 auth code
 *
 * Claim, refresh, release, get and retire are Lua scripts, so each is atomic: refresh/release
 * check the owner (gateId + connId) and act in the same step; `get` returns an entry only while
 * its gateway's liveness key exists, so the entries of a dead gateway read as gone at once.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { DeviceProtocol } from './events.ts';
import { createRedis, quitRedis } from './redis.ts';
import type { RouteEntry, RouteTable } from './routes.ts';

export interface RedisRouteTableOptions {
  /** A `redis://` URL (the table owns that connection) or a client (left open by `close`). */
  redis: string | Redis;
  /** Key prefix (default `iothub:`). */
  keyPrefix?: string;
}

// KEYS: route, gate-routes of the new gate. ARGV: gateId, connId, entry JSON, ttl, imei, prefix.
// Returns the entry JSON it replaced when that belonged to another connection of a live gate.
const CLAIM = `
local old = redis.call('HMGET', KEYS[1], 'gateId', 'connId', 'entry')
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'gateId', ARGV[1], 'connId', ARGV[2], 'entry', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('SADD', KEYS[2], ARGV[5])
if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[4]) then redis.call('PEXPIRE', KEYS[2], ARGV[4]) end
if not old[1] then return false end
if old[1] ~= ARGV[1] then redis.call('SREM', ARGV[6] .. 'gate-routes:' .. old[1], ARGV[5]) end
if old[1] == ARGV[1] and old[2] == ARGV[2] then return false end
if redis.call('EXISTS', ARGV[6] .. 'gate:' .. old[1]) == 0 then return false end
return old[3]
`;

// KEYS: route, gate-routes. ARGV: gateId, connId, ttl.
const REFRESH = `
local o = redis.call('HMGET', KEYS[1], 'gateId', 'connId')
if o[1] ~= ARGV[1] or o[2] ~= ARGV[2] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
return 1
`;

// KEYS: route, gate-routes. ARGV: gateId, connId, imei.
const RELEASE = `
local o = redis.call('HMGET', KEYS[1], 'gateId', 'connId')
if o[1] ~= ARGV[1] or o[2] ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[3])
return 1
`;

// KEYS: route. ARGV: prefix.
const GET = `
local o = redis.call('HMGET', KEYS[1], 'gateId', 'entry')
if not o[1] then return false end
if redis.call('EXISTS', ARGV[1] .. 'gate:' .. o[1]) == 0 then return false end
return o[2]
`;

// KEYS: gate, gate-routes. ARGV: gateId, prefix. Deletes the entries the gate still owns.
const RETIRE = `
redis.call('DEL', KEYS[1])
local imeis = redis.call('SMEMBERS', KEYS[2])
for _, imei in ipairs(imeis) do
  local k = ARGV[2] .. 'route:' .. imei
  if redis.call('HGET', k, 'gateId') == ARGV[1] then redis.call('DEL', k) end
end
redis.call('DEL', KEYS[2])
return #imeis
`;

/** A Lua script run by SHA1 (EVALSHA), loaded with EVAL when the server does not have it yet. */
export class LuaScript {
  readonly source: string;
  readonly sha: string;

  constructor(source: string) {
    this.source = source;
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: Redis, keys: string[], args: Array<string | number>): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return await redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

const scripts = {
  claim: new LuaScript(CLAIM),
  refresh: new LuaScript(REFRESH),
  release: new LuaScript(RELEASE),
  get: new LuaScript(GET),
  retire: new LuaScript(RETIRE),
};

export class RedisRouteTable implements RouteTable {
  readonly #redis: Redis;
  readonly #owned: boolean;
  readonly #prefix: string;

  constructor(options: RedisRouteTableOptions) {
    this.#owned = typeof options.redis === 'string';
    this.#redis = typeof options.redis === 'string' ? createRedis(options.redis) : options.redis;
    this.#prefix = options.keyPrefix ?? 'iothub:';
  }

  async claim(entry: RouteEntry, ttlMs: number): Promise<RouteEntry | null> {
    const previous = await scripts.claim.run(
      this.#redis,
      [this.#route(entry.deviceImei), this.#gateRoutes(entry.gateId)],
      [entry.gateId, entry.connId, JSON.stringify(entry), ttl(ttlMs), entry.deviceImei, this.#prefix],
    );
    return typeof previous === 'string' ? parseRouteEntry(previous) : null;
  }

  async refresh(deviceImei: string, gateId: string, connId: string, ttlMs: number): Promise<boolean> {
    const done = await scripts.refresh.run(
      this.#redis,
      [this.#route(deviceImei), this.#gateRoutes(gateId)],
      [gateId, connId, ttl(ttlMs)],
    );
    return done === 1;
  }

  async release(deviceImei: string, gateId: string, connId: string): Promise<boolean> {
    const done = await scripts.release.run(
      this.#redis,
      [this.#route(deviceImei), this.#gateRoutes(gateId)],
      [gateId, connId, deviceImei],
    );
    return done === 1;
  }

  async get(deviceImei: string): Promise<RouteEntry | null> {
    const json = await scripts.get.run(this.#redis, [this.#route(deviceImei)], [this.#prefix]);
    return typeof json === 'string' ? parseRouteEntry(json) : null;
  }

  async announceGate(gateId: string, ttlMs: number): Promise<void> {
    await this.#redis.set(this.#gate(gateId), String(Date.now()), 'PX', ttl(ttlMs));
  }

  async retireGate(gateId: string): Promise<void> {
    await scripts.retire.run(this.#redis, [this.#gate(gateId), this.#gateRoutes(gateId)], [gateId, this.#prefix]);
  }

  async isGateAlive(gateId: string): Promise<boolean> {
    return (await this.#redis.exists(this.#gate(gateId))) === 1;
  }

  async setAuthCode(phone: string, code: string): Promise<void> {
    await this.#redis.set(this.#auth(phone), code);
  }

  async getAuthCode(phone: string): Promise<string | null> {
    return await this.#redis.get(this.#auth(phone));
  }

  async deleteAuthCode(phone: string): Promise<void> {
    await this.#redis.del(this.#auth(phone));
  }

  async close(): Promise<void> {
    if (this.#owned) await quitRedis(this.#redis);
  }

  #route(imei: string): string {
    return `${this.#prefix}route:${imei}`;
  }

  #gate(gateId: string): string {
    return `${this.#prefix}gate:${gateId}`;
  }

  #gateRoutes(gateId: string): string {
    return `${this.#prefix}gate-routes:${gateId}`;
  }

  #auth(phone: string): string {
    return `${this.#prefix}auth:${phone}`;
  }
}

/** Redis wants a positive integer number of ms. */
function ttl(ms: number): number {
  return Math.max(1, Math.ceil(ms));
}

const PROTOCOLS: ReadonlySet<string> = new Set<DeviceProtocol>(['jt808', 'jimi']);

/** The stored JSON back to a `RouteEntry`; null when it is not one (a foreign or corrupt value). */
export function parseRouteEntry(json: string): RouteEntry | null {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  const { deviceImei, gateId, connId, protocol, protocolVersion, remoteAddress, since } = v;
  if (
    typeof deviceImei !== 'string' ||
    typeof gateId !== 'string' ||
    typeof connId !== 'string' ||
    typeof protocol !== 'string' ||
    !PROTOCOLS.has(protocol) ||
    typeof remoteAddress !== 'string' ||
    typeof since !== 'number'
  ) {
    return null;
  }
  const entry: RouteEntry = { deviceImei, gateId, connId, protocol: protocol as DeviceProtocol, remoteAddress, since };
  if (typeof protocolVersion === 'string') entry.protocolVersion = protocolVersion;
  return entry;
}
