import { defineMessage } from '../message.ts';

/**
 * 0x9B Transparent data / external device ↕ (D1 §11; protocols/jimi-gt06.md §5.11).
 *
 * | bytes | field                                            |
 * |-------|--------------------------------------------------|
 * | 1     | module type (03 device → server, 02 X3 reply)    |
 * | N     | transparent content, raw                         |
 *
 * X3 reply ↓: `79 79 00 07 9B 02 01 <serial> <crc> 0D 0A` (module 02, result 01 OK / 00 fail).
 */
export interface Transparent {
  moduleType: number;
  data: Buffer;
}

export const m9bTransparent = defineMessage({
  type: 'transparent',
  protocols: [0x9b],
  direction: 'up',
  decode(r): Transparent {
    return { moduleType: r.u8(), data: r.rest() };
  },
  encode(w, b: Transparent) {
    w.u8(b.moduleType).bytes(b.data);
  },
});
