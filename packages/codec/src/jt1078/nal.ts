/**
 * Annex-B byte streams (ITU-T H.264 / H.265 Annex B): NAL units separated by `00 00 01` or
 * `00 00 00 01` start codes. JT/T 1078 video frames carry one access unit in this form
 * (protocols/jt808-jt1078.md §9 "How video is carried").
 *
 * | codec | NAL header                        | type                  | key types                    |
 * |-------|-----------------------------------|-----------------------|------------------------------|
 * | H.264 | 1 byte: F(1) NRI(2) type(5)       | `b & 0x1f`            | 5 IDR, 7 SPS, 8 PPS, 6 SEI   |
 * | H.265 | 2 bytes: F(1) type(6) layer(6) …  | `(b >> 1) & 0x3f`     | 16–21 IRAP, 32 VPS, 33 SPS, 34 PPS |
 */

export interface NalUnit {
  /** NAL unit type (5 bits for H.264, 6 bits for H.265). */
  type: number;
  /** Offset of the NAL header (just after the start code) in the access unit. */
  offset: number;
  /** Length of the NAL unit without start code and trailing zero bytes. */
  length: number;
}

export type AnnexBCodec = 'h264' | 'h265';

const START = Buffer.from([0, 0, 1]);

/**
 * Split an Annex-B access unit at its start codes. Bytes before the first start code are ignored;
 * trailing zero bytes before a start code (the `00` of a 4-byte start code, trailing_zero_8bits)
 * are not part of the unit. Empty units are skipped.
 */
export function splitAnnexB(data: Buffer, codec: AnnexBCodec): NalUnit[] {
  const out: NalUnit[] = [];
  let at = data.indexOf(START, 0);
  while (at >= 0) {
    const s = at + 3;
    const next = data.indexOf(START, s);
    let e = next < 0 ? data.length : next;
    while (e > s && data[e - 1] === 0) e--;
    if (e > s) {
      const h = data[s]!;
      out.push({ type: codec === 'h264' ? h & 0x1f : (h >> 1) & 0x3f, offset: s, length: e - s });
    }
    at = next;
  }
  return out;
}
