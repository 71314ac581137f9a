import { MemoryDeviceLock } from '../src/lock.ts';
import { deviceLockContract } from './lock.contract.ts';

deviceLockContract('memory', async () => {
  const lock = new MemoryDeviceLock();
  return { lock, other: lock, done: () => lock.close() };
});
