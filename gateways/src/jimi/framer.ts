/**
 * Jimi / GT06 framer for the runtime: the codec's streaming `Gt06Framer` (resync, clone forms,
 * CRC verdict, bounded memory) followed by the packet decoder, so the session receives typed
 * packets. Never throws: framing and decoding problems go to `handler.issue` with the codec's
 * stable codes.
 */
import { type CodecIssue, gt06 } from '@iothub/codec';
import type { FrameHandler, ProtocolFramer } from '../common/protocol.ts';

/** A decoded frame, as the session receives it. */
export interface JimiFrame {
  header: gt06.Gt06Header;
  message: gt06.Gt06Message;
  /** Non-fatal decode problems (trailing bytes, undecodable content); the CRC verdict is in `header.crcOk`. */
  issues: CodecIssue[];
  /** The whole frame as received (start bytes through 0D 0A). A view: valid while the chunk is not reused. */
  raw: Buffer;
}

export interface JimiFramerOptions {
  maxFrameSize: number;
  /** Drop frames with a wrong CRC instead of delivering them flagged (§2.3: off by default). */
  dropBadCrc?: boolean;
  /** Decode options (wire time zone, device model profile). */
  decode?: gt06.Gt06DecodeOptions;
  /**
   * Take the wire time zone from the device's login (§3.9: the time zone word of a LEN 0x11 login)
   * for the frames that follow it on this connection; `decode.timeOffsetMinutes` applies until then
   * and to logins without one.
   */
  timeZoneFromLogin?: boolean;
}

export class JimiFramer implements ProtocolFramer<JimiFrame> {
  readonly #framer: gt06.Gt06Framer;
  #decode: gt06.Gt06DecodeOptions | undefined;
  readonly #timeZoneFromLogin: boolean;
  #handler: FrameHandler<JimiFrame> | null = null;
  readonly #sink: gt06.Gt06FrameSink;

  constructor(options: JimiFramerOptions) {
    const framerOptions: gt06.Gt06FramerOptions = { maxFrameSize: options.maxFrameSize };
    if (options.dropBadCrc !== undefined) framerOptions.dropBadCrc = options.dropBadCrc;
    this.#framer = new gt06.Gt06Framer(framerOptions);
    this.#decode = options.decode;
    this.#timeZoneFromLogin = options.timeZoneFromLogin ?? false;
    this.#sink = {
      frame: (frame, crcOk) => this.#emit(frame, 0, frame.length, crcOk),
      frameAt: (buf, start, end, crcOk) => this.#emit(buf, start, end, crcOk),
      issue: (issue) => this.#handler?.issue(issue),
    };
  }

  get stats(): gt06.Gt06FramerStats {
    return this.#framer.stats;
  }

  push(chunk: Buffer, handler: FrameHandler<JimiFrame>): void {
    this.#handler = handler;
    try {
      this.#framer.push(chunk, this.#sink);
    } finally {
      this.#handler = null;
    }
  }

  #emit(buf: Buffer, start: number, end: number, crcOk: boolean | null): void {
    const handler = this.#handler;
    if (!handler) return;
    const r = gt06.decodeGt06FrameAt(buf, start, end, crcOk, this.#decode);
    if (!r.ok) {
      handler.issue(r.issue);
      return;
    }
    if (this.#timeZoneFromLogin && r.message.type === 'login' && r.message.body.timeZone) {
      // Per device (product.md, jimi-gt06.md §8.8): old firmware sends local time.
      this.#decode = { ...this.#decode, timeOffsetMinutes: r.message.body.timeZone.offsetMinutes };
    }
    // The framer has already reported a CRC mismatch; report only the decoder's own issues.
    for (const issue of r.issues) if (issue.code !== 'IOTHUB_ERR_FRAME_CHECKSUM') handler.issue(issue);
    handler.frame(
      { header: r.header, message: r.message, issues: r.issues, raw: buf.subarray(start, end) },
      r.header.protocol,
    );
  }
}
