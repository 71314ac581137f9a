/**
 * Issue #4 on real Redis: the device-slot lock (`_code` 302 across router instances) and the
 * offline-command store, each through the contract suite that `pnpm test` runs in memory; keys under
 * a unique prefix per run.
 */
import { randomUUID } from 'node:crypto';
import { RedisCommandStore } from '@iothub/instruction-server';
import { RedisDeviceLock } from '@iothub/router';
import { commandStoreContract } from '../../instruction-server/test/store.contract.ts';
import { deviceLockContract } from '../../router/test/lock.contract.ts';
import { serviceEnv } from './env.ts';

const redisUrl = serviceEnv('REDIS_URL');

if (redisUrl !== undefined) {
  deviceLockContract('redis', async () => {
    const keyPrefix = `it-lock-${randomUUID().slice(0, 8)}:`;
    // two instances, two connections: the slots are shared through Redis only
    const lock = new RedisDeviceLock({ redis: redisUrl, keyPrefix });
    const other = new RedisDeviceLock({ redis: redisUrl, keyPrefix });
    return { lock, other, done: async () => void (await Promise.all([lock.close(), other.close()])) };
  });

  commandStoreContract('redis', async (now) => {
    const store = new RedisCommandStore({ redis: redisUrl, keyPrefix: `it-store-${randomUUID().slice(0, 8)}:`, now });
    return { store, done: () => store.close() };
  });
}
