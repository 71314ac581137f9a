import { defineMessage, type EmptyBody } from '../message.ts';

/**
 * 0x0004 Query server time (T→P), added in JT/T 808-2019. Empty body; answered with 0x8004
 * (server time, UTC). SmallChi `JT808_0x0004.cs`. Bytes a vendor appends are left unread
 * (the packet layer reports them as trailing).
 */
export type QueryServerTime = EmptyBody;

export const m0004 = defineMessage({
  msgId: 0x0004,
  type: 'query-server-time',
  direction: 'up',
  decode(): QueryServerTime {
    return {};
  },
  encode() {},
});
