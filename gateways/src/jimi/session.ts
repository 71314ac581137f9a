/**
 * The Jimi / GT06 session: a pure state machine, one per connection (convention 2).
 *
 *   step(input, now) → { replies, events, effects, issues }
 *
 * Rules (protocols/jimi-gt06.md §1, §2.4, §5, §8, §9):
 *  - The first frame must be a login (0x01, the 15-byte clone login too). Its IMEI becomes the
 *    connection's `deviceImei`, the route is claimed (the runtime closes an older connection of the
 *    same device) and the login is acknowledged `78 78 05 01 <serial> <crc> 0D 0A` (§5.1).
 *  - Before the login every other frame is ignored: no reply, not published, counted
 *    (`IOTHUB_ERR_NOT_AUTHENTICATED`). A device that gets no answer logs in again (§1: 3 missed
 *    replies → reconnect/reboot); after `maxFramesBeforeLogin` such frames the connection is closed
 *    (`IOTHUB_ERR_JIMI_LOGIN_REQUIRED`), so a peer that never logs in does not hold a connection.
 *  - Replies are the codec's `ackFor` (§9): login, heartbeat 0x13 / 0x23, alarms 0x16 / 0x26 / 0x27 /
 *    0xA4 / 0x19 / 0xA5 / 0x95, the clone-form 0x69 / 0x17 / 0x10 / 0x11 replies, the 0x8A time reply
 *    (UTC now), and the "not available" address reply to 0x1A / 0x2A (no LBS service yet).
 *  - Location and LBS packets (0x12 / 0x22 / 0xA0 / 0x28 / 0xA1 / 0x2C / 0xA2) are NOT acknowledged by
 *    default (`ackLocations: false`): the documents say no reply, devices neither wait for nor
 *    retransmit on one, so an ack buys no durability and costs 10 bytes of a metered SIM per point.
 *    traccar acks them and devices tolerate it, so `ackLocations: true` sends the generic ack.
 *  - A reply to a message that is published in the same step is durable: it is written only after
 *    the bus accepted the event (durable acknowledgement). The time reply publishes nothing and is
 *    written at once.
 *  - Downlink: a `jimi-text` command becomes a 0x80 frame carrying our own server flag (§5.8, §9);
 *    the device echoes it in its 0x21 / 0x15 reply, which is matched to the pending command and
 *    reported as `replied`; a command not answered by its deadline (the caller's `timeOut`; at most
 *    `commandTimeoutMs`) is reported `timeout`.
 */
import { gt06 } from '@iothub/codec';
import { EVENT_VERSION, type EventKind, type UplinkEvent } from '@iothub/core';
import type {
  Effect,
  LocationQuery,
  Reply,
  ResolvedLocation,
  Session,
  SessionContext,
  SessionInput,
  SessionIssue,
  StepResult,
} from '../common/protocol.ts';
import { eventShape } from './events.ts';
import type { JimiFrame } from './framer.ts';
import { addressReply, lbsQueryOf, postTypeOf } from './lbs.ts';

export interface JimiSessionOptions {
  /** Send the generic ack for location / LBS / WiFi packets too (traccar's behaviour). Default false. */
  ackLocations?: boolean;
  /** Put the received frame (hex) in every event's `raw`. Default true. */
  includeRaw?: boolean;
  /**
   * Longest wait for the device's 0x21 / 0x15 answer to a 0x80 command; a command's own deadline
   * ends it sooner. Default 10 minutes (a bound on the pending table, not the usual timeout).
   */
  commandTimeoutMs?: number;
  /** Commands awaiting an answer per connection; more are refused with `busy`. Default 8. */
  maxPendingCommands?: number;
  /** Frames accepted (ignored) before the login; one more closes the connection. Default 16. */
  maxFramesBeforeLogin?: number;
  /** Language word appended to 0x80 commands (0x0001 Chinese, 0x0002 English) unless the command sets one. */
  commandLanguage?: number;
  /**
   * An address request without a GPS fix is answered with the position of the cells / WiFi the
   * device reported within this long (resolved through the LBS). Default 10 minutes.
   */
  lbsMaxAgeMs?: number;
}

