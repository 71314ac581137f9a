import { defineMessage, type EmptyBody } from '../message.ts';

/**
 * 0x8201 Query location (P→T). Empty body in 2011 / 2013 / 2019; answered with **0x0201** (reply serial + a 0x0200 body).
 * Bytes a vendor appends are left unread (the packet layer reports them as trailing).
 */
export const m8201 = defineMessage({
  msgId: 0x8201,
  type: 'query-location',
  direction: 'down',
  decode(): EmptyBody {
    return {};
  },
  encode() {},
});
