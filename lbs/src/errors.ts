/**
 * Stable codes of the LBS service (one table for the package). Logs (`{code}`), metric labels and
 * the HTTP answers carry them. The Jimi-compatible answer of `GET /loc/query` has its own numeric
 * `code` (API_CODES); every non-zero API code is paired with one of these in the log line.
 */
export const LBS_ERROR_CODES = {
  IOTHUB_ERR_LBS_PARAMS: 'invalid parameters (missing, malformed, too many entries): API code 100',
  IOTHUB_ERR_LBS_TOKEN: 'missing or wrong token: API code 101',
  IOTHUB_ERR_LBS_IMEI: 'imei is not 15 digits: API code 102',
  IOTHUB_ERR_LBS_UNSUPPORTED: 'a request the service does not support (coordinate system): API code 200',
  IOTHUB_ERR_LBS_INTERNAL: 'resolution failed (store read, cache, upstream error): API code 300',
  IOTHUB_ERR_LBS_NOT_FOUND: 'no cell / access point of the request is known: API code 400',
  IOTHUB_ERR_LBS_STORE_FORMAT: 'a store file that is not an iothub LBS store (bad magic, version or size)',
  IOTHUB_ERR_LBS_IMPORT_ROW: 'an import row that does not parse (skipped and counted)',
  IOTHUB_ERR_LBS_UPSTREAM: 'the upstream provider failed or timed out (local answer kept)',
  IOTHUB_ERR_LBS_CACHE: 'the shared (Redis) cache failed (the lookup goes on without it)',
} as const;

export type LbsErrorCode = keyof typeof LBS_ERROR_CODES;

/** The `code` of the `/loc/query` answer (the Jimi hub's interface). */
export const API_CODES = {
  OK: 0,
  INVALID_PARAMS: 100,
  INVALID_TOKEN: 101,
  INVALID_IMEI: 102,
  UNSUPPORTED: 200,
  BUSINESS_ERROR: 300,
  NO_DATA: 400,
} as const;

export type ApiCode = (typeof API_CODES)[keyof typeof API_CODES];

export const API_MESSAGES: Record<ApiCode, string> = {
  0: 'success',
  100: 'invalid parameters',
  101: 'invalid token',
  102: 'invalid imei',
  200: 'unsupported',
  300: 'business error',
  400: 'no data found',
};

export const ERROR_FOR_API_CODE: Record<Exclude<ApiCode, 0>, LbsErrorCode> = {
  100: 'IOTHUB_ERR_LBS_PARAMS',
  101: 'IOTHUB_ERR_LBS_TOKEN',
  102: 'IOTHUB_ERR_LBS_IMEI',
  200: 'IOTHUB_ERR_LBS_UNSUPPORTED',
  300: 'IOTHUB_ERR_LBS_INTERNAL',
  400: 'IOTHUB_ERR_LBS_NOT_FOUND',
};

/** An error with a stable code (store format, import problems). */
export class LbsError extends Error {
  constructor(
    readonly code: LbsErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'LbsError';
  }
}
