/**
 * In-memory `Bus` (embedded mode, fast tests). Kafka-like semantics in one process:
 *
 *  - each topic has `partitions` logs; a record goes to the partition of its key hash, so one key
 *    keeps its order;
 *  - `publish` resolves once every record is appended (rejects with `IOTHUB_ERR_BUS_UNAVAILABLE`
 *    while the bus is switched off with `setAvailable(false)`, so tests can simulate an outage);
 *  - consumer groups with committed offsets: every group gets every record; inside a group, one
 *    member consumes a partition at a time (others take over when it closes); the offset is
 *    committed only after the handler resolves; a rejection redelivers the same batch after
 *    `retryDelayMs` (at-least-once);
 *  - optional retention: at most `retention` records per partition are kept (the oldest go first,
 *    in chunks; a group behind the retained start resumes at the oldest retained record, like Kafka);
 *  - optional `trimConsumed`: records every consumer group of the partition has committed past are
 *    released at once (the embedded process: memory follows the consumers' lag, not the uptime).
 */

import type { Bus, BusMessage, BusRecord, BusSubscription, SubscribeOptions } from './bus.ts';
import { BusError, partitionForKey } from './bus-errors.ts';

export interface MemoryBusOptions {
  /** Partitions per topic (default 4). */
  partitions?: number;
  /** Records kept per partition (default: unbounded). */
  retention?: number;
  /** Release records once every group that consumes the partition has committed past them. */
  trimConsumed?: boolean;
  /** Most records handed to one handler call (default 500). */
  maxBatch?: number;
  /** Wait before redelivering a batch whose handler rejected (default 20 ms). */
  retryDelayMs?: number;
  /** Start switched off: `publish` rejects until `setAvailable(true)`. */
  failing?: boolean;
}

interface PartitionLog {
  /** Retained messages; `records[i]` has offset `base + i`. */
  records: BusMessage[];
  /** Offset of `records[0]`. */
  base: bigint;
  /** Resolvers of pumps waiting for new records. */
  waiters: Array<() => void>;
}

interface Member {
  topics: Set<string>;
  handler: (batch: BusMessage[]) => Promise<void>;
  closed: boolean;
  /** Pumps this member runs, by `topic/partition`. */
  pumps: Map<string, Promise<void>>;
}

interface Group {
  /** Next offset to read, by `topic/partition` (the committed offset). */
  committed: Map<string, bigint>;
  /** Which member consumes a partition, by `topic/partition`. */
  owners: Map<string, Member>;
  members: Member[];
}

export class MemoryBus implements Bus {
  readonly #partitions: number;
  readonly #retention: number;
  /** Records over `retention` dropped at once (amortises the array shift). */
  readonly #retentionSlack: number;
  readonly #trimConsumed: boolean;
  readonly #maxBatch: number;
  readonly #retryDelayMs: number;
  readonly #topics = new Map<string, PartitionLog[]>();
  readonly #groups = new Map<string, Group>();
  readonly #subscriptions = new Set<BusSubscription>();
  #available: boolean;
  #closed = false;

  constructor(options: MemoryBusOptions = {}) {
    this.#partitions = Math.max(1, options.partitions ?? 4);
    this.#retention = options.retention ?? Number.POSITIVE_INFINITY;
    this.#retentionSlack = Number.isFinite(this.#retention) ? Math.min(1024, Math.ceil(this.#retention / 8)) : 0;
    this.#trimConsumed = options.trimConsumed ?? false;
    this.#maxBatch = Math.max(1, options.maxBatch ?? 500);
    this.#retryDelayMs = options.retryDelayMs ?? 20;
    this.#available = !(options.failing ?? false);
  }

  /** Switch the bus on or off (off: `publish` rejects, `isReady()` is false). */
  setAvailable(available: boolean): void {
    this.#available = available;
  }

  /** Same as `setAvailable(!failing)`. */
  set failing(failing: boolean) {
    this.#available = !failing;
  }

  get failing(): boolean {
    return !this.#available;
  }

  isReady(): boolean {
    return this.#available && !this.#closed;
  }

