import { readTime, writeTime } from '../fields.ts';
import { defineMessage, type EmptyBody } from '../message.ts';

/**
 * 0x8A Time synchronisation (D1 §9, D2 §8; protocols/jimi-gt06.md §5.9).
 *
 * Request ↑: empty content, `78 78 05 8A 00 06 88 29 0D 0A`.
 * Reply ↓: 6 bytes of UTC date-time (binary YY MM DD hh mm ss), echoing the serial in the
 * document example `78 78 0B 8A 0F 0C 1D 00 00 15 00 06 F0 86 0D 0A` (traccar uses serial 0).
 * The documents call the reply optional (devices with a fix set their own clock).
 */
export interface TimeResponse {
  time: Date | null;
}

export const m8aTimeRequest = defineMessage({
  type: 'time-request',
  protocols: [0x8a],
  direction: 'up',
  // Must win over the generic ack: an empty 0x8A is the request.
  match: (f) => !f.clone && f.contentLength === 0,
  decode: (): EmptyBody => ({}),
  encode() {},
});

export const m8aTimeResponse = defineMessage({
  type: 'time-response',
  protocols: [0x8a],
  direction: 'down',
  decode(r, _f, ctx): TimeResponse {
    return { time: readTime(r, ctx) };
  },
  encode(w, b: TimeResponse, _p, ctx) {
    writeTime(w, b.time, ctx);
  },
});
