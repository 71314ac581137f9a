/**
 * The `RouteTable` contract: one suite, run against `MemoryRouteTable` (unit run, fake clock) and
 * `RedisRouteTable` (integration run, real TTLs). Device ids and gate ids are unique per test.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { RouteEntry, RouteTable } from '../src/routes.ts';

export interface RouteTableHarness {
  table: RouteTable;
  /** Let `ms` pass for the table (advance a fake clock, or really wait). */
  elapse(ms: number): Promise<void>;
}

export interface RouteTableContractFactory {
  create(): Promise<RouteTableHarness>;
  /** A TTL short enough to wait for (default 100 ms; real TTLs need some margin). */
  shortTtlMs?: number;
}

const LONG = 60_000;

export function routeTableContract(name: string, factory: RouteTableContractFactory): void {
  const short = factory.shortTtlMs ?? 100;

  describe(`RouteTable contract: ${name}`, () => {
    const tables: RouteTable[] = [];
    afterEach(async () => {
      await Promise.allSettled(tables.splice(0).map((t) => t.close()));
    });

    async function harness(): Promise<RouteTableHarness> {
      const h = await factory.create();
      tables.push(h.table);
      return h;
    }

    it('claim stores the entry; get returns it while the gate is alive', async () => {
      const { table } = await harness();
      const gate = uniqueGate();
      await table.announceGate(gate, LONG);
      const e = entry(uniqueImei(), gate, 'c1');
      e.protocolVersion = '2019';
      expect(await table.claim(e, LONG)).toBeNull();
      expect(await table.get(e.deviceImei)).toEqual(e);
      expect(await table.get(uniqueImei())).toBeNull();
    });

    it('claim returns the previous owner (another connection), not the same one', async () => {
      const { table } = await harness();
      const [g1, g2] = [uniqueGate(), uniqueGate()];
      await table.announceGate(g1, LONG);
      await table.announceGate(g2, LONG);
      const imei = uniqueImei();
      const first = entry(imei, g1, 'c1');
      expect(await table.claim(first, LONG)).toBeNull();
      // the same connection claiming again replaced nothing
      expect(await table.claim(first, LONG)).toBeNull();
      const second = entry(imei, g2, 'c2');
      expect(await table.claim(second, LONG)).toEqual(first);
      expect(await table.get(imei)).toEqual(second);
      // another connection on the same gateway is another owner too
      const third = entry(imei, g2, 'c3');
      expect(await table.claim(third, LONG)).toEqual(second);
    });

    it('refresh and release act only for the owner', async () => {
      const { table } = await harness();
      const gate = uniqueGate();
      await table.announceGate(gate, LONG);
      const imei = uniqueImei();
      await table.claim(entry(imei, gate, 'c1'), LONG);
      expect(await table.refresh(imei, gate, 'other', LONG)).toBe(false);
      expect(await table.refresh(imei, 'other-gate', 'c1', LONG)).toBe(false);
      expect(await table.refresh(imei, gate, 'c1', LONG)).toBe(true);
      expect(await table.release(imei, gate, 'other')).toBe(false);
      expect(await table.get(imei)).not.toBeNull();
      expect(await table.release(imei, gate, 'c1')).toBe(true);
      expect(await table.get(imei)).toBeNull();
      expect(await table.release(imei, gate, 'c1')).toBe(false);
      expect(await table.refresh(imei, gate, 'c1', LONG)).toBe(false);
      expect(await table.refresh(uniqueImei(), gate, 'c1', LONG)).toBe(false);
    });

    it('an entry expires when not refreshed; refresh extends it', async () => {
      const { table, elapse } = await harness();
      const gate = uniqueGate();
      await table.announceGate(gate, LONG);
      const [kept, dropped] = [uniqueImei(), uniqueImei()];
      await table.claim(entry(kept, gate, 'c1'), short);
      await table.claim(entry(dropped, gate, 'c2'), short);
      expect(await table.refresh(kept, gate, 'c1', LONG)).toBe(true);
      await elapse(short * 3);
      expect(await table.get(kept)).not.toBeNull();
      expect(await table.get(dropped)).toBeNull();
      expect(await table.refresh(dropped, gate, 'c2', LONG)).toBe(false);
      // a claim after expiry replaced nothing
      expect(await table.claim(entry(dropped, gate, 'c3'), LONG)).toBeNull();
    });

    it('entries of a gate that stopped announcing read as gone', async () => {
      const { table, elapse } = await harness();
      const [dead, alive] = [uniqueGate(), uniqueGate()];
      await table.announceGate(dead, short);
      await table.announceGate(alive, LONG);
      const imei = uniqueImei();
      await table.claim(entry(imei, dead, 'c1'), LONG);
      expect(await table.isGateAlive(dead)).toBe(true);
      await elapse(short * 3);
      expect(await table.isGateAlive(dead)).toBe(false);
      expect(await table.isGateAlive(alive)).toBe(true);
      expect(await table.get(imei)).toBeNull();
      // the device logs in elsewhere: nothing live was replaced
      expect(await table.claim(entry(imei, alive, 'c2'), LONG)).toBeNull();
      expect((await table.get(imei))?.gateId).toBe(alive);
    });

    it('a gate that never announced itself is not alive, nor are its entries', async () => {
      const { table } = await harness();
      const gate = uniqueGate();
      const imei = uniqueImei();
      expect(await table.isGateAlive(gate)).toBe(false);
      await table.claim(entry(imei, gate, 'c1'), LONG);
      expect(await table.get(imei)).toBeNull();
      await table.announceGate(gate, LONG);
      expect((await table.get(imei))?.connId).toBe('c1');
    });

    it('retireGate removes the gate and its entries at once, not the others', async () => {
      const { table } = await harness();
      const [leaving, staying] = [uniqueGate(), uniqueGate()];
      await table.announceGate(leaving, LONG);
      await table.announceGate(staying, LONG);
      const [a, b] = [uniqueImei(), uniqueImei()];
      await table.claim(entry(a, leaving, 'c1'), LONG);
      await table.claim(entry(b, staying, 'c2'), LONG);
      await table.retireGate(leaving);
      expect(await table.isGateAlive(leaving)).toBe(false);
      expect(await table.get(a)).toBeNull();
      expect(await table.get(b)).not.toBeNull();
      // the same gate id coming back does not revive the old connections
      await table.announceGate(leaving, LONG);
      expect(await table.get(a)).toBeNull();
    });

    it('auth codes by phone: set, get, replace, delete', async () => {
      const { table } = await harness();
      const phone = uniqueImei().slice(3);
      expect(await table.getAuthCode(phone)).toBeNull();
      await table.setAuthCode(phone, 'AUTH-1');
      expect(await table.getAuthCode(phone)).toBe('AUTH-1');
      await table.setAuthCode(phone, 'AUTH-2');
      expect(await table.getAuthCode(phone)).toBe('AUTH-2');
      await table.deleteAuthCode(phone);
      expect(await table.getAuthCode(phone)).toBeNull();
      await table.deleteAuthCode(phone);
    });
  });
}

function entry(deviceImei: string, gateId: string, connId: string): RouteEntry {
  return { deviceImei, gateId, connId, protocol: 'jt808', remoteAddress: '127.0.0.1:40000', since: 1_700_000_000_000 };
}

function uniqueImei(): string {
  return `86${String(Math.floor(Math.random() * 1e13)).padStart(13, '0')}`;
}

function uniqueGate(): string {
  return `gate-${randomUUID().slice(0, 8)}`;
}
