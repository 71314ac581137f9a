import { defineMessage } from '../message.ts';
import { writeAvString } from './av-fields.ts';

/**
 * 0x9101 Real-time audio/video transmission request (P→T), acked with 0x0001; the terminal then
 * opens a new connection to serverIp:port and streams JT/T 1078 packets (protocols/jt808-jt1078.md §7, §9).
 * JT/T 1078-2016; layout from SmallChi `Extensions.JT1078/MessageBody/JT808_0x9101.cs` and go-jt808
 * `p_0x9101.go`. Same body under 808-2011/2013/2019 headers.
 *
 * | field          | type   | notes                                                               |
 * |----------------|--------|---------------------------------------------------------------------|
 * | IP length      | BYTE   |                                                                     |
 * | server IP      | STRING | address or host name                                                |
 * | TCP port       | WORD   | 0 when not using TCP                                                |
 * | UDP port       | WORD   | 0 when not using UDP (both set: TCP normally wins)                  |
 * | channel        | BYTE   | logical channel                                                     |
 * | data type      | BYTE   | 0 audio+video, 1 video, 2 two-way talk, 3 listen, 4 broadcast, 5 pass-through |
 * | stream type    | BYTE   | 0 main, 1 sub                                                       |
 *
 * Example (SmallChi test, re-derived): `09 3132372e302e302e31 0760 0000 01 01 01` =
 * 127.0.0.1, TCP 1888, UDP 0, channel 1, video, sub stream.
 */
export interface LiveAvRequest {
  /** Media server address (IPv4 text or host name). */
  serverIp: string;
  /** Media server TCP port; 0 when TCP is not used. */
  tcpPort: number;
  /** Media server UDP port; 0 when UDP is not used. */
  udpPort: number;
  /** Logical channel number (1-based). */
  channel: number;
  /** 0 audio and video, 1 video, 2 two-way talk, 3 listen, 4 central broadcast, 5 pass-through. */
  dataType: number;
  /** 0 main stream, 1 sub stream. */
  streamType: number;
}

export const m9101 = defineMessage({
  msgId: 0x9101,
  type: 'live-av-request',
  direction: 'down',
  decode(r): LiveAvRequest {
    return {
      serverIp: r.lengthPrefixedString(1),
      tcpPort: r.u16(),
      udpPort: r.u16(),
      channel: r.u8(),
      dataType: r.u8(),
      streamType: r.u8(),
    };
  },
  encode(w, b: LiveAvRequest) {
    writeAvString(w, b.serverIp, 'serverIp');
    w.u16(b.tcpPort).u16(b.udpPort).u8(b.channel).u8(b.dataType).u8(b.streamType);
  },
});
