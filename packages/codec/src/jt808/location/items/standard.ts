import { CodecError } from '../../../errors.ts';
import { defineItem, scaled } from './codec.ts';

/**
 * JT/T 808 standard additional items (protocols/jt808-jt1078.md §6.4; go-jt808
 * `t_0x0200_addition.go` for the lengths it checks).
 *
 * | id   | len    | kind             | value                                                           |
 * |------|--------|------------------|-----------------------------------------------------------------|
 * | 0x01 | 4      | mileage          | DWORD 1/10 km → `mileage` km                                    |
 * | 0x02 | 2      | fuel             | WORD 1/10 L → `fuel` L                                          |
 * | 0x03 | 2      | recorderSpeed    | WORD 1/10 km/h (tachograph) → `speed` km/h                      |
 * | 0x04 | 2      | manualAlarmEvent | WORD id of the alarm event needing manual confirmation          |
 * | 0x05 | 30     | tyrePressure     | BYTE[30], one per tyre (2019; unit per go-jt808 "Pa", verify)   |
 * | 0x06 | 2      | cabinTemperature | signed WORD °C (2019)                                           |
 * | 0x11 | 1 or 5 | overspeedAlarm   | location type BYTE (0 none, 1 circle, 2 rectangle, 3 polygon,   |
 * |      |        |                  | 4 road section) + area id DWORD when the length is 5            |
 * | 0x12 | 6      | areaAlarm        | location type BYTE, area/route id DWORD, direction BYTE (0 in)  |
 * | 0x13 | 7      | routeTimeAlarm   | section id DWORD, travel time WORD s, result BYTE (0 short)     |
 * | 0x25 | 4      | vehicleSignals   | DWORD extended vehicle signal bits (lamps, brake, reverse, …)   |
 * | 0x2A | 2      | ioStatus         | WORD: bit0 deep sleep, bit1 sleep                               |
 * | 0x2B | 4      | analog           | DWORD: low WORD AD0, high WORD AD1                              |
 * | 0x30 | 1      | signalStrength   | BYTE wireless network signal strength                           |
 * | 0x31 | 1      | satellites       | BYTE GNSS satellites in use                                     |
 *
 * Items are decoded whatever the header's edition says (a 2013 terminal sending 0x05 is decoded).
 */

/** 0x01 mileage. */
export interface MileageItem {
  kind: 'mileage';
  id: 0x01;
  /** Odometer, km (wire 1/10 km). */
  mileage: number;
}

/** 0x02 fuel. */
export interface FuelItem {
  kind: 'fuel';
  id: 0x02;
  /** Fuel level, L (wire 1/10 L). */
  fuel: number;
}

/** 0x03 speed from the driving recorder (tachograph). */
export interface RecorderSpeedItem {
  kind: 'recorderSpeed';
  id: 0x03;
  /** km/h (wire 1/10 km/h). */
  speed: number;
}

/** 0x04 id of the alarm event that needs manual confirmation. */
export interface ManualAlarmEventItem {
  kind: 'manualAlarmEvent';
  id: 0x04;
  eventId: number;
}

/** 0x05 tyre pressures (2019). */
export interface TyrePressureItem {
  kind: 'tyrePressure';
  id: 0x05;
  /** 30 values, one per tyre position, as sent (0 = no tyre / no data). */
  pressures: number[];
}

/** 0x06 compartment temperature (2019). */
export interface CabinTemperatureItem {
  kind: 'cabinTemperature';
  id: 0x06;
  /** °C, signed. */
  temperature: number;
}

/** 0x11 overspeed alarm detail. */
export interface OverspeedAlarmItem {
  kind: 'overspeedAlarm';
  id: 0x11;
  /** 0 no specific area, 1 circle, 2 rectangle, 3 polygon, 4 road section. */
  locationType: number;
  /** Area or section id; present when the item is 5 bytes long (location type ≠ 0). */
  areaId?: number;
}

/** 0x12 in/out area or route alarm detail. */
export interface AreaAlarmItem {
  kind: 'areaAlarm';
  id: 0x12;
  /** 1 circle, 2 rectangle, 3 polygon, 4 route. */
  locationType: number;
  areaId: number;
  /** 0 in, 1 out. */
  direction: number;
}

/** 0x13 road-section travel time too short / too long. */
export interface RouteTimeAlarmItem {
  kind: 'routeTimeAlarm';
  id: 0x13;
  sectionId: number;
  /** Travel time on the section, s. */
  travelTime: number;
  /** 0 too short, 1 too long. */
  result: number;
}

