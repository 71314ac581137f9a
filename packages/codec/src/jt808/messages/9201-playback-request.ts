import { defineMessage } from '../message.ts';
import { writeAvString, writeAvTime } from './av-fields.ts';

/**
 * 0x9201 Remote recording playback request (P→T), acked with 0x0001 (**verify**: some terminals
 * answer 0x1205); the stream goes to serverIp:port as for 0x9101.
 * JT/T 1078-2016; layout from SmallChi `Extensions.JT1078/MessageBody/JT808_0x9201.cs` and go-jt808
 * `p_0x9201.go` (protocols/jt808-jt1078.md §7). Same body under 808-2011/2013/2019 headers.
 *
 * | field         | type   | notes                                                                 |
 * |---------------|--------|-----------------------------------------------------------------------|
 * | IP length     | BYTE   |                                                                       |
 * | server IP     | STRING |                                                                       |
 * | TCP port      | WORD   | 0 when not using TCP                                                  |
 * | UDP port      | WORD   | 0 when not using UDP                                                  |
 * | channel       | BYTE   | logical channel                                                       |
 * | media type    | BYTE   | 0 audio+video, 1 audio, 2 video, 3 audio or video                     |
 * | stream type   | BYTE   | 0 main or sub, 1 main, 2 sub                                          |
 * | storage type  | BYTE   | 0 main or backup, 1 main, 2 disaster-backup                           |
 * | playback mode | BYTE   | 0 normal, 1 fast-forward, 2 key-frame rewind, 3 key-frame only, 4 single frame |
 * | speed         | BYTE   | (modes 1, 2) 0 n/a, 1 ×1, 2 ×2, 3 ×4, 4 ×8, 5 ×16                     |
 * | start time    | BCD[6] | wire time zone; mode 4: the single frame's time                       |
 * | end time      | BCD[6] | wire time zone; all zero = to the end (**verify**); ignored in mode 4 |
 */
export interface PlaybackRequest {
  /** Media server address (IPv4 text or host name). */
  serverIp: string;
  /** Media server TCP port; 0 when TCP is not used. */
  tcpPort: number;
  /** Media server UDP port; 0 when UDP is not used. */
  udpPort: number;
  /** Logical channel number. */
  channel: number;
  /** 0 audio and video, 1 audio, 2 video, 3 audio or video. */
  mediaType: number;
  /** 0 main or sub, 1 main, 2 sub. */
  streamType: number;
  /** 0 main or backup storage, 1 main storage, 2 disaster-backup storage. */
  storageType: number;
  /** 0 normal, 1 fast-forward, 2 key-frame rewind, 3 key frames only, 4 single-frame upload. */
  playbackMode: number;
  /** Fast-forward / rewind factor code (modes 1 and 2): 0 n/a, 1 ×1, 2 ×2, 3 ×4, 4 ×8, 5 ×16. */
  speed: number;
  /** Playback start (mode 4: the frame time); null = all zeros. */
  startTime: Date | null;
  /** Playback end; null = all zeros (to the end). */
  endTime: Date | null;
}

export const m9201 = defineMessage({
  msgId: 0x9201,
  type: 'playback-request',
  direction: 'down',
  decode(r, ctx): PlaybackRequest {
    return {
      serverIp: r.lengthPrefixedString(1),
      tcpPort: r.u16(),
      udpPort: r.u16(),
      channel: r.u8(),
      mediaType: r.u8(),
      streamType: r.u8(),
      storageType: r.u8(),
      playbackMode: r.u8(),
      speed: r.u8(),
      startTime: r.bcdTime(ctx.timeOffsetMinutes),
      endTime: r.bcdTime(ctx.timeOffsetMinutes),
    };
  },
  encode(w, b: PlaybackRequest, ctx) {
    writeAvString(w, b.serverIp, 'serverIp');
    w.u16(b.tcpPort).u16(b.udpPort).u8(b.channel).u8(b.mediaType).u8(b.streamType).u8(b.storageType);
    w.u8(b.playbackMode).u8(b.speed);
    writeAvTime(w, b.startTime, ctx, 'startTime');
    writeAvTime(w, b.endTime, ctx, 'endTime');
  },
});
