import {
  type Gt06AlarmStatus,
  type Gt06Cell,
  readAlarmStatus,
  readCell,
  readExtra,
  writeAlarmStatus,
  writeCell,
} from '../fields.ts';
import { defineMessage } from '../message.ts';

/**
 * LBS alarm ↑: 0x19 (2G) and 0xA5 (4G cell). D1 §7; protocols/jimi-gt06.md §5.5.
 *
 * | bytes       | field                                              |
 * |-------------|----------------------------------------------------|
 * | 8 / 15–16   | MCC, MNC, LAC, CID (2G; 0xA5: 4G sizes), no length |
 * | 1           | terminal information (§3.5)                        |
 * | 1           | voltage level (§3.6)                               |
 * | 1           | GSM signal (§3.7)                                  |
 * | 2           | alarm code (§7) + language (§3.8)                  |
 *
 * Example `78 78 12 19 01 CC 00 28 7D 00 1F 71 20 04 04 01 01 00 94 6C 89 0D 0A` (SOS, D1).
 * 0x19 with LEN ≥ 0x17 is the Space10X multi-LBS variant (T-DEC): not this layout, left unknown.
 * Reply: generic ack (traccar; the documents do not say).
 */
export interface LbsAlarm {
  cell: Gt06Cell;
  status: Gt06AlarmStatus;
  extra?: Buffer;
}

export const m19LbsAlarm = defineMessage({
  type: 'lbs-alarm',
  protocols: [0x19, 0xa5],
  direction: 'up',
  // T-DEC: 0x19 with LEN >= 0x17 is Space10X.
  match: (f) => !f.clone && f.contentLength > 0 && (f.protocol !== 0x19 || f.length < 0x17),
  decode(r, f, ctx): LbsAlarm {
    const body: LbsAlarm = {
      cell: readCell(r, f.protocol === 0xa5 ? '4g' : '2g'),
      status: readAlarmStatus(r, ctx, false),
    };
    const extra = readExtra(r);
    if (extra) body.extra = extra;
    return body;
  },
  encode(w, b: LbsAlarm, protocol) {
    writeCell(w, b.cell, protocol === 0xa5 ? '4g' : '2g');
    writeAlarmStatus(w, b.status);
    if (b.extra) w.bytes(b.extra);
  },
});
