import { defineMessage } from '../message.ts';
import { writeExactBytes } from './terminal-fields.ts';

/**
 * 0x0A00 Terminal RSA public key (T→P), the terminal's key for encrypting downlink bodies
 * (header bit 10). Same layout in 2013 / 2019 (SmallChi `JT808_0x0A00.cs`; not in 2011).
 *
 * | field | type      | notes                          |
 * |-------|-----------|--------------------------------|
 * | e     | DWORD     | public exponent                |
 * | n     | BYTE[128] | modulus, 1024 bits, big-endian |
 */
export interface TerminalRsaPublicKey {
  /** Public exponent `e`. */
  exponent: number;
  /** Modulus `n`, 128 bytes big-endian (a view into the frame). */
  modulus: Buffer;
}

const RSA_MODULUS_LENGTH = 128;

export const m0a00 = defineMessage({
  msgId: 0x0a00,
  type: 'terminal-rsa-public-key',
  direction: 'up',
  decode(r): TerminalRsaPublicKey {
    return { exponent: r.u32(), modulus: r.bytes(RSA_MODULUS_LENGTH) };
  },
  encode(w, b: TerminalRsaPublicKey) {
    w.u32(b.exponent);
    writeExactBytes(w, b.modulus, RSA_MODULUS_LENGTH, 'modulus');
  },
});
