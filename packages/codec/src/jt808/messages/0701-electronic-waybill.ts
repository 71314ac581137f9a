import { defineMessage } from '../message.ts';
import { writeAnyBytes } from './terminal-fields.ts';

/**
 * 0x0701 Electronic waybill report (T→P); answered with 0x8001. Same layout in 2011 / 2013 / 2019
 * (SmallChi `JT808_0x0701.cs`; traccar reads the content as text, e.g. `MD,SET CONFIG OK!`).
 *
 * | field          | type    | notes                          |
 * |----------------|---------|--------------------------------|
 * | waybill length | DWORD   | byte length of the content     |
 * | waybill        | BYTE[n] | opaque (vendor-defined) content |
 *
 * A declared length larger than the body is a truncated body (→ `unknown` with the raw bytes);
 * bytes after the content are reported as trailing by the packet layer.
 */
export interface ElectronicWaybill {
  /** Waybill content as sent (a view into the frame); its length is the DWORD on the wire. */
  waybill: Buffer;
}

export const m0701 = defineMessage({
  msgId: 0x0701,
  type: 'electronic-waybill',
  direction: 'up',
  decode(r): ElectronicWaybill {
    const n = r.u32();
    return { waybill: r.bytes(n) };
  },
  encode(w, b: ElectronicWaybill) {
    w.u32(b.waybill.length);
    writeAnyBytes(w, b.waybill, 'waybill');
  },
});
