import { defineMessage, type EmptyBody } from '../message.ts';

/**
 * 0x8104 Query all terminal parameters (P→T). Empty body in 2011 / 2013 / 2019; answered with **0x0104** (all parameters).
 * Bytes a vendor appends are left unread (the packet layer reports them as trailing).
 */
export const m8104 = defineMessage({
  msgId: 0x8104,
  type: 'query-all-params',
  direction: 'down',
  decode(): EmptyBody {
    return {};
  },
  encode() {},
});
