import { MemoryCommandStore } from '../src/store.ts';
import { commandStoreContract } from './store.contract.ts';

commandStoreContract('memory', async (now) => {
  const store = new MemoryCommandStore({ now });
  return { store, done: () => store.close() };
});
