/**
 * JT/T 808 alarm flag word (0x0200 basic block DWORD at offset 0), protocols/jt808-jt1078.md §6.2.
 *
 * | bit | name                          | notes                                              |
 * |-----|-------------------------------|----------------------------------------------------|
 * | 0   | emergency                     | SOS switch                                         |
 * | 1   | overspeed                     | detail in item 0x11                                |
 * | 2   | fatigueDriving                |                                                    |
 * | 3   | dangerWarning                 |                                                    |
 * | 4   | gnssModuleFault               |                                                    |
 * | 5   | gnssAntennaOpen               | antenna not connected or cut                       |
 * | 6   | gnssAntennaShort              |                                                    |
 * | 7   | mainPowerUnderVoltage         |                                                    |
 * | 8   | mainPowerCut                  |                                                    |
 * | 9   | displayFault                  | LCD / display                                      |
 * | 10  | ttsFault                      |                                                    |
 * | 11  | cameraFault                   |                                                    |
 * | 12  | icCardModuleFault             | road-transport IC card module                      |
 * | 13  | overspeedPreWarning           |                                                    |
 * | 14  | fatiguePreWarning             |                                                    |
 * | 15  | illegalDrivingPreWarning      | 2019 (reserved in 2011/2013)                       |
 * | 16  | tyrePressurePreWarning        | 2019 (reserved in 2011/2013)                       |
 * | 17  | rightTurnBlindZonePreWarning  | 2019 (reserved in 2011/2013)                       |
 * | 18  | drivingOvertimeToday          | daily accumulated driving overtime                 |
 * | 19  | parkingOvertime               |                                                    |
 * | 20  | areaInOut                     | detail in item 0x12; cleared on acknowledgement    |
 * | 21  | routeInOut                    | detail in item 0x12; cleared on acknowledgement    |
 * | 22  | routeSectionTime              | detail in item 0x13; cleared on acknowledgement    |
 * | 23  | routeDeviation                |                                                    |
 * | 24  | vssFault                      |                                                    |
 * | 25  | fuelAbnormal                  |                                                    |
 * | 26  | stolen                        | via the anti-theft device                          |
 * | 27  | illegalIgnition               |                                                    |
 * | 28  | illegalDisplacement           | cleared on acknowledgement                         |
 * | 29  | collisionWarning              |                                                    |
 * | 30  | rolloverWarning               |                                                    |
 * | 31  | illegalDoorOpen               | cleared on acknowledgement                         |
 *
 * `since`: 2019 for the bits the 2019 edition names; 2013 for the rest (we have no source that
 * separates 2011 from 2013 additions, so they are not told apart).
 *
 * "Cleared on acknowledgement" (0x8001 result 4 / 0x8203) follows SmallChi `JT808Alarm.cs`;
 * whether bits 0 and 27 belong to the same group is unverified (§6.2 **verify**).
 */
