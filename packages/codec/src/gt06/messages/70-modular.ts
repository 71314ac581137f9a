import { CodecError } from '../../errors.ts';
import { courseStatus, type Gt06CourseStatus } from '../fields.ts';
import { defineMessage } from '../message.ts';

/**
 * 0x70 Modular location ↑ (CT10, VL103M BLE; T-DEC; protocols/jimi-gt06.md §5.13), long header.
 * Content = modules `type u16, length u16, value`:
 *
 * | type | value                                                                              |
 * |------|------------------------------------------------------------------------------------|
 * | 0x33 | position: Unix time u32, satellites u8, altitude i16 m, latitude u32, longitude u32, |
 * |      | speed u8 km/h, course/status u16 (§3.3)                                            |
 * | 0x11 | cell                                                                               |
 * | 0x18 | battery u16 / 100 V                                                                |
 * | 0x2E | odometer u32 **little-endian**                                                     |
 * | 0x34 | event u8 + time u32 LE + content                                                   |
 * | 0x7F | BLE tag                                                                            |
 * | 0x03 | ICCID                                                                              |
 *
 * Modules are kept raw in order (re-encoded as sent); the well-known ones are also decoded into
 * derived fields. Reply: a short-header 0x70 ack (traccar).
 */
export interface ModularModule {
  type: number;
  value: Buffer;
}

export interface ModularPosition extends Gt06CourseStatus {
  /** Null when the device sends 0 (no fix time yet). */
  time: Date | null;
  satellites: number;
  /** Metres. */
  altitude: number;
  /** km/h. */
  speed: number;
}

export interface Modular {
  modules: ModularModule[];
  /** From module 0x33. */
  position?: ModularPosition;
  /** From module 0x18, volts. */
  battery?: number;
  /** From module 0x2E (little-endian). */
  odometer?: number;
  /** From module 0x34: the event byte. */
  event?: number;
  /** Bytes after the last whole module. */
  extra?: Buffer;
}

export const m70Modular = defineMessage({
  type: 'modular',
  protocols: [0x70],
  direction: 'up',
  decode(r): Modular {
    const body: Modular = { modules: [] };
    while (r.remaining >= 4) {
      const type = (r.buf[r.pos]! << 8) | r.buf[r.pos + 1]!;
      const len = (r.buf[r.pos + 2]! << 8) | r.buf[r.pos + 3]!;
      if (len > r.remaining - 4) break;
      r.skip(4);
      const value = r.bytes(len);
      body.modules.push({ type, value });
      if (type === 0x33 && len === 18) {
        const seconds = value.readUInt32BE(0);
        body.position = {
          time: seconds === 0 ? null : new Date(seconds * 1000),
          satellites: value[4]!,
          altitude: value.readInt16BE(5),
          ...courseStatus(value.readUInt32BE(7), value.readUInt32BE(11), value.readUInt16BE(16)),
          speed: value[15]!,
        };
      } else if (type === 0x18 && len === 2) {
        body.battery = value.readUInt16BE(0) / 100;
      } else if (type === 0x2e && len === 4) {
        body.odometer = value.readUInt32LE(0);
      } else if (type === 0x34 && len >= 1) {
        body.event = value[0]!;
      }
    }
    if (r.remaining > 0) body.extra = r.rest();
    return body;
  },
  encode(w, b: Modular) {
    for (const m of b.modules) {
      if (m.value.length > 0xffff) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `module of ${m.value.length} bytes`);
      w.u16(m.type).u16(m.value.length).bytes(m.value);
    }
    if (b.extra) w.bytes(b.extra);
  },
});
