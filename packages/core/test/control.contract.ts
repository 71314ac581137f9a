/**
 * The `ControlChannel` contract: one suite, run against `MemoryControlChannel` (unit run) and
 * `RedisControlChannel` (integration run). Addresses are unique per test.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { ControlChannel, ControlMessage } from '../src/control.ts';
import { waitFor } from './bus.contract.ts';

export interface ControlChannelPair {
  /** Sends (a gateway or router process). */
  sender: ControlChannel;
  /** Listens (another process; may be the same object as `sender` for in-memory channels). */
  receiver: ControlChannel;
}

export interface ControlChannelContractFactory {
  create(): Promise<ControlChannelPair>;
  deliveryTimeoutMs?: number;
}

export function controlChannelContract(name: string, factory: ControlChannelContractFactory): void {
  const timeout = factory.deliveryTimeoutMs ?? 10_000;

  describe(`ControlChannel contract: ${name}`, () => {
    const open: ControlChannel[] = [];
    afterEach(async () => {
      await Promise.allSettled([...new Set(open.splice(0))].map((c) => c.close()));
    });

    async function pair(): Promise<ControlChannelPair> {
      const p = await factory.create();
      open.push(p.sender, p.receiver);
      return p;
    }

    it('delivers each kind of message, intact, to its address only', async () => {
      const { sender, receiver } = await pair();
      const [a, b] = [uniqueAddress(), uniqueAddress()];
      const atA: ControlMessage[] = [];
      const atB: ControlMessage[] = [];
      await receiver.listen(a, (m) => atA.push(m));
      await receiver.listen(b, (m) => atB.push(m));
      const messages = sampleMessages();
      for (const m of messages) await sender.send(a, m);
      await waitFor(() => atA.length >= messages.length, timeout, 'messages delivered to a');
      expect(atA).toEqual(messages);
      // b is still listening: a marker sent after the others arrives, and nothing else did
      const marker: ControlMessage = { type: 'kick', deviceImei: '0', connId: 'marker', reason: 'marker' };
      await sender.send(b, marker);
      await waitFor(() => atB.length >= 1, timeout, 'marker delivered to b');
      expect(atB).toEqual([marker]);
      expect(atA).toHaveLength(messages.length);
    });

    it('delivers to every listener of an address; unlisten stops one of them', async () => {
      const { sender, receiver } = await pair();
      const address = uniqueAddress();
      const one: ControlMessage[] = [];
      const two: ControlMessage[] = [];
      const stopOne = await receiver.listen(address, (m) => one.push(m));
      await receiver.listen(address, (m) => two.push(m));
      const kick = (connId: string): ControlMessage => ({ type: 'kick', deviceImei: '1', connId, reason: 'test' });
      await sender.send(address, kick('first'));
      await waitFor(() => one.length === 1 && two.length === 1, timeout, 'both listeners got the first message');
      await stopOne();
      await sender.send(address, kick('second'));
      await waitFor(() => two.length === 2, timeout, 'the remaining listener got the second message');
      expect(one.map((m) => (m.type === 'kick' ? m.connId : ''))).toEqual(['first']);
    });

    it('after unlisten, an address gets nothing; a message to nobody is dropped', async () => {
      const { sender, receiver } = await pair();
      const [gone, witness] = [uniqueAddress(), uniqueAddress()];
      const atGone: ControlMessage[] = [];
      const atWitness: ControlMessage[] = [];
      const stop = await receiver.listen(gone, (m) => atGone.push(m));
      await receiver.listen(witness, (m) => atWitness.push(m));
      await stop();
      await sender.send(gone, { type: 'kick', deviceImei: '2', connId: 'x', reason: 'after unlisten' });
      await sender.send(uniqueAddress(), { type: 'kick', deviceImei: '2', connId: 'y', reason: 'nobody' });
      await sender.send(witness, { type: 'kick', deviceImei: '2', connId: 'z', reason: 'witness' });
      await waitFor(() => atWitness.length === 1, timeout, 'the witness message');
      expect(atGone).toEqual([]);
    });

    it('a throwing listener does not stop delivery to the others', async () => {
      const { sender, receiver } = await pair();
      const address = uniqueAddress();
      const got: ControlMessage[] = [];
      await receiver.listen(address, () => {
        throw new Error('listener failure (test)');
      });
      await receiver.listen(address, (m) => got.push(m));
      await sender.send(address, { type: 'kick', deviceImei: '3', connId: 'c', reason: 'r' });
      await sender.send(address, { type: 'kick', deviceImei: '3', connId: 'd', reason: 'r' });
      await waitFor(() => got.length === 2, timeout, 'both messages despite the throwing listener');
    });
  });
}

function sampleMessages(): ControlMessage[] {
  return [
    {
      type: 'command',
      commandId: randomUUID(),
      deviceImei: '860000000000001',
      replyTo: 'router-1',
      deadline: 1_700_000_060_000,
      command: { kind: 'jimi-text', text: 'WHERE#', serverFlag: 1 },
    },
    {
      type: 'command',
      commandId: randomUUID(),
      deviceImei: '013912345678',
      replyTo: 'router-1',
      deadline: 1_700_000_060_000,
      command: { kind: 'jt808', type: 'terminal-control', body: { command: 4, params: ['a', 1, null] } },
    },
    { type: 'command-result', commandId: 'c-1', result: { status: 'sent' } },
    {
      type: 'command-result',
      commandId: 'c-2',
      result: {
        status: 'replied',
        reply: { text: 'OK', nested: { n: 1 } },
        msgId: 0x15,
        receivedAt: '2024-01-01T00:00:00.000Z',
      },
    },
    { type: 'command-result', commandId: 'c-3', result: { status: 'failed', code: 'IOTHUB_ERR_X', message: 'oops' } },
    { type: 'kick', deviceImei: '860000000000001', connId: 'conn-7', reason: 'logged in elsewhere' },
  ];
}

function uniqueAddress(): string {
  return `test-address-${randomUUID().slice(0, 8)}`;
}