export const JT808_ALARM_BITS = [
  { bit: 0, name: 'emergency', since: 2013, clearedOnAck: false },
  { bit: 1, name: 'overspeed', since: 2013, clearedOnAck: false },
  { bit: 2, name: 'fatigueDriving', since: 2013, clearedOnAck: false },
  { bit: 3, name: 'dangerWarning', since: 2013, clearedOnAck: false },
  { bit: 4, name: 'gnssModuleFault', since: 2013, clearedOnAck: false },
  { bit: 5, name: 'gnssAntennaOpen', since: 2013, clearedOnAck: false },
  { bit: 6, name: 'gnssAntennaShort', since: 2013, clearedOnAck: false },
  { bit: 7, name: 'mainPowerUnderVoltage', since: 2013, clearedOnAck: false },
  { bit: 8, name: 'mainPowerCut', since: 2013, clearedOnAck: false },
  { bit: 9, name: 'displayFault', since: 2013, clearedOnAck: false },
  { bit: 10, name: 'ttsFault', since: 2013, clearedOnAck: false },
  { bit: 11, name: 'cameraFault', since: 2013, clearedOnAck: false },
  { bit: 12, name: 'icCardModuleFault', since: 2013, clearedOnAck: false },
  { bit: 13, name: 'overspeedPreWarning', since: 2013, clearedOnAck: false },
  { bit: 14, name: 'fatiguePreWarning', since: 2013, clearedOnAck: false },
  { bit: 15, name: 'illegalDrivingPreWarning', since: 2019, clearedOnAck: false },
  { bit: 16, name: 'tyrePressurePreWarning', since: 2019, clearedOnAck: false },
  { bit: 17, name: 'rightTurnBlindZonePreWarning', since: 2019, clearedOnAck: false },
  { bit: 18, name: 'drivingOvertimeToday', since: 2013, clearedOnAck: false },
  { bit: 19, name: 'parkingOvertime', since: 2013, clearedOnAck: false },
  { bit: 20, name: 'areaInOut', since: 2013, clearedOnAck: true },
  { bit: 21, name: 'routeInOut', since: 2013, clearedOnAck: true },
  { bit: 22, name: 'routeSectionTime', since: 2013, clearedOnAck: true },
  { bit: 23, name: 'routeDeviation', since: 2013, clearedOnAck: false },
  { bit: 24, name: 'vssFault', since: 2013, clearedOnAck: false },
  { bit: 25, name: 'fuelAbnormal', since: 2013, clearedOnAck: false },
  { bit: 26, name: 'stolen', since: 2013, clearedOnAck: false },
  { bit: 27, name: 'illegalIgnition', since: 2013, clearedOnAck: false },
  { bit: 28, name: 'illegalDisplacement', since: 2013, clearedOnAck: true },
  { bit: 29, name: 'collisionWarning', since: 2013, clearedOnAck: false },
  { bit: 30, name: 'rolloverWarning', since: 2013, clearedOnAck: false },
  { bit: 31, name: 'illegalDoorOpen', since: 2013, clearedOnAck: true },
] as const;

export type Jt808AlarmName = (typeof JT808_ALARM_BITS)[number]['name'];

/** Bit index → name (every bit of the word is defined). */
const NAME_BY_BIT: readonly Jt808AlarmName[] = JT808_ALARM_BITS.map((a) => a.name);
const BIT_BY_NAME = new Map<string, number>(JT808_ALARM_BITS.map((a) => [a.name, a.bit]));

/** Shared, frozen result for a zero alarm word. */
export const NO_ALARMS: readonly Jt808AlarmName[] = Object.freeze([]);
/** Shared, frozen one-name results (the common case of a single alarm). */
const SINGLE: readonly (readonly Jt808AlarmName[])[] = NAME_BY_BIT.map((n) => Object.freeze([n]));

/**
 * Names of the bits set in an alarm word, lowest bit first. Cheap: no allocation for a zero
 * word (shared frozen empty array) or a single bit (shared frozen one-element arrays); one
 * small array otherwise. Callers must not mutate the result.
 */
export function alarmNames(word: number): readonly Jt808AlarmName[] {
  if (word === 0) return NO_ALARMS;
  let w = word >>> 0;
  if ((w & (w - 1)) === 0) return SINGLE[31 - Math.clz32(w)]!;
  const out: Jt808AlarmName[] = [];
  while (w !== 0) {
    const low = w & -w;
    out.push(NAME_BY_BIT[31 - Math.clz32(low)]!);
    w = (w ^ low) >>> 0;
  }
  return out;
}

/** The alarm word with exactly the named bits set (inverse of `alarmNames`). */
export function alarmWord(names: readonly Jt808AlarmName[]): number {
  let w = 0;
  for (const n of names) w |= 1 << BIT_BY_NAME.get(n)!;
  return w >>> 0;
}

/** True when the named alarm bit is set in `word`. */
export function hasAlarm(word: number, name: Jt808AlarmName): boolean {
  return ((word >>> BIT_BY_NAME.get(name)!) & 1) === 1;
}
