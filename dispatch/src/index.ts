/** @iothub/dispatch: Push dispatcher: delivers uplink events to the SaaS push URLs (Jimi-compatible), at-least-once. */
export {};
