/**
 * `/pushlbs` (§1.10; reference §1.9): raw cell-tower / WiFi data (Jimi 0x17 / 0x18 / 0x28 / 0xA1
 * → kind `lbs`; 0x2C / 0x69 / 0xA2 → kind `wifi`).
 *
 * | field | value |
 * |---|---|
 * | deviceImei, gateTime | event |
 * | postType | `"LBS"` (kind `lbs`) or `"WIFI"` (kind `wifi`) |
 * | lbsJson | JSON string `{"mcc":460,"mnc":0,"cellList":"LAC1,CI1,RSSI1;LAC2,CI2,RSSI2"}`; WiFi records add `"wifiList":"MAC1,RSSI1;MAC2,RSSI2"` (the hub's WiFi format is not known: ours, documented) |
 */
import type { UplinkEvent } from '@iothub/core';
import { arr, gateTime, int, type JimiMapper, obj, push, str } from './common.ts';

function cellList(v: unknown): string {
  return arr(v)
    .map(obj)
    .filter((c) => c !== undefined)
    .map((c) => `${int(c.lac) ?? 0},${int(c.cellId) ?? 0},${int(c.rssi) ?? 0}`)
    .join(';');
}

function wifiList(v: unknown): string {
  return arr(v)
    .map(obj)
    .filter((w) => w !== undefined)
    .map((w) => `${str(w.mac) ?? ''},${int(w.rssi) ?? 0}`)
    .join(';');
}

export const pushlbs: JimiMapper = (e: UplinkEvent) => {
  const d = e.data;
  const wifi = e.kind === 'wifi';
  const lbs: Record<string, unknown> = { mcc: int(d.mcc) ?? 0, mnc: int(d.mnc) ?? 0, cellList: cellList(d.cells) };
  if (wifi) lbs.wifiList = wifiList(d.wifi);
  return push('/pushlbs', {
    deviceImei: e.deviceImei,
    gateTime: gateTime(e),
    postType: wifi ? 'WIFI' : 'LBS',
    lbsJson: JSON.stringify(lbs),
  });
};
