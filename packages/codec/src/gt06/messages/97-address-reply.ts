import { decodeUtf16be, encodeUtf16be } from '../../core/text.ts';
import { CodecError } from '../../errors.ts';
import { defineMessage } from '../message.ts';

/**
 * Address reply ↓: 0x17 (Chinese address, short header, address in UTF-16BE) and 0x97 (English
 * address, long header, address in ASCII). D2 §5; T-DEC; protocols/jimi-gt06.md §5.7.
 *
 * | bytes | field                                                                   |
 * |-------|-------------------------------------------------------------------------|
 * | 1     | length of the data after the server flag (traccar: "NA&&NA&&0##" → 11)  |
 * | 4     | server flag (the alarm this answers)                                    |
 * | 8     | `ALARMSMS` (ASCII)                                                      |
 * | 2     | `&&`                                                                    |
 * | M     | address: UTF-16BE (0x17) / ASCII (0x97)                                 |
 * | 2     | `&&`                                                                    |
 * | 21    | phone number (ASCII; "0" for alarm packets)                             |
 * | 2     | `##`                                                                    |
 *
 * traccar's "not available" reply to every 0x2A is 0x97 with `NA&&NA&&0##` (no ALARMSMS tag),
 * serial 0. Decoding splits at the first and the last `&&`; the length byte is not trusted.
 * D2 is unclear whether the length counts the server flag; we follow traccar (it does not).
 */
export interface AddressReply {
  serverFlag: number;
  /** `ALARMSMS` in the document layout; `NA` in traccar's. */
  tag: string;
  address: string;
  /** Phone number field as sent (D2 pads it to 21 bytes). */
  phone: string;
  /** The length byte, present only when it differs from the data length we compute. */
  lengthByte?: number;
}

const AMP = 0x26;
const HASH = 0x23;

export const m97AddressReply = defineMessage({
  type: 'address-reply',
  protocols: [0x17, 0x97],
  direction: 'down',
  match: (f) => !f.clone && f.contentLength > 0 && f.length !== (f.start === 'short' ? 0x28 : -1),
  decode(r, f): AddressReply {
    const lengthByte = r.u8();
    const serverFlag = r.u32();
    const data = r.rest();
    const n = data.length;
    if (n < 6 || data[n - 1] !== HASH || data[n - 2] !== HASH) {
      throw new CodecError('IOTHUB_ERR_FIELD_VALUE', 'address reply does not end with ##');
    }
    let first = -1;
    for (let i = 0; i + 1 < n - 2; i++) {
      if (data[i] === AMP && data[i + 1] === AMP) {
        first = i;
        break;
      }
    }
    let last = -1;
    for (let i = n - 4; i > first + 1; i--) {
      if (data[i] === AMP && data[i + 1] === AMP) {
        last = i;
        break;
      }
    }
    if (first < 0 || last < 0) throw new CodecError('IOTHUB_ERR_FIELD_VALUE', 'address reply without && separators');
    const addressBytes = data.subarray(first + 2, last);
    const body: AddressReply = {
      serverFlag,
      tag: data.toString('latin1', 0, first),
      address: f.protocol === 0x17 ? decodeUtf16be(addressBytes) : addressBytes.toString('latin1'),
      phone: data.toString('latin1', last + 2, n - 2),
    };
    if (lengthByte !== n) body.lengthByte = lengthByte;
    return body;
  },
  encode(w, b: AddressReply, protocol) {
    const address = protocol === 0x17 ? encodeUtf16be(b.address) : Buffer.from(b.address, 'latin1');
    const data = Buffer.concat([Buffer.from(`${b.tag}&&`, 'latin1'), address, Buffer.from(`&&${b.phone}##`, 'latin1')]);
    const len = b.lengthByte ?? data.length;
    if (len > 0xff) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `address reply data of ${data.length} bytes`);
    w.u8(len).u32(b.serverFlag).bytes(data);
  },
});
