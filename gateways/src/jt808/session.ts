/**
 * JT/T 808 session: the pure state machine of one terminal connection (protocol.ts contract).
 * Replies follow protocols/jt808-jt1078.md §4, in the terminal's own header layout (2013 or 2019)
 * and phone, with the platform's own serial counter:
 *
 * | uplink                                  | reply                          | published as                 | durable |
 * |-----------------------------------------|--------------------------------|------------------------------|---------|
 * | 0x0100 register                         | 0x8100 (code, or 4 if refused) | register                     | no      |
 * | 0x0102 authentication                   | 0x8001 result 0 / 1            | auth (+ session login)       | no      |
 * | 0x0002 heartbeat, 0x0003 logout         | 0x8001                         | heartbeat / session logout   | no      |
 * | 0x0004 query server time (2019)         | 0x8004                         | info                         | no      |
 * | 0x0200, 0x0704 (type 1 = reupload)      | 0x8001                         | location (+ alarm if ≠ 0)    | yes     |
 * | 0x0800, 0x0900, 0x1210, 0x1211, others  | 0x8001                         | multimedia / transparent / attachment / info / unknown | yes |
 * | 0x1212 alarm file upload complete       | 0x9212 result 0                | attachment                   | yes     |
 * | 0x0801 multimedia data (reassembled)    | 0x8800 after the file is stored| multimedia (with the file)   | yes     |
 * | 0x0001, 0x0104, 0x0107, 0x0201, 0x0805, 0x1205, 0x0500, 0x1003 answering a command | none for 0x0001, 0x8001 otherwise | command-reply / resource-list | yes |
 *
 * Subpackaged messages are reassembled (`Jt808Reassembler`); every piece that does not complete the
 * message is answered 0x8001 (the completing one gets the message's own reply); after
 * `resendAfterMs` without progress a 0x8003 lists the missing pieces (once per `resendAfterMs`).
 *
 * Before a successful 0x0102 (or with a refused registration) other messages are answered 0x8001
 * result 1 (failure, so the terminal keeps the data and authenticates again) and not published,
 * unless `publishUnauthenticated` is set (then they are handled as if authenticated, keyed by the
 * header phone).
 */
import { randomBytes } from 'node:crypto';
import { jt808 } from '@iothub/codec';
import { type CommandResult, EVENT_VERSION, type EventKind, toEventData, type UplinkEvent } from '@iothub/core';
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
import type { Jt808Frame } from './framer.ts';
import { lbsQueryOfReport } from './lbs.ts';

export type RegistrationPolicy = { mode: 'open' } | { mode: 'allow-list'; allowed: ReadonlySet<string> };

export interface Jt808SessionOptions {
  /** Who may register / authenticate (deviceImei or full phone). Default open. */
  registration?: RegistrationPolicy;
  /** Auth code issued at registration. Default 12 random hex digits. */
  authCodeFor?: (phone: string) => string;
  /** Publish (and acknowledge) messages of terminals that have not authenticated. Default false. */
  publishUnauthenticated?: boolean;
  /** 2019 terminals: take `deviceImei` from the IMEI of 0x0102 instead of the phone. Default false. */
  imeiFromAuth?: boolean;
  /** Ask for missing subpackages (0x8003) after this long without progress. Default 5 s. */
  resendAfterMs?: number;
  /** Drop a partial message after this long without progress. Default 60 s. */
  reassemblyTimeoutMs?: number;
  /** Bytes held for partial messages per connection. Default 4 MiB. */
  reassemblyMaxBytes?: number;
  /** Put the frame (hex) in each event's `raw`. Default true. */
  includeRaw?: boolean;
}

interface PendingCommand {
  commandId: string;
  replyTo: string;
  deadline: number;
  /** The answer's message id (0x0001 unless the command has a dedicated answer). */
  answerId: number;
  serial: number;
}

