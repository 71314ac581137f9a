import { CodecError } from '../../errors.ts';
import { defineMessage } from '../message.ts';

/**
 * 0x8106 Query given terminal parameters (P→T), answered with 0x0104. Same layout in
 * 2013 / 2019 (not in 2011).
 *
 * | field | type     | notes                       |
 * |-------|----------|-----------------------------|
 * | count | BYTE     | n                           |
 * | ids   | DWORD[n] | parameter ids (`../params.ts`) |
 */
export interface QueryGivenParams {
  ids: number[];
}

export const m8106 = defineMessage({
  msgId: 0x8106,
  type: 'query-given-params',
  direction: 'down',
  decode(r): QueryGivenParams {
    const n = r.u8();
    r.need(n * 4);
    const ids = new Array<number>(n);
    for (let i = 0; i < n; i++) ids[i] = r.u32();
    return { ids };
  },
  encode(w, b: QueryGivenParams) {
    if (b.ids.length > 0xff) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `${b.ids.length} ids, at most 255`);
    w.u8(b.ids.length);
    for (const id of b.ids) w.u32(id);
  },
});
