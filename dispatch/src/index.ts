/** @iothub/dispatch: Push dispatcher: delivers uplink events to the SaaS push URLs (Jimi-compatible), at-least-once. */
export { type DispatchApp, type DispatchAppOptions, startDispatchApp } from './app.ts';
export { type BreakerState, CircuitBreaker } from './breaker.ts';
export {
  Dispatcher,
  type DispatcherHealth,
  type DispatcherOptions,
  dispatcherOptionsFrom,
  parseEvent,
} from './dispatcher.ts';
export { DISPATCH_ERROR_CODES, DispatchError, type DispatchErrorCode } from './errors.ts';
export * as jimi from './jimi/index.ts';
export { createDispatchMetrics, type DispatchMetrics } from './metrics.ts';
export { HttpSender, judge, type SendResult, SIGNATURE_HEADER, signature, TIMESTAMP_HEADER } from './sender.ts';
