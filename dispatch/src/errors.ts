/**
 * Stable error codes of the push dispatcher (docs/push.md). Logs, metric labels (`reason`) and
 * dead-letter records carry the code.
 */
export const DISPATCH_ERROR_CODES = {
  /** The receiver answered with a status outside 2xx. */
  IOTHUB_ERR_PUSH_HTTP_STATUS: 'push answered with a non-2xx status',
  /** The receiver answered 2xx with a JSON body whose `code` is not 0. */
  IOTHUB_ERR_PUSH_REJECTED: 'push rejected by the receiver (code ≠ 0)',
  /** The receiver answered 2xx with a body that is not the expected JSON (Jimi profile: `{"code":0}`). */
  IOTHUB_ERR_PUSH_BAD_RESPONSE: 'push answer is not the expected JSON',
  /** No complete answer within PUSH_TIMEOUT_MS. */
  IOTHUB_ERR_PUSH_TIMEOUT: 'push timed out',
  /** Connection refused / reset / DNS failure. */
  IOTHUB_ERR_PUSH_NETWORK: 'push failed on the network',
  /** A bus record that is not a valid uplink event (bad JSON, wrong shape): dead-lettered at once. */
  IOTHUB_ERR_PUSH_BAD_EVENT: 'bus record is not a valid uplink event',
  /** A valid event the mapping cannot turn into a record (bad field values): dead-lettered at once. */
  IOTHUB_ERR_PUSH_MAPPING: 'event could not be mapped to a push record',
  /** Publishing to the dead-letter topic failed (retried until it succeeds or the dispatcher stops). */
  IOTHUB_ERR_PUSH_DLQ_PUBLISH: 'dead-letter publish failed',
  /** The dispatcher is stopping: the batch is not committed and will be delivered again. */
  IOTHUB_ERR_PUSH_STOPPING: 'dispatcher stopping',
} as const;

export type DispatchErrorCode = keyof typeof DISPATCH_ERROR_CODES;

export class DispatchError extends Error {
  readonly code: DispatchErrorCode;
  constructor(code: DispatchErrorCode, detail?: string, options?: ErrorOptions) {
    super(detail === undefined ? DISPATCH_ERROR_CODES[code] : `${DISPATCH_ERROR_CODES[code]}: ${detail}`, options);
    this.name = 'DispatchError';
    this.code = code;
  }
}
