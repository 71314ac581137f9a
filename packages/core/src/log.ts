/**
 * Structured logs: pino, one JSON object per line on stdout (no pretty-printer dependency: pipe
 * through `pino-pretty` by hand when reading locally).
 *
 * Every line carries `service` (and `gateId` for gateway processes); per-connection child loggers
 * add `{ proto, imei, conn }` (convention 14), so one device's story is a `grep` away. Lines about
 * bad input carry the stable error `code`. Hex dumps belong at `debug` level only.
 */
import { type DestinationStream, type Level, type Logger, pino } from 'pino';
import type { DeviceProtocol } from './events.ts';

export type { Logger } from 'pino';

const LEVELS: ReadonlySet<string> = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

export interface CreateLoggerOptions {
  /** pino level name; default `info`. */
  level?: string;
  /** Service name (`gateway`, `router`, `dispatch`, `embedded` …), on every line. */
  service: string;
  /** Gateway process identity, on every line when given. */
  gateId?: string;
  /** Where lines go; default stdout (synchronous writes, so nothing is lost on exit). */
  destination?: DestinationStream;
}

/** Fields of a per-connection child logger. `imei` joins once the device has identified itself. */
export interface ConnectionLogFields {
  proto: DeviceProtocol;
  conn: string;
  imei?: string;
  /** Remote address (after PROXY protocol). */
  remote?: string;
}

/** Keys whose values never reach a log line. */
const REDACT = ['token', 'apiToken', 'pushToken', 'lbsToken', 'password', 'authorization', '*.token', '*.password'];

export function createLogger(options: CreateLoggerOptions): Logger {
  const level = options.level ?? 'info';
  if (!LEVELS.has(level)) {
    throw new TypeError(`unknown log level ${JSON.stringify(level)}: expected one of ${[...LEVELS].join(', ')}`);
  }
  const base: Record<string, unknown> = { pid: process.pid, service: options.service };
  if (options.gateId !== undefined) base.gateId = options.gateId;
  const opts = {
    level,
    base,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    redact: { paths: REDACT, censor: '<redacted>' },
  };
  return options.destination === undefined ? pino(opts) : pino(opts, options.destination);
}

/** Child logger of one device connection: `{ proto, conn, imei?, remote? }` on every line. */
export function connectionLogger(parent: Logger, fields: ConnectionLogFields): Logger {
  return parent.child(fields);
}

/** True when `level` is enabled on `logger` (guard expensive fields such as hex dumps). */
export function logEnabled(logger: Logger, level: Level): boolean {
  return logger.isLevelEnabled(level);
}