/** Commands with their own answer message (protocols/jt808-jt1078.md §4). */
const DEDICATED_ANSWERS: ReadonlyMap<number, number> = new Map([
  [0x8104, 0x0104],
  [0x8106, 0x0104],
  [0x8107, 0x0107],
  [0x8201, 0x0201],
  [0x8801, 0x0805],
  [0x8802, 0x0802],
  [0x8302, 0x0302],
  [0x8500, 0x0500],
  [0x8700, 0x0700],
  [0x9003, 0x1003],
  [0x9201, 0x1205],
  [0x9205, 0x1205],
]);
const ANSWER_IDS: ReadonlySet<number> = new Set(DEDICATED_ANSWERS.values());

type Header = jt808.Jt808Header;
type Known = jt808.Jt808KnownMessage;

export class Jt808Session implements Session<Jt808Frame> {
  deviceImei: string | null = null;
  private authenticated = false;
  private phone: string | null = null;
  private serial = 0;
  private seq = 0;
  private effectIds = 0;
  private readonly o: Required<Omit<Jt808SessionOptions, 'authCodeFor'>> & {
    authCodeFor: (phone: string) => string;
  };
  // Per-connection tables are created on first use (issue #3: an idle connection holds none of
  // them; an empty Map costs ~200 bytes).
  private reassembler: jt808.Jt808Reassembler | null = null;
  private resendAt: Map<string, number> | null = null;
  private commands: Map<number, PendingCommand> | null = null;
  private pendingAuth: { id: number; header: Header; code: string; imei: string | null } | null = null;
  private pendingFiles: Map<
    number,
    { header: Header; body: jt808.Jt808BodyOf<'multimedia-data'>; receivedAt: number; raw: string | undefined }
  > | null = null;
  /** Current step's output. */
  private out: StepResult = newStep();

  constructor(
    private readonly ctx: SessionContext,
    options: Jt808SessionOptions = {},
  ) {
    this.o = {
      registration: options.registration ?? { mode: 'open' },
      authCodeFor: options.authCodeFor ?? (() => randomBytes(6).toString('hex')),
      publishUnauthenticated: options.publishUnauthenticated ?? false,
      imeiFromAuth: options.imeiFromAuth ?? false,
      resendAfterMs: options.resendAfterMs ?? 5_000,
      reassemblyTimeoutMs: options.reassemblyTimeoutMs ?? 60_000,
      reassemblyMaxBytes: options.reassemblyMaxBytes ?? 4 * 1024 * 1024,
      includeRaw: options.includeRaw ?? true,
    };
  }

  step(input: SessionInput<Jt808Frame>, now: number): StepResult {
    this.out = newStep();
    switch (input.type) {
      case 'frame':
        this.onFrame(input.frame, now);
        break;
      case 'auth-code':
        this.onAuthCode(input.id, input.code, now);
        break;
      case 'file-stored':
        this.onFileStored(input.id, input.location, now);
        break;
      case 'effect-failed':
        this.onEffectFailed(input.id, input.code, now);
        break;
      case 'location-resolved':
        this.onLocationResolved(input.id, input.location, 'IOTHUB_ERR_LBS_NOT_FOUND', now);
        break;
      case 'command':
        this.onCommand(input, now);
        break;
      case 'tick':
        this.onTick(now);
        break;
      case 'closed':
        this.onClosed(input.code, now);
        break;
      default: {
        const never: never = input;
        throw new Error(`unknown input ${(never as { type: string }).type}`);
      }
    }
    return this.out;
  }

  // ---- uplink ----

