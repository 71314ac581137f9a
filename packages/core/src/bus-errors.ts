/**
 * Stable error codes of the bus implementations (`MemoryBus`, `KafkaBus`). Callers branch on
 * `code`, logs and metric labels carry it.
 */
export const BUS_ERROR_CODES = {
  /** The bus cannot accept records now (memory bus switched off, Kafka brokers unreachable). */
  IOTHUB_ERR_BUS_UNAVAILABLE: 'the bus cannot accept records',
  /** The bus refused or did not acknowledge a publish (Kafka produce error, timeout). */
  IOTHUB_ERR_BUS_PUBLISH: 'publish was not acknowledged',
  /** The bus was closed. */
  IOTHUB_ERR_BUS_CLOSED: 'the bus is closed',
  /** A subscription could not be set up (Kafka: group join, topic creation). */
  IOTHUB_ERR_BUS_SUBSCRIBE: 'subscribe failed',
} as const;

export type BusErrorCode = keyof typeof BUS_ERROR_CODES;

export class BusError extends Error {
  readonly code: BusErrorCode;

  constructor(code: BusErrorCode, message?: string, options?: { cause?: unknown }) {
    super(message ?? BUS_ERROR_CODES[code], options);
    this.name = 'BusError';
    this.code = code;
  }
}

/**
 * Partition of a key: 32-bit FNV-1a over the UTF-16 code units, modulo the partition count. The
 * same key always lands on the same partition, which keeps one device's records in order.
 */
export function partitionForKey(key: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}
