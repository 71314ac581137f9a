import { parseArgs } from 'node:util';
import { SIM_PROTOCOLS, type SimProtocol } from './device.ts';
import { SimError } from './errors.ts';
import { DEFAULT_IMEI_BASE, DEFAULT_PHONE_BASE, parseAddressList } from './identity.ts';
import type { LocationAckMode } from './jimi-driver.ts';

/** Validated command line of `pnpm sim`. */
export interface CliConfig {
  protocol: SimProtocol;
  devices: number;
  host: string;
  port: number;
  /** Locations per second per device. */
  rate: number;
  /** Seconds. */
  duration: number;
  /** Seconds (0 = none). */
  heartbeat: number;
  alarmEvery: number;
  batchEvery: number;
  batchSize: number;
  sourceAddresses: string[];
  /** Seconds to spread the device starts over. */
  ramp: number;
  /** Seconds. */
  ackTimeout: number;
  phoneBase: string;
  imeiBase: string;
  firstIndex: number;
  locationAck: LocationAckMode;
  json: boolean;
  help: boolean;
}

export const USAGE = `Usage: pnpm sim -- --protocol jt808-2013|jt808-2019|jimi [options]

  --protocol P            jt808-2013, jt808-2019 or jimi (required)
  --devices N             number of devices (default 1, at most 200000)
  --host H                gateway host (default 127.0.0.1)
  --port P                gateway port (default 21122 for JT/T 808, 21100 for Jimi)
  --rate R                locations per second per device, fractions allowed (default 1)
  --duration S            run for S seconds, then stop (default 10, at most 604800)
  --heartbeat S           heartbeat interval in seconds, 0 = none (default 30)
  --alarm-every N         every N-th location is an alarm, 0 = none (default 0)
  --batch-every N         JT/T 808: a 0x0704 batch after every N-th location (default 0)
  --batch-size N          positions per batch (default 5)
  --source-addresses L    local addresses, e.g. 127.0.0.1-127.0.0.8 or 127.0.0.1,127.0.0.2
  --ramp S                spread device starts over S seconds (default min(10, devices × 0.002))
  --ack-timeout S         an ack later than this counts as missing (default 10)
  --phone-base D          JT/T 808 phone numbers: D + index (default ${DEFAULT_PHONE_BASE})
  --imei-base D           IMEIs: 14 digits D + index, plus a Luhn digit (default ${DEFAULT_IMEI_BASE})
  --first-index N         index of the first device (default 0)
  --location-ack M        Jimi 0x22 acks: auto (default: expected once the server sent one), yes, no
  --json                  also print the summary as one JSON line
  --help                  this text

Exit code: 0, or 1 when nothing was acknowledged, 2 on invalid arguments.`;