  private onFrame(f: Jt808Frame, now: number): void {
    const { header, message } = f.packet;
    this.phone ??= header.phone;
    this.lastHeader = header;
    const raw = this.o.includeRaw ? f.buf.toString('hex', f.start, f.end) : undefined;
    if (message.type === 'fragment') {
      this.reassembler ??= new jt808.Jt808Reassembler({
        maxPendingBytes: this.o.reassemblyMaxBytes,
        timeoutMs: this.o.reassemblyTimeoutMs,
      });
      const r = this.reassembler.push(header, message.body, now);
      for (const d of r.dropped) this.issue(d.issue.code, d.issue.detail);
      if (r.status === 'complete') {
        const m = r.message;
        const decoded = jt808.decodeJt808Body(m.msgId, m.body, { version: m.header.version });
        if (decoded.issue) this.issue(decoded.issue.code, decoded.issue.detail);
        this.resendAt?.delete(`${m.msgId}/${m.serial}`);
        // No `raw` for a reassembled message: it is several frames (and 0x0801 images are large).
        this.handle(m.header, m.serial, decoded.message, now, undefined);
        return;
      }
      if (r.status === 'invalid' || r.status === 'overflow') this.issue(r.issue.code, r.issue.detail);
      // An intermediate piece: acknowledged so the terminal sends the next one (JT/T 808-2019 §4.4.3.2).
      if (r.status === 'pending' || r.status === 'duplicate') this.general(header, header.serial, 0, false);
      return;
    }
    this.handle(header, header.serial, message, now, raw);
  }

  private handle(h: Header, serial: number, m: jt808.Jt808Message, now: number, raw: string | undefined): void {
    if (m.type === 'terminal-register') {
      this.onRegister(h, serial, m.body, now, raw);
      return;
    }
    if (m.type === 'terminal-authentication') {
      const imei = m.body.edition === 2019 ? m.body.imei : null;
      const id = ++this.effectIds;
      this.pendingAuth = { id, header: { ...h, serial }, code: m.body.authCode, imei };
      this.out.effects.push({ type: 'get-auth-code', id, phone: h.phone });
      return;
    }
    if (!this.authenticated && !this.o.publishUnauthenticated) {
      // Not authenticated: refuse (result 1) without publishing, so the terminal keeps the data.
      this.issue('IOTHUB_ERR_NOT_AUTHENTICATED', `0x${m.msgId.toString(16).padStart(4, '0')}`);
      if (m.type !== 'terminal-general-response') this.general(h, serial, 1, false);
      return;
    }
    const imei = this.deviceImei ?? jt808.phoneToDeviceId(h.phone);
    const ev = (kind: EventKind, data: unknown, deviceTime?: Date | null) =>
      this.event(kind, h, serial, m.type, data, now, raw, imei, deviceTime);
    switch (m.type) {
      case 'heartbeat':
        ev('heartbeat', m.body);
        this.general(h, serial, 0, false);
        return;
      case 'terminal-logout':
        ev('session', { action: 'logout' });
        this.general(h, serial, 0, false);
        this.authenticated = false;
        this.out.effects.push({ type: 'release' });
        this.deviceImei = null;
        return;
      case 'query-server-time':
        ev('info', m.body);
        this.reply(h, { type: 'server-time-response', body: { time: new Date(now) } }, false);
        return;
      case 'location-report': {
        const b = m.body;
        ev('location', b, b.time);
        if (b.alarm !== 0) ev('alarm', b, b.time);
        this.general(h, serial, 0, true);
        this.lbsOfReport(h, serial, b, now, raw, imei);
        return;
      }
      case 'location-batch': {
        const reupload = m.body.dataType === 1;
        for (const e of m.body.entries) {
          if (e.kind !== 'report') {
            this.issue(e.error.code, e.error.detail);
            continue;
          }
          const data = toEventData(e.report) as Record<string, unknown>;
          ev('location', { ...data, reupload, batchType: m.body.dataType }, e.report.time);
          if (e.report.alarm !== 0) ev('alarm', { ...data, reupload }, e.report.time);
          this.lbsOfReport(h, serial, e.report, now, undefined, imei, m.type);
        }
        this.general(h, serial, 0, true);
        return;
      }
      case 'multimedia-event':
        ev('multimedia', { stage: 'event', ...(toEventData(m.body) as object) });
        this.general(h, serial, 0, true);
        return;
      case 'multimedia-data': {
        const id = ++this.effectIds;
        this.pendingFiles ??= new Map();
        this.pendingFiles.set(id, {
          header: { ...h, serial },
          body: m.body,
          receivedAt: now,
          raw: undefined,
        });
        const ext = ['jpg', 'tif', 'mp3', 'wav', 'wmv'][m.body.mediaFormat] ?? 'bin';
        const name = `${imei}/${m.body.mediaId}-${m.body.channel}-${now}.${ext}`;
        this.out.effects.push({ type: 'store-file', id, name, data: m.body.data });
        return;
      }
      case 'uplink-pass-through':
        ev('transparent', m.body);
        this.general(h, serial, 0, true);
        return;
      case 'alarm-attachment-list':
      case 'alarm-file-info':
        ev('attachment', m.body);
        this.general(h, serial, 0, true);
        return;
      case 'alarm-file-upload-complete':
        ev('attachment', m.body);
        this.reply(
          h,
          {
            type: 'alarm-file-upload-complete-response',
            body: { fileName: m.body.fileName, fileType: m.body.fileType, result: 0, retransmits: [] },
          },
          true,
        );
        return;
      case 'terminal-general-response': {
        const cmd = this.commands?.get(m.body.replySerial);
        ev('command-reply', m.body);
        if (cmd) this.answer(cmd, m.msgId, m.body, now);
        return; // acknowledging an acknowledgement is unnecessary (§4)
      }
      case 'unknown':
        ev('unknown', { msgId: m.msgId, body: m.body, reason: m.reason });
        this.general(h, serial, 0, true);
        return;
      default:
        break;
    }
    if (ANSWER_IDS.has(m.msgId)) {
      const body = m.body as { replySerial?: number };
      const cmd = this.findCommand(m.msgId, body.replySerial);
      ev(m.msgId === 0x1205 ? 'resource-list' : 'command-reply', m.body);
      if (cmd) this.answer(cmd, m.msgId, m.body, now);
      this.general(h, serial, 0, true);
      return;
    }
    ev('info', m.body);
    this.general(h, serial, 0, true);
  }

