import { describe, expect, it } from 'vitest';
import type { BusRecord } from '../src/bus.ts';
import { splitBySize } from '../src/bus-kafka.ts';

const rec = (bytes: number, i: number): BusRecord => ({ topic: 't', key: `k${i}`, value: Buffer.alloc(bytes) });

describe('KafkaBus send splitting (splitBySize)', () => {
  it('keeps a publish under the limit whole', () => {
    const records = [rec(100, 0), rec(100, 1)];
    expect(splitBySize(records, 10_000)).toEqual([records]);
  });

  it('cuts a large publish into consecutive parts under the limit, order kept, nothing lost', () => {
    const records = Array.from({ length: 1000 }, (_, i) => rec(600, i));
    const parts = splitBySize(records, 64 * 1024);
    expect(parts.length).toBeGreaterThan(9);
    expect(parts.flat()).toEqual(records);
    for (const p of parts)
      expect(p.reduce((a, r) => a + r.value.length + r.key.length + 64, 0)).toBeLessThanOrEqual(64 * 1024);
  });

  it('a record larger than the limit is a part of its own', () => {
    const records = [rec(10, 0), rec(5000, 1), rec(10, 2)];
    expect(splitBySize(records, 1000).map((p) => p.length)).toEqual([1, 1, 1]);
  });
});