/** An LBS resolution in flight: LBS / WiFi data to publish as a location, or an address request to answer. */
type LbsPending =
  | { kind: 'data'; frame: JimiFrame; imei: string; query: LocationQuery; deviceTime: Date | null | undefined }
  | { kind: 'address'; frame: JimiFrame; request: gt06.AddressRequest };

interface PendingCommand {
  commandId: string;
  replyTo: string;
  expiresAt: number;
}

/** Location-like packets the documents leave unanswered (acked only with `ackLocations`). */
const DATA_TYPES = new Set<string>(['location', 'lbs-multi', 'wifi-lbs', 'gps-lbs-rfid']);
/** Heartbeat protocols, also when a device sends them with empty content (then decoded as `ack`). */
const HEARTBEAT_PROTOCOLS = new Set<number>([0x13, 0x23]);
const DIGITS = /^[0-9]{1,16}$/;
const NO_CLOCK: gt06.AckOptions = {};

function frameForm(header: gt06.Gt06Header): string {
  if (header.serial === null) return 'clone';
  return header.start === 'long' ? '7979' : '7878';
}

export class JimiSession implements Session<JimiFrame> {
  readonly #ctx: SessionContext;
  readonly #ackLocations: boolean;
  readonly #includeRaw: boolean;
  readonly #commandTimeoutMs: number;
  readonly #maxPending: number;
  readonly #maxBeforeLogin: number;
  readonly #commandLanguage: number | undefined;

  #imei: string | null = null;
  #loginForm: string | undefined;
  #framesBeforeLogin = 0;
  #seq = 0;
  #nextFlag = 1;
  #nextSerial = 1;
  readonly #pending = new Map<number, PendingCommand>();
  readonly #lbsMaxAgeMs: number;
  #nextEffectId = 1;
  readonly #lbsPending = new Map<number, LbsPending>();
  #lastLbs: { query: LocationQuery; at: number } | null = null;

  constructor(context: SessionContext, options: JimiSessionOptions = {}) {
    this.#ctx = context;
    this.#ackLocations = options.ackLocations ?? false;
    this.#includeRaw = options.includeRaw ?? true;
    this.#commandTimeoutMs = options.commandTimeoutMs ?? 600_000;
    this.#maxPending = options.maxPendingCommands ?? 8;
    this.#maxBeforeLogin = options.maxFramesBeforeLogin ?? 16;
    this.#commandLanguage = options.commandLanguage;
    this.#lbsMaxAgeMs = options.lbsMaxAgeMs ?? 10 * 60_000;
  }

  get deviceImei(): string | null {
    return this.#imei;
  }

  /** Commands sent and not yet answered (for tests and metrics). */
  get pendingCommands(): number {
    return this.#pending.size;
  }

  step(input: SessionInput<JimiFrame>, now: number): StepResult {
    switch (input.type) {
      case 'frame':
        return this.#frame(input.frame, now);
      case 'command':
        return this.#command(input, now);
      case 'tick':
        return this.#tick(now);
      case 'closed':
        return this.#closed(input.code, now);
      case 'location-resolved':
        return this.#lbsAnswered(input.id, input.location, 'IOTHUB_ERR_LBS_NOT_FOUND', now);
      case 'effect-failed':
        return this.#lbsAnswered(input.id, null, input.code, now);
      // Jimi asks for no auth codes or files: nothing to answer.
      case 'auth-code':
      case 'file-stored':
        return result([], [], []);
      default:
        return assertNever(input);
    }
  }

  // ------------------------------------------------------------------------------------------
  // Uplink

