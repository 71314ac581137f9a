/**
 * `RedisControlChannel` against real Redis: the contract suite plus Redis-specific checks, run by
 * the integration run (`test/integration/control.redis.test.ts`).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import type { ControlMessage } from '../src/control.ts';
import { RedisControlChannel } from '../src/control-redis.ts';
import { waitFor } from './bus.contract.ts';
import { controlChannelContract } from './control.contract.ts';

export function redisControlChannelSuite(url: string): void {
  const prefix = `iothub-test-${randomUUID().slice(0, 8)}:`;

  controlChannelContract('RedisControlChannel', {
    // two processes: separate channels, separate connections
    create: async () => ({
      sender: new RedisControlChannel({ redis: url, keyPrefix: prefix }),
      receiver: new RedisControlChannel({ redis: url, keyPrefix: prefix }),
    }),
  });

  describe('RedisControlChannel specifics', () => {
    it('drops a payload that is not a control message and keeps delivering', async () => {
      const errors: string[] = [];
      const receiver = new RedisControlChannel({
        redis: url,
        keyPrefix: prefix,
        onError: (_, ctx) => errors.push(ctx),
      });
      const sender = new RedisControlChannel({ redis: url, keyPrefix: prefix });
      try {
        const got: ControlMessage[] = [];
        await receiver.listen('junk-test', (m) => got.push(m));
        const raw = new Redis(url);
        await raw.publish(`${prefix}control:junk-test`, '{"type":"nonsense"}');
        await raw.publish(`${prefix}control:junk-test`, 'not json');
        await raw.quit();
        await sender.send('junk-test', { type: 'kick', deviceImei: '1', connId: 'c', reason: 'r' });
        await waitFor(() => got.length === 1, 10_000, 'the valid message');
        expect(errors).toEqual(['parse', 'parse']);
      } finally {
        await receiver.close();
        await sender.close();
      }
    });
  });
}
