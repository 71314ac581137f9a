/** @iothub/router: Downlink router: finds the gateway holding a device (route table) and delivers commands over the control channel, one outstanding command per device. */
export {};
