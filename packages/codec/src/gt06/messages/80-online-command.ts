import { CodecError } from '../../errors.ts';
import { defineMessage } from '../message.ts';

/**
 * 0x80 Online command ↓ (D1 §8.1, D2 §7; T-ENC; protocols/jimi-gt06.md §5.8).
 *
 * | bytes | field                                                                 |
 * |-------|-----------------------------------------------------------------------|
 * | 1     | command length = 4 + M                                                |
 * | 4     | server flag: opaque, echoed by the device in its 0x21 / 0x15 reply    |
 * | M     | ASCII command, SMS syntax (`Relay,1#`, `DYD,123456#`, `WHERE#` ...)   |
 * | 2     | optional language: 00 01 Chinese, 00 02 English                       |
 *
 * Examples (D1): `78 78 0E 80 08 00 00 00 00 73 6F 73 23 00 01 6D 6A 0D 0A` (no language,
 * serial 1); `78 78 10 80 08 00 00 00 00 73 6F 73 23 00 02 00 01 9A 17 0D 0A` (English).
 */
export interface OnlineCommand {
  serverFlag: number;
  command: string;
  language?: number;
}

export const m80OnlineCommand = defineMessage({
  type: 'online-command',
  protocols: [0x80],
  direction: 'down',
  decode(r): OnlineCommand {
    const n = r.u8();
    const serverFlag = r.u32();
    if (n < 4) throw new CodecError('IOTHUB_ERR_FIELD_VALUE', `command length ${n}`);
    const body: OnlineCommand = { serverFlag, command: r.bytes(n - 4).toString('latin1') };
    if (r.remaining >= 2) body.language = r.u16();
    return body;
  },
  encode(w, b: OnlineCommand) {
    const cmd = Buffer.from(b.command, 'latin1');
    for (let i = 0; i < b.command.length; i++) {
      if (b.command.charCodeAt(i) > 0x7f) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', 'command must be ASCII');
    }
    if (cmd.length + 4 > 0xff) throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `command of ${cmd.length} bytes`);
    w.u8(cmd.length + 4)
      .u32(b.serverFlag)
      .bytes(cmd);
    if (b.language !== undefined) w.u16(b.language);
  },
});
