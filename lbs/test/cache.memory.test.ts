import { describe, expect, it } from 'vitest';
import { MemoryLbsCache } from '../src/cache.ts';
import { lbsCacheContract, RESOLUTION } from './cache-contract.ts';

lbsCacheContract('memory', async () => {
  let t = 1000;
  const cache = new MemoryLbsCache({ now: () => t });
  return {
    cache,
    expire: async () => {
      t += 41;
    },
  };
});

describe('MemoryLbsCache', () => {
  it('is bounded: the least recently used entry goes first', async () => {
    const c = new MemoryLbsCache({ maxEntries: 2 });
    c.put('a', RESOLUTION, 60_000);
    c.put('b', RESOLUTION, 60_000);
    expect(c.peek('a')).not.toBeNull(); // a is now the most recent
    c.put('c', RESOLUTION, 60_000);
    expect(c.size).toBe(2);
    expect(c.peek('b')).toBeNull();
    expect(c.peek('a')).not.toBeNull();
    expect(c.peek('c')).not.toBeNull();
  });
});
