import { defineMessage } from '../message.ts';
import { readParamList, type TerminalParam, writeParamList } from '../params.ts';

/**
 * 0x0104 Query terminal parameters response (T→P), the answer to 0x8104 / 0x8106. Same
 * layout in 2011 / 2013 / 2019. Often subpackaged: decode the reassembled body.
 *
 * | field        | type | notes                                              |
 * |--------------|------|----------------------------------------------------|
 * | reply serial | WORD | serial of the 0x8104 / 0x8106 answered             |
 * | count        | BYTE | number of parameters                               |
 * | parameters   | n ×  | id DWORD, length BYTE, value (as in 0x8103)        |
 *
 * Registered with the platform group because it shares the parameter table (`../params.ts`).
 */
export interface QueryParamsResponse {
  replySerial: number;
  /** Parameters in wire order, values typed by the table (raw `Buffer` when unknown). */
  params: TerminalParam[];
  /** The wire count, only when it differs from `params.length`. */
  declaredCount?: number;
}

export const m0104 = defineMessage({
  msgId: 0x0104,
  type: 'query-params-response',
  direction: 'up',
  decode(r): QueryParamsResponse {
    const replySerial = r.u16();
    const list = readParamList(r, r.u8());
    return list.declaredCount === undefined
      ? { replySerial, params: list.params }
      : { replySerial, params: list.params, declaredCount: list.declaredCount };
  },
  encode(w, b: QueryParamsResponse) {
    w.u16(b.replySerial);
    writeParamList(w, b.params, b.declaredCount);
  },
});
