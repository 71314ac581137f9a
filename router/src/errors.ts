/**
 * Stable error codes of the downlink router (one table per package, conventions §7). Logs, metric
 * labels and the instruction API's answers carry the code.
 */
export const ROUTER_ERROR_CODES = {
  /** No live route: the device is not connected to any live gateway. */
  IOTHUB_ERR_ROUTER_NO_ROUTE: 'device has no live route (offline or unknown)',
  /** The device already has the configured number of commands outstanding. */
  IOTHUB_ERR_ROUTER_BUSY: 'device busy: a previous command has not been answered yet',
  /** No result within the command's timeout. */
  IOTHUB_ERR_ROUTER_TIMEOUT: 'no answer from the device within the timeout',
  /** The gateway holding the device stopped announcing itself while the command was pending. */
  IOTHUB_ERR_ROUTER_GATEWAY_GONE: 'the gateway holding the device is gone',
  /** The gateway answered that the device is not connected there (it left meanwhile). */
  IOTHUB_ERR_ROUTER_DEVICE_OFFLINE: 'the device is not connected to its gateway any more',
  /** The gateway could not send the command (encoding refused, unsupported, connection closed). */
  IOTHUB_ERR_ROUTER_GATEWAY_FAILED: 'the gateway reported a failure for the command',
  /** The command could not be built for the device's protocol (the caller's factory refused it). */
  IOTHUB_ERR_ROUTER_COMMAND: 'the command cannot be built for this device',
  /** The control channel, the route table or the lock store failed. */
  IOTHUB_ERR_ROUTER_TRANSPORT: 'control channel, route table or lock store unavailable',
  /** The router is shutting down; pending commands end with this. */
  IOTHUB_ERR_ROUTER_CLOSED: 'router closed',
} as const;

export type RouterErrorCode = keyof typeof ROUTER_ERROR_CODES;
