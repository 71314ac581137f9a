import { defineMessage, type EmptyBody } from '../message.ts';

/**
 * Generic acknowledgement ↕ (protocols/jimi-gt06.md §2.5): a standard frame with empty content,
 * `78 78 05 <proto> <serial> <crc> 0D 0A`, or `79 79 00 05 <proto> ...` in the long form.
 * Server replies to login (0x01), heartbeat (0x13 / 0x23) and alarms (0x16 / 0x26 / 0x27 /
 * 0xA4) take this form and echo the device's serial. Any protocol number; an empty 0x8A is
 * the time request, not an ack (8a-time.ts matches first).
 */
export const mGenericAck = defineMessage({
  type: 'ack',
  protocols: [],
  direction: 'down',
  match: (f) => !f.clone && f.contentLength === 0,
  decode: (): EmptyBody => ({}),
  encode() {},
});
