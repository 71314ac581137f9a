/**
 * The configuration contract (`docs/configuration.md`, product.md "Configuration contract", issue #3).
 *
 * `loadConfig(env)` reads environment variables, validates every one of them and returns a typed,
 * frozen object, or throws a `ConfigError` listing every bad variable by name with its value
 * (secrets redacted). A bad value therefore stops the process at start with a clear message.
 *
 * Rules:
 *  - canonical names (`PUSH_URL`) win over the Jimi compose aliases (`pushURL`) when both are set;
 *    a differing alias then yields a warning in `config.warnings`;
 *  - an empty (or blank) value counts as unset, so `FOO=` in a compose file means "the default";
 *  - values are trimmed;
 *  - `mode` is `fleet` as soon as Redis or Kafka is configured (state leaves the process), else
 *    `embedded` (in-memory bus and route table).
 */
import { randomBytes } from 'node:crypto';
import { accessSync, constants as fsConstants, statSync } from 'node:fs';
import { availableParallelism, hostname as osHostname } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/** Stable error codes of configuration loading. */
export const CONFIG_ERROR_CODES = {
  /** A variable has a value that does not parse or is out of range. */
  IOTHUB_ERR_CONFIG_INVALID: 'invalid configuration value',
  /** A variable that the chosen setup requires is not set. */
  IOTHUB_ERR_CONFIG_MISSING: 'required configuration value missing',
  /** Two variables contradict each other (one of a pair set without the other, ...). */
  IOTHUB_ERR_CONFIG_CONFLICT: 'conflicting configuration values',
} as const;

export type ConfigErrorCode = keyof typeof CONFIG_ERROR_CODES;

export interface ConfigIssue {
  code: ConfigErrorCode;
  /** The variable as the user spelled it (the alias when the value came from an alias). */
  variable: string;
  /** The value as shown in messages (secrets redacted); undefined when the variable is unset. */
  value?: string;
  /** What is wrong / what is expected. */
  reason: string;
}

export class ConfigError extends Error {
  readonly code: ConfigErrorCode;
  /** The first bad variable (all of them are in `issues`). */
  readonly variable: string;
  readonly value: string | undefined;
  readonly issues: readonly ConfigIssue[];

  constructor(issues: ConfigIssue[]) {
    const first = issues[0] ?? { code: 'IOTHUB_ERR_CONFIG_INVALID' as const, variable: '?', reason: 'unknown' };
    const lines = issues.map(formatIssue);
    super(
      lines.length === 1
        ? `configuration error: ${lines[0]}`
        : `configuration errors:\n${lines.map((l) => `  - ${l}`).join('\n')}`,
    );
    this.name = 'ConfigError';
    this.code = first.code;
    this.variable = first.variable;
    this.value = first.value;
    this.issues = issues;
  }
}

