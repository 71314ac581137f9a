import { defineMessage } from '../message.ts';

/**
 * 0x9105 Real-time audio/video transmission status notification (P→T), sent by the platform while a
 * live stream runs. JT/T 1078-2016; layout from SmallChi `Extensions.JT1078/MessageBody/JT808_0x9105.cs`
 * and go-jt808 `p_0x9105.go`. Same body under 808-2011/2013/2019 headers.
 *
 * | field            | type | notes                                                  |
 * |------------------|------|--------------------------------------------------------|
 * | channel          | BYTE | logical channel                                        |
 * | packet-loss rate | BYTE | loss rate of the channel × 100, integer part (percent) |
 */
export interface LiveAvStatus {
  /** Logical channel number. */
  channel: number;
  /** Packet-loss rate in percent (rate × 100, integer part). */
  packetLossRate: number;
}

export const m9105 = defineMessage({
  msgId: 0x9105,
  type: 'live-av-status',
  direction: 'down',
  decode(r): LiveAvStatus {
    return { channel: r.u8(), packetLossRate: r.u8() };
  },
  encode(w, b: LiveAvStatus) {
    w.u8(b.channel).u8(b.packetLossRate);
  },
});
