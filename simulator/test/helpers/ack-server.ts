import { createServer, type Server, type Socket } from 'node:net';
import { type CodecIssue, gt06, jt808 } from '@iothub/codec';

/**
 * A small acknowledging server for the simulator's own tests, built on the codec (the real
 * gateways are written elsewhere). JT/T 808: 0x0100 → 0x8100 with an auth code, 0x0102 → 0x8001
 * (result 1 when the code is wrong), 0x0002 / 0x0200 / 0x0704 → 0x8001. Jimi: `ackFor` (login,
 * heartbeat, alarm) and a generic ack for 0x22 (as a durable-ack gateway does). It records what
 * it received, can send downlink commands and can drop every connection.
 */
export interface Received {
  conn: number;
  /** JT/T 808 message id or Jimi protocol number. */
  id: number;
  serial: number;
  type: string;
  /** Phone (JT/T 808) or IMEI from the login (Jimi). */
  device: string;
  message: jt808.Jt808Message | gt06.Gt06Message;
  version?: 2013 | 2019;
}

export interface AckServerOptions {
  protocol: 'jt808' | 'jimi';
  /** Acknowledge data messages (heartbeats, locations, alarms, batches). Default true. */
  ackData?: boolean;
  /** Jimi: acknowledge 0x22 locations (the reference does not; durable-ack gateways may). Default true. */
  ackLocations?: boolean;
  /** Answer 0x0102 with result 1 whatever the code. */
  refuseAuth?: boolean;
}

interface Conn {
  id: number;
  socket: Socket;
  device: string;
  version: 2013 | 2019;
  jt?: jt808.Jt808Framer;
  gt?: gt06.Gt06Framer;
}

export class AckServer {
  readonly received: Received[] = [];
  readonly issues: CodecIssue[] = [];
  readonly remoteAddresses: string[] = [];
  private readonly server: Server;
  private readonly conns = new Set<Conn>();
  private readonly options: AckServerOptions;
  private nextConn = 1;
  private serial = 0;
  port = 0;

  constructor(options: AckServerOptions) {
    this.options = options;
    this.server = createServer((s) => this.accept(s));
  }

  async listen(host = '127.0.0.1'): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, host, resolve));
    const a = this.server.address();
    if (a === null || typeof a === 'string') throw new Error('no address');
    this.port = a.port;
    return a.port;
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Destroy every open connection (the simulator should reconnect). */
  dropAll(): void {
    for (const c of this.conns) c.socket.destroy();
    this.conns.clear();
  }

  get connections(): number {
    return this.conns.size;
  }

  count(type: string): number {
    let n = 0;
    for (const r of this.received) if (r.type === type) n++;
    return n;
  }

  private accept(socket: Socket): void {
    const c: Conn = { id: this.nextConn++, socket, device: '', version: 2013 };
    if (socket.remoteAddress) this.remoteAddresses.push(socket.remoteAddress);
    if (this.options.protocol === 'jt808') c.jt = new jt808.Jt808Framer();
    else c.gt = new gt06.Gt06Framer();
    this.conns.add(c);
    socket.on('data', (chunk: Buffer) => this.onData(c, chunk));
    socket.on('error', () => {});
    socket.on('close', () => this.conns.delete(c));
  }

  private onData(c: Conn, chunk: Buffer): void {
    const issue = (i: CodecIssue) => this.issues.push(i);
    if (c.jt) c.jt.push(chunk, { frame: (f, ok) => this.onJt808(c, f, ok), issue });
    else c.gt?.push(chunk, { frame: (f, ok) => this.onJimi(c, f, ok), issue });
  }

  private onJt808(c: Conn, frame: Buffer, ok: boolean): void {
    const res = jt808.decodeJt808Frame(Buffer.from(frame), ok);
    if (!res.ok) {
      this.issues.push(res.issue);
      return;
    }
    const { header, message } = res;
    c.device = header.phone;
    c.version = header.version;
    this.received.push({
      conn: c.id,
      id: header.msgId,
      serial: header.serial,
      type: message.type,
      device: header.phone,
      message,
      version: header.version,
    });
    const h = { version: header.version, phone: header.phone, serial: this.nextSerial() };
    const general = (result: number) =>
      jt808.encodeJt808(h, {
        type: 'platform-general-response',
        body: { replySerial: header.serial, replyMsgId: header.msgId, result },
      });
    switch (message.type) {
      case 'terminal-register':
        c.socket.write(
          jt808.encodeJt808(h, {
            type: 'register-response',
            body: { replySerial: header.serial, result: 0, authCode: AckServer.authCodeFor(header.phone) },
          }),
        );
        return;
      case 'terminal-authentication': {
        const good = !this.options.refuseAuth && message.body.authCode === AckServer.authCodeFor(header.phone);
        c.socket.write(general(good ? 0 : 1));
        return;
      }
      case 'heartbeat':
      case 'location-report':
      case 'location-batch':
        if (this.options.ackData !== false) c.socket.write(general(0));
        return;
      default:
        return;
    }
  }

  private onJimi(c: Conn, frame: Buffer, crcOk: boolean | null): void {
    const res = gt06.decodeGt06Frame(Buffer.from(frame), crcOk);
    if (!res.ok) {
      this.issues.push(res.issue);
      return;
    }
    const { header, message } = res;
    if (message.type === 'login') c.device = message.body.imei;
    this.received.push({
      conn: c.id,
      id: header.protocol,
      serial: header.serial ?? -1,
      type: message.type,
      device: c.device,
      message,
    });
    if (message.type !== 'login' && this.options.ackData === false) return;
    if (message.type === 'location' && this.options.ackLocations === false) return;
    const reply =
      message.type === 'location'
        ? gt06.encodeGt06({ serial: header.serial ?? 0 }, { type: 'ack', protocol: header.protocol, body: {} })
        : gt06.ackFor(res);
    if (reply) c.socket.write(reply);
  }

  private nextSerial(): number {
    this.serial = (this.serial + 1) & 0xffff;
    return this.serial;
  }

  static authCodeFor(phone: string): string {
    return `AC${phone.slice(-6)}`;
  }

  private connFor(device: string): Conn {
    for (const c of this.conns) if (c.device === device) return c;
    throw new Error(`no connection for ${device}`);
  }

  /** Send a JT/T 808 platform message to the device with this phone number; returns its serial. */
  sendJt808(phone: string, message: Pick<jt808.Jt808KnownMessage, 'type' | 'body'>): number {
    const c = this.connFor(phone);
    const serial = this.nextSerial();
    c.socket.write(jt808.encodeJt808({ version: c.version, phone, serial }, message));
    return serial;
  }

  /** Send a raw JT/T 808 frame around a body (ids without a codec, e.g. 0x9101). */
  sendJt808Raw(phone: string, msgId: number, body: Buffer): number {
    const c = this.connFor(phone);
    const serial = this.nextSerial();
    c.socket.write(jt808.encodeJt808Raw({ msgId, version: c.version, phone, serial }, body));
    return serial;
  }

  /** Send a Jimi 0x80 online command to the device with this IMEI. */
  sendJimiCommand(imei: string, command: string, serverFlag: number): void {
    this.connFor(imei).socket.write(gt06.encodeCommand({ command, serverFlag, serial: this.nextSerial() }));
  }
}

/** Poll `check` until it returns true (every 10 ms), failing after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