  private onRegister(
    h: Header,
    serial: number,
    body: jt808.Jt808BodyOf<'terminal-register'>,
    now: number,
    raw: string | undefined,
  ): void {
    const imei = jt808.phoneToDeviceId(h.phone);
    const allowed = this.allowed(h.phone, imei);
    this.event('register', h, serial, 'terminal-register', { ...body, accepted: allowed }, now, raw, imei);
    if (!allowed) {
      this.issue('IOTHUB_ERR_REGISTER_REFUSED', imei);
      this.reply(h, { type: 'register-response', body: { replySerial: serial, result: 4 } }, false);
      return;
    }
    const code = this.o.authCodeFor(h.phone);
    this.out.effects.push({ type: 'set-auth-code', phone: h.phone, code });
    this.reply(h, { type: 'register-response', body: { replySerial: serial, result: 0, authCode: code } }, false);
  }

  private allowed(phone: string, imei: string): boolean {
    const p = this.o.registration;
    return p.mode === 'open' || p.allowed.has(imei) || p.allowed.has(phone);
  }

  private onAuthCode(id: number, stored: string | null, now: number): void {
    const a = this.pendingAuth;
    if (!a || a.id !== id) return;
    this.pendingAuth = null;
    const h = a.header;
    const phoneImei = jt808.phoneToDeviceId(h.phone);
    const imei = this.o.imeiFromAuth && a.imei ? a.imei : phoneImei;
    const ok = stored !== null && stored === a.code && this.allowed(h.phone, phoneImei);
    this.event('auth', h, h.serial, 'terminal-authentication', { success: ok, imei: a.imei }, now, undefined, imei);
    if (!ok) {
      this.issue('IOTHUB_ERR_AUTH_FAILED', phoneImei);
      this.general(h, h.serial, 1, false);
      return;
    }
    const first = !this.authenticated;
    this.authenticated = true;
    this.deviceImei = imei;
    this.out.effects.push({ type: 'claim', deviceImei: imei, protocolVersion: String(h.version) });
    if (first)
      this.event(
        'session',
        h,
        h.serial,
        'login',
        { action: 'login', remoteAddress: this.ctx.remoteAddress },
        now,
        undefined,
        imei,
      );
    this.general(h, h.serial, 0, false);
  }

