/**
 * Stable error codes of the instruction API (one table per package, conventions §7). HTTP error
 * bodies, logs and the `iothub_api_errors_total{code}` metric carry them.
 */
export const API_ERROR_CODES = {
  /** `token` missing or not equal to API_TOKEN: nothing is sent. */
  IOTHUB_ERR_API_TOKEN: 'token missing or wrong',
  /** The client made more requests per second than API_RATE_LIMIT_PER_SECOND allows. */
  IOTHUB_ERR_API_RATE_LIMIT: 'too many requests',
  /** The body is larger than API_BODY_LIMIT_BYTES, not parseable, or of an unsupported type. */
  IOTHUB_ERR_API_BODY: 'request body refused',
  /** A field is missing or invalid (`_code` 200); the message names the field. */
  IOTHUB_ERR_API_FIELD: 'invalid parameter',
  /** The proNo is not one this API can send to that device's protocol (`_code` 200). */
  IOTHUB_ERR_API_UNSUPPORTED: 'command not supported for this device',
  /** The device already has the configured number of offline commands stored. */
  IOTHUB_ERR_API_OFFLINE_FULL: 'offline command store full for this device',
  /** The offline-command store (Redis) failed. */
  IOTHUB_ERR_API_STORE: 'offline-command store unavailable',
  /** An unexpected exception while handling a request (`_code` 500). */
  IOTHUB_ERR_API_INTERNAL: 'internal error',
} as const;

export type ApiErrorCode = keyof typeof API_ERROR_CODES;
