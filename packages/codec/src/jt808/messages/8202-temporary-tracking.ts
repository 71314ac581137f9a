import { defineMessage } from '../message.ts';

/**
 * 0x8202 Temporary location tracking control (P→T), acknowledged with 0x0001. Same layout in
 * 2011 / 2013 / 2019.
 *
 * | field    | type  | notes                                                   |
 * |----------|-------|---------------------------------------------------------|
 * | interval | WORD  | report interval, s; 0 stops temporary tracking           |
 * | validity | DWORD | tracking lasts this long after the command, s            |
 */
export interface TemporaryTracking {
  /** Report interval in seconds; 0 stops tracking (the validity is then ignored). */
  interval: number;
  /** Validity period in seconds. */
  validity: number;
}

export const m8202 = defineMessage({
  msgId: 0x8202,
  type: 'temporary-tracking',
  direction: 'down',
  decode(r): TemporaryTracking {
    return { interval: r.u16(), validity: r.u32() };
  },
  encode(w, b: TemporaryTracking) {
    w.u16(b.interval).u32(b.validity);
  },
});
