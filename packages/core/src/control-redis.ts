/**
 * `ControlChannel` on Redis pub/sub (fleet mode): one channel per address
 * (`<prefix>control:<address>`, prefix default `iothub:`), JSON messages. Publishing uses the
 * given connection; listening uses a separate subscriber connection (a subscribed Redis
 * connection can do nothing else). Best-effort like pub/sub itself: a message to an address
 * nobody listens on is dropped.
 */
import type { Redis } from 'ioredis';
import type { ControlChannel, ControlMessage } from './control.ts';
import { createRedis, quitRedis as quit } from './redis.ts';

export interface RedisControlChannelOptions {
  /** A `redis://` URL (the channel owns that connection) or a client (left open by `close`). */
  redis: string | Redis;
  /** Channel prefix (default `iothub:`). */
  keyPrefix?: string;
  /** Called for messages that are not valid JSON control messages and for throwing listeners. */
  onError?: (error: Error, context: string) => void;
}

type Handler = (message: ControlMessage) => void;

const TYPES: ReadonlySet<string> = new Set<ControlMessage['type']>(['command', 'command-result', 'kick']);

export class RedisControlChannel implements ControlChannel {
  readonly #pub: Redis;
  readonly #owned: boolean;
  readonly #prefix: string;
  readonly #onError: (error: Error, context: string) => void;
  #sub: Redis | undefined;
  /** Listeners by channel name. */
  readonly #listeners = new Map<string, Set<Handler>>();
  /** SUBSCRIBE/UNSUBSCRIBE calls run one after the other, so the state settles in call order. */
  #ops: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(options: RedisControlChannelOptions) {
    this.#owned = typeof options.redis === 'string';
    this.#pub = typeof options.redis === 'string' ? createRedis(options.redis) : options.redis;
    this.#prefix = options.keyPrefix ?? 'iothub:';
    this.#onError = options.onError ?? (() => {});
  }

  async listen(address: string, handler: Handler): Promise<() => Promise<void>> {
    if (this.#closed) throw new Error('control channel is closed');
    const channel = this.#channel(address);
    const wrapper: Handler = (message) => handler(message);
    let set = this.#listeners.get(channel);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(channel, set);
    }
    set.add(wrapper);
    // resolves once Redis confirmed the subscription: messages sent from now on arrive
    await this.#sync(channel);
    let done = false;
    return async () => {
      if (done) return;
      done = true;
      const current = this.#listeners.get(channel);
      if (current === undefined) return;
      current.delete(wrapper);
      if (current.size === 0) this.#listeners.delete(channel);
      await this.#sync(channel);
    };
  }

  async send(address: string, message: ControlMessage): Promise<void> {
    if (this.#closed) throw new Error('control channel is closed');
    await this.#pub.publish(this.#channel(address), JSON.stringify(message));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners.clear();
    await this.#ops.catch(() => {});
    const sub = this.#sub;
    this.#sub = undefined;
    await Promise.all([sub === undefined ? undefined : quit(sub), this.#owned ? quit(this.#pub) : undefined]);
  }

  #channel(address: string): string {
    return `${this.#prefix}control:${address}`;
  }

  /** Subscribe or unsubscribe `channel` so that it matches whether it has listeners. */
  #sync(channel: string): Promise<void> {
    const op = this.#ops.then(async () => {
      if (this.#closed) return;
      const sub = this.#subscriber();
      if (this.#listeners.has(channel)) await sub.subscribe(channel);
      else await sub.unsubscribe(channel);
    });
    this.#ops = op.catch(() => {});
    return op;
  }

  #subscriber(): Redis {
    if (this.#sub !== undefined) return this.#sub;
    const sub = this.#pub.duplicate();
    sub.on('message', (channel: string, payload: string) => this.#dispatch(channel, payload));
    // ioredis re-subscribes by itself after a reconnect; errors are reported, not thrown
    sub.on('error', (error: Error) => this.#onError(error, 'subscriber connection'));
    this.#sub = sub;
    return sub;
  }

  #dispatch(channel: string, payload: string): void {
    const set = this.#listeners.get(channel);
    if (set === undefined) return;
    const message = parseControlMessage(payload);
    if (message === null) {
      this.#onError(new Error(`not a control message on ${channel}: ${payload.slice(0, 200)}`), 'parse');
      return;
    }
    for (const handler of [...set]) {
      if (!set.has(handler)) continue;
      try {
        // every listener gets its own copy, as with the in-memory channel
        handler(set.size === 1 ? message : (JSON.parse(payload) as ControlMessage));
      } catch (error) {
        this.#onError(error instanceof Error ? error : new Error(String(error)), 'listener');
      }
    }
  }
}

/** A received payload as a `ControlMessage` (shape checked on `type`); null when it is not one. */
export function parseControlMessage(payload: string): ControlMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object') return null;
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !TYPES.has(type)) return null;
  return value as ControlMessage;
}
