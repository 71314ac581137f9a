/**
 * `/pushevent` (§1.1 of the hub's page; reference §1.4): device login / logout.
 *
 * | field | from the event |
 * |---|---|
 * | deviceImei | `deviceImei` |
 * | type | `LOGIN` for `session` state/action `login`; `LOGOUT` for `logout` and `closed` |
 * | gateTime | `receivedAt`, UTC `yyyy-MM-dd HH:mm:ss` |
 * | timezone | Jimi login's time zone (`GMT+08:00`); `GMT+00:00` when the device sent none |
 */
import type { UplinkEvent } from '@iothub/core';
import { gateTime, type JimiMapper, num, obj, push, str } from './common.ts';

export function timezoneLabel(offsetMinutes: number | undefined): string {
  const m = offsetMinutes ?? 0;
  const sign = m < 0 ? '-' : '+';
  const a = Math.abs(m);
  return `GMT${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

export const pushevent: JimiMapper = (e: UplinkEvent) => {
  const state = str(e.data.state) ?? str(e.data.action);
  if (state !== 'login' && state !== 'logout' && state !== 'closed') return { skip: 'session-state' };
  return push('/pushevent', {
    deviceImei: e.deviceImei,
    type: state === 'login' ? 'LOGIN' : 'LOGOUT',
    gateTime: gateTime(e),
    timezone: timezoneLabel(num(obj(e.data.timeZone)?.offsetMinutes)),
  });
};
