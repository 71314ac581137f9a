import { describe, expect, it } from 'vitest';
import { MemoryRouteTable } from '../src/routes-memory.ts';
import { routeTableContract } from './routes.contract.ts';

routeTableContract('MemoryRouteTable', {
  create: async () => {
    let now = 1_700_000_000_000;
    const table = new MemoryRouteTable({ now: () => now });
    return {
      table,
      elapse: async (ms) => {
        now += ms;
      },
    };
  },
});

describe('MemoryRouteTable specifics', () => {
  it('expires exactly at claim time + ttl on the injected clock', async () => {
    let now = 0;
    const table = new MemoryRouteTable({ now: () => now });
    await table.announceGate('g', 1_000);
    await table.claim(
      { deviceImei: '1', gateId: 'g', connId: 'c', protocol: 'jimi', remoteAddress: 'x', since: 0 },
      100,
    );
    now = 99;
    expect(await table.get('1')).not.toBeNull();
    now = 100;
    expect(await table.get('1')).toBeNull();
    now = 1_000;
    expect(await table.isGateAlive('g')).toBe(false);
  });
});
