import { describe, expect, it } from 'vitest';
import type { BusMessage } from '../src/bus.ts';
import { BusError, partitionForKey } from '../src/bus-errors.ts';
import { MemoryBus } from '../src/bus-memory.ts';
import { busContract, uniqueGroup, uniqueTopic, waitFor } from './bus.contract.ts';

busContract('MemoryBus', {
  create: async () => new MemoryBus({ retryDelayMs: 5 }),
  createUnreachable: async () => new MemoryBus({ failing: true }),
  deliveryTimeoutMs: 5_000,
});

describe('MemoryBus specifics', () => {
  it('setAvailable(false) makes publish reject with IOTHUB_ERR_BUS_UNAVAILABLE, and back', async () => {
    const bus = new MemoryBus();
    const topic = uniqueTopic();
    bus.setAvailable(false);
    expect(bus.isReady()).toBe(false);
    const error = await bus.publish([{ topic, key: 'k', value: Buffer.from('x') }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BusError);
    expect((error as BusError).code).toBe('IOTHUB_ERR_BUS_UNAVAILABLE');
    expect(bus.messages(topic)).toEqual([]);
    bus.failing = false;
    expect(bus.isReady()).toBe(true);
    await bus.publish([{ topic, key: 'k', value: Buffer.from('x') }]);
    expect(bus.messages(topic)).toHaveLength(1);
    await bus.close();
  });

  it('routes a key to the partition of its hash', async () => {
    const bus = new MemoryBus({ partitions: 3 });
    const topic = uniqueTopic();
    await bus.publish(['a', 'b', 'c', 'd'].map((key) => ({ topic, key, value: Buffer.from(key) })));
    for (const m of bus.messages(topic)) expect(m.partition).toBe(partitionForKey(m.key, 3));
    await bus.close();
  });

  it('retention keeps the newest records; a late group starts at the oldest retained', async () => {
    const bus = new MemoryBus({ partitions: 1, retention: 3 });
    const topic = uniqueTopic();
    await bus.publish([0, 1, 2, 3, 4].map((i) => ({ topic, key: 'k', value: Buffer.from(String(i)) })));
    expect(bus.messages(topic).map((m) => [m.offset, m.value.toString()])).toEqual([
      [2n, '2'],
      [3n, '3'],
      [4n, '4'],
    ]);
    const got: BusMessage[] = [];
    const sub = await bus.subscribe({
      topics: [topic],
      groupId: uniqueGroup(),
      handler: async (b) => void got.push(...b),
    });
    await waitFor(() => got.length === 3, 5_000, 'retained records');
    expect(bus.committedOffset('unknown', topic, 0)).toBeUndefined();
    await sub.close();
    await bus.close();
  });

  it('retention drops in chunks: never more than retention + retention/8 (at most 1024) records', async () => {
    const bus = new MemoryBus({ partitions: 1, retention: 80 });
    const topic = uniqueTopic();
    for (let i = 0; i < 1000; i++) await bus.publish([{ topic, key: 'k', value: Buffer.from(String(i)) }]);
    const kept = bus.messages(topic);
    expect(kept.length).toBeGreaterThanOrEqual(80);
    expect(kept.length).toBeLessThanOrEqual(90);
    expect(kept.at(-1)?.offset).toBe(999n);
    expect(kept[0]?.offset).toBe(BigInt(1000 - kept.length));
    await bus.close();
  });

  it('trimConsumed releases what every consuming group has committed past, and nothing else', async () => {
    const bus = new MemoryBus({ partitions: 1, trimConsumed: true });
    const topic = uniqueTopic();
    const other = uniqueTopic();
    await bus.publish([{ topic: other, key: 'k', value: Buffer.from('nobody reads this') }]);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const fast: string[] = [];
    const slow: string[] = [];
    const groupA = uniqueGroup();
    const a = await bus.subscribe({
      topics: [topic],
      groupId: groupA,
      handler: async (b) => void fast.push(...b.map((m) => m.value.toString())),
    });
    const b = await bus.subscribe({
      topics: [topic],
      groupId: uniqueGroup(),
      handler: async (batch) => {
        await gate;
        slow.push(...batch.map((m) => m.value.toString()));
      },
    });
    await bus.publish([0, 1, 2].map((i) => ({ topic, key: 'k', value: Buffer.from(String(i)) })));
    await waitFor(() => fast.length === 3, 5_000, 'the fast group');
    // the slow group has not committed: everything is kept for it
    expect(bus.messages(topic)).toHaveLength(3);
    release();
    await waitFor(() => slow.length === 3, 5_000, 'the slow group');
    await waitFor(() => bus.messages(topic).length === 0, 5_000, 'consumed records released');
    // offsets continue after the release; a topic without consumers keeps its records
    await bus.publish([{ topic, key: 'k', value: Buffer.from('3') }]);
    await waitFor(() => fast.length === 4 && slow.length === 4, 5_000, 'the next record');
    expect(bus.committedOffset(groupA, topic, 0)).toBe(4n);
    expect(bus.messages(other)).toHaveLength(1);
    await a.close();
    await b.close();
    await bus.close();
  });

  it('fromBeginning: false starts at the end; commits after the handler resolves', async () => {
    const bus = new MemoryBus({ partitions: 1 });
    const topic = uniqueTopic();
    const group = uniqueGroup();
    await bus.publish([{ topic, key: 'k', value: Buffer.from('before') }]);
    const got: string[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const sub = await bus.subscribe({
      topics: [topic],
      groupId: group,
      fromBeginning: false,
      handler: async (batch) => {
        got.push(...batch.map((m) => m.value.toString()));
        await gate;
      },
    });
    await bus.publish([{ topic, key: 'k', value: Buffer.from('after') }]);
    await waitFor(() => got.length === 1, 5_000, 'the new record');
    expect(got).toEqual(['after']);
    expect(bus.committedOffset(group, topic, 0)).toBe(1n);
    release();
    await waitFor(() => bus.committedOffset(group, topic, 0) === 2n, 5_000, 'the commit');
    await sub.close();
    await bus.close();
  });

  it('a second member of a group takes over the partitions when the first closes', async () => {
    const bus = new MemoryBus({ partitions: 2 });
    const topic = uniqueTopic();
    const group = uniqueGroup();
    const first: string[] = [];
    const second: string[] = [];
    const s1 = await bus.subscribe({
      topics: [topic],
      groupId: group,
      handler: async (b) => void first.push(...b.map((m) => m.value.toString())),
    });
    const s2 = await bus.subscribe({
      topics: [topic],
      groupId: group,
      handler: async (b) => void second.push(...b.map((m) => m.value.toString())),
    });
    await bus.publish([{ topic, key: 'k', value: Buffer.from('1') }]);
    await waitFor(() => first.length === 1, 5_000, 'first member');
    await s1.close();
    await bus.publish([{ topic, key: 'k', value: Buffer.from('2') }]);
    await waitFor(() => second.length === 1, 5_000, 'second member');
    expect([first, second]).toEqual([['1'], ['2']]);
    await s2.close();
    await bus.close();
  });

  it('close waits for in-flight handlers and stops delivery', async () => {
    const bus = new MemoryBus();
    const topic = uniqueTopic();
    let started = 0;
    let finished = false;
    const sub = await bus.subscribe({
      topics: [topic],
      groupId: uniqueGroup(),
      handler: async () => {
        started++;
        await new Promise((resolve) => setTimeout(resolve, 20));
        finished = true;
      },
    });
    await bus.publish([{ topic, key: 'k', value: Buffer.from('x') }]);
    await waitFor(() => started === 1, 5_000, 'the handler started');
    await sub.close();
    expect(finished).toBe(true);
    await bus.publish([{ topic, key: 'k', value: Buffer.from('y') }]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(started).toBe(1);
    await bus.close();
  });
});
