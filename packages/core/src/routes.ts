/**
 * The route table: which gateway process holds which device, so downlink commands find it.
 * Implementations: `MemoryRouteTable` (embedded mode, fast tests) and `RedisRouteTable` (fleet).
 * One contract test suite (`test/routes.contract.ts`) runs against both.
 *
 * Rules (issue #3):
 *  - on login/auth the gateway `claim`s the device: the entry replaces any previous one, and the
 *    previous owner is returned so it can be told to close its older connection;
 *  - traffic `refresh`es the entry's expiry; an entry expires when not refreshed (`ttlMs`);
 *  - entries of a gateway that stopped announcing itself (`announceGate`) are treated as gone;
 *  - `release` removes the entry only when the caller still owns it (gateId + connId).
 */
import type { DeviceProtocol } from './events.ts';

export interface RouteEntry {
  deviceImei: string;
  gateId: string;
  connId: string;
  protocol: DeviceProtocol;
  protocolVersion?: string;
  remoteAddress: string;
  /** Epoch ms when this connection claimed the device. */
  since: number;
}

export interface RouteTable {
  /** Claim the device for this connection; returns the entry it replaced (another connection), if any. */
  claim(entry: RouteEntry, ttlMs: number): Promise<RouteEntry | null>;
  /** Extend the entry's life if (gateId, connId) still owns it; false when it does not. */
  refresh(deviceImei: string, gateId: string, connId: string, ttlMs: number): Promise<boolean>;
  /** Remove the entry if (gateId, connId) still owns it; false when it does not. */
  release(deviceImei: string, gateId: string, connId: string): Promise<boolean>;
  /** The live entry of a device (null when absent, expired, or its gateway is gone). */
  get(deviceImei: string): Promise<RouteEntry | null>;
  /** A gateway process says it is alive for the next `ttlMs`. */
  announceGate(gateId: string, ttlMs: number): Promise<void>;
  /** A gateway process leaves (graceful shutdown): its entries are gone at once. */
  retireGate(gateId: string): Promise<void>;
  isGateAlive(gateId: string): Promise<boolean>;
  /** JT/T 808 auth codes issued at registration, by terminal phone, so any gateway can check 0x0102. */
  setAuthCode(phone: string, code: string): Promise<void>;
  getAuthCode(phone: string): Promise<string | null>;
  deleteAuthCode(phone: string): Promise<void>;
  close(): Promise<void>;
}