/** 0x25 extended vehicle signal status bits. */
export interface VehicleSignalsItem {
  kind: 'vehicleSignals';
  id: 0x25;
  /**
   * Bits: 0 low beam, 1 high beam, 2 right turn, 3 left turn, 4 brake, 5 reverse, 6 fog lamp,
   * 7 clearance lamps, 8 horn, 9 air conditioner, 10 neutral, 11 retarder, 12 ABS, 13 heater,
   * 14 clutch (go-jt808 `parseExtendVehicleStatus`).
   */
  signals: number;
}

/** 0x2A IO status bits. */
export interface IoStatusItem {
  kind: 'ioStatus';
  id: 0x2a;
  /** Bits: 0 deep sleep, 1 sleep; 2–15 reserved. */
  ioStatus: number;
}

/** 0x2B analog inputs. */
export interface AnalogItem {
  kind: 'analog';
  id: 0x2b;
  /** AD0, low WORD of the DWORD. */
  ad0: number;
  /** AD1, high WORD of the DWORD. */
  ad1: number;
}

/** 0x30 wireless network signal strength. */
export interface SignalStrengthItem {
  kind: 'signalStrength';
  id: 0x30;
  rssi: number;
}

/** 0x31 number of GNSS satellites in use. */
export interface SatellitesItem {
  kind: 'satellites';
  id: 0x31;
  satellites: number;
}

export type StandardLocationItem =
  | MileageItem
  | FuelItem
  | RecorderSpeedItem
  | ManualAlarmEventItem
  | TyrePressureItem
  | CabinTemperatureItem
  | OverspeedAlarmItem
  | AreaAlarmItem
  | RouteTimeAlarmItem
  | VehicleSignalsItem
  | IoStatusItem
  | AnalogItem
  | SignalStrengthItem
  | SatellitesItem;

const TYRES = 30;

// Local on purpose: hot path, and a cross-module call costs a live-binding getter under tsx.
function i16at(b: Buffer, o: number): number {
  const v = (b[o]! << 8) | b[o + 1]!;
  return v > 0x7fff ? v - 0x10000 : v;
}

