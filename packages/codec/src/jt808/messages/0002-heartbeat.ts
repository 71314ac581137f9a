import { defineMessage } from '../message.ts';

/**
 * 0x0002 Terminal heartbeat (T→P). Empty body in 2011 / 2013 / 2019; answered with 0x8001.
 * Some vendors append bytes (traccar reads battery, RSSI, status); they are kept raw in `extra`.
 */
export interface Heartbeat {
  extra?: Buffer;
}

export const m0002 = defineMessage({
  msgId: 0x0002,
  type: 'heartbeat',
  direction: 'up',
  decode(r): Heartbeat {
    return r.remaining > 0 ? { extra: r.rest() } : {};
  },
  encode(w, b: Heartbeat) {
    if (b.extra) w.bytes(b.extra);
  },
});
