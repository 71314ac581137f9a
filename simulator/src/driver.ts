import type { SimErrorCode } from './errors.ts';
import type { Fix } from './motion.ts';
import type { MessageKind } from './stats.ts';

/**
 * The protocol side of a simulated device: builds the frames it sends (with the codec's
 * encoders) and turns what the server sends (through the codec's framers and decoders) into
 * events. No sockets, no timers: `SimulatedDevice` owns those (convention 2), so a driver is
 * testable on bytes alone.
 */
export interface Outbound {
  frame: Buffer;
  kind: MessageKind;
  /** Message serial (JT/T 808) or information serial (Jimi). */
  serial: number;
  /** The acknowledgement awaited (`ackKey(id, serial)`), or null when none is due. */
  ackKey: number | null;
  /** Positions carried (location, alarm: 1; batch: n). */
  positions: number;
  /**
   * The ack is awaited but the protocol does not require one (Jimi 0x22 in `auto` mode): until the
   * server has acknowledged one such message, a missing ack is not an error.
   */
  optionalAck?: boolean;
}

export type DriverEvent =
  /** An acknowledgement: `ok` false for a negative result. */
  | { type: 'ack'; key: number; ok: boolean; result: number }
  /** A frame the device must send now (authentication after registration, a command reply). */
  | { type: 'send'; out: Outbound }
  /** Login sequence complete: data messages may flow. */
  | { type: 'online' }
  /** Login refused: the device closes the connection and reconnects later. */
  | { type: 'login-failed'; code: SimErrorCode; detail: string }
  /** A downlink command was received (and answered with a `send` event). */
  | { type: 'command'; id: number; command?: string }
  /** A problem with what the server sent (a codec issue code or a simulator code). */
  | { type: 'issue'; code: string; detail?: string };

export interface ProtocolDriver {
  readonly protocol: 'jt808' | 'jimi';
  /** The id the gateway reports as `deviceImei`. */
  readonly deviceId: string;
  /** A new connection: reset the framer and the login phase, return the first frame to send. */
  connected(): Outbound;
  /** Bytes from the server; events are appended to `out`. Never throws on wire input. */
  receive(chunk: Buffer, out: DriverEvent[]): void;
  heartbeat(): Outbound;
  /** A location report; with `alarm` the alarm form (JT/T 808 alarm bits, Jimi 0x26). */
  location(fix: Fix, alarm: boolean): Outbound;
  /** JT/T 808 0x0704 (blind-area re-upload of `fixes`); null for protocols without batches. */
  batch(fixes: readonly Fix[]): Outbound | null;
}

/** Key of an awaited acknowledgement: message id (JT/T 808) or protocol number (Jimi), and serial. */
export function ackKey(id: number, serial: number): number {
  return id * 0x10000 + (serial & 0xffff);
}

/** Message id / protocol number of an ack key. */
export function ackKeyId(key: number): number {
  return Math.floor(key / 0x10000);
}
