/**
 * @iothub/simulator: simulated JT/T 808 (2013, 2019) and Jimi/GT06 devices over TCP, fleets of
 * them with aggregate statistics, and the `pnpm sim` command line (cli.ts). docs/simulator.md.
 */
export { type CliConfig, parseCliArgs, USAGE } from './cli-args.ts';
export {
  type DeviceHooks,
  type DeviceOptions,
  type DeviceState,
  type ReconnectOptions,
  SIM_PROTOCOLS,
  type SimProtocol,
  SimulatedDevice,
} from './device.ts';
export { ackKey, ackKeyId, type DriverEvent, type Outbound, type ProtocolDriver } from './driver.ts';
export { SimError, type SimErrorCode, SimErrorCodes } from './errors.ts';
export { Fleet, type FleetOptions, type FleetSnapshot } from './fleet.ts';
export { Histogram, type HistogramSummary } from './histogram.ts';
export { DEFAULT_IMEI_BASE, DEFAULT_PHONE_BASE, imeiFor, luhnDigit, parseAddressList, phoneFor } from './identity.ts';
export { JimiDriver, type JimiDriverOptions, type LocationAckMode } from './jimi-driver.ts';
export { Jt808Driver, type Jt808DriverOptions } from './jt808-driver.ts';
export { type Fix, prng, Track, type TrackOptions } from './motion.ts';
export { progressLine, summaryText } from './report.ts';
export { MESSAGE_KINDS, type MessageKind, SimStats, type StatsSnapshot } from './stats.ts';