  private onFileStored(id: number, location: string, now: number): void {
    const p = this.pendingFiles?.get(id);
    if (!p) return;
    this.pendingFiles?.delete(id);
    const { data, ...meta } = p.body;
    const h = p.header;
    this.event(
      'multimedia',
      h,
      h.serial,
      'multimedia-data',
      { stage: 'data', ...(toEventData(meta) as object), file: location, size: data.length },
      now,
      undefined,
      this.deviceImei ?? jt808.phoneToDeviceId(h.phone),
      p.body.location?.time,
    );
    this.reply(h, { type: 'multimedia-upload-response', body: { mediaId: p.body.mediaId, packageIds: [] } }, true);
  }

  /**
   * Base-station / WiFi data of a report without a GPS fix (lbs.ts): the raw cells go out as an
   * `lbs` (or `wifi`) event in the report's step (covered by its durable 0x8001), the position
   * follows as a `location` event with `postType` 2 / 3 once the LBS answered (docs/events.md).
   */
  private lbsOfReport(
    h: Header,
    serial: number,
    b: jt808.LocationReport,
    now: number,
    raw: string | undefined,
    imei: string,
    type = 'location-report',
  ): void {
    if ((b.status & 0x2) !== 0) return; // positioned: the GPS fix is the position
    const query = lbsQueryOfReport(b, imei);
    if (!query) return;
    const kind: EventKind = query.cells.length === 0 ? 'wifi' : 'lbs';
    this.event(kind, h, serial, type, { cells: query.cells, wifi: query.wifi }, now, raw, imei, b.time);
    const id = ++this.effectIds;
    this.pendingLbs.set(id, { header: { ...h, serial }, query, time: b.time, imei, type });
    this.out.effects.push({ type: 'resolve-location', id, query });
  }

  private readonly pendingLbs = new Map<
    number,
    { header: Header; query: LocationQuery; time: Date | null; imei: string; type: string }
  >();

  private onLocationResolved(id: number, location: ResolvedLocation | null, code: string, now: number): void {
    const p = this.pendingLbs.get(id);
    if (!p) return;
    this.pendingLbs.delete(id);
    const hasWifi = p.query.wifi.length > 0;
    const lbsType = location?.type ?? 0;
    const data: Record<string, unknown> = {
      latitude: location?.lat ?? 0,
      longitude: location?.lng ?? 0,
      accuracy: location?.accuracy ?? 0,
      // docs/events.md: 3 when WiFi took part (also mixed), 2 for cells only.
      postType: lbsType === 2 || lbsType === 3 ? 3 : lbsType === 4 ? 2 : hasWifi ? 3 : 2,
      resolved: location !== null,
      lbsType,
      cells: p.query.cells,
      wifi: p.query.wifi,
    };
    if (!location) data.reason = code;
    const h = p.header;
    this.event('location', h, h.serial, p.type, data, now, undefined, p.imei, p.time);
  }

  private onEffectFailed(id: number, code: string, now: number): void {
    if (this.pendingLbs.has(id)) {
      this.onLocationResolved(id, null, code, now);
      return;
    }
    if (this.pendingAuth?.id === id) {
      this.onAuthCode(id, null, now);
      return;
    }
    const p = this.pendingFiles?.get(id);
    if (p) {
      this.pendingFiles?.delete(id);
      this.issue(code, 'multimedia not stored');
      this.general(p.header, p.header.serial, 1, false);
    }
  }

  // ---- downlink ----

