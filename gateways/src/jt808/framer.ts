/**
 * JT/T 808 framer for the runtime: the codec's `Jt808Framer` on its allocation-free `frameAt` path,
 * each frame decoded with `decodeJt808FrameAt` and handed out with its position in the buffer (the
 * session keeps the raw bytes of a frame for the event's `raw` field only when asked).
 */
import { type CodecIssue, jt808 } from '@iothub/codec';
import type { FrameHandler, ProtocolFramer } from '../common/protocol.ts';

export interface Jt808Frame {
  packet: jt808.Jt808Packet;
  /** The unescaped frame is `buf[start, end)`. */
  buf: Buffer;
  start: number;
  end: number;
}

export class Jt808ProtocolFramer implements ProtocolFramer<Jt808Frame>, jt808.Jt808FrameSink {
  private readonly framer: jt808.Jt808Framer;
  private handler: FrameHandler<Jt808Frame> | null = null;

  constructor(options: { maxFrameSize: number }) {
    this.framer = new jt808.Jt808Framer({ maxFrameSize: options.maxFrameSize });
  }

  push(chunk: Buffer, handler: FrameHandler<Jt808Frame>): void {
    this.handler = handler;
    this.framer.push(chunk, this);
  }

  frame(frame: Buffer, checksumOk: boolean): void {
    this.frameAt(frame, 0, frame.length, checksumOk);
  }

  frameAt(buf: Buffer, start: number, end: number, checksumOk: boolean): void {
    const r = jt808.decodeJt808FrameAt(buf, start, end, checksumOk);
    if (!r.ok) {
      this.handler!.issue(r.issue);
      return;
    }
    for (const issue of r.issues) if (issue.code !== 'IOTHUB_ERR_FRAME_CHECKSUM') this.handler!.issue(issue);
    this.handler!.frame({ packet: r, buf, start, end }, r.header.msgId);
  }

  issue(issue: CodecIssue): void {
    this.handler!.issue(issue);
  }
}
