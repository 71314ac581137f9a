/**
 * In-memory `RouteTable` (embedded mode, fast tests). Same rules as `RedisRouteTable`:
 *
 *  - an entry lives until `ttlMs` after its last claim/refresh;
 *  - an entry is live only while its gateway is alive: a gateway must `announceGate` (and keep
 *    announcing within its TTL) for its entries to be visible; `retireGate` removes them at once;
 *  - `claim` returns the live entry it replaced when that entry belonged to another connection;
 *  - `refresh` / `release` act only for the owning (gateId, connId).
 *
 * The clock is injectable (`now`) so expiry is testable without waiting.
 */
import type { RouteEntry, RouteTable } from './routes.ts';

export interface MemoryRouteTableOptions {
  /** Epoch ms clock (default `Date.now`). */
  now?: () => number;
}

interface Stored {
  entry: RouteEntry;
  expiresAt: number;
}

export class MemoryRouteTable implements RouteTable {
  readonly #now: () => number;
  readonly #routes = new Map<string, Stored>();
  readonly #gates = new Map<string, number>();
  readonly #authCodes = new Map<string, string>();

  constructor(options: MemoryRouteTableOptions = {}) {
    this.#now = options.now ?? Date.now;
  }

  async claim(entry: RouteEntry, ttlMs: number): Promise<RouteEntry | null> {
    const previous = this.#live(entry.deviceImei);
    this.#routes.set(entry.deviceImei, { entry: { ...entry }, expiresAt: this.#now() + ttlMs });
    if (previous === null) return null;
    if (previous.gateId === entry.gateId && previous.connId === entry.connId) return null;
    return previous;
  }

  async refresh(deviceImei: string, gateId: string, connId: string, ttlMs: number): Promise<boolean> {
    const stored = this.#unexpired(deviceImei);
    if (stored === null || stored.entry.gateId !== gateId || stored.entry.connId !== connId) return false;
    stored.expiresAt = this.#now() + ttlMs;
    return true;
  }

  async release(deviceImei: string, gateId: string, connId: string): Promise<boolean> {
    const stored = this.#unexpired(deviceImei);
    if (stored === null || stored.entry.gateId !== gateId || stored.entry.connId !== connId) return false;
    this.#routes.delete(deviceImei);
    return true;
  }

  async get(deviceImei: string): Promise<RouteEntry | null> {
    const entry = this.#live(deviceImei);
    return entry === null ? null : { ...entry };
  }

  async announceGate(gateId: string, ttlMs: number): Promise<void> {
    this.#gates.set(gateId, this.#now() + ttlMs);
  }

  async retireGate(gateId: string): Promise<void> {
    this.#gates.delete(gateId);
    for (const [imei, stored] of this.#routes) {
      if (stored.entry.gateId === gateId) this.#routes.delete(imei);
    }
  }

  async isGateAlive(gateId: string): Promise<boolean> {
    return this.#gateAlive(gateId);
  }

  async setAuthCode(phone: string, code: string): Promise<void> {
    this.#authCodes.set(phone, code);
  }

  async getAuthCode(phone: string): Promise<string | null> {
    return this.#authCodes.get(phone) ?? null;
  }

  async deleteAuthCode(phone: string): Promise<void> {
    this.#authCodes.delete(phone);
  }

  async close(): Promise<void> {}

  #gateAlive(gateId: string): boolean {
    const until = this.#gates.get(gateId);
    if (until === undefined) return false;
    if (until <= this.#now()) {
      this.#gates.delete(gateId);
      return false;
    }
    return true;
  }

  #unexpired(deviceImei: string): Stored | null {
    const stored = this.#routes.get(deviceImei);
    if (stored === undefined) return null;
    if (stored.expiresAt <= this.#now()) {
      this.#routes.delete(deviceImei);
      return null;
    }
    return stored;
  }

  #live(deviceImei: string): RouteEntry | null {
    const stored = this.#unexpired(deviceImei);
    if (stored === null || !this.#gateAlive(stored.entry.gateId)) return null;
    return stored.entry;
  }
}
