import { CodecError } from '../../errors.ts';
import { defineMessage } from '../message.ts';

/**
 * 0x8500 Vehicle control (P→T), answered with 0x0500.
 *
 * 2011 / 2013:
 * | field        | type | notes                                   |
 * |--------------|------|-----------------------------------------|
 * | control flag | BYTE | bit0 0 unlock doors / 1 lock doors; 1–7 reserved |
 *
 * 2019 (JT/T 808-2019 0x8500 table and control-type table):
 * | field         | type | notes                                                |
 * |---------------|------|------------------------------------------------------|
 * | count         | WORD | number of control items                              |
 * | control items | n ×  | control type id WORD, then its parameter (no length) |
 *
 * Control types: 0x0001 doors, BYTE 0 lock / 1 open; 0x0002–0x8000 reserved by the standard;
 * 0xF001–0xFFFF vendor defined. Items carry no length, so decoding stops at the first type
 * not in `VEHICLE_CONTROL_TYPES` and keeps the rest raw in `unparsed`.
 * Layout: SmallChi `JT808_0x8500.cs` + `JT808_0x8500_0x0001.cs` (test vector `0002000100F00101`),
 * toggery `B8500Codec` (same approach to unknown types: stop, keep the rest).
 */
export interface VehicleControl2013 {
  /** bit0: 0 unlock doors, 1 lock doors. */
  controlFlag: number;
}

export interface VehicleControlItem {
  /** Control type id (0x0001 doors). */
  typeId: number;
  /** Parameter value, width from `VEHICLE_CONTROL_TYPES` (doors: 0 lock, 1 open). */
  param: number;
}

export interface VehicleControl2019 {
  /** Items of known types, in wire order. */
  controls: VehicleControlItem[];
  /** Bytes from the first item of an unknown type on (vendor types have no length). */
  unparsed?: Buffer;
  /** The wire count, only when it differs from `controls.length` (unparsed items, bad count). */
  declaredCount?: number;
}

export type VehicleControl = VehicleControl2013 | VehicleControl2019;

/** Parameter width in bytes of each known control type id (JT/T 808-2019 control-type table). */
export const VEHICLE_CONTROL_TYPES: ReadonlyMap<number, { name: string; length: 1 | 2 | 4 }> = new Map([
  [0x0001, { name: 'doors', length: 1 }],
]);

function readParam(buf: Buffer, at: number, length: 1 | 2 | 4): number {
  return length === 1 ? buf[at]! : length === 2 ? buf.readUInt16BE(at) : buf.readUInt32BE(at);
}

export const m8500 = defineMessage({
  msgId: 0x8500,
  type: 'vehicle-control',
  direction: 'down',
  decode(r, ctx): VehicleControl {
    if (ctx.version !== 2019) return { controlFlag: r.u8() };
    // JT/T 808-2019: count WORD + (type id WORD + parameter) items
    const count = r.u16();
    const controls: VehicleControlItem[] = [];
    const buf = r.buf;
    while (controls.length < count && r.remaining >= 2) {
      const typeId = buf.readUInt16BE(r.pos);
      const def = VEHICLE_CONTROL_TYPES.get(typeId);
      if (!def || r.remaining < 2 + def.length) break;
      controls.push({ typeId, param: readParam(buf, r.pos + 2, def.length) });
      r.pos += 2 + def.length;
    }
    const out: VehicleControl2019 = { controls };
    if (controls.length < count && r.remaining > 0) out.unparsed = r.rest();
    if (controls.length !== count) out.declaredCount = count;
    return out;
  },
  encode(w, b: VehicleControl, ctx) {
    if (ctx.version !== 2019) {
      if (!('controlFlag' in b)) {
        throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'a 2011/2013 vehicle control needs controlFlag');
      }
      w.u8(b.controlFlag);
      return;
    }
    if (!('controls' in b)) {
      throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'a 2019 vehicle control needs a controls list');
    }
    w.u16(b.declaredCount ?? b.controls.length);
    for (const c of b.controls) {
      const def = VEHICLE_CONTROL_TYPES.get(c.typeId);
      if (!def) {
        throw new CodecError(
          'IOTHUB_ERR_ENCODE_VALUE',
          `control type 0x${c.typeId.toString(16)} has no known parameter width: put it in unparsed`,
        );
      }
      w.u16(c.typeId);
      if (def.length === 1) w.u8(c.param);
      else if (def.length === 2) w.u16(c.param);
      else w.u32(c.param);
    }
    if (b.unparsed) w.bytes(b.unparsed);
  },
});
