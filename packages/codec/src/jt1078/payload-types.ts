/**
 * JT/T 1078-2016 payload types (the 7-bit PT of byte 5 of a stream packet).
 *
 * | PT     | codec                | PT  | codec          |
 * |--------|----------------------|-----|----------------|
 * | 1      | G.721                | 17  | MPEG audio     |
 * | 2      | G.722                | 18  | LPCM           |
 * | 3      | G.723                | 19  | AAC            |
 * | 4      | G.728                | 20  | WMA9STD        |
 * | 5      | G.729                | 21  | HE-AAC         |
 * | 6      | G.711A               | 22  | PCM voice      |
 * | 7      | G.711U               | 23  | PCM audio      |
 * | 8      | G.726                | 24  | AAC-LC         |
 * | 9      | G.729A               | 25  | MP3            |
 * | 10–13  | DVI4 variants        | 26  | ADPCMA         |
 * | 14     | LPC                  | 27  | MP4 audio      |
 * | 15, 16 | S16BE stereo / mono  | 28  | AMR            |
 * | 91     | pass-through         | 98  | H.264          |
 * | 99     | H.265                | 100 | AVS            |
 * | 101    | SVAC                 |     |                |
 *
 * Source: protocols/jt808-jt1078.md §9 (SmallChi `JT1078AVType.cs`, go-jt808 `consts.go`; go-jt808
 * notes that the packet table of the standard refers to the wrong payload table, and uses its
 * "table 12"; we did not have the standard text to verify). JT/T 1078 has a single edition: no
 * 2011/2013/2019 differences.
 */
export const JT1078_PAYLOAD_TYPES: Readonly<Record<number, string>> = Object.freeze({
  1: 'G.721',
  2: 'G.722',
  3: 'G.723',
  4: 'G.728',
  5: 'G.729',
  6: 'G.711A',
  7: 'G.711U',
  8: 'G.726',
  9: 'G.729A',
  10: 'DVI4-3',
  11: 'DVI4-4',
  12: 'DVI4-8K',
  13: 'DVI4-16K',
  14: 'LPC',
  15: 'S16BE-stereo',
  16: 'S16BE-mono',
  17: 'MPEG-audio',
  18: 'LPCM',
  19: 'AAC',
  20: 'WMA9STD',
  21: 'HE-AAC',
  22: 'PCM-voice',
  23: 'PCM-audio',
  24: 'AAC-LC',
  25: 'MP3',
  26: 'ADPCMA',
  27: 'MP4-audio',
  28: 'AMR',
  91: 'pass-through',
  98: 'H.264',
  99: 'H.265',
  100: 'AVS',
  101: 'SVAC',
});

/** Named payload types the gateway handles specially. */
export const Jt1078PayloadType = {
  g711a: 6,
  g711u: 7,
  g726: 8,
  aac: 19,
  adpcma: 26,
  passThrough: 91,
  h264: 98,
  h265: 99,
  avs: 100,
  svac: 101,
} as const;

/** Codec name of a payload type (`'H.264'`, `'G.711A'`, ...), or undefined when the PT is not in the table. */
export function jt1078PayloadTypeName(pt: number): string | undefined {
  return JT1078_PAYLOAD_TYPES[pt];
}

/** True for the video payload types 98–101 (H.264, H.265, AVS, SVAC). */
export function isJt1078VideoPayload(pt: number): boolean {
  return pt >= 98 && pt <= 101;
}

/** True for the audio payload types 1–28. */
export function isJt1078AudioPayload(pt: number): boolean {
  return pt >= 1 && pt <= 28;
}
