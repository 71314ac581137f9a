/**
 * Stable codes of the gateway runtime and sessions (one table for the package). Logs (`{code}`),
 * metric labels (`limit_hits_total{code}`, `connections_closed_total{code}`) and command results
 * carry them. Framing/decoding problems keep the codec's own codes (`IOTHUB_ERR_FRAME_*`).
 */
export const GATEWAY_ERROR_CODES = {
  IOTHUB_ERR_IDLE_TIMEOUT: 'no bytes from the device within the idle read timeout',
  IOTHUB_ERR_RATE_LIMIT: 'the device sent more messages per window than allowed',
  IOTHUB_ERR_OUTBOUND_LIMIT: 'more bytes pending to the device than allowed (it does not read)',
  IOTHUB_ERR_FRAME_LIMIT: 'a frame over the maximum frame size',
  IOTHUB_ERR_GARBAGE_LIMIT: 'too many bytes that are not frames',
  IOTHUB_ERR_MAX_CONNECTIONS: 'the process holds its maximum number of connections',
  IOTHUB_ERR_PROXY_HEADER: 'missing or invalid PROXY protocol header',
  IOTHUB_ERR_DUPLICATE_LOGIN: 'the device logged in on another connection',
  IOTHUB_ERR_SHUTDOWN: 'the gateway is shutting down',
  IOTHUB_ERR_PEER_CLOSED: 'the device closed the connection',
  IOTHUB_ERR_SOCKET: 'socket error',
  IOTHUB_ERR_PUBLISH_FAILED: 'the bus did not accept the events: durable replies withheld',
  IOTHUB_ERR_ROUTE_TABLE: 'a route table operation failed',
  IOTHUB_ERR_CONTROL: 'a control channel operation failed',
  IOTHUB_ERR_FILE_STORE: 'storing a file failed',
  IOTHUB_ERR_AUTH_FAILED: 'JT/T 808 authentication with a wrong or unknown code',
  IOTHUB_ERR_REGISTER_REFUSED: 'JT/T 808 registration refused by the policy',
  IOTHUB_ERR_NOT_AUTHENTICATED: 'a message from a device that has not authenticated',
  IOTHUB_ERR_COMMAND_ENCODE: 'a downlink command could not be encoded',
  IOTHUB_ERR_COMMAND_OFFLINE: 'the device is not connected to this gateway',
  IOTHUB_ERR_COMMAND_EXPIRED: 'the command deadline passed before it could be sent',
  IOTHUB_ERR_SESSION_FAILED:
    'processing a message failed unexpectedly: that connection is closed, nothing else is affected',
  IOTHUB_ERR_COMMAND_UNSUPPORTED: 'a downlink command kind this protocol cannot send',
  IOTHUB_ERR_COMMAND_CONNECTION_CLOSED: 'the connection closed before the device answered the command',
  IOTHUB_ERR_COMMAND_UNMATCHED: 'a command reply that matches no pending command',
  IOTHUB_ERR_LBS_UNAVAILABLE: 'no LBS configured: LBS / WiFi data published unresolved (latitude and longitude 0)',
  IOTHUB_ERR_LBS_FAILED: 'the LBS failed (error, bad answer): LBS / WiFi data published unresolved',
  IOTHUB_ERR_LBS_TIMEOUT: 'the LBS did not answer within LBS_TIMEOUT_MS: LBS / WiFi data published unresolved',
  IOTHUB_ERR_LBS_NOT_FOUND: 'the LBS knows none of the cells / access points: published unresolved',
  IOTHUB_ERR_LBS_NO_OBSERVATIONS: 'LBS / WiFi data without one usable cell or access point: published unresolved',
  // Jimi / GT06 sessions
  IOTHUB_ERR_JIMI_LOGIN_REQUIRED: 'too many frames before the login (0x01): the connection is closed',
  IOTHUB_ERR_JIMI_BAD_IMEI: 'a login whose terminal id is not 1–16 decimal digits (not acknowledged)',
  IOTHUB_ERR_JIMI_IMEI_CHANGED: 'a second login with another IMEI on the same connection: the connection is closed',
  IOTHUB_ERR_JIMI_REPLY_ENCODE: 'the reply a frame expects could not be encoded (frame published, not answered)',
  IOTHUB_ERR_JIMI_UNEXPECTED: 'a server-to-device message type received from a device (published as unknown)',
} as const;

export type GatewayErrorCode = keyof typeof GATEWAY_ERROR_CODES;
