/**
 * In-memory `ControlChannel` (embedded mode, fast tests). Like the Redis one: delivery is
 * asynchronous (never inside `send`), best-effort (no listener: the message is dropped), and
 * every listener gets its own copy through a JSON round trip, so what does not survive JSON
 * (a `Buffer`, a `Date`, `undefined` fields) shows up in tests as it would in fleet mode.
 */
import type { ControlChannel, ControlMessage } from './control.ts';

type Handler = (message: ControlMessage) => void;

export class MemoryControlChannel implements ControlChannel {
  readonly #listeners = new Map<string, Set<Handler>>();
  #closed = false;

  async listen(address: string, handler: Handler): Promise<() => Promise<void>> {
    if (this.#closed) throw new Error('control channel is closed');
    // one wrapper per listen call, so the same handler can listen twice and unlisten once
    const wrapper: Handler = (message) => handler(message);
    let set = this.#listeners.get(address);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(address, set);
    }
    set.add(wrapper);
    return async () => {
      const current = this.#listeners.get(address);
      if (current === undefined) return;
      current.delete(wrapper);
      if (current.size === 0) this.#listeners.delete(address);
    };
  }

  async send(address: string, message: ControlMessage): Promise<void> {
    if (this.#closed) throw new Error('control channel is closed');
    const json = JSON.stringify(message);
    setImmediate(() => {
      const set = this.#listeners.get(address);
      if (set === undefined) return;
      for (const handler of [...set]) {
        // a listener removed meanwhile gets nothing
        if (!set.has(handler)) continue;
        try {
          handler(JSON.parse(json) as ControlMessage);
        } catch {
          // a throwing listener must not affect the others (same as the Redis channel)
        }
      }
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
  }
}
