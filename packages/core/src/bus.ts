/**
 * The uplink bus: gateways publish events, consumers (push dispatcher, tests) subscribe.
 * Implementations: `MemoryBus` (embedded mode, fast tests) and `KafkaBus` (fleet mode).
 * One contract test suite (`test/bus.contract.ts`) runs against both.
 */
export interface BusRecord {
  topic: string;
  /** Partitioning key: the device IMEI, so one device's records keep their order. */
  key: string;
  value: Buffer;
  headers?: Record<string, string>;
}

export interface BusMessage extends BusRecord {
  partition: number;
  offset: bigint;
}

export interface BusSubscription {
  /** Stop consuming; in-flight handler calls finish first. Committed offsets stay committed. */
  close(): Promise<void>;
}

export interface SubscribeOptions {
  topics: string[];
  groupId: string;
  /**
   * Called with batches in partition order. Offsets are committed only after the returned promise
   * resolves (at-least-once); a rejection stops the subscription's progress on that partition and
   * the batch is delivered again (after a restart, or a retry by the implementation).
   */
  handler: (batch: BusMessage[]) => Promise<void>;
  /** Start from the earliest retained record when the group has no committed offset (default true). */
  fromBeginning?: boolean;
}

export interface Bus {
  /**
   * Publish records. Resolves when the bus has durably accepted all of them (Kafka: acks=all),
   * rejects otherwise: the caller then must not acknowledge the device (durable acknowledgement).
   */
  publish(records: BusRecord[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<BusSubscription>;
  /** True when the bus can currently accept records (for /ready). */
  isReady(): boolean;
  /** Flush pending publishes and release connections. */
  close(): Promise<void>;
}
