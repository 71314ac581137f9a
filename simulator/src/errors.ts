/**
 * Stable error codes of the simulator, one table (convention 7). Statistics count errors by
 * code (`errors[code]`), and the command line prints them. Codes the codec reports about frames
 * the server sent (`IOTHUB_ERR_FRAME_CHECKSUM`, ...) are counted under the codec's own code.
 */
export const SimErrorCodes = {
  /** The TCP connection could not be established (refused, unreachable, source address not bindable). */
  IOTHUB_ERR_SIM_CONNECT: 'connection failed',
  /** No connection within the connect timeout. */
  IOTHUB_ERR_SIM_CONNECT_TIMEOUT: 'connection timed out',
  /** A socket error on an established connection (reset, ...). */
  IOTHUB_ERR_SIM_SOCKET: 'socket error',
  /** The server closed the connection while the device was running. */
  IOTHUB_ERR_SIM_CLOSED: 'connection closed by the server',
  /** JT/T 808: 0x8100 with a non-zero result (registration refused). */
  IOTHUB_ERR_SIM_REGISTER: 'registration refused',
  /** JT/T 808: 0x8001 answering 0x0102 with a non-zero result (authentication refused). */
  IOTHUB_ERR_SIM_AUTH: 'authentication refused',
  /** No answer to register / authenticate / login within the login timeout. */
  IOTHUB_ERR_SIM_LOGIN_TIMEOUT: 'no answer to the login sequence',
  /** A message that expects an acknowledgement got none within the ack timeout. */
  IOTHUB_ERR_SIM_ACK_TIMEOUT: 'acknowledgement timed out',
  /** JT/T 808: a 0x8001 with a non-zero result for a data message. */
  IOTHUB_ERR_SIM_NACK: 'negative acknowledgement',
  /** An acknowledgement for a message the device is not waiting for (late, duplicate or unknown serial). */
  IOTHUB_ERR_SIM_UNEXPECTED_ACK: 'acknowledgement for no pending message',
  /** A frame from the server could not be decoded. */
  IOTHUB_ERR_SIM_BAD_FRAME: 'undecodable frame from the server',
  /** A message was not sent because the socket's send buffer was full (the server reads too slowly). */
  IOTHUB_ERR_SIM_BACKPRESSURE: 'message skipped: send buffer full',
  /** The reconnect attempts allowed were used up; the device stopped. */
  IOTHUB_ERR_SIM_GAVE_UP: 'reconnect attempts exhausted',
  /** Command line: an invalid argument. */
  IOTHUB_ERR_SIM_ARGS: 'invalid command-line argument',
} as const;

export type SimErrorCode = keyof typeof SimErrorCodes;

/** Thrown for invalid options (caller bug / bad command line). */
export class SimError extends Error {
  readonly code: SimErrorCode;
  constructor(code: SimErrorCode, detail?: string) {
    super(detail ? `${code}: ${detail}` : `${code}: ${SimErrorCodes[code]}`);
    this.name = 'SimError';
    this.code = code;
  }
}
