/**
 * The control channel: messages addressed to one gateway process (by gateId). The router (issue
 * #4) sends downlink commands through it; gateways use it to tell another gateway that a device it
 * holds has logged in elsewhere. Implementations: `MemoryControlChannel`, `RedisControlChannel`
 * (Redis pub/sub). One contract test suite runs against both.
 *
 * Delivery is best-effort (a gateway that is down misses messages): every command therefore carries
 * a deadline, and the sender times out on its own (`_code` 600 in the API), never waits forever.
 */
export type ControlMessage =
  | {
      type: 'command';
      /** Unique id chosen by the sender; the result quotes it. */
      commandId: string;
      deviceImei: string;
      /** Where the result goes: the sender's own gateId-like address on this channel. */
      replyTo: string;
      /** Epoch ms after which the gateway drops the command instead of sending it. */
      deadline: number;
      command: DownlinkCommand;
    }
  | { type: 'command-result'; commandId: string; result: CommandResult }
  | { type: 'kick'; deviceImei: string; connId: string; reason: string };

/** What to send to a device. Protocol-specific payloads are encoded by the gateway that holds it. */
export type DownlinkCommand =
  | { kind: 'jimi-text'; text: string; serverFlag?: number; language?: number }
  | { kind: 'jt808'; type: string; body: unknown }
  | { kind: 'jt808-text'; text: string; flag?: number };

export type CommandResult =
  | { status: 'replied'; reply: Record<string, unknown>; msgId: number; receivedAt: string }
  | { status: 'sent' }
  | { status: 'offline' }
  | { status: 'busy' }
  | { status: 'timeout' }
  | { status: 'failed'; code: string; message: string };

export interface ControlChannel {
  /** Receive the messages addressed to `address` (a gateId, or a router instance id). */
  listen(address: string, handler: (message: ControlMessage) => void): Promise<() => Promise<void>>;
  send(address: string, message: ControlMessage): Promise<void>;
  close(): Promise<void>;
}