  #frame(frame: JimiFrame, now: number): StepResult {
    const { message } = frame;
    if (message.type === 'login') return this.#login(frame, message.body, now);
    if (this.#imei === null) return this.#beforeLogin(frame);
    const imei = this.#imei;

    switch (message.type) {
      case 'time-request': {
        // Housekeeping, not device data: answered at once (UTC now), not published.
        const issues: SessionIssue[] = [];
        return result(this.#replies(frame, now, false, issues), [], [], issues);
      }
      case 'ack': {
        // An empty heartbeat is still a heartbeat (acked); other empty frames are published as info.
        if (HEARTBEAT_PROTOCOLS.has(message.protocol)) {
          const event = this.#event(frame, imei, 'heartbeat', {}, now);
          const ack = gt06.encodeGt06(
            { start: frame.header.start, serial: frame.header.serial ?? 0 },
            { type: 'ack', protocol: message.protocol, body: {} },
          );
          return result([{ bytes: ack, durable: true, msgId: message.protocol }], [event], []);
        }
        break;
      }
      case 'command-reply':
      case 'command-reply-short':
        return this.#commandReply(frame, message, imei, now);
      case 'address-request':
        return this.#addressRequest(frame, message.body, imei, now);
      default:
        break;
    }
    const shape = eventShape(message);
    const event = this.#event(frame, imei, shape.kind, shape.data, now, shape.deviceTime);
    const issues: SessionIssue[] = [];
    const replies = this.#replies(frame, now, true, issues);
    const query = lbsQueryOf(message, imei);
    if (query) return this.#withLbs(frame, imei, query, shape.deviceTime, event, replies, issues, now);
    return result(replies, [event], [], issues);
  }

  // ------------------------------------------------------------------------------------------
  // LBS (docs/lbs.md "Gateway use")

  /**
   * LBS / WiFi data: the raw cells go out at once as today (`lbs` / `wifi` / `alarm` event, with the
   * message's reply); the position follows as a `location` event once the LBS answered (or failed,
   * or timed out: then unresolved, latitude / longitude 0). Nothing usable → unresolved at once.
   */
  #withLbs(
    frame: JimiFrame,
    imei: string,
    query: LocationQuery,
    deviceTime: Date | null | undefined,
    event: UplinkEvent,
    replies: Reply[],
    issues: SessionIssue[],
    now: number,
  ): StepResult {
    if (query.cells.length + query.wifi.length === 0) {
      const location = this.#locationEvent(frame, imei, query, deviceTime, null, 'IOTHUB_ERR_LBS_NO_OBSERVATIONS', now);
      return result(replies, [event, location], [], issues);
    }
    this.#lastLbs = { query, at: now };
    const id = this.#nextEffectId++;
    this.#lbsPending.set(id, { kind: 'data', frame, imei, query, deviceTime });
    return result(replies, [event], [{ type: 'resolve-location', id, query }], issues);
  }

