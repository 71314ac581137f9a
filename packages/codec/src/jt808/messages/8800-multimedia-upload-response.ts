import { CodecError } from '../../errors.ts';
import { defineMessage } from '../message.ts';

/**
 * 0x8800 Multimedia data upload response (P→T), the answer to the last piece of a 0x0801
 * upload (protocols/jt808-jt1078.md §3, §4). Same layout in 2011 / 2013 / 2019.
 *
 * | field               | type     | notes                                                   |
 * |---------------------|----------|---------------------------------------------------------|
 * | multimedia id       | DWORD    | the id of the 0x0801 upload                             |
 * | retransmit count    | BYTE     | number of package ids that follow; 0 = all received      |
 * | retransmit packages | WORD[n]  | 1-based package indexes to send again                   |
 *
 * Some platforms send only the media id when nothing is missing (no count byte): decoded as an
 * empty list with `countOmitted: true`, and re-encoded the same way.
 */
export interface MultimediaUploadResponse {
  mediaId: number;
  /** Package indexes the terminal must send again; empty when the upload is complete. */
  packageIds: number[];
  /** The body ended after the media id (no count byte). */
  countOmitted?: true;
}

export const m8800 = defineMessage({
  msgId: 0x8800,
  type: 'multimedia-upload-response',
  direction: 'down',
  decode(r): MultimediaUploadResponse {
    const mediaId = r.u32();
    if (r.remaining === 0) return { mediaId, packageIds: [], countOmitted: true };
    const count = r.u8();
    const packageIds: number[] = [];
    for (let i = 0; i < count; i++) packageIds.push(r.u16());
    return { mediaId, packageIds };
  },
  encode(w, b: MultimediaUploadResponse) {
    w.u32(b.mediaId);
    if (b.countOmitted) {
      if (b.packageIds.length > 0) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'countOmitted with packages');
      return;
    }
    if (b.packageIds.length > 0xff) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'over 255 packages');
    w.u8(b.packageIds.length);
    for (const p of b.packageIds) w.u16(p);
  },
});