  private onCommand(c: Extract<SessionInput<Jt808Frame>, { type: 'command' }>, now: number): void {
    const fail = (code: string, message: string) =>
      this.result(c.commandId, c.replyTo, { status: 'failed', code, message });
    if (!this.phone || !this.lastHeader) {
      fail('IOTHUB_ERR_COMMAND_OFFLINE', 'no terminal on this connection');
      return;
    }
    if (c.deadline <= now) {
      this.result(c.commandId, c.replyTo, { status: 'timeout' });
      return;
    }
    const cmd = c.command;
    let message: Pick<Known, 'type' | 'body'>;
    if (cmd.kind === 'jt808') {
      message = { type: cmd.type, body: reviveCommandBody(cmd.body) } as Pick<Known, 'type' | 'body'>;
    } else if (cmd.kind === 'jt808-text') {
      const body: jt808.Jt808BodyOf<'text-message'> = { flag: cmd.flag ?? 0x08, text: cmd.text };
      if (this.lastHeader.version === 2019) body.textType = 1;
      message = { type: 'text-message', body };
    } else {
      fail('IOTHUB_ERR_COMMAND_ENCODE', `${cmd.kind} is not a JT/T 808 command`);
      return;
    }
    const serial = this.nextSerial();
    let bytes: Buffer;
    try {
      bytes = jt808.encodeJt808(this.replyHeader(this.lastHeader, serial), message);
    } catch (err) {
      fail('IOTHUB_ERR_COMMAND_ENCODE', err instanceof Error ? err.message : String(err));
      return;
    }
    const msgId = jt808.codecForType(message.type)?.msgId ?? 0;
    this.commands ??= new Map();
    this.commands.set(serial, {
      commandId: c.commandId,
      replyTo: c.replyTo,
      deadline: c.deadline,
      answerId: DEDICATED_ANSWERS.get(msgId) ?? 0x0001,
      serial,
    });
    this.out.replies.push({ bytes, durable: false, msgId });
  }

  private findCommand(answerId: number, replySerial: number | undefined): PendingCommand | undefined {
    if (replySerial !== undefined) {
      const c = this.commands?.get(replySerial);
      return c && c.answerId === answerId ? c : undefined;
    }
    // Answers without a reply serial (0x0107, 0x1003): the oldest command expecting that answer.
    for (const c of this.commands?.values() ?? []) if (c.answerId === answerId) return c;
    return undefined;
  }

  private answer(cmd: PendingCommand, msgId: number, body: unknown, now: number): void {
    this.commands?.delete(cmd.serial);
    this.result(cmd.commandId, cmd.replyTo, {
      status: 'replied',
      msgId,
      reply: toEventData(body) as Record<string, unknown>,
      receivedAt: new Date(now).toISOString(),
    });
  }

  private result(commandId: string, replyTo: string, result: CommandResult): void {
    this.out.effects.push({ type: 'command-result', commandId, replyTo, result });
  }

  // ---- timers and end ----

  private onTick(now: number): void {
    for (const c of this.commands?.values() ?? []) {
      if (c.deadline <= now) {
        this.commands?.delete(c.serial);
        this.result(c.commandId, c.replyTo, { status: 'timeout' });
      }
    }
    if (this.reassembler === null || this.reassembler.size === 0) return;
    for (const d of this.reassembler.expire(now)) this.issue(d.issue.code, d.issue.detail);
    for (const m of this.reassembler.missing(now, this.o.resendAfterMs)) {
      const key = `${m.msgId}/${m.firstSerial}`;
      const last = this.resendAt?.get(key);
      if (last !== undefined && now - last < this.o.resendAfterMs) continue;
      this.resendAt ??= new Map();
      this.resendAt.set(key, now);
      // One 0x8003 must fit one frame (body ≤ 1023 bytes): 2019 has a WORD count (≤ 509 indexes of
      // 2 bytes after serial + count), 2013 a BYTE count (≤ 255). The rest is asked for next time.
      const indexes = m.missing.slice(0, m.header.version === 2019 ? 509 : 255);
      this.reply(
        m.header,
        { type: 'resend-subpackage-request', body: { firstSerial: m.firstSerial, packageIndexes: indexes } },
        false,
      );
    }
  }

  private onClosed(code: string, now: number): void {
    for (const c of this.commands?.values() ?? []) this.result(c.commandId, c.replyTo, { status: 'offline' });
    this.commands?.clear();
    // Base-station data still waiting for its position: published unresolved (never dropped).
    for (const id of [...this.pendingLbs.keys()]) this.onLocationResolved(id, null, 'IOTHUB_ERR_LBS_UNAVAILABLE', now);
    if (this.authenticated && this.deviceImei !== null && this.lastHeader) {
      const h = this.lastHeader;
      this.event('session', h, h.serial, 'logout', { action: 'closed', code }, now, undefined, this.deviceImei);
    }
  }