  /**
   * Address request 0x2A / 0x1A (§5.7): with a GPS fix, answered with that position; without one,
   * with the position of the cells / WiFi reported within `lbsMaxAgeMs` (through the LBS); else
   * (or when that fails) the "not available" reply.
   */
  #addressRequest(frame: JimiFrame, request: gt06.AddressRequest, imei: string, now: number): StepResult {
    const shape = eventShape(frame.message);
    const event = this.#event(frame, imei, shape.kind, shape.data, now, shape.deviceTime);
    const issues: SessionIssue[] = [];
    const gps = request.gps;
    if (gps.positioned && !(gps.latitude === 0 && gps.longitude === 0)) {
      const bytes = this.#addressBytes(frame, request, { lat: gps.latitude, lng: gps.longitude }, issues);
      return result([{ bytes, durable: true, msgId: replyMsgId(bytes) }], [event], [], issues);
    }
    const last = this.#lastLbs;
    if (last && now - last.at <= this.#lbsMaxAgeMs) {
      const id = this.#nextEffectId++;
      this.#lbsPending.set(id, { kind: 'address', frame, request });
      return result([], [event], [{ type: 'resolve-location', id, query: { ...last.query, imei } }], issues);
    }
    const bytes = this.#addressBytes(frame, request, null, issues);
    return result([{ bytes, durable: true, msgId: replyMsgId(bytes) }], [event], [], issues);
  }

  #addressBytes(
    frame: JimiFrame,
    request: gt06.AddressRequest,
    position: { lat: number; lng: number } | null,
    issues: SessionIssue[],
  ): Buffer {
    try {
      return addressReply(frame.header, request, position);
    } catch (err) {
      // A phone field the encoder refuses: the "not available" reply still answers the device.
      issues.push({ code: 'IOTHUB_ERR_JIMI_REPLY_ENCODE', detail: `address reply: ${(err as Error).message}` });
      return addressReply(frame.header, request, null);
    }
  }

  /** The LBS answered (`location`, null = nothing known: `code`) or failed (`code`). */
  #lbsAnswered(id: number, location: ResolvedLocation | null, code: string, now: number): StepResult {
    const p = this.#lbsPending.get(id);
    if (!p) return result([], [], []);
    this.#lbsPending.delete(id);
    if (p.kind === 'address') {
      const issues: SessionIssue[] = [];
      const bytes = this.#addressBytes(p.frame, p.request, location, issues);
      return result([{ bytes, durable: false, msgId: replyMsgId(bytes) }], [], [], issues);
    }
    const event = this.#locationEvent(p.frame, p.imei, p.query, p.deviceTime, location, location ? null : code, now);
    return result([], [event], []);
  }

  #locationEvent(
    frame: JimiFrame,
    imei: string,
    query: LocationQuery,
    deviceTime: Date | null | undefined,
    location: ResolvedLocation | null,
    reason: string | null,
    now: number,
  ): UplinkEvent {
    const data: Record<string, unknown> = {
      latitude: location?.lat ?? 0,
      longitude: location?.lng ?? 0,
      accuracy: location?.accuracy ?? 0,
      postType: postTypeOf(location?.type ?? null, query),
      resolved: location !== null,
      lbsType: location?.type ?? 0,
      cells: query.cells,
      wifi: query.wifi,
    };
    if (reason !== null) data.reason = reason;
    if (frame.message.type === 'wifi-bcd') data.reupload = frame.message.protocol === 0x17;
    return this.#event(frame, imei, 'location', data, now, deviceTime ?? null);
  }

  #login(frame: JimiFrame, login: gt06.Login, now: number): StepResult {
    if (!DIGITS.test(login.imei)) {
      return result([], [], [], [{ code: 'IOTHUB_ERR_JIMI_BAD_IMEI', detail: login.imei }]);
    }
    if (this.#imei !== null && this.#imei !== login.imei) {
      // One connection speaks for one device: a different IMEI is a misbehaving peer.
      return result(
        [],
        [],
        [{ type: 'close', code: 'IOTHUB_ERR_JIMI_IMEI_CHANGED', detail: `${this.#imei} → ${login.imei}` }],
        [{ code: 'IOTHUB_ERR_JIMI_IMEI_CHANGED', detail: `${this.#imei} → ${login.imei}` }],
      );
    }
    const form = frameForm(frame.header);
    // A repeated login (the device missed our ack) is acknowledged and claimed again.
    this.#imei = login.imei;
    this.#loginForm = form;
    this.#framesBeforeLogin = 0;
    const data: Record<string, unknown> = { state: 'login', remoteAddress: this.#ctx.remoteAddress, loginForm: form };
    Object.assign(data, eventShape(frame.message).data);
    const event = this.#event(frame, login.imei, 'session', data, now);
    const claim: Effect = { type: 'claim', deviceImei: login.imei, protocolVersion: form };
    const issues: SessionIssue[] = [];
    return result(this.#replies(frame, now, true, issues), [event], [claim], issues);
  }

  #beforeLogin(frame: JimiFrame): StepResult {
    this.#framesBeforeLogin++;
    const issue: SessionIssue = {
      code: 'IOTHUB_ERR_NOT_AUTHENTICATED',
      detail: `protocol 0x${frame.header.protocol.toString(16).padStart(2, '0')} before login`,
    };
    if (this.#framesBeforeLogin > this.#maxBeforeLogin) {
      const close: Effect = {
        type: 'close',
        code: 'IOTHUB_ERR_JIMI_LOGIN_REQUIRED',
        detail: `${this.#framesBeforeLogin} frames without a login`,
      };
      return result([], [], [close], [issue, { code: 'IOTHUB_ERR_JIMI_LOGIN_REQUIRED' }]);
    }
    return result([], [], [], [issue]);
  }

  #commandReply(
    frame: JimiFrame,
    message: Extract<gt06.Gt06Message, { type: 'command-reply' | 'command-reply-short' }>,
    imei: string,
    now: number,
  ): StepResult {
    const shape = eventShape(message);
    const flag = message.body.serverFlag;
    const pending = this.#pending.get(flag);
    const effects: Effect[] = [];
    const issues: SessionIssue[] = [];
    if (pending) {
      this.#pending.delete(flag);
      shape.data.commandId = pending.commandId;
      effects.push({
        type: 'command-result',
        commandId: pending.commandId,
        replyTo: pending.replyTo,
        result: { status: 'replied', reply: shape.data, msgId: message.protocol, receivedAt: iso(now) },
      });
    } else {
      issues.push({ code: 'IOTHUB_ERR_COMMAND_UNMATCHED', detail: `server flag ${flag}` });
    }
    const event = this.#event(frame, imei, 'command-reply', shape.data, now, shape.deviceTime);
    // No reply to 0x21 / 0x15 (documents; ackFor returns none).
    return result(this.#replies(frame, now, true, issues), [event], effects, issues);
  }

  /**
   * The replies due for a frame (ackFor, plus the generic ack of location packets when configured).
   * The encoders throw on values they cannot write (a clock outside 2000–2099 for the 0x8A reply):
   * that frame then gets no reply, the problem goes to `issues` and the session goes on.
   */
  #replies(frame: JimiFrame, now: number, durable: boolean, issues: SessionIssue[]): Reply[] {
    const { header, message } = frame;
    let bytes: Buffer | null;
    try {
      // Only the 0x8A reply reads the clock: no Date per frame otherwise.
      bytes = gt06.ackFor(frame, message.type === 'time-request' ? { now: new Date(now) } : NO_CLOCK);
      if (bytes === null && this.#ackLocations && DATA_TYPES.has(message.type) && header.serial !== null) {
        bytes = gt06.encodeGt06(
          { start: header.start, serial: header.serial },
          { type: 'ack', protocol: message.protocol, body: {} },
        );
      }
    } catch (err) {
      issues.push({ code: 'IOTHUB_ERR_JIMI_REPLY_ENCODE', detail: `${message.type}: ${(err as Error).message}` });
      return [];
    }
    if (bytes === null) return [];
    return [{ bytes, durable, msgId: replyMsgId(bytes) }];
  }

  #event(
    frame: JimiFrame,
    imei: string,
    kind: EventKind,
    data: Record<string, unknown>,
    now: number,
    deviceTime?: Date | null,
  ): UplinkEvent {
    const { header, message } = frame;
    const event: UplinkEvent = {
      v: EVENT_VERSION,
      id: `${this.#ctx.gateId}/${this.#ctx.connId}/${this.#seq++}`,
      kind,
      deviceImei: imei,
      protocol: 'jimi',
      protocolVersion: frameForm(header),
      gateId: this.#ctx.gateId,
      connId: this.#ctx.connId,
      receivedAt: iso(now),
      msgId: header.protocol,
      type: message.type,
      data,
    };
    if (deviceTime !== undefined)
      event.deviceTime = deviceTime === null || Number.isNaN(deviceTime.getTime()) ? null : deviceTime.toISOString();
    if (header.serial !== null) event.serial = header.serial;
    if (this.#includeRaw) event.raw = frame.raw.toString('hex');
    return event;
  }

  // ------------------------------------------------------------------------------------------
  // Downlink

  #command(input: Extract<SessionInput<JimiFrame>, { type: 'command' }>, now: number): StepResult {
    const { commandId, replyTo, command } = input;
    const done = (r: Extract<Effect, { type: 'command-result' }>['result']): StepResult =>
      result([], [], [{ type: 'command-result', commandId, replyTo, result: r }]);
    if (command.kind !== 'jimi-text') {
      return done({
        status: 'failed',
        code: 'IOTHUB_ERR_COMMAND_UNSUPPORTED',
        message: `${command.kind} on a Jimi device`,
      });
    }
    if (this.#imei === null) return done({ status: 'offline' });
    if (input.deadline <= now) return done({ status: 'timeout' });
    if (this.#pending.size >= this.#maxPending) return done({ status: 'busy' });
    const serverFlag = this.#allocateFlag();
    const language = command.language ?? this.#commandLanguage;
    let bytes: Buffer;
    try {
      const cmd: gt06.CommandInput = { command: command.text, serverFlag, serial: this.#allocateSerial() };
      if (language !== undefined) cmd.language = language;
      bytes = gt06.encodeCommand(cmd);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      return done({
        status: 'failed',
        code: 'IOTHUB_ERR_COMMAND_ENCODE',
        message: `${typeof code === 'string' ? `${code}: ` : ''}${(err as Error).message}`,
      });
    }
    const expiresAt = Math.min(input.deadline, now + this.#commandTimeoutMs);
    this.#pending.set(serverFlag, { commandId, replyTo, expiresAt });
    return result([{ bytes, durable: false, msgId: 0x80 }], [], []);
  }

  /**
   * Our own server flag (§5.8: opaque, echoed by the device), unique among the pending commands of
   * this connection; the caller's `serverFlag` is not used because replies could not be matched
   * when two callers pick the same value.
   */
  #allocateFlag(): number {
    let flag = this.#nextFlag;
    while (this.#pending.has(flag)) flag = flag >= 0xffffffff ? 1 : flag + 1;
    this.#nextFlag = flag >= 0xffffffff ? 1 : flag + 1;
    return flag;
  }

  #allocateSerial(): number {
    const serial = this.#nextSerial;
    this.#nextSerial = serial >= 0xffff ? 1 : serial + 1;
    return serial;
  }

  #tick(now: number): StepResult {
    if (this.#pending.size === 0) return result([], [], []);
    const effects: Effect[] = [];
    for (const [flag, p] of this.#pending) {
      if (p.expiresAt > now) continue;
      this.#pending.delete(flag);
      effects.push({
        type: 'command-result',
        commandId: p.commandId,
        replyTo: p.replyTo,
        result: { status: 'timeout' },
      });
    }
    return result([], [], effects);
  }

  #closed(code: string, now: number): StepResult {
    const effects: Effect[] = [];
    for (const p of this.#pending.values()) {
      effects.push({
        type: 'command-result',
        commandId: p.commandId,
        replyTo: p.replyTo,
        result: {
          status: 'failed',
          code: 'IOTHUB_ERR_COMMAND_CONNECTION_CLOSED',
          message: `connection closed (${code})`,
        },
      });
    }
    this.#pending.clear();
    const events: UplinkEvent[] = [];
    // LBS data still waiting for its position: published unresolved (never a dropped message).
    for (const p of this.#lbsPending.values()) {
      if (p.kind === 'data') {
        events.push(
          this.#locationEvent(p.frame, p.imei, p.query, p.deviceTime, null, 'IOTHUB_ERR_LBS_UNAVAILABLE', now),
        );
      }
    }
    this.#lbsPending.clear();
    if (this.#imei !== null) {
      const event: UplinkEvent = {
        v: EVENT_VERSION,
        id: `${this.#ctx.gateId}/${this.#ctx.connId}/${this.#seq++}`,
        kind: 'session',
        deviceImei: this.#imei,
        protocol: 'jimi',
        gateId: this.#ctx.gateId,
        connId: this.#ctx.connId,
        receivedAt: iso(now),
        msgId: 0,
        type: 'closed',
        data: { state: 'closed', reason: code, remoteAddress: this.#ctx.remoteAddress },
      };
      if (this.#loginForm !== undefined) event.protocolVersion = this.#loginForm;
      events.push(event);
    }
    return result([], events, effects);
  }
}

function result(replies: Reply[], events: UplinkEvent[], effects: Effect[], issues?: SessionIssue[]): StepResult {
  return issues && issues.length > 0 ? { replies, events, effects, issues } : { replies, events, effects };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Protocol number of an encoded reply (byte 3 of 78 78, byte 4 of 79 79). */
function replyMsgId(bytes: Buffer): number {
  return (bytes[0] === 0x79 ? bytes[4] : bytes[3]) ?? 0;
}

function assertNever(value: never): never {
  throw new Error(`unhandled session input ${JSON.stringify(value)}`);
}