function u16at(b: Buffer, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

function u32at(b: Buffer, o: number): number {
  // Integer operations only (no float multiply): the caller has checked the bounds.
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

// Decoders of the fixed-size items trackers send in nearly every report, as named functions: the
// table below uses them, and `decodeLocationItem` (../items.ts) calls them directly on its fast
// path, where the compiler can inline them (a call through the table cannot be inlined).

export function decodeMileage(b: Buffer, o: number): MileageItem {
  return { kind: 'mileage', id: 0x01, mileage: u32at(b, o) / 10 };
}

export function decodeFuel(b: Buffer, o: number): FuelItem {
  return { kind: 'fuel', id: 0x02, fuel: u16at(b, o) / 10 };
}

export function decodeRecorderSpeed(b: Buffer, o: number): RecorderSpeedItem {
  return { kind: 'recorderSpeed', id: 0x03, speed: u16at(b, o) / 10 };
}

export function decodeVehicleSignals(b: Buffer, o: number): VehicleSignalsItem {
  return { kind: 'vehicleSignals', id: 0x25, signals: u32at(b, o) };
}

export function decodeIoStatus(b: Buffer, o: number): IoStatusItem {
  return { kind: 'ioStatus', id: 0x2a, ioStatus: u16at(b, o) };
}

export function decodeSignalStrength(b: Buffer, o: number): SignalStrengthItem {
  return { kind: 'signalStrength', id: 0x30, rssi: b[o]! };
}

export function decodeSatellites(b: Buffer, o: number): SatellitesItem {
  return { kind: 'satellites', id: 0x31, satellites: b[o]! };
}

export const STANDARD_ITEM_CODECS = [
  defineItem<MileageItem>({
    id: 0x01,
    kind: 'mileage',
    length: 4,
    decode: decodeMileage,
    encode: (w, i) => void w.u32(scaled(i.mileage, 10, 'mileage')),
  }),
  defineItem<FuelItem>({
    id: 0x02,
    kind: 'fuel',
    length: 2,
    decode: decodeFuel,
    encode: (w, i) => void w.u16(scaled(i.fuel, 10, 'fuel')),
  }),
  defineItem<RecorderSpeedItem>({
    id: 0x03,
    kind: 'recorderSpeed',
    length: 2,
    decode: decodeRecorderSpeed,
    encode: (w, i) => void w.u16(scaled(i.speed, 10, 'speed')),
  }),
  defineItem<ManualAlarmEventItem>({
    id: 0x04,
    kind: 'manualAlarmEvent',
    length: 2,
    decode: (b, o) => ({ kind: 'manualAlarmEvent', id: 0x04, eventId: u16at(b, o) }),
    encode: (w, i) => void w.u16(i.eventId),
  }),
  defineItem<TyrePressureItem>({
    id: 0x05,
    kind: 'tyrePressure',
    length: TYRES,
    decode: (b, o) => {
      const pressures = new Array<number>(TYRES);
      for (let k = 0; k < TYRES; k++) pressures[k] = b[o + k]!;
      return { kind: 'tyrePressure', id: 0x05, pressures };
    },
    encode: (w, i) => {
      if (i.pressures.length !== TYRES)
        throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `tyre pressures: ${i.pressures.length} values, need ${TYRES}`);
      for (const p of i.pressures) w.u8(p);
    },
  }),
  defineItem<CabinTemperatureItem>({
    id: 0x06,
    kind: 'cabinTemperature',
    length: 2,
    decode: (b, o) => ({ kind: 'cabinTemperature', id: 0x06, temperature: i16at(b, o) }),
    encode: (w, i) => void w.i16(i.temperature),
  }),
  defineItem<OverspeedAlarmItem>({
    id: 0x11,
    kind: 'overspeedAlarm',
    length: -1,
    decode: (b, o, len) => {
      // JT/T 808 §6.4 table: the area id is present only for a location type ≠ 0; the length
      // (1 or 5) decides here, so a type-0 item with an id still round-trips.
      if (len === 1) return { kind: 'overspeedAlarm', id: 0x11, locationType: b[o]! };
      if (len === 5) return { kind: 'overspeedAlarm', id: 0x11, locationType: b[o]!, areaId: u32at(b, o + 1) };
      throw new CodecError('IOTHUB_ERR_FIELD_VALUE', `item 0x11 length ${len}, expected 1 or 5`);
    },
    encode: (w, i) => {
      w.u8(i.locationType);
      if (i.areaId !== undefined) w.u32(i.areaId);
    },
  }),
  defineItem<AreaAlarmItem>({
    id: 0x12,
    kind: 'areaAlarm',
    length: 6,
    decode: (b, o) => ({
      kind: 'areaAlarm',
      id: 0x12,
      locationType: b[o]!,
      areaId: u32at(b, o + 1),
      direction: b[o + 5]!,
    }),
    encode: (w, i) => void w.u8(i.locationType).u32(i.areaId).u8(i.direction),
  }),
  defineItem<RouteTimeAlarmItem>({
    id: 0x13,
    kind: 'routeTimeAlarm',
    length: 7,
    decode: (b, o) => ({
      kind: 'routeTimeAlarm',
      id: 0x13,
      sectionId: u32at(b, o),
      travelTime: u16at(b, o + 4),
      result: b[o + 6]!,
    }),
    encode: (w, i) => void w.u32(i.sectionId).u16(i.travelTime).u8(i.result),
  }),
  defineItem<VehicleSignalsItem>({
    id: 0x25,
    kind: 'vehicleSignals',
    length: 4,
    decode: decodeVehicleSignals,
    encode: (w, i) => void w.u32(i.signals),
  }),
  defineItem<IoStatusItem>({
    id: 0x2a,
    kind: 'ioStatus',
    length: 2,
    decode: decodeIoStatus,
    encode: (w, i) => void w.u16(i.ioStatus),
  }),
  defineItem<AnalogItem>({
    id: 0x2b,
    kind: 'analog',
    length: 4,
    // High WORD first on the wire (big-endian DWORD): AD1 then AD0.
    decode: (b, o) => ({ kind: 'analog', id: 0x2b, ad0: u16at(b, o + 2), ad1: u16at(b, o) }),
    encode: (w, i) => void w.u16(i.ad1).u16(i.ad0),
  }),
  defineItem<SignalStrengthItem>({
    id: 0x30,
    kind: 'signalStrength',
    length: 1,
    decode: decodeSignalStrength,
    encode: (w, i) => void w.u8(i.rssi),
  }),
  defineItem<SatellitesItem>({
    id: 0x31,
    kind: 'satellites',
    length: 1,
    decode: decodeSatellites,
    encode: (w, i) => void w.u8(i.satellites),
  }),
] as const;
