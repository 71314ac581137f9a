/**
 * `/pushhb` (§1.2; reference §1.5): heartbeat.
 *
 * | field | Jimi (0x13 / 0x23) | JT/T 808 (0x0002) |
 * |---|---|---|
 * | deviceImei, gateTime | event | event |
 * | powerLevel | `voltageLevel` (0–6, protocol 0x13) | — |
 * | gsmSign | `gsmSignal` (0–4) | — |
 * | acc | `terminalInfo.acc` | — |
 * | oilEle | `terminalInfo.fuelCut` (1 = cut) | — |
 * | gpsPos | `terminalInfo.gpsTracking` | — |
 * | powerStatus | `terminalInfo.charging` | — |
 * | fortify | `terminalInfo.armed` | — |
 * | voltage | `voltage` (V, 0x23 heartbeat) | — |
 *
 * A JT/T 808 heartbeat has no body: its record carries `deviceImei` and `gateTime` only.
 */
import type { UplinkEvent } from '@iothub/core';
import { defined, flag, gateTime, int, type JimiMapper, num, obj, push } from './common.ts';

export const pushhb: JimiMapper = (e: UplinkEvent) => {
  const d = e.data;
  const t = obj(d.terminalInfo) ?? {};
  return push(
    '/pushhb',
    defined({
      deviceImei: e.deviceImei,
      gateTime: gateTime(e),
      powerLevel: int(d.voltageLevel),
      gsmSign: int(d.gsmSignal),
      acc: flag(t.acc),
      oilEle: flag(t.fuelCut),
      gpsPos: flag(t.gpsTracking),
      powerStatus: flag(t.charging),
      fortify: flag(t.armed),
      voltage: num(d.voltage),
    }),
  );
};
