/**
 * Stable error codes of the codec package, one table (convention 7).
 *
 * Framers and decoders never throw on wire input: they report one of these codes
 * (as a framer issue or as a decode error inside a result). Encoders throw
 * `CodecError` with one of these codes when asked to encode an invalid value,
 * because that is a bug in the caller.
 *
 * Logs, metric labels and HTTP error bodies carry the code, not only the prose.
 */
export const CodecErrorCodes = {
  /** Bytes before a frame start, or between frames, were discarded while resynchronising. */
  IOTHUB_ERR_FRAME_GARBAGE: 'bytes discarded while looking for a frame start',
  /** A frame exceeded the framer's maximum size; its bytes were discarded. */
  IOTHUB_ERR_FRAME_TOO_LARGE: 'frame larger than the configured maximum',
  /** The frame's check code (JT/T 808 XOR, GT06 CRC-16/X-25) does not match. */
  IOTHUB_ERR_FRAME_CHECKSUM: 'check code mismatch',
  /** JT/T 808: a 0x7d escape byte followed by something other than 0x01 / 0x02. */
  IOTHUB_ERR_FRAME_ESCAPE: 'invalid 0x7d escape sequence',
  /** The frame is shorter than the smallest valid frame of its protocol. */
  IOTHUB_ERR_FRAME_TOO_SHORT: 'frame too short',
  /** The declared length disagrees with the bytes present. */
  IOTHUB_ERR_FRAME_LENGTH: 'declared length does not match the frame',
  /** A message body ended before a field could be read. */
  IOTHUB_ERR_TRUNCATED: 'message body truncated',
  /** A field holds a value outside its defined range (bad BCD digit, bad date, ...). */
  IOTHUB_ERR_FIELD_VALUE: 'field value out of range',
  /** Bytes left over after a message body was fully decoded. */
  IOTHUB_ERR_TRAILING_BYTES: 'trailing bytes after message body',
  /** The body is encrypted (JT/T 808 RSA flag); it is passed through undecoded. */
  IOTHUB_ERR_ENCRYPTED: 'encrypted body passed through undecoded',
  /** The message id has no decoder; it is passed through as raw bytes. */
  IOTHUB_ERR_UNKNOWN_MESSAGE: 'unknown message id',
  /** Subpackage reassembly: too many pending bytes, a packet was dropped. */
  IOTHUB_ERR_REASSEMBLY_OVERFLOW: 'reassembly buffer limit exceeded',
  /** Subpackage reassembly: a partial message aged out. */
  IOTHUB_ERR_REASSEMBLY_TIMEOUT: 'reassembly timed out',
  /** Subpackage reassembly: inconsistent packet (index out of range, total changed). */
  IOTHUB_ERR_REASSEMBLY_INVALID: 'inconsistent subpackage',
  /** JT/T 1078: a stream packet was dropped (gap in sequence, missing first piece, ...). */
  IOTHUB_ERR_STREAM_GAP: 'stream packet sequence gap',
  /** Encoder: a value cannot be represented on the wire (caller bug). */
  IOTHUB_ERR_ENCODE_VALUE: 'value cannot be encoded',
} as const;

export type CodecErrorCode = keyof typeof CodecErrorCodes;

/** Thrown by encoders (caller bugs) and by `Reader` internally; decoders catch it and report. */
export class CodecError extends Error {
  readonly code: CodecErrorCode;
  constructor(code: CodecErrorCode, detail?: string) {
    super(detail ? `${code}: ${CodecErrorCodes[code]}: ${detail}` : `${code}: ${CodecErrorCodes[code]}`);
    this.name = 'CodecError';
    this.code = code;
  }
}

/** A problem found while framing or decoding. Never thrown; returned or passed to a callback. */
export interface CodecIssue {
  code: CodecErrorCode;
  detail?: string;
  /** Number of bytes the issue concerns (discarded bytes, frame size, ...). */
  bytes?: number;
}

export function toIssue(err: unknown): CodecIssue {
  if (err instanceof CodecError) return { code: err.code, detail: err.message };
  return { code: 'IOTHUB_ERR_FIELD_VALUE', detail: err instanceof Error ? err.message : String(err) };
}
