/**
 * @iothub/router: the downlink router. Finds the gateway holding a device (route table) and
 * delivers commands over the control channel, at most N outstanding per device across instances
 * (docs/router.md).
 */
export * from './errors.ts';
export * from './lock.ts';
export * from './router.ts';
