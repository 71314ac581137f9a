import { Histogram, type HistogramSummary } from './histogram.ts';

/** What a simulated device sends. */
export const MESSAGE_KINDS = [
  'register', // JT/T 808 0x0100
  'auth', // JT/T 808 0x0102
  'login', // Jimi 0x01
  'heartbeat', // 0x0002 / 0x13
  'location', // 0x0200 / 0x22
  'alarm', // 0x0200 with alarm bits / 0x26
  'batch', // 0x0704
  'command-reply', // 0x0001 / 0x0104 / 0x0201 / 0x21
] as const;

export type MessageKind = (typeof MESSAGE_KINDS)[number];

type KindCounts = Record<MessageKind, number>;

function zeroKinds(): KindCounts {
  return { register: 0, auth: 0, login: 0, heartbeat: 0, location: 0, alarm: 0, batch: 0, 'command-reply': 0 };
}

/**
 * Counters shared by one device or by a whole fleet (the fleet hands one instance to all its
 * devices, so aggregation costs nothing and memory does not grow with the number of messages).
 */
export class SimStats {
  /** Frames written, by kind. */
  readonly sent: KindCounts = zeroKinds();
  /** Acknowledgements received (success result), by kind of the message acknowledged. */
  readonly acked: KindCounts = zeroKinds();
  /** Messages sent that expect an acknowledgement. */
  expectingAck = 0;
  /** Location fixes carried (a batch of n counts n; a JT/T 808 alarm is a location too). */
  positions = 0;
  /** Downlink commands received from the server. */
  commands = 0;
  /** Errors by stable code (errors.ts, or a codec issue code). */
  readonly errors: Record<string, number> = {};
  /** Connections established (first connections and reconnections). */
  connects = 0;
  /** Connections lost while running, each followed by a reconnection attempt. */
  reconnects = 0;
  /** Acknowledgement latency (send → ack), all kinds. */
  readonly latency = new Histogram();
  /** Bytes written / read. */
  bytesOut = 0;
  bytesIn = 0;

  error(code: string): void {
    this.errors[code] = (this.errors[code] ?? 0) + 1;
  }

  snapshot(): StatsSnapshot {
    const sent = sum(this.sent);
    const acknowledged = sum(this.acked);
    return {
      sent,
      sentByKind: { ...this.sent },
      acknowledged,
      acknowledgedByKind: { ...this.acked },
      expectingAck: this.expectingAck,
      unacknowledged: this.expectingAck - acknowledged,
      positions: this.positions,
      commands: this.commands,
      errors: { ...this.errors },
      errorCount: sum(this.errors),
      connects: this.connects,
      reconnects: this.reconnects,
      bytesOut: this.bytesOut,
      bytesIn: this.bytesIn,
      latency: this.latency.summary(),
    };
  }
}

function sum(o: Record<string, number>): number {
  let n = 0;
  for (const k in o) n += o[k]!;
  return n;
}

export interface StatsSnapshot {
  /** Frames sent, all kinds. */
  sent: number;
  sentByKind: KindCounts;
  /** Acknowledgements received with a success result. */
  acknowledged: number;
  acknowledgedByKind: KindCounts;
  /** Messages sent that expect an acknowledgement. */
  expectingAck: number;
  /** expectingAck − acknowledged: still pending, timed out, negatively acknowledged, or lost with a connection. */
  unacknowledged: number;
  positions: number;
  commands: number;
  errors: Record<string, number>;
  errorCount: number;
  connects: number;
  reconnects: number;
  bytesOut: number;
  bytesIn: number;
  /** Acknowledgement latency in milliseconds. */
  latency: HistogramSummary;
}
