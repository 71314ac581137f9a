import { defineItem } from './codec.ts';

/**
 * JT/T 1078 additional items of 0x0200 (protocols/jt808-jt1078.md §6.4; layouts from SmallChi
 * `Extensions.JT1078/MessageBody/JT808_0x0200_0x14..0x18.cs`). The bit words are kept as sent:
 * the reference warns that SmallChi's bit naming is unreliable (**verify** against JT/T 1078).
 *
 * | id   | len | kind            | value                                                             |
 * |------|-----|-----------------|-------------------------------------------------------------------|
 * | 0x14 | 4   | videoAlarm      | DWORD: 0 signal loss, 1 occlusion, 2 storage failure, 3 other     |
 * |      |     |                 | device fault, 4 bus overcrowding, 5 abnormal driving, 6 special   |
 * |      |     |                 | recording reached its storage threshold                           |
 * | 0x15 | 4   | videoSignalLoss | DWORD, bit n = logical channel n + 1                              |
 * | 0x16 | 4   | videoOcclusion  | DWORD, bit n = logical channel n + 1                              |
 * | 0x17 | 2   | storageFault    | WORD: bits 0–11 main storage units, 12–15 disaster-backup units   |
 * | 0x18 | 3   | abnormalDriving | type WORD (bit flags: fatigue, phone call, smoking, …) +          |
 * |      |     |                 | fatigue level BYTE                                                |
 */

/** 0x14 video-related alarm bits. */
export interface VideoAlarmItem {
  kind: 'videoAlarm';
  id: 0x14;
  flags: number;
}

/** 0x15 video signal loss per logical channel. */
export interface VideoSignalLossItem {
  kind: 'videoSignalLoss';
  id: 0x15;
  /** Bit n set = logical channel n + 1 lost its video signal. */
  channels: number;
}

/** 0x16 video occlusion per logical channel. */
export interface VideoOcclusionItem {
  kind: 'videoOcclusion';
  id: 0x16;
  /** Bit n set = logical channel n + 1 is occluded. */
  channels: number;
}

/** 0x17 storage device faults. */
export interface StorageFaultItem {
  kind: 'storageFault';
  id: 0x17;
  /** Bits 0–11 main storage units 1–12, bits 12–15 disaster-backup units 1–4. */
  units: number;
}

/** 0x18 abnormal driving behaviour. */
export interface AbnormalDrivingItem {
  kind: 'abnormalDriving';
  id: 0x18;
  /** Behaviour bit flags as sent (fatigue, phone call, smoking, …; bit order **verify**). */
  behavior: number;
  /** Fatigue level (0–100 per the common reading). */
  fatigueLevel: number;
}

export type VideoLocationItem =
  | VideoAlarmItem
  | VideoSignalLossItem
  | VideoOcclusionItem
  | StorageFaultItem
  | AbnormalDrivingItem;

// Local on purpose: hot path, and a cross-module call costs a live-binding getter under tsx.
function u16at(b: Buffer, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

function u32at(b: Buffer, o: number): number {
  return b[o]! * 0x1000000 + ((b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!);
}

export const VIDEO_ITEM_CODECS = [
  defineItem<VideoAlarmItem>({
    id: 0x14,
    kind: 'videoAlarm',
    length: 4,
    decode: (b, o) => ({ kind: 'videoAlarm', id: 0x14, flags: u32at(b, o) }),
    encode: (w, i) => void w.u32(i.flags),
  }),
  defineItem<VideoSignalLossItem>({
    id: 0x15,
    kind: 'videoSignalLoss',
    length: 4,
    decode: (b, o) => ({ kind: 'videoSignalLoss', id: 0x15, channels: u32at(b, o) }),
    encode: (w, i) => void w.u32(i.channels),
  }),
  defineItem<VideoOcclusionItem>({
    id: 0x16,
    kind: 'videoOcclusion',
    length: 4,
    decode: (b, o) => ({ kind: 'videoOcclusion', id: 0x16, channels: u32at(b, o) }),
    encode: (w, i) => void w.u32(i.channels),
  }),
  defineItem<StorageFaultItem>({
    id: 0x17,
    kind: 'storageFault',
    length: 2,
    decode: (b, o) => ({ kind: 'storageFault', id: 0x17, units: u16at(b, o) }),
    encode: (w, i) => void w.u16(i.units),
  }),
  defineItem<AbnormalDrivingItem>({
    id: 0x18,
    kind: 'abnormalDriving',
    length: 3,
    decode: (b, o) => ({ kind: 'abnormalDriving', id: 0x18, behavior: u16at(b, o), fatigueLevel: b[o + 2]! }),
    encode: (w, i) => void w.u16(i.behavior).u8(i.fatigueLevel),
  }),
] as const;
