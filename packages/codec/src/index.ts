/**
 * @iothub/codec: pure protocol codecs (no I/O, no timers, no logging).
 * Namespaces per protocol keep equally named types apart.
 */

export { bcdToString, writeBcd } from './core/bcd.ts';
export { crc16x25, xorChecksum } from './core/checksum.ts';
export { Reader } from './core/reader.ts';
export { decodeGbk, encodeGbk, fromHex, toHex } from './core/text.ts';
export { Writer } from './core/writer.ts';
export * from './errors.ts';
export * as gt06 from './gt06/index.ts';
export * as jt808 from './jt808/index.ts';
export * as jt1078 from './jt1078/index.ts';
