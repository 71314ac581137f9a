import type { Gt06ModelProfile } from './models.ts';

/**
 * Alarm codes: byte 1 of the alarm/language word (protocols/jimi-gt06.md §7, D1 §6.1 ii,
 * D2 §5). Names follow the Concox documents; codes only traccar knows (T-DEC `decodeAlarm`)
 * are listed with traccar's meaning. Where the two disagree the documents win (0x0C power
 * on, not tampering; 0x30 harsh braking, not jamming) and the profile tables below hold the
 * model-specific meanings (§6).
 *
 * For 0x27, 0xA4 (and 0x39) the high nibble of the language byte extends the code to 12 bits
 * (§3.8): 0x107 and 0x10B are jamming.
 */
export const GT06_ALARMS = {
  0: 'normal',
  1: 'sos',
  2: 'powerCut',
  3: 'vibration',
  4: 'geofenceEnter',
  5: 'geofenceExit',
  6: 'overspeed',
  9: 'tow',
  10: 'gpsBlindAreaEnter',
  11: 'gpsBlindAreaExit',
  12: 'powerOn',
  13: 'gpsFirstFix',
  14: 'externalBatteryLow',
  15: 'externalBatteryProtection',
  16: 'simChanged',
  17: 'powerOff',
  18: 'airplaneMode',
  19: 'tamper',
  20: 'door',
  21: 'lowBatteryShutdown',
  22: 'soundTriggered',
  23: 'fakeBaseStation',
  24: 'coverOpened',
  25: 'internalBatteryLow',
  32: 'deepSleep',
  35: 'fall',
  36: 'chargerInserted',
  37: 'tamper',
  38: 'harshAcceleration',
  39: 'harshBraking',
  40: 'harshBraking',
  41: 'harshAcceleration',
  42: 'sharpLeftTurn',
  43: 'sharpRightTurn',
  44: 'collision',
  45: 'rollover',
  46: 'sharpTurn',
  48: 'harshBraking',
  50: 'unplugged',
  51: 'lock',
  52: 'unlock',
  60: 'carTheft',
  61: 'illegalStart',
  62: 'buttonUpload',
  75: 'tilt',
  76: 'sharpTurn',
  77: 'laneChange',
  78: 'stability',
  79: 'angleAbnormal',
  83: 'fuelLeak',
  91: 'temperature',
  92: 'temperature',
  94: 'pulseLineCut',
  201: 'idle',
  240: 'harshAcceleration',
  241: 'harshBraking',
  242: 'collision',
  254: 'accOn',
  255: 'accOff',
  263: 'jamming',
  267: 'jamming',
} as const satisfies Record<number, string>;

export type Gt06AlarmName = (typeof GT06_ALARMS)[keyof typeof GT06_ALARMS];

/** Model-specific meanings that override `GT06_ALARMS` (T-DEC, §6 / §7). */
const PROFILE_ALARMS: Record<Gt06ModelProfile['alarms'], Partial<Record<number, Gt06AlarmName>>> = {
  standard: {},
  vl: { 40: 'powerOff' },
  lw: { 24: 'collision', 25: 'harshAcceleration' },
};

const TABLE = GT06_ALARMS as Record<number, Gt06AlarmName | undefined>;

/** Name of an alarm code (8- or 12-bit) under a profile; undefined for codes no source defines. */
export function alarmName(code: number, profile: Gt06ModelProfile['alarms'] = 'standard'): Gt06AlarmName | undefined {
  if (profile !== 'standard') {
    const special = PROFILE_ALARMS[profile][code];
    if (special !== undefined) return special;
  }
  return TABLE[code];
}

/**
 * Terminal-information bits 5..3 (§3.5): the older 3-bit alarm channel. 5 is undefined; 6 and 7
 * come from traccar (7 is overspeed on VXT01).
 */
export const TERMINAL_ALARMS = [
  'normal',
  'vibration',
  'powerCut',
  'lowBattery',
  'sos',
  'reserved',
  'geofence',
  'removing',
] as const;

export type Gt06TerminalAlarm = (typeof TERMINAL_ALARMS)[number];

/** Voltage level byte (§3.6). Values above 6 are a percentage on some firmware. */
export const VOLTAGE_LEVELS = ['noPower', 'extremelyLow', 'veryLow', 'low', 'medium', 'high', 'full'] as const;
export type Gt06VoltageLevel = (typeof VOLTAGE_LEVELS)[number];

/** GSM signal byte (§3.7). */
export const GSM_SIGNALS = ['none', 'extremelyWeak', 'weak', 'good', 'strong'] as const;
export type Gt06GsmSignal = (typeof GSM_SIGNALS)[number];

/** Language byte of the alarm/language word (§3.8): 0 means "no platform reply needed". */
export type Gt06Language = 'noReply' | 'chinese' | 'english';
export function languageName(b: number): Gt06Language | undefined {
  return b === 0 ? 'noReply' : b === 1 ? 'chinese' : b === 2 ? 'english' : undefined;
}

/** Data upload mode of 0x22 / 0xA0 (D2 §3). */
export const UPLOAD_MODES = {
  0: 'interval',
  1: 'distance',
  2: 'cornering',
  3: 'accChange',
  4: 'lastFixOnStop',
  5: 'networkRecovery',
  6: 'ephemerisRefresh',
  7: 'keyPress',
  8: 'powerOn',
  10: 'staticTimeRefresh',
  11: 'wifi',
  12: 'locateCommand',
  13: 'static',
  14: 'staticPeriodic',
  15: 'exitTracking',
} as const satisfies Record<number, string>;
export type Gt06UploadMode = (typeof UPLOAD_MODES)[keyof typeof UPLOAD_MODES];
const UPLOAD_MODE_LIST: (Gt06UploadMode | undefined)[] = [];
for (const [k, v] of Object.entries(UPLOAD_MODES)) UPLOAD_MODE_LIST[Number(k)] = v;

export function uploadModeName(b: number): Gt06UploadMode | undefined {
  return UPLOAD_MODE_LIST[b];
}
