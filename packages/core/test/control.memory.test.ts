import { describe, expect, it } from 'vitest';
import { MemoryControlChannel } from '../src/control-memory.ts';
import { controlChannelContract } from './control.contract.ts';

controlChannelContract('MemoryControlChannel', {
  create: async () => {
    const channel = new MemoryControlChannel();
    return { sender: channel, receiver: channel };
  },
});

describe('MemoryControlChannel specifics', () => {
  it('delivers asynchronously, never inside send', async () => {
    const channel = new MemoryControlChannel();
    let got = 0;
    await channel.listen('a', () => {
      got++;
    });
    const sending = channel.send('a', { type: 'kick', deviceImei: '1', connId: 'c', reason: 'r' });
    expect(got).toBe(0);
    await sending;
    await new Promise((resolve) => setImmediate(resolve));
    expect(got).toBe(1);
    await channel.close();
    await expect(channel.send('a', { type: 'kick', deviceImei: '1', connId: 'c', reason: 'r' })).rejects.toThrow();
  });
});
