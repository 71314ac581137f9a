/**
 * `Bus` on Apache Kafka with `@platformatic/kafka` (fleet mode).
 *
 * Producer: idempotent, acks=all (-1), so `publish` resolves only once every in-sync replica has
 * the records; the partition is chosen from the key (murmur2 of the key bytes), so one device's
 * records keep their order. Topics are auto-created on first use (`autocreateTopics`, default true;
 * the broker's `num.partitions` applies), or created up front with `ensureTopics`.
 *
 * Consumer: one Kafka consumer (group member) per subscription, manual commits: the handler gets a
 * batch from one partition (batches of different partitions may be handled concurrently), the
 * offset after its last record is committed only once the handler resolved; a rejection retries the
 * same batch after `retryDelayMs` (at-least-once). A broken stream (broker gone) is re-created from
 * the committed offsets after `retryDelayMs`.
 */
import {
  Admin,
  Consumer,
  type Message,
  type MessagesStream,
  ProduceAcks,
  Producer,
  stringDeserializer,
  stringSerializer,
} from '@platformatic/kafka';
import type { Bus, BusMessage, BusRecord, BusSubscription, SubscribeOptions } from './bus.ts';
import { BusError } from './bus-errors.ts';

export interface KafkaBusOptions {
  /** `host:port` list (the `KAFKA_BROKERS` setting, split on commas). */
  brokers: string[];
  /** Client id prefix (default `iothub`). */
  clientId?: string;
  /** Timeout of one request to a broker, ms (default 10 000). */
  requestTimeoutMs?: number;
  /**
   * Retries of a failed request (default 3; at least 2, because the client retries an idempotent
   * producer's requests forever when told 0 or 1).
   */
  retries?: number;
  /** `publish` rejects when the brokers have not acknowledged within this many ms (default 30 000). */
  publishTimeoutMs?: number;
  /** Delay between retries and before redelivering a rejected batch, ms (default 250). */
  retryDelayMs?: number;
  /** Let the brokers create topics on first use (default true). */
  autocreateTopics?: boolean;
  /** Most records handed to one handler call (default 500). */
  maxBatch?: number;
  /**
   * Most bytes (values, keys, headers and a per-record allowance) in one produce request (default
   * 768 KiB). Records published while a send is in flight are sent together next, but never more
   * than this at once: the broker refuses a partition batch over `message.max.bytes` (1 MiB by
   * default), and one refused send used to fail every publish waiting in it (issue #3: the
   * throughput collapse under overload). A single publish larger than this goes out in parts.
   */
  maxSendBytes?: number;
  /** Consumer group session timeout, ms (default 10 000). */
  sessionTimeoutMs?: number;
  /** Called for errors that do not reach a caller (commit failures, broken streams), for logging. */
  onError?: (error: Error, context: string) => void;
}

type KafkaMessage = Message<string, Buffer, string, string>;
/** A `publish` call waiting for its send. */
interface QueuedPublish {
  records: BusRecord[];
  resolve: () => void;
  reject: (error: BusError) => void;
}
type KafkaStream = MessagesStream<string, Buffer, string, string>;

export class KafkaBus implements Bus {
  readonly #options: Required<Omit<KafkaBusOptions, 'onError'>>;
  readonly #onError: (error: Error, context: string) => void;
  #producer: Producer<string, Buffer, string, string>;
  /** Records waiting for the in-flight send to finish; sent together as the next batch. */
  #queue: QueuedPublish[] = [];
  #sending = false;
  /** The last send failed or timed out: its outcome at the broker is unknown. */
  #producerSuspect = false;
  readonly #subscriptions = new Set<KafkaSubscription>();
  #ready = false;
  #closed = false;
  #probe: NodeJS.Timeout | undefined;
  #probing = false;

