import { BASIC_LOCATION_LENGTH, type BasicLocation, readBasicLocation, writeBasicLocation } from '../location/basic.ts';
import { defineMessage } from '../message.ts';
import { writeAnyBytes } from './terminal-fields.ts';

/**
 * 0x0801 Multimedia data upload (T→P). Usually subpackaged (decode the reassembled body); the
 * platform answers **0x8800** after the last piece. protocols/jt808-jt1078.md §3 (SmallChi
 * `JT808_0x0801.cs`, go-jt808 `t_0x0801.go`).
 *
 * | field          | type     | 2011 | 2013 / 2019 | notes                                     |
 * |----------------|----------|------|-------------|-------------------------------------------|
 * | media id       | DWORD    | yes  | yes         |                                           |
 * | media type     | BYTE     | yes  | yes         | 0 image, 1 audio, 2 video                 |
 * | media format   | BYTE     | yes  | yes         | 0 JPEG, 1 TIF, 2 MP3, 3 WAV, 4 WMV        |
 * | event          | BYTE     | yes  | yes         | as in 0x0800                              |
 * | channel        | BYTE     | yes  | yes         |                                           |
 * | location       | BYTE[28] | –    | yes         | basic location block (no additional items), position when capture started |
 * | data           | rest     | yes  | yes         | the media file (or this upload's part)    |
 *
 * 2011 has no location block (SmallChi writes none for 2011) and shares the 2013 header, so the
 * edition can only be guessed from the bytes: a body whose data starts right after the channel
 * with a JPEG start-of-image marker (`FF D8 FF`) is read as 2011 (as alarm flags those bytes
 * would mean 20+ alarms at once), and then `location` is absent; so is a body with fewer than
 * 28 bytes after the channel (SmallChi does the same). Every other body is read with the block;
 * the encoder writes it when `location` is present.
 */
export interface MultimediaData {
  /** Media id, as announced in 0x0800 / 0x0805. */
  mediaId: number;
  /** 0 image, 1 audio, 2 video. */
  mediaType: number;
  /** 0 JPEG, 1 TIF, 2 MP3, 3 WAV, 4 WMV. */
  mediaFormat: number;
  /** Trigger, as in 0x0800 (0 platform command, 1 timed, 2 robbery alarm, 3 collision, ...). */
  event: number;
  /** Channel id. */
  channel: number;
  /** Position when the capture started (2013 / 2019); absent in a 2011 body. */
  location?: BasicLocation;
  /** Media content (a view into the frame or the reassembled body). */
  data: Buffer;
}

/** A 2011 body: the media data starts right after the channel with a JPEG SOI + marker. */
function isJpegAt(buf: Buffer, p: number, end: number): boolean {
  return p + 3 <= end && buf[p] === 0xff && buf[p + 1] === 0xd8 && buf[p + 2] === 0xff;
}

export const m0801 = defineMessage({
  msgId: 0x0801,
  type: 'multimedia-data',
  direction: 'up',
  decode(r, ctx): MultimediaData {
    const mediaId = r.u32();
    const mediaType = r.u8();
    const mediaFormat = r.u8();
    const event = r.u8();
    const channel = r.u8();
    // JT/T 808-2011: no location block (guessed from a JPEG header at the block's place); a body
    // too short for the block has none either (SmallChi reads the block only when 28 bytes remain).
    if (r.remaining < BASIC_LOCATION_LENGTH || (ctx.version !== 2019 && isJpegAt(r.buf, r.pos, r.end))) {
      return { mediaId, mediaType, mediaFormat, event, channel, data: r.rest() };
    }
    const location = readBasicLocation(r, ctx);
    return { mediaId, mediaType, mediaFormat, event, channel, location, data: r.rest() };
  },
  encode(w, b: MultimediaData, ctx) {
    w.u32(b.mediaId).u8(b.mediaType).u8(b.mediaFormat).u8(b.event).u8(b.channel);
    if (b.location !== undefined) writeBasicLocation(w, b.location, ctx);
    writeAnyBytes(w, b.data, 'data');
  },
});
