import { defineMessage, type EmptyBody } from '../message.ts';

/**
 * 0x8107 Query terminal attributes (P→T). Empty body in 2011 / 2013 / 2019; answered with **0x0107**.
 * Bytes a vendor appends are left unread (the packet layer reports them as trailing).
 */
export const m8107 = defineMessage({
  msgId: 0x8107,
  type: 'query-attributes',
  direction: 'down',
  decode(): EmptyBody {
    return {};
  },
  encode() {},
});