  async publish(records: BusRecord[]): Promise<void> {
    if (this.#closed) throw new BusError('IOTHUB_ERR_BUS_CLOSED');
    if (!this.#available) throw new BusError('IOTHUB_ERR_BUS_UNAVAILABLE');
    const touched = new Set<PartitionLog>();
    for (const record of records) {
      const partition = partitionForKey(record.key, this.#partitions);
      const log = this.#log(record.topic, partition);
      const message: BusMessage = {
        topic: record.topic,
        key: record.key,
        value: record.value,
        partition,
        offset: log.base + BigInt(log.records.length),
      };
      if (record.headers !== undefined) message.headers = { ...record.headers };
      log.records.push(message);
      if (log.records.length > this.#retention + this.#retentionSlack) {
        dropOldest(log, log.records.length - this.#retention);
      }
      touched.add(log);
    }
    for (const log of touched) wake(log);
  }

  async subscribe(options: SubscribeOptions): Promise<BusSubscription> {
    if (this.#closed) throw new BusError('IOTHUB_ERR_BUS_CLOSED');
    let group = this.#groups.get(options.groupId);
    if (group === undefined) {
      group = { committed: new Map(), owners: new Map(), members: [] };
      this.#groups.set(options.groupId, group);
    }
    const member: Member = {
      topics: new Set(options.topics),
      handler: options.handler,
      closed: false,
      pumps: new Map(),
    };
    group.members.push(member);
    const fromBeginning = options.fromBeginning ?? true;
    for (const topic of member.topics) {
      for (let p = 0; p < this.#partitions; p++) {
        const tp = `${topic}/${p}`;
        const log = this.#log(topic, p);
        // a new group without a commit starts at the beginning or at the current end
        if (!group.committed.has(tp)) group.committed.set(tp, fromBeginning ? log.base : end(log));
        if (!group.owners.has(tp)) this.#startPump(group, member, topic, p);
      }
    }
    const g = group;
    let closing: Promise<void> | undefined;
    const subscription: BusSubscription = {
      close: () => {
        closing ??= this.#leave(g, member).finally(() => this.#subscriptions.delete(subscription));
        return closing;
      },
    };
    this.#subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#subscriptions].map((s) => s.close()));
  }

  /** Every retained message of a topic, partition by partition (for tests and diagnostics). */
  messages(topic: string): BusMessage[] {
    const logs = this.#topics.get(topic);
    return logs === undefined ? [] : logs.flatMap((log) => log.records);
  }

  /** The committed offset (next offset to read) of a group on a partition, if any. */
  committedOffset(groupId: string, topic: string, partition: number): bigint | undefined {
    return this.#groups.get(groupId)?.committed.get(`${topic}/${partition}`);
  }

  #log(topic: string, partition: number): PartitionLog {
    let logs = this.#topics.get(topic);
    if (logs === undefined) {
      logs = [];
      for (let p = 0; p < this.#partitions; p++) logs.push({ records: [], base: 0n, waiters: [] });
      this.#topics.set(topic, logs);
    }
    const log = logs[partition];
    if (log === undefined) throw new RangeError(`partition ${partition} out of range`);
    return log;
  }

  #startPump(group: Group, member: Member, topic: string, partition: number): void {
    const tp = `${topic}/${partition}`;
    group.owners.set(tp, member);
    member.pumps.set(tp, this.#pump(group, member, tp, this.#log(topic, partition)));
  }

  async #pump(group: Group, member: Member, tp: string, log: PartitionLog): Promise<void> {
    // first delivery is never synchronous with subscribe()
    await Promise.resolve();
    while (!member.closed) {
      let next = group.committed.get(tp) ?? log.base;
      if (next < log.base) next = log.base;
      const start = Number(next - log.base);
      if (start >= log.records.length) {
        await new Promise<void>((resolve) => log.waiters.push(resolve));
        continue;
      }
      const batch = log.records.slice(start, start + this.#maxBatch);
      const last = batch[batch.length - 1];
      if (last === undefined) continue;
      try {
        await member.handler(batch);
        group.committed.set(tp, last.offset + 1n);
        if (this.#trimConsumed) this.#trim(tp, log);
      } catch {
        // at-least-once: the same batch again after a short pause
        if (!member.closed) await delay(this.#retryDelayMs);
      }
    }
  }

  /** Drop the records every group consuming `tp` has committed past. */
  #trim(tp: string, log: PartitionLog): void {
    let low = end(log);
    for (const g of this.#groups.values()) {
      const c = g.committed.get(tp);
      if (c !== undefined && c < low) low = c;
    }
    const drop = Number(low - log.base);
    // whole log consumed: O(1); otherwise in chunks, so a busy partition does not shift per batch
    if (drop > 0 && (drop === log.records.length || drop >= 256)) dropOldest(log, drop);
  }

  async #leave(group: Group, member: Member): Promise<void> {
    member.closed = true;
    for (const tp of member.pumps.keys()) {
      const [topic, p] = splitTp(tp);
      wake(this.#log(topic, p));
    }
    await Promise.all(member.pumps.values());
    const index = group.members.indexOf(member);
    if (index >= 0) group.members.splice(index, 1);
    // hand the partitions over to another live member of the group subscribed to the topic
    for (const tp of member.pumps.keys()) {
      group.owners.delete(tp);
      const [topic, p] = splitTp(tp);
      const heir = group.members.find((m) => !m.closed && m.topics.has(topic));
      if (heir !== undefined) this.#startPump(group, heir, topic, p);
    }
    member.pumps.clear();
  }
}

function dropOldest(log: PartitionLog, count: number): void {
  if (count >= log.records.length) log.records = [];
  else log.records.splice(0, count);
  log.base += BigInt(count);
}

function end(log: PartitionLog): bigint {
  return log.base + BigInt(log.records.length);
}

function wake(log: PartitionLog): void {
  const waiters = log.waiters;
  if (waiters.length === 0) return;
  log.waiters = [];
  for (const resolve of waiters) resolve();
}

function splitTp(tp: string): [string, number] {
  const slash = tp.lastIndexOf('/');
  return [tp.slice(0, slash), Number(tp.slice(slash + 1))];
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