  constructor(options: KafkaBusOptions) {
    if (options.brokers.length === 0) throw new TypeError('KafkaBus needs at least one broker');
    this.#options = {
      brokers: options.brokers,
      clientId: options.clientId ?? 'iothub',
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
      retries: Math.max(2, options.retries ?? 3),
      publishTimeoutMs: options.publishTimeoutMs ?? 30_000,
      retryDelayMs: options.retryDelayMs ?? 250,
      autocreateTopics: options.autocreateTopics ?? true,
      maxBatch: options.maxBatch ?? 500,
      maxSendBytes: options.maxSendBytes ?? 768 * 1024,
      sessionTimeoutMs: options.sessionTimeoutMs ?? 10_000,
    };
    this.#onError = options.onError ?? (() => {});
    this.#producer = this.#createProducer();
    this.#checkConnection();
  }

  isReady(): boolean {
    return this.#ready && !this.#closed;
  }

  /**
   * Publish with acks=all; resolves when the brokers acknowledged every record.
   *
   * One send is in flight at a time: records published meanwhile wait and go out together as the
   * next batch (in arrival order, so per-key order holds). @platformatic/kafka 1.35 gives two
   * overlapping sends of an idempotent producer to one partition the same sequence number, and
   * the broker then rejects everything that follows (OUT_OF_ORDER_SEQUENCE_NUMBER, found by the
   * Kafka-outage test). After a failed or timed-out send the producer is replaced, because its
   * sequence numbers may no longer match the broker's.
   */
  publish(records: BusRecord[]): Promise<void> {
    if (this.#closed) return Promise.reject(new BusError('IOTHUB_ERR_BUS_CLOSED'));
    if (records.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ records, resolve, reject });
      if (!this.#sending) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#sending = true;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#takeBatch();
        if (this.#closed) {
          for (const e of batch) e.reject(new BusError('IOTHUB_ERR_BUS_CLOSED'));
          continue;
        }
        try {
          if (batch.length === 1) {
            // one publish: in parts of at most maxSendBytes, in order
            for (const part of splitBySize(batch[0]!.records, this.#options.maxSendBytes)) await this.#send(part);
          } else {
            await this.#send(batch.flatMap((e) => e.records));
          }
          for (const e of batch) e.resolve();
        } catch (error) {
          const err =
            error instanceof BusError
              ? error
              : new BusError('IOTHUB_ERR_BUS_PUBLISH', errorMessage(error), { cause: error });
          for (const e of batch) e.reject(err);
        }
      }
    } finally {
      this.#sending = false;
    }
  }

  /** The queued publishes of the next send: whole publishes, in order, up to maxSendBytes (at least one). */
  #takeBatch(): QueuedPublish[] {
    let bytes = 0;
    let n = 0;
    for (const e of this.#queue) {
      const size = recordsSize(e.records);
      if (n > 0 && bytes + size > this.#options.maxSendBytes) break;
      bytes += size;
      n++;
    }
    return this.#queue.splice(0, n);
  }

  async #send(records: BusRecord[]): Promise<void> {
    if (this.#producerSuspect) this.#replaceProducer();
    let timer: NodeJS.Timeout | undefined;
    try {
      const sent = this.#producer.send({
        messages: records.map((r) => {
          const m: { topic: string; key: string; value: Buffer; headers?: Record<string, string> } = {
            topic: r.topic,
            key: r.key,
            value: r.value,
          };
          if (r.headers !== undefined) m.headers = r.headers;
          return m;
        }),
      });
      // never wait forever: past the deadline the caller must treat the records as not accepted
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new BusError(
                'IOTHUB_ERR_BUS_UNAVAILABLE',
                `no acknowledgement within ${this.#options.publishTimeoutMs} ms`,
              ),
            ),
          this.#options.publishTimeoutMs,
        );
      });
      sent.catch(() => {});
      await Promise.race([sent, deadline]);
      this.#setReady(true);
    } catch (error) {
      this.#producerSuspect = true;
      if (error instanceof BusError) {
        this.#setReady(false);
        throw error;
      }
      if (this.#closed) throw new BusError('IOTHUB_ERR_BUS_CLOSED', undefined, { cause: error });
      const network = isNetworkError(error);
      if (network) this.#setReady(false);
      throw new BusError(
        network ? 'IOTHUB_ERR_BUS_UNAVAILABLE' : 'IOTHUB_ERR_BUS_PUBLISH',
        `publish of ${records.length} record(s) failed: ${errorMessage(error)}`,
        { cause: error },
      );
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  #createProducer(): Producer<string, Buffer, string, string> {
    const producer = new Producer<string, Buffer, string, string>({
      ...this.#clientOptions('producer'),
      idempotent: true,
      acks: ProduceAcks.ALL,
      autocreateTopics: this.#options.autocreateTopics,
      serializers: { key: stringSerializer, headerKey: stringSerializer, headerValue: stringSerializer },
    });
    producer.on('client:broker:failed', () => {
      this.#setReady(false);
    });
    return producer;
  }

  /** A fresh producer (new producer id and sequence numbers) after a send with an unknown outcome. */
  #replaceProducer(): void {
    const old = this.#producer;
    this.#producer = this.#createProducer();
    this.#producerSuspect = false;
    void old.close().catch((error: unknown) => this.#onError(asError(error), 'producer close'));
  }

  async subscribe(options: SubscribeOptions): Promise<BusSubscription> {
    if (this.#closed) throw new BusError('IOTHUB_ERR_BUS_CLOSED');
    const consumer = new Consumer<string, Buffer, string, string>({
      ...this.#clientOptions(`consumer-${options.groupId}`),
      groupId: options.groupId,
      autocommit: false,
      sessionTimeout: this.#options.sessionTimeoutMs,
      heartbeatInterval: Math.max(100, Math.floor(this.#options.sessionTimeoutMs / 5)),
      deserializers: { key: stringDeserializer, headerKey: stringDeserializer, headerValue: stringDeserializer },
    });
    const subscription = new KafkaSubscription(consumer, options, {
      maxBatch: this.#options.maxBatch,
      retryDelayMs: this.#options.retryDelayMs,
      onError: this.#onError,
      onClosed: (s) => this.#subscriptions.delete(s),
    });
    try {
      await subscription.start(this.#options.autocreateTopics);
    } catch (error) {
      await new Promise<void>((resolve) => consumer.close(true, () => resolve()));
      throw new BusError('IOTHUB_ERR_BUS_SUBSCRIBE', `subscribe failed: ${errorMessage(error)}`, { cause: error });
    }
    this.#subscriptions.add(subscription);
    return subscription;
  }

  /**
   * Create the topics that do not exist yet (admin client), with `partitions` partitions and
   * `replicas` replicas (-1: the broker defaults).
   */
  async ensureTopics(topics: string[], partitions = -1, replicas = -1): Promise<void> {
    const admin = new Admin(this.#clientOptions('admin'));
    try {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((t) => !existing.has(t));
      if (missing.length > 0) await admin.createTopics({ topics: missing, partitions, replicas });
    } finally {
      await admin.close().catch(() => {});
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#probe !== undefined) clearTimeout(this.#probe);
    await Promise.allSettled([...this.#subscriptions].map((s) => s.close()));
    await this.#producer.close().catch((error: unknown) => this.#onError(asError(error), 'producer close'));
  }

  #clientOptions(role: string): {
    clientId: string;
    bootstrapBrokers: string[];
    timeout: number;
    retries: number;
    retryDelay: number;
  } {
    return {
      clientId: `${this.#options.clientId}-${role}`,
      bootstrapBrokers: this.#options.brokers,
      timeout: this.#options.requestTimeoutMs,
      retries: this.#options.retries,
      retryDelay: this.#options.retryDelayMs,
    };
  }

  #setReady(ready: boolean): void {
    this.#ready = ready;
    if (!ready) this.#scheduleProbe();
  }

  /** While not ready, try to reach a broker every few seconds so `isReady` recovers on its own. */
  #scheduleProbe(): void {
    if (this.#closed || this.#probe !== undefined) return;
    this.#probe = setTimeout(() => {
      this.#probe = undefined;
      this.#checkConnection();
    }, 2_000);
    this.#probe.unref();
  }

  #checkConnection(): void {
    if (this.#closed || this.#probing) return;
    this.#probing = true;
    this.#producer
      .metadata({ topics: [] })
      .then(
        () => this.#setReady(true),
        () => this.#setReady(false),
      )
      .finally(() => {
        this.#probing = false;
      });
  }
}

interface SubscriptionSettings {
  maxBatch: number;
  retryDelayMs: number;
  onError: (error: Error, context: string) => void;
  onClosed: (s: KafkaSubscription) => void;
}

class KafkaSubscription implements BusSubscription {
  readonly #consumer: Consumer<string, Buffer, string, string>;
  readonly #options: SubscribeOptions;
  readonly #settings: SubscriptionSettings;
  #stream: KafkaStream | undefined;
  #loop: Promise<void> | undefined;
  #closing = false;
  #closed: Promise<void> | undefined;
  /** Wakes the loop when it waits (for records, or before a retry). */
  #wake: (() => void) | undefined;

  constructor(
    consumer: Consumer<string, Buffer, string, string>,
    options: SubscribeOptions,
    settings: SubscriptionSettings,
  ) {
    this.#consumer = consumer;
    this.#options = options;
    this.#settings = settings;
  }

  /** Joins the group and opens the first stream; rejects when that fails. */
  async start(autocreateTopics: boolean): Promise<void> {
    if (autocreateTopics) await this.#consumer.metadata({ topics: this.#options.topics, autocreateTopics: true });
    const stream = await this.#open();
    this.#loop = this.#run(stream);
  }

  close(): Promise<void> {
    this.#closed ??= this.#shutdown();
    return this.#closed;
  }

  async #shutdown(): Promise<void> {
    this.#closing = true;
    this.#wake?.();
    await this.#loop;
    await this.#stream?.close().catch(() => {});
    await this.#consumer.close().catch((error: unknown) => this.#settings.onError(asError(error), 'consumer close'));
    this.#settings.onClosed(this);
  }

  #open(): Promise<KafkaStream> {
    return this.#consumer.consume({
      topics: this.#options.topics,
      mode: 'committed',
      fallbackMode: (this.#options.fromBeginning ?? true) ? 'earliest' : 'latest',
      autocommit: false,
      maxWaitTime: 500,
    });
  }

  async #run(first: KafkaStream): Promise<void> {
    let stream: KafkaStream | undefined = first;
    while (!this.#closing) {
      if (stream === undefined) {
        try {
          stream = await this.#open();
        } catch (error) {
          this.#settings.onError(asError(error), 'consume');
          await this.#pause(this.#settings.retryDelayMs);
          continue;
        }
      }
      this.#stream = stream;
      await this.#drain(stream);
      if (this.#closing) break;
      // the stream ended or failed: open a new one from the committed offsets
      await stream.close().catch(() => {});
      this.#stream = undefined;
      stream = undefined;
      await this.#pause(this.#settings.retryDelayMs);
    }
  }

  /** Reads batches until the subscription closes or the stream ends. */
  async #drain(stream: KafkaStream): Promise<void> {
    let broken = false;
    const onError = (error: Error) => {
      broken = true;
      this.#settings.onError(error, 'consumer stream');
      this.#wake?.();
    };
    const onEnd = () => {
      broken = true;
      this.#wake?.();
    };
    const onReadable = () => this.#wake?.();
    stream.on('error', onError);
    stream.on('end', onEnd);
    stream.on('close', onEnd);
    stream.on('readable', onReadable);
    try {
      while (!this.#closing && !broken) {
        const batch: KafkaMessage[] = [];
        for (let m = stream.read() as KafkaMessage | null; m !== null; ) {
          batch.push(m);
          if (batch.length >= this.#settings.maxBatch) break;
          m = stream.read() as KafkaMessage | null;
        }
        if (batch.length === 0) {
          await this.#pause(-1);
          continue;
        }
        // The partitions of one read are handed to the handler concurrently (each partition's
        // records still in order, one batch per partition at a time, each committed on its own), so
        // a consumer whose handler waits on I/O (the push dispatcher) overlaps its partitions.
        const parts = byPartition(batch);
        const delivered =
          parts.length === 1
            ? [await this.#deliver(parts[0] ?? [])]
            : await Promise.all(parts.map((p) => this.#deliver(p)));
        if (delivered.includes(false)) return;
      }
    } finally {
      stream.off('error', onError);
      stream.off('end', onEnd);
      stream.off('close', onEnd);
      stream.off('readable', onReadable);
    }
  }

  /** Hands one partition's records to the handler until it resolves, then commits; false when closing. */
  async #deliver(part: KafkaMessage[]): Promise<boolean> {
    const batch = part.map(toBusMessage);
    for (;;) {
      try {
        await this.#options.handler(batch);
        break;
      } catch (error) {
        this.#settings.onError(asError(error), 'handler rejected; redelivering');
        if (this.#closing) return false;
        await this.#pause(this.#settings.retryDelayMs);
        if (this.#closing) return false;
      }
    }
    const last = part[part.length - 1];
    try {
      await last?.commit();
    } catch (error) {
      // the next commit on this partition covers it; a rebalance makes another member redeliver
      this.#settings.onError(asError(error), 'commit');
    }
    return true;
  }

  /** Waits `ms` (or until woken when `ms` < 0); `close()` wakes it early. */
  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms >= 0 ? setTimeout(done, ms) : undefined;
      const self = this;
      function done() {
        if (timer !== undefined) clearTimeout(timer);
        if (self.#wake === done) self.#wake = undefined;
        resolve();
      }
      if (this.#closing) {
        done();
        return;
      }
      this.#wake = done;
    });
  }
}

/** Estimated produce-request bytes of a record: value, key, headers, and the record framing. */
function recordSize(r: BusRecord): number {
  let size = r.value.length + r.key.length + 64;
  if (r.headers !== undefined) for (const [k, v] of Object.entries(r.headers)) size += k.length + v.length + 8;
  return size;
}

function recordsSize(records: readonly BusRecord[]): number {
  let size = 0;
  for (const r of records) size += recordSize(r);
  return size;
}

/** Consecutive parts of at most `maxBytes` each (a record larger than that is a part of its own). */
export function splitBySize(records: BusRecord[], maxBytes: number): BusRecord[][] {
  if (recordsSize(records) <= maxBytes) return [records];
  const parts: BusRecord[][] = [];
  let part: BusRecord[] = [];
  let bytes = 0;
  for (const r of records) {
    const size = recordSize(r);
    if (part.length > 0 && bytes + size > maxBytes) {
      parts.push(part);
      part = [];
      bytes = 0;
    }
    part.push(r);
    bytes += size;
  }
  if (part.length > 0) parts.push(part);
  return parts;
}

function byPartition(batch: KafkaMessage[]): KafkaMessage[][] {
  const groups = new Map<string, KafkaMessage[]>();
  for (const m of batch) {
    const k = `${m.topic}\u0000${m.partition}`;
    let g = groups.get(k);
    if (g === undefined) {
      g = [];
      groups.set(k, g);
    }
    g.push(m);
  }
  return [...groups.values()];
}

function toBusMessage(m: KafkaMessage): BusMessage {
  const out: BusMessage = {
    topic: m.topic,
    key: m.key ?? '',
    value: m.value ?? Buffer.alloc(0),
    partition: m.partition,
    offset: m.offset,
  };
  if (m.headers.size > 0) {
    const headers: Record<string, string> = {};
    for (const [k, v] of m.headers) headers[k] = v ?? '';
    out.headers = headers;
  }
  return out;
}

function isNetworkError(error: unknown): boolean {
  const seen = new Set<unknown>();
  const visit = (e: unknown): boolean => {
    if (e === null || typeof e !== 'object' || seen.has(e)) return false;
    seen.add(e);
    const code = (e as { code?: unknown }).code;
    if (code === 'PLT_KFK_NETWORK' || code === 'PLT_KFK_TIMEOUT' || code === 'ECONNREFUSED' || code === 'ETIMEDOUT') {
      return true;
    }
    const nested = (e as { errors?: unknown }).errors;
    if (Array.isArray(nested) && nested.some(visit)) return true;
    return visit((e as { cause?: unknown }).cause);
  };
  return visit(error);
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
