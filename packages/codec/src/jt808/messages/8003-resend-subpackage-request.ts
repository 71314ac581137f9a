import { CodecError } from '../../errors.ts';
import { defineMessage } from '../message.ts';

/**
 * 0x8003 Resend subpackage request (P→T): the platform asks the terminal to resend missing
 * pieces of a subpackaged message (protocols/jt808-jt1078.md §2.3). Not in 2011.
 *
 * | field               | 2013   | 2019   | notes                                            |
 * |---------------------|--------|--------|--------------------------------------------------|
 * | first serial        | WORD   | WORD   | serial of the first piece of the original message |
 * | count n             | BYTE   | WORD   | JT/T 808-2019 widened the count to a WORD         |
 * | package indexes     | WORD[n]| WORD[n]| 1-based indexes of the pieces to resend           |
 *
 * Layout: toggery/java-jt808-codec `B8003Codec` (WORD count when version > 0); SmallChi and
 * go-jt808 only implement the 2013 BYTE count.
 */
export interface ResendSubpackageRequest {
  /** Serial of the first piece of the message to complete. */
  firstSerial: number;
  /** 1-based indexes of the pieces to resend. */
  packageIndexes: number[];
}

export const m8003 = defineMessage({
  msgId: 0x8003,
  type: 'resend-subpackage-request',
  direction: 'down',
  decode(r, ctx): ResendSubpackageRequest {
    const firstSerial = r.u16();
    const n = ctx.version === 2019 ? r.u16() : r.u8(); // JT/T 808-2019: count is a WORD
    r.need(n * 2);
    const packageIndexes = new Array<number>(n);
    for (let i = 0; i < n; i++) packageIndexes[i] = r.u16();
    return { firstSerial, packageIndexes };
  },
  encode(w, b: ResendSubpackageRequest, ctx) {
    const n = b.packageIndexes.length;
    const max = ctx.version === 2019 ? 0xffff : 0xff;
    if (n > max) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `${n} package indexes, at most ${max}`);
    w.u16(b.firstSerial);
    if (ctx.version === 2019) w.u16(n);
    else w.u8(n);
    for (const i of b.packageIndexes) w.u16(i);
  },
});
