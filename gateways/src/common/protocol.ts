/**
 * The contract between the protocol-independent connection runtime (`GatewayServer`) and one device
 * protocol (JT/T 808, Jimi). Convention 2: the runtime is the *connection* role (sockets, timers,
 * backpressure, the bus, the route table, the control channel); a protocol supplies the *framer*
 * (bytes → frames, already decoded) and a per-connection *session*, a pure state machine.
 *
 *   session.step(input, now) → { replies, events, effects }
 *
 * Inputs: a decoded frame, the result of an effect the session asked for, a downlink command, a timer
 * tick, and finally `closed`. The session never touches I/O: everything it wants done is an output.
 *  - `replies` are bytes for the device, written in order. A reply with `durable: true` is written
 *    only after the `events` of the same step were accepted by the bus (durable acknowledgement); if
 *    the publish fails it is never written. The runtime's `durableAck: false` option writes it at once.
 *  - `events` are complete uplink events (`@iothub/core` events.ts); the runtime publishes them on
 *    `${topicPrefix}.${kind}` keyed by `deviceImei`, in step order.
 *  - `effects` are things the runtime performs for the session: claim the device in the route table
 *    (and close an older connection of the same device, here or on another gateway), release it,
 *    look up / store a JT/T 808 auth code, store a file, close the connection with a reason code,
 *    deliver a downlink command's result. Effects that produce a value (`get-auth-code`,
 *    `store-file`) are answered with an input carrying the effect's `id`; until that answer has been
 *    stepped, the runtime holds back further frame inputs of the connection (order is kept, the
 *    session needs no "waiting" states of its own).
 *  - Timer ticks arrive every `tickMs` (runtime option) while the connection is open; the session
 *    uses them for its own deadlines (subpackage requests, command timeouts).
 * Effects run after the step's replies are queued and before the next input is stepped.
 */
import type { CodecIssue } from '@iothub/codec';
import type { CommandResult, DeviceProtocol, DownlinkCommand, UplinkEvent } from '@iothub/core';

/** Receives what a framer produces. `msgId` (message id / protocol number) labels the frames-in metric. */
export interface FrameHandler<F> {
  frame(frame: F, msgId: number): void;
  /** A framing or decoding problem (stable code). The runtime counts and logs it, and applies limits. */
  issue(issue: CodecIssue): void;
}

/** Bytes in any chunking → decoded frames. Never throws; memory bounded by `maxFrameSize`. */
export interface ProtocolFramer<F> {
  push(chunk: Buffer, handler: FrameHandler<F>): void;
}

/** What a session knows about its connection. */
export interface SessionContext {
  gateId: string;
  connId: string;
  /** The real client address (after PROXY protocol), `ip:port`. */
  remoteAddress: string;
}

export interface Reply {
  bytes: Buffer;
  /** Write only after this step's events were accepted by the bus. */
  durable: boolean;
  /** Message id of the reply, for the frames-out metric. */
  msgId?: number;
}

export type Effect =
  /** This connection now holds `deviceImei` (login / authentication). */
  | { type: 'claim'; deviceImei: string; protocolVersion?: string }
  /** The device logged out: remove its route entry (if this connection still owns it). */
  | { type: 'release' }
  | { type: 'get-auth-code'; id: number; phone: string }
  | { type: 'set-auth-code'; phone: string; code: string }
  /** Store a file (multimedia); answered with `file-stored` or `effect-failed`. */
  | { type: 'store-file'; id: number; name: string; data: Buffer }
  /** Close the connection after writing the replies queued so far; `code` is a stable reason code. */
  | { type: 'close'; code: string; detail?: string }
  /** The answer (or timeout) of a downlink command, sent to the command's `replyTo`. */
  | { type: 'command-result'; commandId: string; replyTo: string; result: CommandResult }
  /**
   * Resolve cells / WiFi access points to a position through the LBS client (lbs.ts); answered with
   * `location-resolved` (`location` null when nothing is known) or `effect-failed` (no LBS
   * configured, error, timeout: the runtime bounds the wait).
   */
  | { type: 'resolve-location'; id: number; query: LocationQuery };

/** What a device reported, as the LBS service takes it (`GET /loc/query` wifi / lbs lists). */
export interface LocationQuery {
  imei: string;
  cells: { mcc: number; mnc: number; lac: number; ci: number; rssi?: number }[];
  wifi: { mac: string; rssi?: number }[];
}

/** A resolved position (`type`: the LBS `type`, 2 WiFi, 3 mixed, 4 cell, 5 other). */
export interface ResolvedLocation {
  lat: number;
  lng: number;
  /** Metres. */
  accuracy: number;
  type: number;
}

export type SessionInput<F> =
  | { type: 'frame'; frame: F }
  | { type: 'auth-code'; id: number; code: string | null }
  | { type: 'file-stored'; id: number; location: string }
  | { type: 'effect-failed'; id: number; code: string }
  | { type: 'location-resolved'; id: number; location: ResolvedLocation | null }
  | { type: 'command'; commandId: string; replyTo: string; deadline: number; command: DownlinkCommand }
  | { type: 'tick' }
  /** The connection is gone (`code`: why); the session may emit a last event. Replies are ignored. */
  | { type: 'closed'; code: string };

/** A problem the session wants counted and logged (bad message, policy refusal, ...). */
export interface SessionIssue {
  code: string;
  detail?: string;
}

export interface StepResult {
  replies: Reply[];
  events: UplinkEvent[];
  effects: Effect[];
  issues?: SessionIssue[];
}

export interface Session<F> {
  step(input: SessionInput<F>, now: number): StepResult;
  /** The device this connection speaks for, once known (for logs and command routing). */
  readonly deviceImei: string | null;
}

export interface Protocol<F> {
  readonly name: DeviceProtocol;
  createFramer(options: { maxFrameSize: number }): ProtocolFramer<F>;
  createSession(context: SessionContext): Session<F>;
}

/** A step with no output (shared, never mutated by the runtime). */
export const EMPTY_STEP: StepResult = Object.freeze({
  replies: Object.freeze([]) as unknown as Reply[],
  events: Object.freeze([]) as unknown as UplinkEvent[],
  effects: Object.freeze([]) as unknown as Effect[],
});
