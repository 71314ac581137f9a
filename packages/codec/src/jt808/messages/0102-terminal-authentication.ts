import { CodecError } from '../../errors.ts';
import { defineMessage } from '../message.ts';
import { readRestText, readShortText, writeFixedText, writeRestText, writeShortText } from './terminal-fields.ts';

/**
 * 0x0102 Terminal authentication (T→P); answered with 0x8001 (result 0 accepts, non-zero rejects).
 * protocols/jt808-jt1078.md §5.2 (SmallChi `JT808_0x0102.cs`, go-jt808 `t_0x0102.go`).
 *
 * | field            | 2011 / 2013         | 2019     | notes                                 |
 * |------------------|---------------------|----------|---------------------------------------|
 * | auth code length | –                   | BYTE     |                                       |
 * | auth code        | STRING (whole body) | STRING   | as issued in 0x8100                   |
 * | IMEI             | –                   | BYTE[15] | ASCII                                 |
 * | software version | –                   | BYTE[20] | NUL-padded (SmallChi pads with `'0'`) |
 *
 * Edition: the header version decides, with one tolerance: a 2019 header whose body does not fit
 * the 2019 layout (too short for length + code + 35 bytes) is read as a 2013 body, so a terminal
 * that sends the bare code under a 2019 header can still authenticate. The edition is recorded and
 * the encoder follows it.
 *
 * Text: the code (to the end of the body in 2013, length-prefixed in 2019) has trailing NULs (some
 * terminals NUL-terminate it) trimmed, and `authCodeRaw` keeps the bytes when the code would not
 * re-encode to them. IMEI and software version lose only their NUL padding; `'0'` padding is kept
 * (see terminal-fields.ts).
 */
export type TerminalAuthentication = TerminalAuthentication2013 | TerminalAuthentication2019;

export interface TerminalAuthentication2013 {
  edition: 2013;
  /** Auth code (GBK), trailing NULs trimmed. */
  authCode: string;
  /** Code bytes as sent; present only when `authCode` would not re-encode to them. Wins when encoding. */
  authCodeRaw?: Buffer;
}

export interface TerminalAuthentication2019 {
  edition: 2019;
  /** Auth code (GBK), length-prefixed on the wire; trailing NULs trimmed. */
  authCode: string;
  /** Code bytes as sent; present only when `authCode` would not re-encode to them. Wins when encoding. */
  authCodeRaw?: Buffer;
  /** Terminal IMEI, 15 ASCII digits (NUL padding trimmed). */
  imei: string;
  /** Software version, BYTE[20], NUL padding trimmed. */
  softwareVersion: string;
}

const IMEI_LENGTH = 15;
const VERSION_LENGTH = 20;

export const m0102 = defineMessage({
  msgId: 0x0102,
  type: 'terminal-authentication',
  direction: 'up',
  decode(r, ctx): TerminalAuthentication {
    const n = r.remaining;
    // JT/T 808-2019 layout (doc §5.2): length BYTE + code + IMEI[15] + software version[20].
    if (ctx.version === 2019 && n >= 1 + IMEI_LENGTH + VERSION_LENGTH) {
      const codeLength = r.buf[r.pos]!;
      if (1 + codeLength + IMEI_LENGTH + VERSION_LENGTH <= n) {
        const code = readShortText(r);
        const imei = r.fixedString(IMEI_LENGTH);
        const softwareVersion = r.fixedString(VERSION_LENGTH);
        const body: TerminalAuthentication2019 = { edition: 2019, authCode: code.text, imei, softwareVersion };
        if (code.raw) body.authCodeRaw = code.raw;
        return body;
      }
    }
    const code = readRestText(r);
    return code.raw
      ? { edition: 2013, authCode: code.text, authCodeRaw: code.raw }
      : { edition: 2013, authCode: code.text };
  },
  encode(w, b: TerminalAuthentication) {
    switch (b.edition) {
      case 2013:
        writeRestText(w, b.authCode, b.authCodeRaw, 'authCode');
        return;
      case 2019:
        writeShortText(w, b.authCode, b.authCodeRaw, 'authCode');
        writeFixedText(w, b.imei, IMEI_LENGTH, 'imei');
        writeFixedText(w, b.softwareVersion, VERSION_LENGTH, 'softwareVersion');
        return;
      default: {
        const never: never = b;
        throw new CodecError(
          'IOTHUB_ERR_ENCODE_VALUE',
          `edition ${String((never as { edition: unknown }).edition)} is not 2013/2019`,
        );
      }
    }
  },
});