  // ---- helpers ----

  private lastHeader: Header | null = null;

  private replyHeader(h: Header, serial: number): jt808.Jt808EncodeHeader {
    const out: jt808.Jt808EncodeHeader = { version: h.version, phone: h.phone, serial };
    if (h.version === 2019) out.protocolVersion = h.protocolVersion ?? 1;
    return out;
  }

  private nextSerial(): number {
    const s = this.serial;
    this.serial = (this.serial + 1) & 0xffff;
    return s;
  }

  private reply(h: Header, message: Pick<Known, 'type' | 'body'>, durable: boolean): void {
    const bytes = jt808.encodeJt808(this.replyHeader(h, this.nextSerial()), message);
    const r: Reply = { bytes, durable };
    const id = jt808.codecForType(message.type)?.msgId;
    if (id !== undefined) r.msgId = id;
    this.out.replies.push(r);
  }

  /** 0x8001 platform general response to the message (h.msgId, serial). */
  private general(h: Header, serial: number, result: number, durable: boolean): void {
    this.reply(
      h,
      { type: 'platform-general-response', body: { replySerial: serial, replyMsgId: h.msgId, result } },
      durable,
    );
  }

  private event(
    kind: EventKind,
    h: Header,
    serial: number,
    type: string,
    data: unknown,
    now: number,
    raw: string | undefined,
    imei: string,
    deviceTime?: Date | null,
  ): void {
    const e: UplinkEvent = {
      v: EVENT_VERSION,
      id: `${this.ctx.gateId}:${this.ctx.connId}:${++this.seq}`,
      kind,
      deviceImei: imei,
      protocol: 'jt808',
      protocolVersion: String(h.version),
      gateId: this.ctx.gateId,
      connId: this.ctx.connId,
      receivedAt: new Date(now).toISOString(),
      msgId: h.msgId,
      serial,
      type,
      data: toEventData(data) as Record<string, unknown>,
    };
    if (deviceTime !== undefined)
      e.deviceTime = deviceTime && !Number.isNaN(deviceTime.getTime()) ? deviceTime.toISOString() : null;
    if (raw !== undefined) e.raw = raw;
    this.out.events.push(e);
  }

  private issue(code: string, detail?: string): void {
    const i: SessionIssue = { code };
    if (detail !== undefined) i.detail = detail;
    if (this.out.issues === undefined) this.out.issues = [];
    this.out.issues.push(i);
  }
}

function newStep(): StepResult {
  return { replies: [], events: [], effects: [] as Effect[] };
}

/**
 * A `jt808` command body as it crossed the control channel (JSON) → the codec's body types. The
 * router (issue #4, docs/router.md "Command bodies on the wire") writes instants as ISO strings
 * (fields `startTime`, `endTime`, `seekTime`), 64-bit words as decimal strings (`alarmFlags`) and
 * bytes as `{ "$hex": "…" }`; everything else is plain JSON already.
 */
export function reviveCommandBody(value: unknown, key = ''): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === 'string') {
    if ((key === 'startTime' || key === 'endTime' || key === 'seekTime') && /^\d{4}-\d\d-\d\dT/.test(value)) {
      const d = new Date(value);
      return Number.isNaN(d.getTime()) ? value : d;
    }
    if (key === 'alarmFlags' && /^\d{1,20}$/.test(value)) return BigInt(value);
    return value;
  }
  if (typeof value === 'number' && key === 'alarmFlags' && Number.isSafeInteger(value) && value >= 0) {
    return BigInt(value);
  }
  if (Array.isArray(value)) return value.map((v) => reviveCommandBody(v));
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0] === '$hex' && typeof o.$hex === 'string' && /^([0-9a-fA-F]{2})*$/.test(o.$hex)) {
      return Buffer.from(o.$hex, 'hex');
    }
    const out: Record<string, unknown> = {};
    for (const k of keys) out[k] = reviveCommandBody(o[k], k);
    return out;
  }
  return value;
}