const OPTIONS = {
  protocol: { type: 'string' },
  devices: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  rate: { type: 'string' },
  duration: { type: 'string' },
  heartbeat: { type: 'string' },
  'alarm-every': { type: 'string' },
  'batch-every': { type: 'string' },
  'batch-size': { type: 'string' },
  'source-addresses': { type: 'string' },
  ramp: { type: 'string' },
  'ack-timeout': { type: 'string' },
  'phone-base': { type: 'string' },
  'imei-base': { type: 'string' },
  'first-index': { type: 'string' },
  'location-ack': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function bad(detail: string): never {
  throw new SimError('IOTHUB_ERR_SIM_ARGS', detail);
}

function num(
  values: Record<string, string | boolean | undefined>,
  name: string,
  def: number,
  min: number,
  max: number,
  integer: boolean,
): number {
  const raw = values[name];
  if (raw === undefined) return def;
  if (typeof raw !== 'string' || raw.trim() === '') bad(`--${name} needs a value`);
  const v = Number(raw);
  if (!Number.isFinite(v)) bad(`--${name} "${raw}" is not a number`);
  if (integer && !Number.isInteger(v)) bad(`--${name} "${raw}" must be a whole number`);
  if (v < min || v > max) bad(`--${name} ${raw} is out of range ${min}..${max}`);
  return v;
}

function digits(values: Record<string, string | boolean | undefined>, name: string, def: string): string {
  const raw = values[name];
  if (raw === undefined) return def;
  if (typeof raw !== 'string' || !/^\d{1,20}$/.test(raw)) bad(`--${name} "${String(raw)}" must be 1–20 digits`);
  return raw;
}

/**
 * Parse and validate `argv` (without node and the script). A leading `--` (what `pnpm sim -- …`
 * may pass through) is ignored. Throws SimError(IOTHUB_ERR_SIM_ARGS) with a message naming the
 * option.
 */
export function parseCliArgs(argv: readonly string[]): CliConfig {
  const args = argv.filter((a, i) => !(a === '--' && i === 0));
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    bad(err instanceof Error ? err.message : String(err));
  }
  const v = parsed.values;
  const help = v.help === true;
  if (parsed.positionals.length > 0) bad(`unexpected argument "${parsed.positionals[0]}"`);
  const protocolRaw = v.protocol;
  if (protocolRaw === undefined && help) {
    return { ...defaults('jimi'), help: true };
  }
  if (typeof protocolRaw !== 'string') bad(`--protocol is required (${SIM_PROTOCOLS.join(', ')})`);
  if (!(SIM_PROTOCOLS as readonly string[]).includes(protocolRaw)) {
    bad(`--protocol "${protocolRaw}" is not one of ${SIM_PROTOCOLS.join(', ')}`);
  }
  const protocol = protocolRaw as SimProtocol;
  const d = defaults(protocol);
  const host = v.host === undefined ? d.host : String(v.host);
  if (host.trim() === '') bad('--host is empty');
  const devices = num(v, 'devices', d.devices, 1, 200_000, true);
  const batchEvery = num(v, 'batch-every', 0, 0, 1_000_000, true);
  if (batchEvery > 0 && protocol === 'jimi') bad('--batch-every is for JT/T 808 only (0x0704)');
  const config: CliConfig = {
    protocol,
    devices,
    host,
    port: num(v, 'port', d.port, 1, 65_535, true),
    rate: num(v, 'rate', d.rate, 0, 10_000, false),
    duration: num(v, 'duration', d.duration, 0.1, 604_800, false),
    heartbeat: num(v, 'heartbeat', d.heartbeat, 0, 86_400, false),
    alarmEvery: num(v, 'alarm-every', 0, 0, 1_000_000, true),
    batchEvery,
    batchSize: num(v, 'batch-size', d.batchSize, 1, 30, true),
    sourceAddresses: v['source-addresses'] === undefined ? [] : addresses(String(v['source-addresses'])),
    ramp: num(v, 'ramp', Math.min(10, devices * 0.002), 0, 3600, false),
    ackTimeout: num(v, 'ack-timeout', d.ackTimeout, 0.1, 3600, false),
    phoneBase: digits(v, 'phone-base', DEFAULT_PHONE_BASE),
    imeiBase: digits(v, 'imei-base', DEFAULT_IMEI_BASE),
    firstIndex: num(v, 'first-index', 0, 0, 1e12, true),
    locationAck: locationAck(v['location-ack']),
    json: v.json === true,
    help,
  };
  if (config.rate === 0 && config.heartbeat === 0) bad('--rate 0 with --heartbeat 0 sends nothing after login');
  return config;
}

function locationAck(raw: string | boolean | undefined): LocationAckMode {
  if (raw === undefined) return 'auto';
  if (raw === 'auto' || raw === 'yes' || raw === 'no') return raw;
  bad(`--location-ack "${String(raw)}" is not one of auto, yes, no`);
}

function addresses(spec: string): string[] {
  try {
    return parseAddressList(spec);
  } catch (err) {
    bad(
      `--source-addresses: ${err instanceof Error ? err.message.replace(/^IOTHUB_ERR_SIM_ARGS: /, '') : String(err)}`,
    );
  }
}

function defaults(protocol: SimProtocol): Omit<CliConfig, 'protocol' | 'help'> & { protocol: SimProtocol } {
  return {
    protocol,
    devices: 1,
    host: '127.0.0.1',
    port: protocol === 'jimi' ? 21100 : 21122,
    rate: 1,
    duration: 10,
    heartbeat: 30,
    alarmEvery: 0,
    batchEvery: 0,
    batchSize: 5,
    sourceAddresses: [],
    ramp: 0,
    ackTimeout: 10,
    phoneBase: DEFAULT_PHONE_BASE,
    imeiBase: DEFAULT_IMEI_BASE,
    firstIndex: 0,
    locationAck: 'auto',
    json: false,
  };
}
