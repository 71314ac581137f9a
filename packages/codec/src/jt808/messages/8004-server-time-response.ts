import { defineMessage } from '../message.ts';

/**
 * 0x8004 Server time response (P→T), JT/T 808-2019 only: the answer to the terminal's 0x0004
 * time query.
 *
 * | field | type   | notes                                                        |
 * |-------|--------|--------------------------------------------------------------|
 * | time  | BCD[6] | YYMMDDhhmmss in **UTC** (not the usual GMT+8 of JT/T 808 times) |
 *
 * Layout: toggery/java-jt808-codec `B8004Codec` (BCD[6]); UTC per the JT/T 808-2019 0x8004 table (as the brief and the reference state; clause number not verified).
 * The per-device time zone of the context deliberately does not apply.
 */
export interface ServerTimeResponse {
  /** Server time; null when the field is zero or not a valid date. */
  time: Date | null;
}

export const m8004 = defineMessage({
  msgId: 0x8004,
  type: 'server-time-response',
  direction: 'down',
  decode(r): ServerTimeResponse {
    return { time: r.bcdTime(0) }; // JT/T 808-2019: UTC
  },
  encode(w, b: ServerTimeResponse) {
    w.bcdTime(b.time, 0);
  },
});
