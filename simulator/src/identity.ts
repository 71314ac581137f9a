import { isIPv4 } from 'node:net';
import { SimError } from './errors.ts';

/**
 * Device identities derived from a base and an index, so N devices are unique and a run is
 * reproducible.
 *
 * JT/T 808 phone numbers: `base + index` as digits, left-padded with zeros to 12 digits (the 2013
 * BCD[6]) or 20 digits (the 2019 BCD[10]). The gateway's `deviceImei` is the number without its
 * leading zeros (product.md), so the same index gives the same device id in both editions.
 *
 * IMEIs: 14 digits (`base + index`) followed by the Luhn check digit, as real IMEIs have.
 */
export const DEFAULT_PHONE_BASE = '13800000000';
export const DEFAULT_IMEI_BASE = '86011207000000';

function addIndex(base: string, index: number, what: string): string {
  if (!/^\d+$/.test(base)) throw new SimError('IOTHUB_ERR_SIM_ARGS', `${what} base "${base}" is not digits`);
  if (!Number.isSafeInteger(index) || index < 0) throw new SimError('IOTHUB_ERR_SIM_ARGS', `index ${index}`);
  return (BigInt(base) + BigInt(index)).toString();
}

/** Terminal phone number for a JT/T 808 device (12 BCD digits in 2011/2013, 20 in 2019). */
export function phoneFor(base: string, index: number, version: 2013 | 2019): string {
  const digits = version === 2019 ? 20 : 12;
  const n = addIndex(base, index, 'phone');
  if (n.length > digits) throw new SimError('IOTHUB_ERR_SIM_ARGS', `phone ${n} has more than ${digits} digits`);
  return n.padStart(digits, '0');
}

/** Luhn check digit of a digit string. */
export function luhnDigit(digits: string): number {
  let total = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    total += d;
  }
  return (10 - (total % 10)) % 10;
}

/** 15-digit IMEI: 14 digits from `base + index` and a Luhn check digit. */
export function imeiFor(base: string, index: number): string {
  const body = addIndex(base.length === 15 ? base.slice(0, 14) : base, index, 'IMEI');
  if (body.length > 14) throw new SimError('IOTHUB_ERR_SIM_ARGS', `IMEI base + index ${body} has more than 14 digits`);
  const padded = body.padStart(14, '0');
  return padded + String(luhnDigit(padded));
}

function ipv4ToInt(ip: string): number {
  const p = ip.split('.').map(Number);
  return ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
}

function intToIpv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/**
 * Local source addresses from `127.0.0.1-127.0.0.8`, `127.0.0.1,127.0.0.2` or a mix
 * (`127.0.0.1-127.0.0.4,10.0.0.5`). At most 4,096 addresses.
 */
export function parseAddressList(spec: string): string[] {
  const out: string[] = [];
  for (const part of spec.split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const dash = item.indexOf('-');
    if (dash < 0) {
      if (!isIPv4(item)) throw new SimError('IOTHUB_ERR_SIM_ARGS', `"${item}" is not an IPv4 address`);
      out.push(item);
      continue;
    }
    const from = item.slice(0, dash);
    const to = item.slice(dash + 1);
    if (!isIPv4(from) || !isIPv4(to)) throw new SimError('IOTHUB_ERR_SIM_ARGS', `"${item}" is not an IPv4 range`);
    const a = ipv4ToInt(from);
    const b = ipv4ToInt(to);
    if (b < a) throw new SimError('IOTHUB_ERR_SIM_ARGS', `range "${item}" ends before it starts`);
    if (b - a >= 4096) throw new SimError('IOTHUB_ERR_SIM_ARGS', `range "${item}" has more than 4096 addresses`);
    for (let n = a; n <= b; n++) out.push(intToIpv4(n));
  }
  if (out.length === 0) throw new SimError('IOTHUB_ERR_SIM_ARGS', `no address in "${spec}"`);
  if (out.length > 4096) throw new SimError('IOTHUB_ERR_SIM_ARGS', 'more than 4096 source addresses');
  return out;
}
