import { defineMessage, type EmptyBody } from '../message.ts';

/**
 * 0x9003 Query terminal audio/video attributes (P→T). Empty body in JT/T 1078-2016 under
 * 808-2011/2013/2019 headers (SmallChi `Extensions.JT1078/MessageBody/JT808_0x9003.cs`, go-jt808
 * `p_0x9003.go`). Answered with 0x1003.
 */
export type QueryAvAttributes = EmptyBody;

export const m9003 = defineMessage({
  msgId: 0x9003,
  type: 'query-av-attributes',
  direction: 'down',
  decode(): QueryAvAttributes {
    // Any bytes present are left unread and reported as trailing by the packet decoder.
    return {};
  },
  encode() {},
});