function formatIssue(i: ConfigIssue): string {
  const shown = i.value === undefined ? `${i.variable} is not set` : `${i.variable}=${JSON.stringify(i.value)}`;
  return `${shown}: ${i.reason} [${i.code}]`;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
export type ProxyProtocolMode = 'off' | 'v1' | 'v2' | 'auto';
export type Jt808RegistrationPolicy = 'open' | 'allow-list';
export type Jt808ImeiSource = 'phone' | 'auth-imei';
export type RunMode = 'embedded' | 'fleet';

export interface GatewayConfig {
  /** Worker processes per gateway (`node:cluster`); 1 = no cluster. */
  workers: number;
  /** Admin HTTP port (`/metrics`, `/health`, `/ready`); null = no admin server; 0 = ephemeral. */
  adminPort: number | null;
  /** Idle read timeout per connection, ms; 0 = none. */
  readTimeoutMs: number;
  /** Largest frame accepted from a device (bytes, unescaped); larger frames are dropped. */
  maxFrameBytes: number;
  /** Bytes queued for a device that does not read before its connection is closed. */
  maxPendingOutboundBytes: number;
  /** Messages per second one connection may send; 0 = unlimited. */
  maxMessagesPerSecond: number;
  /** Connections one process accepts; 0 = unlimited. */
  maxConnections: number;
  /** Records waiting for the bus before the gateway stops reading from devices; 0 = no backpressure. */
  maxInflightRecords: number;
  /** Acknowledge a data message only once the bus accepted it. */
  durableAck: boolean;
  proxyProtocol: ProxyProtocolMode;
  /** TLS on the device ports; null = plain TCP. Paths are absolute and were readable at load time. */
  tls: { certFile: string; keyFile: string } | null;
  jt808Registration: Jt808RegistrationPolicy;
  /** Terminal phone numbers / IMEIs allowed to register (leading zeros removed); empty when open. */
  jt808AllowList: readonly string[];
  /** Publish messages of devices that have not authenticated. */
  publishUnauthenticated: boolean;
  /** Absolute directory where 0x0801 multimedia files are written. */
  mediaDir: string;
  /** Events carry the raw frame (hex). */
  eventIncludeRaw: boolean;
  /** Where a JT/T 808 device's `deviceImei` comes from. */
  jt808ImeiSource: Jt808ImeiSource;
  /**
   * Wire time zone of Jimi date-time fields: minutes east of UTC, or `login` = the offset each device
   * announces in its 0x01 login (§3.9), UTC until then and for logins without one.
   */
  jimiTimeZone: number | 'login';
}

export type PushProfile = 'jimi' | 'json';

/** The push dispatcher (`dispatch/`, docs/push.md). */
export interface DispatchConfig {
  /** Most records in one push request (`data_list` length; JSON profile: array length). */
  batchSize: number;
  /** Requests in flight at most (= delivery lanes; one device always uses the same lane). */
  concurrency: number;
  /** How long a failing request is retried before its records are dead-lettered, ms. */
  retryBudgetMs: number;
  /** First retry delay, ms (doubles per attempt, with jitter). */
  backoffMinMs: number;
  /** Largest retry delay, ms (also the longest the circuit breaker stays open). */
  backoffMaxMs: number;
  /** Consecutive failed requests to one URL that open its circuit breaker. */
  breakerFailures: number;
  /** First open period of the breaker, ms (doubles while probes fail, up to backoffMaxMs). */
  breakerOpenMs: number;
  /** Timeout of one push request (connect + response), ms. */
  requestTimeoutMs: number;
  profile: PushProfile;
  /** HMAC-SHA256 secret for the `X-Iothub-Signature` header; null = no signature. */
  hmacSecret: string | null;
  /** Kafka consumer group of the dispatcher. */
  groupId: string;
  /** Admin port of `iothub dispatch` (fleet mode); null = none; 0 = ephemeral. */
  adminPort: number | null;
}

/** The instruction API and the downlink router (`instruction-server/`, `router/`, docs/api.md). */
export interface ApiConfig {
  /** Commands one device may have outstanding at once (more get `_code` 302 busy), across API instances. */
  maxOutstandingPerDevice: number;
  /** `timeOut` when the request has none, seconds. */
  defaultTimeoutS: number;
  /** Largest `timeOut` accepted (larger values are capped), seconds. */
  maxTimeoutS: number;
  /** How long a stored offline command waits for its device before it expires, seconds. */
  offlineCommandTtlS: number;
  /** Offline commands stored per device at most (more are refused with `_code` 200). */
  offlineCommandsPerDevice: number;
  /** Requests per second one client address may make; 0 = unlimited. */
  rateLimitPerSecond: number;
  /** Largest request body, bytes. */
  bodyLimitBytes: number;
  /** Admin port of `iothub api` (fleet mode: `/metrics`, `/health`, `/ready`); null = none; 0 = ephemeral. */
  adminPort: number | null;
}

export interface IothubConfig {
  mode: RunMode;
  jimiPort: number;
  jt808Port: number;
  apiPort: number;
  apiToken: string;
  /** True when API_TOKEN was not set and a random one was generated (embedded mode only): print it. */
  apiTokenGenerated: boolean;
  /** Push base URL without trailing slash; records go to `pushUrl + '/pushgps'` …; null = no push. */
  pushUrl: string | null;
  pushToken: string | null;
  /** Full URL receiving offline-command results; null = not pushed. */
  offlineCmdPushUrl: string | null;
  offlineCmdPushToken: string | null;
  lbsPort: number;
  /** Where gateways resolve WiFi/cell data; defaults to the embedded LBS on 127.0.0.1:LBS_PORT. */
  lbsUrl: string;
  lbsToken: string | null;
  /** The LBS service and the gateways' use of it (docs/lbs.md). */
  lbs: LbsConfig;
  /** null = in-memory route table. */
  redisUrl: string | null;
  /** Empty = in-memory bus. */
  kafkaBrokers: readonly string[];
  topicPrefix: string;
  /**
   * In-memory bus (no KAFKA_BROKERS): records kept per partition for consumers that are behind;
   * records every consumer has committed are released at once.
   */
  memoryBusRetention: number;
  /** GATE_ID as set; null = derive per process with `gateIdFor(config, port)`. */
  gateId: string | null;
  /** Host name used for the default gate id. */
  hostname: string;
  logLevel: LogLevel;
  gateway: GatewayConfig;
  dispatch: DispatchConfig;
  api: ApiConfig;
  /** Non-fatal remarks for the start-up log (alias overridden by its canonical variable, ...). */
  warnings: readonly string[];
}

export interface LoadConfigOptions {
  /** Host name for the default GATE_ID (default `os.hostname()`). */
  hostname?: string;
  /** Base for a relative MEDIA_DIR and for the default one (default `process.cwd()`). */
  cwd?: string;
  /** Random source for the generated API token (tests). */
  generateToken?: () => string;
  /** CPU count for GATEWAY_WORKERS=auto (default `os.availableParallelism()`). */
  cpus?: number;
}

export const CONFIG_DEFAULTS = {
  jimiPort: 21100,
  jt808Port: 21122,
  apiPort: 10088,
  lbsPort: 10099,
  topicPrefix: 'iothub',
  memoryBusRetention: 10_000,
  logLevel: 'info',
  workers: 1,
  /**
   * 10090: the hub's HTTP ports live in the 100xx block (10066 dispatch, 10088 API, 10099 LBS) and
   * 10090 is free there and in the Jimi compose list; it is outside the device ports (21xxx), so a
   * firewall rule opening those never exposes metrics, and outside 9100–9999, which Prometheus has
   * fully allocated to exporters (9100 = node_exporter, often on the same host).
   */
  adminPort: 10090,
  readTimeoutMs: 5 * 60_000,
  /** Fits the longest JT/T 808 frame (1023-byte body + header) and the Jimi long frames. */
  maxFrameBytes: 8192,
  maxPendingOutboundBytes: 256 * 1024,
  maxMessagesPerSecond: 200,
  maxConnections: 100_000,
  maxInflightRecords: 20_000,
  durableAck: true,
  proxyProtocol: 'off',
  jt808Registration: 'open',
  publishUnauthenticated: false,
  mediaDir: 'data/media',
  eventIncludeRaw: true,
  jt808ImeiSource: 'phone',
  jimiTimeZone: 0 as number | 'login',
  redisPort: 6379,
  apiMaxOutstandingPerDevice: 1,
  apiDefaultTimeoutS: 30,
  apiMaxTimeoutS: 300,
  offlineCommandTtlS: 86_400,
  offlineCommandsPerDevice: 50,
  apiRateLimitPerSecond: 200,
  apiBodyLimitBytes: 65_536,
  apiAdminPort: 10091,
  pushBatchSize: 50,
  pushConcurrency: 16,
  pushRetryBudgetMs: 3_600_000,
  pushBackoffMinMs: 500,
  pushBackoffMaxMs: 60_000,
  pushBreakerFailures: 5,
  pushBreakerOpenMs: 2_000,
  pushTimeoutMs: 10_000,
  pushProfile: 'jimi',
  dispatchGroupId: 'iothub-dispatch',
  /** The port of Jimi's `msg-dispatch-iothub` container. */
  dispatchAdminPort: 10066,
} as const;

/** Variables whose values never appear in messages. */
const SECRETS = new Set([
  'API_TOKEN',
  'PUSH_TOKEN',
  'pushToken',
  'OFFLINE_CMD_PUSH_TOKEN',
  'offlineCmdPushToken',
  'LBS_TOKEN',
  'lbsToken',
  'LBS_UPSTREAM_TOKEN',
  'lbsWifiServiceToken',
  'redisPassword',
  'redisPasswd',
  'PUSH_HMAC_SECRET',
]);

/** A URL with its password replaced by `***` (for messages and logs); the input when it does not parse. */
export function redactUrl(value: string): string {
  try {
    const u = new URL(value);
    if (u.password === '') return value;
    u.password = '***';
    return u.toString();
  } catch {
    return value.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
  }
}

function shown(variable: string, value: string): string {
  if (SECRETS.has(variable)) return `<redacted, ${value.length} chars>`;
  return redactUrl(value);
}

type Env = Record<string, string | undefined>;

interface Found {
  /** The variable name the value came from. */
  name: string;
  value: string;
  /** True when it came from an alias. */
  alias: boolean;
}

/** JIMI_TIME_ZONE: `utc` (default), `login`, or a fixed offset `+08:00` / `-03:30` / `+8`. */
function readJimiTimeZone(r: Reader): number | 'login' {
  const f = r.find('JIMI_TIME_ZONE');
  if (f === undefined) return CONFIG_DEFAULTS.jimiTimeZone;
  const v = f.value.toLowerCase();
  if (v === 'utc' || v === 'z') return 0;
  if (v === 'login') return 'login';
  const m = /^([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(v);
  const minutes = m ? Number(m[2]) * 60 + Number(m[3] ?? 0) : Number.NaN;
  if (!m || Number(m[3] ?? 0) > 59 || minutes > 14 * 60) {
    r.bad(f, 'expected utc, login, or an offset from -14:00 to +14:00 such as +08:00');
    return CONFIG_DEFAULTS.jimiTimeZone;
  }
  return m[1] === '-' ? -minutes : minutes;
}

/** Reads variables and collects issues (all of them, not only the first). */
class Reader {
  readonly issues: ConfigIssue[] = [];
  readonly warnings: string[] = [];

  constructor(private readonly env: Env) {}

  value(name: string): string | undefined {
    const v = this.env[name];
    if (v === undefined) return undefined;
    const t = v.trim();
    return t === '' ? undefined : t;
  }

  /** The canonical variable or, when unset, the first set alias. */
  find(canonical: string, aliases: readonly string[] = []): Found | undefined {
    const c = this.value(canonical);
    for (const a of aliases) {
      const v = this.value(a);
      if (v === undefined) continue;
      if (c === undefined) return { name: a, value: v, alias: true };
      if (v !== c) this.warnings.push(`${a} is ignored: ${canonical} is set and takes precedence`);
    }
    return c === undefined ? undefined : { name: canonical, value: c, alias: false };
  }

  bad(
    f: Found | { name: string; value?: string },
    reason: string,
    code: ConfigErrorCode = 'IOTHUB_ERR_CONFIG_INVALID',
  ) {
    const issue: ConfigIssue = { code, variable: f.name, reason };
    if (f.value !== undefined) issue.value = shown(f.name, f.value);
    this.issues.push(issue);
  }

  int(canonical: string, aliases: readonly string[], def: number, min: number, max: number, what?: string): number {
    const f = this.find(canonical, aliases);
    if (f === undefined) return def;
    const n = parseInteger(f.value);
    if (n === undefined || n < min || n > max) {
      this.bad(f, `expected ${what ?? `an integer from ${min} to ${max}`}`);
      return def;
    }
    return n;
  }

  port(canonical: string, aliases: readonly string[], def: number): number {
    return this.int(canonical, aliases, def, 0, 65535, 'a port number (integer 0–65535; 0 = any free port)');
  }

  bool(canonical: string, aliases: readonly string[], def: boolean): boolean {
    const f = this.find(canonical, aliases);
    if (f === undefined) return def;
    const b = parseBoolean(f.value);
    if (b === undefined) {
      this.bad(f, 'expected true or false (also accepted: 1/0, yes/no, on/off)');
      return def;
    }
    return b;
  }

  oneOf<T extends string>(canonical: string, aliases: readonly string[], def: T, allowed: readonly T[]): T {
    const f = this.find(canonical, aliases);
    if (f === undefined) return def;
    const v = f.value.toLowerCase();
    const hit = allowed.find((a) => a === v);
    if (hit === undefined) {
      this.bad(f, `expected one of ${allowed.join(', ')}`);
      return def;
    }
    return hit;
  }

  token(canonical: string, aliases: readonly string[] = []): Found | undefined {
    const f = this.find(canonical, aliases);
    if (f === undefined) return undefined;
    // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
    if (/[\u0000-\u001f\u007f]/.test(f.value)) {
      this.bad(f, 'must not contain control characters');
      return undefined;
    }
    return f;
  }

  httpUrl(canonical: string, aliases: readonly string[] = []): Found | undefined {
    const f = this.find(canonical, aliases);
    if (f === undefined) return undefined;
    let u: URL;
    try {
      u = new URL(f.value);
    } catch {
      this.bad(f, 'expected an absolute http:// or https:// URL');
      return undefined;
    }
    if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.hostname === '') {
      this.bad(f, 'expected an absolute http:// or https:// URL');
      return undefined;
    }
    return f;
  }
}

function parseInteger(s: string): number | undefined {
  const t = s.replace(/_/g, '');
  if (!/^-?\d+$/.test(t)) return undefined;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : undefined;
}

function parseBoolean(s: string): boolean | undefined {
  switch (s.toLowerCase()) {
    case 'true':
    case '1':
    case 'yes':
    case 'on':
      return true;
    case 'false':
    case '0':
    case 'no':
    case 'off':
      return false;
    default:
      return undefined;
  }
}

/** `host:port`, host a name, IPv4 address or bracketed IPv6 address. */
function parseHostPort(s: string): { host: string; port: number } | undefined {
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/.exec(s);
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return undefined;
  return { host: m[1] ?? '', port };
}

function readRedis(r: Reader): string | null {
  const f = r.find('REDIS_URL');
  const host = r.value('redisHost');
  if (f !== undefined) {
    if (host !== undefined) r.warnings.push('redisHost/redisPort/redisPassword are ignored: REDIS_URL is set');
    let u: URL;
    try {
      u = new URL(f.value);
    } catch {
      r.bad(f, 'expected a redis://[user:password@]host[:port][/db] or rediss:// URL');
      return null;
    }
    if ((u.protocol !== 'redis:' && u.protocol !== 'rediss:') || u.hostname === '') {
      r.bad(f, 'expected a redis://[user:password@]host[:port][/db] or rediss:// URL');
      return null;
    }
    if (u.pathname !== '' && u.pathname !== '/' && !/^\/\d{1,2}$/.test(u.pathname)) {
      r.bad(f, 'the path must be a database number (/0 … /15)');
      return null;
    }
    return f.value;
  }
  const portF = r.find('redisPort');
  const pwF = r.find('redisPassword', ['redisPasswd']);
  if (host === undefined) {
    if (portF !== undefined || pwF !== undefined)
      r.warnings.push('redisPort/redisPassword are ignored: redisHost is not set');
    return null;
  }
  // Jimi compose: redisHost + redisPort + redisPassword. `redisDB` / `loginRedisDB` are deliberately
  // not honoured: Jimi's services used different databases, ours must share one.
  if (!/^(\[[0-9a-fA-F:.]+\]|[0-9a-fA-F.]*:[0-9a-fA-F:.]*|[A-Za-z0-9._-]+)$/.test(host)) {
    r.bad({ name: 'redisHost', value: host }, 'expected a host name or IP address');
    return null;
  }
  let port: number = CONFIG_DEFAULTS.redisPort;
  if (portF !== undefined) {
    const n = parseInteger(portF.value);
    if (n === undefined || n < 1 || n > 65535) {
      r.bad(portF, 'expected a port number (integer 1–65535)');
      return null;
    }
    port = n;
  }
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const auth = pwF === undefined ? '' : `:${encodeURIComponent(pwF.value)}@`;
  return `redis://${auth}${h}:${port}`;
}

function readKafka(r: Reader): string[] {
  const f = r.find('KAFKA_BROKERS', ['kafkaHost']);
  if (f === undefined) return [];
  if (f.alias) {
    const enable = r.value('kafkaEnable');
    if (enable !== undefined && parseBoolean(enable) === false) {
      r.warnings.push('kafkaHost is ignored: kafkaEnable is false (in-memory bus)');
      return [];
    }
  }
  const brokers = f.value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const bad = brokers.filter((b) => parseHostPort(b) === undefined);
  if (brokers.length === 0 || bad.length > 0) {
    r.bad(
      f,
      `expected comma-separated host:port brokers (e.g. kafka1:9092,kafka2:9092)${bad.length > 0 ? `; not host:port: ${bad.join(', ')}` : ''}`,
    );
    return [];
  }
  return brokers;
}

function readReadTimeout(r: Reader): number {
  const ms = r.find('READ_TIMEOUT_MS');
  const minutes = r.value('readTimeOut');
  if (ms !== undefined) {
    if (minutes !== undefined && parseMinutes(minutes) !== parseInteger(ms.value)) {
      r.warnings.push('readTimeOut is ignored: READ_TIMEOUT_MS is set and takes precedence');
    }
    const n = parseInteger(ms.value);
    if (n === undefined || n < 0 || n > 24 * 3600_000) {
      r.bad(ms, 'expected milliseconds, an integer from 0 (no timeout) to 86400000 (24 h)');
      return CONFIG_DEFAULTS.readTimeoutMs;
    }
    return n;
  }
  if (minutes !== undefined) {
    const n = parseMinutes(minutes);
    if (n === undefined) {
      r.bad(
        { name: 'readTimeOut', value: minutes },
        'expected minutes (alias of READ_TIMEOUT_MS), a number from 0 (no timeout) to 1440',
      );
      return CONFIG_DEFAULTS.readTimeoutMs;
    }
    return n;
  }
  return CONFIG_DEFAULTS.readTimeoutMs;
}

/** Jimi `readTimeOut` minutes → ms (fractions allowed), undefined when invalid. */
function parseMinutes(s: string): number | undefined {
  if (!/^\d+(\.\d+)?$/.test(s)) return undefined;
  const m = Number(s);
  if (m > 1440) return undefined;
  return Math.round(m * 60_000);
}

function readAllowList(r: Reader, policy: Jt808RegistrationPolicy): string[] {
  const f = r.find('JT808_ALLOW_LIST');
  if (f === undefined) {
    if (policy === 'allow-list') {
      r.bad(
        { name: 'JT808_ALLOW_LIST' },
        'required when JT808_REGISTRATION=allow-list (comma-separated terminal phone numbers / IMEIs)',
        'IOTHUB_ERR_CONFIG_MISSING',
      );
    }
    return [];
  }
  if (policy !== 'allow-list') {
    r.bad(f, 'set only with JT808_REGISTRATION=allow-list (it would be ignored)', 'IOTHUB_ERR_CONFIG_CONFLICT');
    return [];
  }
  const items = f.value
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const bad = items.filter((s) => !/^\d{1,20}$/.test(s));
  if (items.length === 0 || bad.length > 0) {
    r.bad(
      f,
      `expected comma-separated digit strings of up to 20 digits${bad.length > 0 ? `; bad: ${bad.slice(0, 5).join(', ')}` : ''}`,
    );
    return [];
  }
  // deviceImei drops the leading zeros of the BCD phone number; the list is compared with it.
  return [...new Set(items.map((s) => s.replace(/^0+(?=\d)/, '')))];
}

function readTls(r: Reader, cwd: string): GatewayConfig['tls'] {
  const cert = r.find('TLS_CERT_FILE');
  const key = r.find('TLS_KEY_FILE');
  if (cert === undefined && key === undefined) return null;
  if (cert === undefined || key === undefined) {
    const missing = cert === undefined ? 'TLS_CERT_FILE' : 'TLS_KEY_FILE';
    const other = cert === undefined ? 'TLS_KEY_FILE' : 'TLS_CERT_FILE';
    r.bad({ name: missing }, `required when ${other} is set (TLS needs both)`, 'IOTHUB_ERR_CONFIG_CONFLICT');
    return null;
  }
  const paths: string[] = [];
  for (const f of [cert, key]) {
    const p = resolve(cwd, f.value);
    try {
      accessSync(p, fsConstants.R_OK);
      if (!statSync(p).isFile()) throw new Error('not a file');
      paths.push(p);
    } catch {
      r.bad(f, 'file does not exist or is not readable');
    }
  }
  const [certFile, keyFile] = paths;
  return certFile !== undefined && keyFile !== undefined ? { certFile, keyFile } : null;
}

/** The LBS service (`lbs/`) and the gateways' LBS client. */
export interface LbsConfig {
  /** Absolute directory of the store files (`cells.lbs`, `wifi.lbs`). */
  dataDir: string;
  /** Upstream provider (`GET /loc/query` interface) asked when the store knows nothing; null = none. */
  upstreamUrl: string | null;
  upstreamToken: string | null;
  upstreamTimeoutMs: number;
  /** Entries of the per-process result cache (0 = none). */
  cacheSize: number;
  /** TTL of cached answers (memory and Redis), seconds. */
  cacheTtlS: number;
  /** Gateways: resolve LBS / WiFi data through the LBS (false: publish them unresolved). */
  resolve: boolean;
  /** Gateways: how long to wait for the LBS before publishing unresolved, ms. */
  timeoutMs: number;
}

function readLbs(r: Reader, cwd: string): LbsConfig {
  const f = r.find('LBS_DATA_DIR');
  const dataDir = f === undefined ? join(cwd, 'data/lbs') : isAbsolute(f.value) ? f.value : resolve(cwd, f.value);
  const upstreamUrl = r.httpUrl('LBS_UPSTREAM_URL', ['lbsWifiServiceURL'])?.value ?? null;
  const upstreamToken = r.token('LBS_UPSTREAM_TOKEN', ['lbsWifiServiceToken'])?.value ?? null;
  return {
    dataDir,
    upstreamUrl,
    upstreamToken,
    upstreamTimeoutMs: r.int('LBS_UPSTREAM_TIMEOUT_MS', [], 1500, 50, 60_000),
    cacheSize: r.int('LBS_CACHE_SIZE', [], 100_000, 0, 100_000_000),
    cacheTtlS: r.int('LBS_CACHE_TTL_S', [], 86_400, 0, 365 * 86_400),
    resolve: r.bool('LBS_RESOLVE', [], true),
    timeoutMs: r.int('LBS_TIMEOUT_MS', [], 1500, 50, 60_000),
  };
}

function readMediaDir(r: Reader, cwd: string): string {
  const f = r.find('MEDIA_DIR');
  const dir =
    f === undefined ? join(cwd, CONFIG_DEFAULTS.mediaDir) : isAbsolute(f.value) ? f.value : resolve(cwd, f.value);
  try {
    if (!statSync(dir).isDirectory()) {
      r.bad(f ?? { name: 'MEDIA_DIR', value: dir }, 'exists and is not a directory');
    }
  } catch {
    // Does not exist yet: the gateway creates it when it stores the first file.
  }
  return dir;
}

function readDispatch(r: Reader): DispatchConfig {
  const d = CONFIG_DEFAULTS;
  const batchSize = r.int('PUSH_BATCH_SIZE', [], d.pushBatchSize, 1, 1000);
  const concurrency = r.int('PUSH_CONCURRENCY', [], d.pushConcurrency, 1, 1024);
  const retryBudgetMs = r.int(
    'PUSH_RETRY_BUDGET_MS',
    [],
    d.pushRetryBudgetMs,
    0,
    7 * 24 * 3_600_000,
    'milliseconds, an integer from 0 (dead-letter after the first failure) to 604800000 (7 days)',
  );
  const backoffMinMs = r.int('PUSH_BACKOFF_MIN_MS', [], d.pushBackoffMinMs, 1, 3_600_000);
  const backoffMaxMs = r.int('PUSH_BACKOFF_MAX_MS', [], d.pushBackoffMaxMs, 1, 3_600_000);
  if (backoffMaxMs < backoffMinMs) {
    r.bad(
      { name: 'PUSH_BACKOFF_MAX_MS', value: String(backoffMaxMs) },
      `must be at least PUSH_BACKOFF_MIN_MS (${backoffMinMs})`,
      'IOTHUB_ERR_CONFIG_CONFLICT',
    );
  }
  const breakerFailures = r.int('PUSH_BREAKER_FAILURES', [], d.pushBreakerFailures, 1, 1000);
  const breakerOpenMs = r.int('PUSH_BREAKER_OPEN_MS', [], d.pushBreakerOpenMs, 1, 3_600_000);
  const requestTimeoutMs = r.int('PUSH_TIMEOUT_MS', [], d.pushTimeoutMs, 100, 600_000);
  const profile = r.oneOf<PushProfile>('PUSH_PROFILE', [], d.pushProfile, ['jimi', 'json']);
  const secretF = r.token('PUSH_HMAC_SECRET');
  let groupId: string = d.dispatchGroupId;
  const groupF = r.find('DISPATCH_GROUP_ID');
  if (groupF !== undefined) {
    if (/^[A-Za-z0-9._-]{1,200}$/.test(groupF.value)) groupId = groupF.value;
    else r.bad(groupF, 'expected a Kafka group id: 1–200 characters from A–Z a–z 0–9 . _ -');
  }
  let adminPort: number | null = d.dispatchAdminPort;
  const adminF = r.find('DISPATCH_ADMIN_PORT');
  if (adminF !== undefined && ['off', 'false', 'no', 'none'].includes(adminF.value.toLowerCase())) adminPort = null;
  else adminPort = r.port('DISPATCH_ADMIN_PORT', [], d.dispatchAdminPort);
  return Object.freeze({
    batchSize,
    concurrency,
    retryBudgetMs,
    backoffMinMs,
    backoffMaxMs,
    breakerFailures,
    breakerOpenMs,
    requestTimeoutMs,
    profile,
    hmacSecret: secretF?.value ?? null,
    groupId,
    adminPort,
  });
}

function readApi(r: Reader): ApiConfig {
  const d = CONFIG_DEFAULTS;
  const maxOutstandingPerDevice = r.int('API_MAX_OUTSTANDING_PER_DEVICE', [], d.apiMaxOutstandingPerDevice, 1, 64);
  const maxTimeoutS = r.int('API_MAX_TIMEOUT_S', [], d.apiMaxTimeoutS, 1, 3600);
  const defaultTimeoutS = r.int('API_DEFAULT_TIMEOUT_S', [], d.apiDefaultTimeoutS, 1, 3600);
  if (defaultTimeoutS > maxTimeoutS) {
    r.bad(
      { name: 'API_DEFAULT_TIMEOUT_S', value: String(defaultTimeoutS) },
      `must not exceed API_MAX_TIMEOUT_S (${maxTimeoutS})`,
      'IOTHUB_ERR_CONFIG_CONFLICT',
    );
  }
  const offlineCommandTtlS = r.int('OFFLINE_CMD_TTL_S', [], d.offlineCommandTtlS, 1, 30 * 86_400);
  const offlineCommandsPerDevice = r.int('OFFLINE_CMD_MAX_PER_DEVICE', [], d.offlineCommandsPerDevice, 1, 10_000);
  const rateLimitPerSecond = r.int(
    'API_RATE_LIMIT_PER_SECOND',
    [],
    d.apiRateLimitPerSecond,
    0,
    1_000_000,
    'an integer from 0 (unlimited) to 1000000',
  );
  const bodyLimitBytes = r.int('API_BODY_LIMIT_BYTES', [], d.apiBodyLimitBytes, 1024, 16 * 1024 * 1024);
  let adminPort: number | null = d.apiAdminPort;
  const adminF = r.find('API_ADMIN_PORT');
  if (adminF !== undefined && ['off', 'false', 'no', 'none'].includes(adminF.value.toLowerCase())) adminPort = null;
  else adminPort = r.port('API_ADMIN_PORT', [], d.apiAdminPort);
  return Object.freeze({
    maxOutstandingPerDevice,
    defaultTimeoutS,
    maxTimeoutS,
    offlineCommandTtlS,
    offlineCommandsPerDevice,
    rateLimitPerSecond,
    bodyLimitBytes,
    adminPort,
  });
}

function readGateId(r: Reader): string | null {
  const f = r.find('GATE_ID', ['gateId']);
  if (f === undefined) return null;
  if (!/^[A-Za-z0-9._:@-]{1,128}$/.test(f.value)) {
    r.bad(f, 'expected 1–128 characters from A–Z a–z 0–9 . _ : @ -');
    return null;
  }
  return f.value;
}

/**
 * Read and validate the configuration. Throws `ConfigError` naming every bad variable.
 * Pure apart from reading TLS file metadata and MEDIA_DIR: safe to call in tests with a literal env.
 */
export function loadConfig(env: Env = process.env, options: LoadConfigOptions = {}): IothubConfig {
  const r = new Reader(env);
  const cwd = options.cwd ?? process.cwd();
  const hostname = options.hostname ?? osHostname();

  const jimiPort = r.port('JIMI_PORT', [], CONFIG_DEFAULTS.jimiPort);
  const jt808Port = r.port('JT808_PORT', [], CONFIG_DEFAULTS.jt808Port);
  const apiPort = r.port('API_PORT', [], CONFIG_DEFAULTS.apiPort);
  const lbsPort = r.port('LBS_PORT', [], CONFIG_DEFAULTS.lbsPort);

  const redisUrl = readRedis(r);
  const kafkaBrokers = readKafka(r);
  const mode: RunMode = redisUrl !== null || kafkaBrokers.length > 0 ? 'fleet' : 'embedded';
  // An invalid REDIS_URL / KAFKA_BROKERS still means the user wanted fleet mode.
  const wantedFleet =
    mode === 'fleet' ||
    r.value('REDIS_URL') !== undefined ||
    r.value('redisHost') !== undefined ||
    r.value('KAFKA_BROKERS') !== undefined ||
    (r.value('kafkaHost') !== undefined && parseBoolean(r.value('kafkaEnable') ?? 'true') !== false);

  let apiToken: string;
  let apiTokenGenerated = false;
  const tokenF = r.token('API_TOKEN');
  if (tokenF !== undefined) {
    apiToken = tokenF.value;
  } else {
    apiToken = (options.generateToken ?? (() => randomBytes(18).toString('base64url')))();
    apiTokenGenerated = true;
    if (wantedFleet && r.find('API_TOKEN') === undefined) {
      r.bad(
        { name: 'API_TOKEN' },
        'required in fleet mode (REDIS_URL or KAFKA_BROKERS is set): every instruction-server instance must share it',
        'IOTHUB_ERR_CONFIG_MISSING',
      );
    }
  }

  const pushUrlF = r.httpUrl('PUSH_URL', ['pushURL']);
  const pushToken = r.token('PUSH_TOKEN', ['pushToken'])?.value ?? null;
  const offlineF = r.httpUrl('OFFLINE_CMD_PUSH_URL', ['offlineCmdPushURL']);
  const offlineToken = r.token('OFFLINE_CMD_PUSH_TOKEN', ['offlineCmdPushToken'])?.value ?? null;
  const lbsUrlF = r.httpUrl('LBS_URL', ['lbsURL']);
  const lbsToken = r.token('LBS_TOKEN', ['lbsToken'])?.value ?? null;
  const lbs = readLbs(r, cwd);

  const memoryBusRetention = r.int('MEMORY_BUS_RETENTION', [], CONFIG_DEFAULTS.memoryBusRetention, 1, 10_000_000);
  let topicPrefix: string = CONFIG_DEFAULTS.topicPrefix;
  const topicF = r.find('TOPIC_PREFIX', ['topicPrefix']);
  if (topicF !== undefined) {
    if (/^[A-Za-z0-9._-]{1,200}$/.test(topicF.value) && !/^\.+$/.test(topicF.value)) topicPrefix = topicF.value;
    else r.bad(topicF, 'expected a Kafka topic prefix: 1–200 characters from A–Z a–z 0–9 . _ -');
  }

  const gateId = readGateId(r);
  const logLevel = r.oneOf<LogLevel>('LOG_LEVEL', [], CONFIG_DEFAULTS.logLevel, LOG_LEVELS);

  let workers: number = CONFIG_DEFAULTS.workers;
  const workersF = r.find('GATEWAY_WORKERS');
  if (workersF !== undefined) {
    if (workersF.value.toLowerCase() === 'auto') workers = options.cpus ?? availableParallelism();
    else workers = r.int('GATEWAY_WORKERS', [], CONFIG_DEFAULTS.workers, 1, 256, 'an integer from 1 to 256, or auto');
  }

  let adminPort: number | null = CONFIG_DEFAULTS.adminPort;
  const adminF = r.find('ADMIN_PORT');
  if (adminF !== undefined && ['off', 'false', 'no', 'none'].includes(adminF.value.toLowerCase())) adminPort = null;
  else adminPort = r.port('ADMIN_PORT', [], CONFIG_DEFAULTS.adminPort);

  const readTimeoutMs = readReadTimeout(r);
  const maxFrameBytes = r.int('MAX_FRAME_BYTES', [], CONFIG_DEFAULTS.maxFrameBytes, 64, 16 * 1024 * 1024);
  const maxPendingOutboundBytes = r.int(
    'MAX_PENDING_OUTBOUND_BYTES',
    [],
    CONFIG_DEFAULTS.maxPendingOutboundBytes,
    1024,
    1024 * 1024 * 1024,
  );
  const maxMessagesPerSecond = r.int(
    'MAX_MESSAGES_PER_SECOND',
    [],
    CONFIG_DEFAULTS.maxMessagesPerSecond,
    0,
    1_000_000,
    'an integer from 0 (unlimited) to 1000000',
  );
  const maxInflightRecords = r.int('MAX_INFLIGHT_RECORDS', [], CONFIG_DEFAULTS.maxInflightRecords, 0, 10_000_000);
  const maxConnections = r.int(
    'MAX_CONNECTIONS',
    [],
    CONFIG_DEFAULTS.maxConnections,
    0,
    10_000_000,
    'an integer from 0 (unlimited) to 10000000',
  );
  const durableAck = r.bool('DURABLE_ACK', [], CONFIG_DEFAULTS.durableAck);
  const proxyProtocol = r.oneOf<ProxyProtocolMode>('PROXY_PROTOCOL', [], CONFIG_DEFAULTS.proxyProtocol, [
    'off',
    'v1',
    'v2',
    'auto',
  ]);
  const tls = readTls(r, cwd);
  const jt808Registration = r.oneOf<Jt808RegistrationPolicy>(
    'JT808_REGISTRATION',
    [],
    CONFIG_DEFAULTS.jt808Registration,
    ['open', 'allow-list'],
  );
  const jt808AllowList = readAllowList(r, jt808Registration);
  const publishUnauthenticated = r.bool('PUBLISH_UNAUTHENTICATED', [], CONFIG_DEFAULTS.publishUnauthenticated);
  const mediaDir = readMediaDir(r, cwd);
  const eventIncludeRaw = r.bool('EVENT_INCLUDE_RAW', [], CONFIG_DEFAULTS.eventIncludeRaw);
  const jt808ImeiSource = r.oneOf<Jt808ImeiSource>('JT808_IMEI_SOURCE', [], CONFIG_DEFAULTS.jt808ImeiSource, [
    'phone',
    'auth-imei',
  ]);
  const jimiTimeZone = readJimiTimeZone(r);
  const dispatch = readDispatch(r);
  const api = readApi(r);

  if (r.issues.length > 0) throw new ConfigError(r.issues);

  const gateway: GatewayConfig = Object.freeze({
    workers,
    adminPort,
    readTimeoutMs,
    maxFrameBytes,
    maxPendingOutboundBytes,
    maxMessagesPerSecond,
    maxConnections,
    maxInflightRecords,
    durableAck,
    proxyProtocol,
    tls: tls === null ? null : Object.freeze(tls),
    jt808Registration,
    jt808AllowList: Object.freeze(jt808AllowList),
    publishUnauthenticated,
    mediaDir,
    eventIncludeRaw,
    jt808ImeiSource,
    jimiTimeZone,
  });
  return Object.freeze({
    mode,
    jimiPort,
    jt808Port,
    apiPort,
    apiToken,
    apiTokenGenerated,
    // PUSH_URL is a base: `…/jimi-iot/` + `/pushgps` must not give `//pushgps`.
    pushUrl: pushUrlF === undefined ? null : pushUrlF.value.replace(/\/+$/, ''),
    pushToken,
    offlineCmdPushUrl: offlineF?.value ?? null,
    offlineCmdPushToken: offlineToken,
    lbsPort,
    lbsUrl: lbsUrlF?.value ?? `http://127.0.0.1:${lbsPort}`,
    lbsToken,
    lbs: Object.freeze(lbs),
    redisUrl,
    kafkaBrokers: Object.freeze(kafkaBrokers),
    topicPrefix,
    memoryBusRetention,
    gateId,
    hostname,
    logLevel,
    gateway,
    dispatch,
    api,
    warnings: Object.freeze([...r.warnings]),
  });
}

/**
 * The gate id of one gateway process: GATE_ID when set, else `<host name>-<device port>`. With
 * several workers (`GATEWAY_WORKERS` > 1) each worker gets `-w<n>` appended so their route-table
 * entries and control addresses stay distinct.
 */
export function gateIdFor(config: Pick<IothubConfig, 'gateId' | 'hostname'>, port: number, worker?: number): string {
  const base = config.gateId ?? `${config.hostname}-${port}`;
  return worker === undefined ? base : `${base}-w${worker}`;
}

/** The configuration for logs: secrets replaced by `<redacted>`, URLs without passwords. */
export function redactConfig(config: IothubConfig): Record<string, unknown> {
  return {
    ...config,
    apiToken: '<redacted>',
    pushToken: config.pushToken === null ? null : '<redacted>',
    offlineCmdPushToken: config.offlineCmdPushToken === null ? null : '<redacted>',
    lbsToken: config.lbsToken === null ? null : '<redacted>',
    dispatch: { ...config.dispatch, hmacSecret: config.dispatch.hmacSecret === null ? null : '<redacted>' },
    redisUrl: config.redisUrl === null ? null : redactUrl(config.redisUrl),
    pushUrl: config.pushUrl === null ? null : redactUrl(config.pushUrl),
    offlineCmdPushUrl: config.offlineCmdPushUrl === null ? null : redactUrl(config.offlineCmdPushUrl),
    lbsUrl: redactUrl(config.lbsUrl),
    lbs: {
      ...config.lbs,
      upstreamToken: config.lbs.upstreamToken === null ? null : '<redacted>',
      upstreamUrl: config.lbs.upstreamUrl === null ? null : redactUrl(config.lbs.upstreamUrl),
    },
  };
}
