import { defineMessage } from '../message.ts';

/**
 * 0x1003 Terminal uploads audio/video attributes (T→P), the answer to 0x9003.
 * JT/T 1078-2016 §5.5.x; layout from SmallChi `Extensions.JT1078/MessageBody/JT808_0x1003.cs` and
 * go-jt808 `t_0x1003.go` (protocols/jt808-jt1078.md §7). Same body under 808-2011/2013/2019 headers.
 *
 * | field                      | type | notes                                                        |
 * |----------------------------|------|--------------------------------------------------------------|
 * | input audio codec          | BYTE | payload type (JT/T 1078 table 12: 6 G.711A, 19 AAC, 26 ADPCMA, ...) |
 * | input audio channels       | BYTE |                                                              |
 * | input audio sample rate    | BYTE | 0 8 kHz, 1 22.05 kHz, 2 44.1 kHz, 3 48 kHz                   |
 * | input audio sample bits    | BYTE | 0 8-bit, 1 16-bit, 2 32-bit                                  |
 * | audio frame length         | WORD | bytes                                                        |
 * | audio output supported     | BYTE | 0 no, 1 yes                                                  |
 * | video codec                | BYTE | payload type (98 H.264, 99 H.265, ...)                       |
 * | max audio physical channels| BYTE |                                                              |
 * | max video physical channels| BYTE |                                                              |
 */
export interface AvAttributesResponse {
  /** Input audio codec, a JT/T 1078 payload type (6 G.711A, 7 G.711U, 8 G.726, 19 AAC, 26 ADPCMA, ...). */
  audioCodec: number;
  /** Number of input audio channels. */
  audioChannels: number;
  /** Sample-rate code: 0 8 kHz, 1 22.05 kHz, 2 44.1 kHz, 3 48 kHz. */
  audioSampleRate: number;
  /** Sample-size code: 0 8 bits, 1 16 bits, 2 32 bits. */
  audioSampleBits: number;
  /** Audio frame length, bytes. */
  audioFrameLength: number;
  /** Audio output supported: 0 no, 1 yes (kept as the byte sent). */
  audioOutput: number;
  /** Video codec, a JT/T 1078 payload type (98 H.264, 99 H.265, 100 AVS, 101 SVAC). */
  videoCodec: number;
  /** Maximum number of audio physical channels. */
  maxAudioChannels: number;
  /** Maximum number of video physical channels. */
  maxVideoChannels: number;
}

export const m1003 = defineMessage({
  msgId: 0x1003,
  type: 'av-attributes-response',
  direction: 'up',
  decode(r): AvAttributesResponse {
    return {
      audioCodec: r.u8(),
      audioChannels: r.u8(),
      audioSampleRate: r.u8(),
      audioSampleBits: r.u8(),
      audioFrameLength: r.u16(),
      audioOutput: r.u8(),
      videoCodec: r.u8(),
      maxAudioChannels: r.u8(),
      maxVideoChannels: r.u8(),
    };
  },
  encode(w, b: AvAttributesResponse) {
    w.u8(b.audioCodec).u8(b.audioChannels).u8(b.audioSampleRate).u8(b.audioSampleBits);
    w.u16(b.audioFrameLength).u8(b.audioOutput).u8(b.videoCodec).u8(b.maxAudioChannels).u8(b.maxVideoChannels);
  },
});
