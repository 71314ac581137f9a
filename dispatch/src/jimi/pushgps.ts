/**
 * `/pushgps` (§1.3; reference §1.6): one position per record — real-time fixes, batch / blind-area
 * re-uploads (`gpsMode` 1) and positions resolved from cells / WiFi (`postType` 2 / 3).
 *
 * | field | Jimi (0x12 / 0x22 / 0x10 / 0xA0 …) | JT/T 808 (0x0200 / 0x0704 item) |
 * |---|---|---|
 * | deviceImei | event | event |
 * | gpsTime | `deviceTime` (else `data.time`), UTC | same |
 * | gateTime | `receivedAt`, UTC | same |
 * | lat, lng | `latitude`, `longitude` (signed degrees); 0 when `resolved: false` | same |
 * | satelliteNum | `satellites` | item 0x31 `satellites` (0 when absent) |
 * | gpsSpeed | `speed` km/h, rounded | same |
 * | direction | `course` ° | same |
 * | gpsMode | 1 when `reupload: true`, else 0 | same |
 * | acc | `acc` (0x22) or `terminalInfo.acc` | status bit 0 |
 * | postType | `data.postType` (2 LBS, 3 WiFi) or 1 (GPS) | same |
 * | altitude | — | `altitude` m |
 * | status | built from acc / positioned / hemispheres (JT/T bit layout) | the 0x0200 status word |
 * | distance | `mileage` (m) | item 0x01 mileage (km) × 1000 → m |
 * | postMethod | `uploadMode` (0x22 data upload mode) | — |
 * | sosStatus | — | alarm bit 0 |
 * | accuracy | `data.accuracy` m (resolved LBS / WiFi positions only; our extension) | same |
 */
import type { UplinkEvent } from '@iothub/core';
import { DispatchError } from '../errors.ts';
import { defined, flag, gateTime, int, type JimiMapper, jimiTime, jt808Item, num, obj, push } from './common.ts';

/** JT/T 808 status word bits (reference §1.6 status table) from a Jimi position's flags. */
function jimiStatus(d: Record<string, unknown>, acc: 0 | 1 | undefined, lat: number, lng: number): number {
  let s = 0;
  if (acc === 1) s |= 1;
  if (d.positioned === true) s |= 1 << 1;
  if (lat < 0) s |= 1 << 2;
  if (lng < 0) s |= 1 << 3;
  return s;
}

export const pushgps: JimiMapper = (e: UplinkEvent) => {
  const d = e.data;
  const resolved = d.resolved !== false;
  const latitude = num(d.latitude);
  const longitude = num(d.longitude);
  if (resolved && (latitude === undefined || longitude === undefined)) {
    throw new DispatchError('IOTHUB_ERR_PUSH_MAPPING', 'location without latitude/longitude');
  }
  const lat = resolved ? (latitude ?? 0) : 0;
  const lng = resolved ? (longitude ?? 0) : 0;
  const jt = e.protocol === 'jt808';
  const status = jt ? int(d.status) : undefined;
  const acc = jt
    ? status === undefined
      ? undefined
      : ((status & 1) as 0 | 1)
    : (flag(d.acc) ?? flag(obj(d.terminalInfo)?.acc));
  const mileageKm = jt ? num(jt808Item(d, 'mileage')?.mileage) : undefined;
  const postType = int(d.postType) ?? 1;
  const alarm = jt ? int(d.alarm) : undefined;
  return push(
    '/pushgps',
    defined({
      deviceImei: e.deviceImei,
      gpsTime: jimiTime(e.deviceTime) ?? jimiTime(d.time) ?? gateTime(e),
      gateTime: gateTime(e),
      lat,
      lng,
      satelliteNum: int(d.satellites) ?? int(jt808Item(d, 'satellites')?.satellites) ?? 0,
      gpsSpeed: int(d.speed) ?? 0,
      direction: int(d.course) ?? 0,
      gpsMode: d.reupload === true ? 1 : 0,
      acc: acc ?? 0,
      postType,
      altitude: int(d.altitude),
      status: jt ? status : jimiStatus(d, acc, lat, lng),
      distance: jt ? (mileageKm === undefined ? undefined : Math.round(mileageKm * 1000)) : int(d.mileage),
      postMethod: jt ? undefined : int(d.uploadMode),
      sosStatus: alarm === undefined ? undefined : alarm & 1,
      accuracy: postType !== 1 ? num(d.accuracy) : undefined,
    }),
  );
};
