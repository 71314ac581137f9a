import { CodecError } from '../errors.ts';
import type { Gt06Header, Gt06Packet } from './packet.ts';
import { encodeGt06 } from './packet.ts';

/**
 * The replies a GT06 device expects (protocols/jimi-gt06.md §9, §2.4, §2.5, §8.6):
 *
 * | request                                   | reply                                                    |
 * |-------------------------------------------|----------------------------------------------------------|
 * | 0x01 login (any form)                     | `78 78 05 01 <serial> <crc> 0D 0A`                      |
 * | 0x13 / 0x23 heartbeat                     | generic ack, same protocol                               |
 * | 0x16 / 0x26 / 0x27 / 0xA4 / 0x19 / 0xA5   | generic ack, same protocol                               |
 * | 0x8A time request                         | 0x8A with the current UTC time                           |
 * | 0x2A / 0x1A address request               | "not available": 0x17 (Chinese request) / 0x97, `NA&&NA&&0##` |
 * | clone 0x69 / 0x17 WiFi (BCD)              | `78 78 00 <69|17> <same BCD time> 0D 0A`                |
 * | clone 0x10 / 0x11 GPS, clone 0x13, 0x10   | generic ack, same protocol                               |
 * | 0x95 camera alarm                         | generic ack (traccar)                                    |
 * | 0x70 modular (long header)                | short-header 0x70 ack (traccar)                          |
 *
 * Replies echo the device's serial (the document examples do; traccar uses 0 for the 0x8A and
 * 0x97 replies). Clone-form requests carry no serial: their acks use serial 0, in the standard
 * frame traccar answers them with. Location and LBS packets get no reply (documents).
 */
export interface AckOptions {
  /** Clock for the 0x8A time reply (the codec reads no clock unless this is omitted). */
  now?: Date;
  /** Wire time zone used to decode the packet (for echoing the clone WiFi BCD time). Default 0. */
  timeOffsetMinutes?: number;
}

function ack(header: Gt06Header, protocol: number): Buffer {
  return encodeGt06({ start: header.start, serial: header.serial ?? 0 }, { type: 'ack', protocol, body: {} });
}

/** The reply frame a device expects for a decoded packet, or null when none is due. */
export function ackFor(packet: Pick<Gt06Packet, 'header' | 'message'>, options: AckOptions = {}): Buffer | null {
  const { header, message } = packet;
  const offset = options.timeOffsetMinutes ?? 0;
  switch (message.type) {
    case 'login':
    case 'heartbeat':
    case 'heartbeat-voltage':
    case 'alarm':
    case 'lbs-alarm':
    case 'gps':
    case 'camera-alarm':
      return ack(header, message.protocol);
    case 'modular':
      // traccar answers 0x70 with a short-header ack.
      return encodeGt06({ serial: header.serial ?? 0 }, { type: 'ack', protocol: 0x70, body: {} });
    case 'time-request':
      return encodeGt06(
        { start: header.start, serial: header.serial ?? 0 },
        { type: 'time-response', protocol: 0x8a, body: { time: options.now ?? new Date() } },
      );
    case 'address-request': {
      // D2 §5–6: 0x17 (Chinese, UTF-16) for a Chinese request, else 0x97 (English, long header).
      const chinese = message.body.language === 0x0001;
      return encodeGt06(
        { start: chinese ? 'short' : 'long', serial: header.serial ?? 0 },
        {
          type: 'address-reply',
          protocol: chinese ? 0x17 : 0x97,
          body: { serverFlag: 0, tag: 'NA', address: 'NA', phone: '0' },
        },
      );
    }
    case 'wifi-bcd':
      return encodeGt06(
        { serial: null },
        { type: 'wifi-bcd-reply', protocol: message.protocol, body: { time: message.body.time } },
        { timeOffsetMinutes: offset },
      );
    default:
      return null;
  }
}

export interface CommandInput {
  /** ASCII command in SMS syntax, e.g. `Relay,1#`, `DYD,123456#`, `WHERE#`. */
  command: string;
  /** Opaque flag the device echoes in its 0x21 / 0x15 reply (match replies by it). Default 0. */
  serverFlag?: number;
  /** Frame serial. Default 0 (traccar). */
  serial?: number;
  /** Optional language word: 0x0001 Chinese, 0x0002 English (traccar's `gt06.language`). */
  language?: number;
}

/** A 0x80 online command frame (§5.8). Throws CodecError on a non-ASCII or overlong command. */
export function encodeCommand(input: CommandInput): Buffer {
  const serverFlag = input.serverFlag ?? 0;
  if (!Number.isInteger(serverFlag) || serverFlag < 0 || serverFlag > 0xffffffff) {
    throw new CodecError('IOTHUB_ERR_ENCODE_VALUE', `server flag ${serverFlag}`);
  }
  const body: { serverFlag: number; command: string; language?: number } = { serverFlag, command: input.command };
  if (input.language !== undefined) body.language = input.language;
  return encodeGt06({ serial: input.serial ?? 0 }, { type: 'online-command', protocol: 0x80, body });
}
