/**
 * Jimi / GT06 messages → LBS queries, and the address reply with a position (docs/lbs.md "Gateway
 * use"; protocols/jimi-gt06.md §5.5–5.7, §8.6).
 *
 * | message                                   | cells                                   | WiFi              |
 * |-------------------------------------------|-----------------------------------------|-------------------|
 * | 0x18 / 0x28 / 0xA1 lbs-multi              | serving + 6 neighbours (empty slots out) | —                 |
 * | 0x2C / 0xA2 wifi-lbs                      | as above                                | n × (MAC, signal) |
 * | clone 0x69 / 0x17 wifi-bcd                | m × (LAC, CI, RSSI), one MCC / MNC      | n × (MAC, RSSI)   |
 * | 0x19 / 0xA5 lbs-alarm                     | the one cell                            | —                 |
 *
 * Signal values go to the LBS as the service reads them (lbs/src/geo.ts): a cell's RSSI byte is the
 * 0x00 (weakest) … 0xFF (strongest) scale, sent as is (0 = no reading, left out); a WiFi strength
 * byte ≥ 0x80 is a signed dBm (0xC5 = −59), a smaller non-zero one the dBm magnitude (0x3B = −59).
 * Cells whose values the LBS cannot key (MCC / MNC > 999, a 4G CI ≥ 2^40) are left out.
 */
import { gt06 } from '@iothub/codec';
import type { LocationQuery } from '../common/protocol.ts';

const MAX_CI = 2 ** 40 - 1;

type Cell = LocationQuery['cells'][number];
type Wifi = LocationQuery['wifi'][number];

function cell(mcc: number, mnc: number, lac: number, ci: number, rssi: number | undefined, out: Cell[]): void {
  if (lac === 0 && ci === 0) return; // empty neighbour slot
  if (mcc > 999 || mnc > 999 || ci > MAX_CI || !Number.isSafeInteger(ci) || lac > 0xffffffff) return;
  out.push(rssi === undefined || rssi === 0 ? { mcc, mnc, lac, ci } : { mcc, mnc, lac, ci, rssi });
}

export function wifiRssi(b: number): number | undefined {
  if (b === 0) return undefined;
  return b >= 0x80 ? b - 256 : -b;
}

function wifi(list: readonly gt06.Gt06WifiAccessPoint[], out: Wifi[]): void {
  for (const ap of list) {
    if (ap.mac === '00:00:00:00:00:00' || ap.mac === 'ff:ff:ff:ff:ff:ff') continue;
    const rssi = wifiRssi(ap.rssi);
    out.push(rssi === undefined ? { mac: ap.mac } : { mac: ap.mac, rssi });
  }
}

/** The LBS query of a message that carries cells / WiFi, or null for any other message. */
export function lbsQueryOf(message: gt06.Gt06Message, imei: string): LocationQuery | null {
  const cells: Cell[] = [];
  const aps: Wifi[] = [];
  switch (message.type) {
    case 'lbs-multi':
    case 'wifi-lbs': {
      const b = message.body;
      for (const c of b.cells) cell(b.mcc, b.mnc, c.lac, c.cellId, c.rssi, cells);
      if (message.type === 'wifi-lbs') wifi(message.body.wifi, aps);
      break;
    }
    case 'wifi-bcd': {
      const b = message.body;
      for (const c of b.cells) cell(b.mcc, b.mnc, c.lac, c.cellId, c.rssi, cells);
      wifi(b.wifi, aps);
      break;
    }
    case 'lbs-alarm': {
      const c = message.body.cell;
      cell(c.mcc, c.mnc, c.lac, c.cellId, undefined, cells);
      break;
    }
    default:
      return null;
  }
  return { imei, cells, wifi: aps };
}

/** `postType` of a location from these observations: 3 when WiFi took part (also mixed), else 2. */
export function postTypeOf(lbsType: number | null, query: LocationQuery): 2 | 3 {
  if (lbsType === 2 || lbsType === 3) return 3;
  if (lbsType === 4) return 2;
  return query.wifi.length > 0 ? 3 : 2;
}

/** The address text sent for a position (no reverse geocoder: a map link the device can forward by SMS). */
export function addressText(lat: number, lng: number): string {
  return `http://maps.google.com/maps?q=${lat.toFixed(6)},${lng.toFixed(6)}`;
}

/**
 * The address reply (§5.7) to an address request: 0x17 (short header, UTF-16 address) when the
 * request asked for Chinese (language 0x0001), else 0x97 (long header). With a position: `ALARMSMS`
 * tag, the map link, the request's phone number; without: traccar's "not available" (`NA&&NA&&0##`).
 */
export function addressReply(
  header: gt06.Gt06Header,
  request: gt06.AddressRequest,
  position: { lat: number; lng: number } | null,
): Buffer {
  const chinese = request.language === 0x0001;
  const body = position
    ? { serverFlag: 0, tag: 'ALARMSMS', address: addressText(position.lat, position.lng), phone: request.phone || '0' }
    : { serverFlag: 0, tag: 'NA', address: 'NA', phone: '0' };
  return gt06.encodeGt06(
    { start: chinese ? 'short' : 'long', serial: header.serial ?? 0 },
    { type: 'address-reply', protocol: chinese ? 0x17 : 0x97, body },
  );
}
