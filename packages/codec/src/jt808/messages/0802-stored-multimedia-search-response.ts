import { CodecError } from '../../errors.ts';
import { BASIC_LOCATION_LENGTH, type BasicLocation, readBasicLocation, writeBasicLocation } from '../location/basic.ts';
import { defineMessage } from '../message.ts';

/**
 * 0x0802 Stored multimedia data search response (T→P), the answer to 0x8802. Layout from SmallChi
 * `JT808_0x0802.cs` (and its `Test2011_*` cases).
 *
 * | field          | type     | 2011 | 2013 / 2019 | notes                                       |
 * |----------------|----------|------|-------------|---------------------------------------------|
 * | reply serial   | WORD     | yes  | yes         | serial of the 0x8802                        |
 * | item count     | WORD     | yes  | yes         | items matching the search                   |
 * | items × count  |          |      |             |                                             |
 * |   media id     | DWORD    | –    | yes         |                                             |
 * |   media type   | BYTE     | yes  | yes         | 0 image, 1 audio, 2 video                   |
 * |   channel      | BYTE     | yes  | yes         |                                             |
 * |   event        | BYTE     | yes  | yes         | as in 0x0800                                |
 * |   location     | BYTE[28] | yes  | yes         | basic location block, no additional items   |
 *
 * 2011 items have no media id and 2011 shares the 2013 header: the edition is told from the body
 * length (count × 31 bytes of items → 2011, as SmallChi does; anything else is read as 2013 /
 * 2019, 35 bytes per item). In a 2011 body the items have no `mediaId`; the encoder writes the
 * 2011 layout when no item has one, and refuses a mix.
 */
export interface StoredMultimediaSearchResponse {
  /** Serial of the 0x8802 search answered. */
  replySerial: number;
  items: StoredMultimediaItem[];
}

export interface StoredMultimediaItem {
  /** Media id (2013 / 2019); absent in a 2011 body. */
  mediaId?: number;
  /** 0 image, 1 audio, 2 video. */
  mediaType: number;
  /** Channel id. */
  channel: number;
  /** Trigger, as in 0x0800. */
  event: number;
  /** Position when the media was captured. */
  location: BasicLocation;
}

const ITEM_2011 = 3 + BASIC_LOCATION_LENGTH;
const ITEM_2013 = 4 + ITEM_2011;

export const m0802 = defineMessage({
  msgId: 0x0802,
  type: 'stored-multimedia-search-response',
  direction: 'up',
  decode(r, ctx): StoredMultimediaSearchResponse {
    const replySerial = r.u16();
    const count = r.u16();
    // JT/T 808-2011 items lack the media id: recognised by the exact length.
    const withId = !(count > 0 && r.remaining === count * ITEM_2011);
    r.need(count * (withId ? ITEM_2013 : ITEM_2011));
    const items: StoredMultimediaItem[] = new Array(count);
    for (let i = 0; i < count; i++) {
      if (withId) {
        const mediaId = r.u32();
        items[i] = { mediaId, mediaType: r.u8(), channel: r.u8(), event: r.u8(), location: readBasicLocation(r, ctx) };
      } else {
        items[i] = { mediaType: r.u8(), channel: r.u8(), event: r.u8(), location: readBasicLocation(r, ctx) };
      }
    }
    return { replySerial, items };
  },
  encode(w, b: StoredMultimediaSearchResponse, ctx) {
    if (!Array.isArray(b.items)) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'items must be an array');
    let withId = 0;
    for (const item of b.items) if (item.mediaId !== undefined) withId++;
    if (withId !== 0 && withId !== b.items.length)
      throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'either every item has a mediaId (2013/2019) or none (2011)');
    w.u16(b.replySerial).u16(b.items.length);
    for (const item of b.items) {
      if (item.mediaId !== undefined) w.u32(item.mediaId);
      w.u8(item.mediaType).u8(item.channel).u8(item.event);
      writeBasicLocation(w, item.location, ctx);
    }
  },
});
