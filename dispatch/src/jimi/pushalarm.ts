/**
 * `/pushalarm` (§1.4; reference §1.7): one record per alarm event.
 *
 * Record: `{ deviceImei, type: "DEVICE", msgClass, gateTime, msg: {…} }`.
 *
 * Jimi devices (`msgClass` 0): `msg.alertType` = the device's alarm code as a string (`alarmCode`:
 * 1 SOS, 2 power cut, 3 vibration, 4/5 fence in/out, 6 overspeed, …, the Jimi alertType table),
 * `msg.alarmTime` (device time, UTC), `msg.lat`, `msg.lng`, `msg.gpsSpeed`, and `msg.alertValue`
 * (the alarm's name as decoded, e.g. `sos`) — position fields omitted for LBS-only alarms (0x19).
 *
 * JT/T 808 devices (`msgClass` 1): `msg.alertType` = `"256"` (standard alarm) with
 * `msg.standardAlarmValue` = the 32-bit alarm word (JT/T 808 table 24), plus `lat`, `lng`,
 * `gpsSpeed`, `direction`, `altitude`, `satelliteNum`, `carStatus` (the status word) and
 * `alarmNames` (our extension: the names of the set bits, e.g. `["overspeed"]`).
 */
import type { UplinkEvent } from '@iothub/core';
import { arr, defined, gateTime, int, type JimiMapper, jimiTime, jt808Item, num, push, str } from './common.ts';

export const pushalarm: JimiMapper = (e: UplinkEvent) => {
  const d = e.data;
  const alarmTime = jimiTime(e.deviceTime) ?? jimiTime(d.time) ?? gateTime(e);
  if (e.protocol === 'jt808') {
    const word = int(d.alarm) ?? 0;
    return push('/pushalarm', {
      deviceImei: e.deviceImei,
      type: 'DEVICE',
      msgClass: 1,
      gateTime: gateTime(e),
      msg: defined({
        alertType: '256',
        alarmTime,
        standardAlarmValue: word >>> 0,
        lat: num(d.latitude),
        lng: num(d.longitude),
        gpsSpeed: int(d.speed),
        direction: int(d.course),
        altitude: int(d.altitude),
        satelliteNum: int(jt808Item(d, 'satellites')?.satellites),
        carStatus: int(d.status),
        alarmNames: arr(d.alarms).filter((a) => typeof a === 'string'),
      }),
    });
  }
  const code = int(d.alarmCode) ?? 0;
  return push('/pushalarm', {
    deviceImei: e.deviceImei,
    type: 'DEVICE',
    msgClass: 0,
    gateTime: gateTime(e),
    msg: defined({
      alertType: String(code),
      alarmTime,
      lat: num(d.latitude),
      lng: num(d.longitude),
      gpsSpeed: int(d.speed),
      alertValue: str(d.alarm),
    }),
  });
};
