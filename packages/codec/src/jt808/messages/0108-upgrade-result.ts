import { defineMessage } from '../message.ts';

/**
 * 0x0108 Terminal upgrade result notice (T→P), sent after a 0x8108 upgrade package; answered with
 * 0x8001. Same layout in 2011 / 2013 / 2019 (SmallChi `JT808_0x0108.cs`).
 *
 * | field        | type | notes                                                              |
 * |--------------|------|--------------------------------------------------------------------|
 * | upgrade type | BYTE | 0 terminal, 12 road-transport IC card reader, 52 BeiDou/GNSS module |
 * | result       | BYTE | 0 success, 1 failure, 2 cancelled                                  |
 */
export interface TerminalUpgradeResult {
  /** What was upgraded: 0 terminal, 12 road-transport IC card reader, 52 BeiDou/GNSS module. */
  upgradeType: number;
  /** 0 success, 1 failure, 2 cancelled. */
  result: number;
}

export const m0108 = defineMessage({
  msgId: 0x0108,
  type: 'upgrade-result',
  direction: 'up',
  decode(r): TerminalUpgradeResult {
    return { upgradeType: r.u8(), result: r.u8() };
  },
  encode(w, b: TerminalUpgradeResult) {
    w.u8(b.upgradeType).u8(b.result);
  },
});
