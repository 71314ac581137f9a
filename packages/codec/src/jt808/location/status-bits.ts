/**
 * JT/T 808 status flag word (0x0200 basic block DWORD at offset 4), protocols/jt808-jt1078.md §6.3
 * (go-jt808 `0x0200_status_sign_03.txt` for the 2019 bits, SmallChi `JT808Status.cs` for 2013).
 *
 * | bit   | field                    | meaning when set                                   |
 * |-------|--------------------------|----------------------------------------------------|
 * | 0     | accOn                    | ACC on                                             |
 * | 1     | positioned               | GNSS fix                                           |
 * | 2     | south                    | south latitude                                     |
 * | 3     | west                     | west longitude                                     |
 * | 4     | outOfService             | vehicle out of operation                           |
 * | 5     | coordinatesEncrypted     | lat/lon encrypted by the confidentiality plug-in   |
 * | 6     | forwardCollisionWarning  | 2019: AEB forward-collision warning                |
 * | 7     | laneDepartureWarning     | 2019: lane-departure warning                       |
 * | 8–9   | load                     | 00 empty, 01 half, 10 reserved, 11 full            |
 * | 10    | fuelCut                  | fuel line cut                                      |
 * | 11    | circuitCut               | vehicle circuit cut                                |
 * | 12    | doorLocked               | doors locked                                       |
 * | 13–17 | door1Open … door5Open    | front, middle, rear, driver, custom door open      |
 * | 18    | gps                      | GPS used for the fix                               |
 * | 19    | beidou                   | BeiDou used                                        |
 * | 20    | glonass                  | GLONASS used                                       |
 * | 21    | galileo                  | Galileo used                                       |
 * | 22    | moving                   | 2019: vehicle moving (0 = stopped)                 |
 * | 23–31 | –                        | reserved                                           |
 */
export const JT808_STATUS_BITS = [
  { bit: 0, name: 'accOn', since: 2013 },
  { bit: 1, name: 'positioned', since: 2013 },
  { bit: 2, name: 'south', since: 2013 },
  { bit: 3, name: 'west', since: 2013 },
  { bit: 4, name: 'outOfService', since: 2013 },
  { bit: 5, name: 'coordinatesEncrypted', since: 2013 },
  { bit: 6, name: 'forwardCollisionWarning', since: 2019 },
  { bit: 7, name: 'laneDepartureWarning', since: 2019 },
  { bit: 10, name: 'fuelCut', since: 2013 },
  { bit: 11, name: 'circuitCut', since: 2013 },
  { bit: 12, name: 'doorLocked', since: 2013 },
  { bit: 13, name: 'door1Open', since: 2013 },
  { bit: 14, name: 'door2Open', since: 2013 },
  { bit: 15, name: 'door3Open', since: 2013 },
  { bit: 16, name: 'door4Open', since: 2013 },
  { bit: 17, name: 'door5Open', since: 2013 },
  { bit: 18, name: 'gps', since: 2013 },
  { bit: 19, name: 'beidou', since: 2013 },
  { bit: 20, name: 'glonass', since: 2013 },
  { bit: 21, name: 'galileo', since: 2013 },
  { bit: 22, name: 'moving', since: 2019 },
] as const;

/** The 2-bit load field (bits 8–9): index = field value. */
export const JT808_LOAD_STATES = ['empty', 'half', 'reserved', 'full'] as const;
export const JT808_LOAD_SHIFT = 8;

export type Jt808StatusFlag = (typeof JT808_STATUS_BITS)[number]['name'];
export type Jt808LoadState = (typeof JT808_LOAD_STATES)[number];

/** Named view of a status word: one boolean per flag bit, plus the load field. */
export type Jt808Status = { [K in Jt808StatusFlag]: boolean } & { load: Jt808LoadState };

/** Named view of a status word (reserved bits 23–31 are not represented). */
export function decodeStatus(word: number): Jt808Status {
  const w = word >>> 0;
  return {
    accOn: (w & 0x1) !== 0,
    positioned: (w & 0x2) !== 0,
    south: (w & 0x4) !== 0,
    west: (w & 0x8) !== 0,
    outOfService: (w & 0x10) !== 0,
    coordinatesEncrypted: (w & 0x20) !== 0,
    forwardCollisionWarning: (w & 0x40) !== 0,
    laneDepartureWarning: (w & 0x80) !== 0,
    load: JT808_LOAD_STATES[(w >>> JT808_LOAD_SHIFT) & 0x3]!,
    fuelCut: (w & 0x400) !== 0,
    circuitCut: (w & 0x800) !== 0,
    doorLocked: (w & 0x1000) !== 0,
    door1Open: (w & 0x2000) !== 0,
    door2Open: (w & 0x4000) !== 0,
    door3Open: (w & 0x8000) !== 0,
    door4Open: (w & 0x10000) !== 0,
    door5Open: (w & 0x20000) !== 0,
    gps: (w & 0x40000) !== 0,
    beidou: (w & 0x80000) !== 0,
    glonass: (w & 0x100000) !== 0,
    galileo: (w & 0x200000) !== 0,
    moving: (w & 0x400000) !== 0,
  };
}

/** Status word from flags (missing flags are 0, missing load is empty). Inverse of `decodeStatus`. */
export function statusWord(status: Partial<Jt808Status>): number {
  let w = 0;
  for (const { bit, name } of JT808_STATUS_BITS) if (status[name]) w |= 1 << bit;
  if (status.load !== undefined) w |= JT808_LOAD_STATES.indexOf(status.load) << JT808_LOAD_SHIFT;
  return w >>> 0;
}
