import { defineMessage } from '../message.ts';
import { readParamList, type TerminalParam, writeParamList } from '../params.ts';

/**
 * 0x8103 Set terminal parameters (P→T), acknowledged with 0x0001. Same layout in
 * 2011 / 2013 / 2019; the parameter ids and their types are in `../params.ts`.
 *
 * | field      | type  | notes                                                 |
 * |------------|-------|-------------------------------------------------------|
 * | count      | BYTE  | number of parameters                                  |
 * | parameters | n × ( | id DWORD, length BYTE, value BYTE[length] )           |
 *
 * Tolerant decoding reads items to the end of the body; `declaredCount` appears only when
 * the wire count disagrees with the items found, so the frame re-encodes byte for byte.
 */
export interface SetParams {
  /** Parameters in wire order, values typed by the table (raw `Buffer` when unknown). */
  params: TerminalParam[];
  /** The wire count, only when it differs from `params.length`. */
  declaredCount?: number;
}

export const m8103 = defineMessage({
  msgId: 0x8103,
  type: 'set-params',
  direction: 'down',
  decode(r): SetParams {
    return readParamList(r, r.u8());
  },
  encode(w, b: SetParams) {
    writeParamList(w, b.params, b.declaredCount);
  },
});
