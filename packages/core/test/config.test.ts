import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  CONFIG_DEFAULTS,
  ConfigError,
  type ConfigIssue,
  gateIdFor,
  type IothubConfig,
  type LoadConfigOptions,
  loadConfig,
  redactConfig,
  redactUrl,
} from '../src/config.ts';

const dir = mkdtempSync(join(tmpdir(), 'iothub-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const opts: LoadConfigOptions = { hostname: 'host1', cwd: dir, generateToken: () => 'generated-token', cpus: 6 };
const load = (env: Record<string, string | undefined>): IothubConfig => loadConfig(env, opts);

/** The ConfigError thrown for `env` (fails the test when none is thrown). */
function fail(env: Record<string, string | undefined>): ConfigError {
  try {
    load(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

/** Asserts one issue naming `variable` (and `value` in the message when given). */
function expectIssue(env: Record<string, string | undefined>, variable: string, value?: string): ConfigIssue {
  const err = fail(env);
  const issue = err.issues.find((i) => i.variable === variable);
  expect(issue, `issue for ${variable} in ${err.message}`).toBeDefined();
  expect(err.message).toContain(variable);
  if (value !== undefined) expect(err.message).toContain(JSON.stringify(value));
  return issue as ConfigIssue;
}

describe('loadConfig: defaults', () => {
  it('gives the documented defaults for an empty environment (embedded mode)', () => {
    const c = load({});
    expect(c.mode).toBe('embedded');
    expect(c.jimiPort).toBe(21100);
    expect(c.jt808Port).toBe(21122);
    expect(c.apiPort).toBe(10088);
    expect(c.lbsPort).toBe(10099);
    expect(c.apiToken).toBe('generated-token');
    expect(c.apiTokenGenerated).toBe(true);
    expect(c.pushUrl).toBeNull();
    expect(c.pushToken).toBeNull();
    expect(c.offlineCmdPushUrl).toBeNull();
    expect(c.offlineCmdPushToken).toBeNull();
    expect(c.lbsUrl).toBe('http://127.0.0.1:10099');
    expect(c.lbsToken).toBeNull();
    expect(c.redisUrl).toBeNull();
    expect(c.kafkaBrokers).toEqual([]);
    expect(c.topicPrefix).toBe('iothub');
    expect(c.gateId).toBeNull();
    expect(c.hostname).toBe('host1');
    expect(c.logLevel).toBe('info');
    expect(c.warnings).toEqual([]);
    expect(c.gateway).toEqual({
      workers: 1,
      adminPort: 10090,
      readTimeoutMs: 300_000,
      maxFrameBytes: 8192,
      maxPendingOutboundBytes: 262_144,
      maxMessagesPerSecond: 200,
      maxConnections: 100_000,
      maxInflightRecords: 20_000,
      durableAck: true,
      proxyProtocol: 'off',
      tls: null,
      jt808Registration: 'open',
      jt808AllowList: [],
      publishUnauthenticated: false,
      mediaDir: join(dir, 'data', 'media'),
      eventIncludeRaw: true,
      jt808ImeiSource: 'phone',
      jimiTimeZone: 0,
    });
    expect(c.memoryBusRetention).toBe(10_000);
    expect(CONFIG_DEFAULTS.adminPort).toBe(10090);
  });

  it('is frozen', () => {
    const c = load({});
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.gateway)).toBe(true);
  });

  it('treats empty and blank values as unset and trims values', () => {
    const c = load({ JIMI_PORT: '', JT808_PORT: '   ', PUSH_URL: '  http://x.example/a  ', LOG_LEVEL: ' debug ' });
    expect(c.jimiPort).toBe(21100);
    expect(c.jt808Port).toBe(21122);
    expect(c.pushUrl).toBe('http://x.example/a');
    expect(c.logLevel).toBe('debug');
  });

  it('generates a fresh random token by default', () => {
    const a = loadConfig({}, { cwd: dir });
    const b = loadConfig({}, { cwd: dir });
    expect(a.apiToken).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(a.apiToken).not.toBe(b.apiToken);
  });

  it('reads process.env when called without an environment', () => {
    vi.stubEnv('JIMI_PORT', '12345');
    vi.stubEnv('API_TOKEN', 'from-process-env');
    try {
      const c = loadConfig(undefined, opts);
      expect(c.jimiPort).toBe(12345);
      expect(c.apiToken).toBe('from-process-env');
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe('loadConfig: ports', () => {
  for (const [name, key] of [
    ['JIMI_PORT', 'jimiPort'],
    ['JT808_PORT', 'jt808Port'],
    ['API_PORT', 'apiPort'],
    ['LBS_PORT', 'lbsPort'],
  ] as const) {
    it(`${name}: accepts 0–65535, rejects anything else naming the variable and value`, () => {
      expect(load({ [name]: '1234' })[key]).toBe(1234);
      expect(load({ [name]: '0' })[key]).toBe(0);
      expect(load({ [name]: '65535' })[key]).toBe(65535);
      for (const bad of ['abc', '65536', '-1', '12.5', '80x', '0x50']) {
        const issue = expectIssue({ [name]: bad }, name, bad);
        expect(issue.code).toBe('IOTHUB_ERR_CONFIG_INVALID');
        expect(issue.value).toBe(bad);
      }
    });
  }

  it('LBS_URL defaults to the embedded LBS on LBS_PORT', () => {
    expect(load({ LBS_PORT: '10100' }).lbsUrl).toBe('http://127.0.0.1:10100');
  });

  it('ADMIN_PORT: a port, 0 (ephemeral) or off', () => {
    expect(load({ ADMIN_PORT: '9999' }).gateway.adminPort).toBe(9999);
    expect(load({ ADMIN_PORT: '0' }).gateway.adminPort).toBe(0);
    expect(load({ ADMIN_PORT: 'off' }).gateway.adminPort).toBeNull();
    expect(load({ ADMIN_PORT: 'NONE' }).gateway.adminPort).toBeNull();
    expectIssue({ ADMIN_PORT: '70000' }, 'ADMIN_PORT', '70000');
  });
});

describe('loadConfig: mode and API_TOKEN', () => {
  it('embedded mode keeps a given API_TOKEN', () => {
    const c = load({ API_TOKEN: 's3cret' });
    expect(c.apiToken).toBe('s3cret');
    expect(c.apiTokenGenerated).toBe(false);
  });

  it('REDIS_URL or KAFKA_BROKERS selects fleet mode, which requires API_TOKEN', () => {
    for (const env of [{ REDIS_URL: 'redis://r:6379' }, { KAFKA_BROKERS: 'k:9092' }, { redisHost: 'r' }]) {
      const issue = expectIssue(env, 'API_TOKEN');
      expect(issue.code).toBe('IOTHUB_ERR_CONFIG_MISSING');
      expect(issue.value).toBeUndefined();
      const c = load({ ...env, API_TOKEN: 't' });
      expect(c.mode).toBe('fleet');
      expect(c.apiTokenGenerated).toBe(false);
    }
  });

  it('asks for API_TOKEN even when the fleet variable itself is bad (all problems at once)', () => {
    const err = fail({ REDIS_URL: 'nope' });
    expect(err.issues.map((i) => i.variable).sort()).toEqual(['API_TOKEN', 'REDIS_URL']);
    expect(err.message).toMatch(/^configuration errors:\n {2}- /);
  });

  it('rejects control characters in tokens and does not print secret values', () => {
    const err = fail({ API_TOKEN: 'ab\u0001cd' });
    expect(err.variable).toBe('API_TOKEN');
    expect(err.message).not.toContain('ab\u0001cd');
    expect(err.message).toContain('<redacted, 5 chars>');
  });
});

describe('loadConfig: push, LBS and tokens (with Jimi aliases)', () => {
  it('PUSH_URL: base URL, trailing slashes removed', () => {
    expect(load({ PUSH_URL: 'https://saas.example/jimi-iot/' }).pushUrl).toBe('https://saas.example/jimi-iot');
    expect(load({ PUSH_URL: 'http://saas.example' }).pushUrl).toBe('http://saas.example');
  });

  for (const [name, alias, key] of [
    ['PUSH_URL', 'pushURL', 'pushUrl'],
    ['OFFLINE_CMD_PUSH_URL', 'offlineCmdPushURL', 'offlineCmdPushUrl'],
    ['LBS_URL', 'lbsURL', 'lbsUrl'],
  ] as const) {
    it(`${name} (alias ${alias}): http(s) URL; canonical wins; bad values named`, () => {
      expect(load({ [alias]: 'http://a.example/x' })[key]).toBe('http://a.example/x');
      const both = load({ [name]: 'http://canonical.example/x', [alias]: 'http://alias.example/x' });
      expect(both[key]).toBe('http://canonical.example/x');
      expect(both.warnings).toContain(`${alias} is ignored: ${name} is set and takes precedence`);
      for (const bad of ['not a url', 'ftp://a.example/', 'http//missing-colon', '/relative']) {
        expectIssue({ [name]: bad }, name, bad);
        expectIssue({ [alias]: bad }, alias, bad);
      }
    });
  }

  it('OFFLINE_CMD_PUSH_URL is a full URL kept as given', () => {
    expect(load({ offlineCmdPushURL: 'http://h/pushInstructResponse/' }).offlineCmdPushUrl).toBe(
      'http://h/pushInstructResponse/',
    );
  });

  for (const [name, alias, key] of [
    ['PUSH_TOKEN', 'pushToken', 'pushToken'],
    ['OFFLINE_CMD_PUSH_TOKEN', 'offlineCmdPushToken', 'offlineCmdPushToken'],
    ['LBS_TOKEN', 'lbsToken', 'lbsToken'],
  ] as const) {
    it(`${name} (alias ${alias})`, () => {
      expect(load({ [name]: 'a1' })[key]).toBe('a1');
      expect(load({ [alias]: 'a2' })[key]).toBe('a2');
      expect(load({ [name]: 'a1', [alias]: 'a2' })[key]).toBe('a1');
      expect(load({ [alias]: '' })[key]).toBeNull();
      const err = fail({ [alias]: 'x\ny' });
      expect(err.variable).toBe(alias);
      expect(err.message).toContain('<redacted, 3 chars>');
    });
  }
});

describe('loadConfig: Redis', () => {
  it('REDIS_URL: redis:// or rediss:// with an optional database number', () => {
    expect(load({ API_TOKEN: 't', REDIS_URL: 'redis://:pw@r:6380/2' }).redisUrl).toBe('redis://:pw@r:6380/2');
    expect(load({ API_TOKEN: 't', REDIS_URL: 'rediss://r' }).redisUrl).toBe('rediss://r');
    for (const bad of ['r:6379', 'http://r:6379', 'redis://r/abc', 'redis://']) {
      expectIssue({ API_TOKEN: 't', REDIS_URL: bad }, 'REDIS_URL', bad);
    }
  });

  it('does not print a Redis password in errors', () => {
    const err = fail({ API_TOKEN: 't', REDIS_URL: 'redis://:hunter2@r/xyz' });
    expect(err.message).not.toContain('hunter2');
    expect(err.message).toContain('redis://:***@r/xyz');
  });

  it('builds a URL from the Jimi redisHost + redisPort + redisPassword', () => {
    expect(load({ API_TOKEN: 't', redisHost: 'redis' }).redisUrl).toBe('redis://redis:6379');
    expect(load({ API_TOKEN: 't', redisHost: 'redis', redisPort: '6380', redisPassword: 'jimi@123' }).redisUrl).toBe(
      'redis://:jimi%40123@redis:6380',
    );
    expect(load({ API_TOKEN: 't', redisHost: 'redis', redisPasswd: 'p/w' }).redisUrl).toBe('redis://:p%2Fw@redis:6379');
    expect(load({ API_TOKEN: 't', redisHost: '::1' }).redisUrl).toBe('redis://[::1]:6379');
    const u = new URL(load({ API_TOKEN: 't', redisHost: 'r', redisPassword: 'a b:c@d' }).redisUrl ?? '');
    expect(decodeURIComponent(u.password)).toBe('a b:c@d');
  });

  it('REDIS_URL wins over redisHost', () => {
    const c = load({ API_TOKEN: 't', REDIS_URL: 'redis://a:1', redisHost: 'b' });
    expect(c.redisUrl).toBe('redis://a:1');
    expect(c.warnings.join('\n')).toContain('redisHost/redisPort/redisPassword are ignored');
  });

  it('redisPort / redisPassword without redisHost: ignored with a warning', () => {
    const c = load({ redisPort: '6379' });
    expect(c.redisUrl).toBeNull();
    expect(c.mode).toBe('embedded');
    expect(c.warnings.join('\n')).toContain('redisHost is not set');
  });

  it('names bad redisHost / redisPort values', () => {
    expectIssue({ API_TOKEN: 't', redisHost: 'a b' }, 'redisHost', 'a b');
    expectIssue({ API_TOKEN: 't', redisHost: 'r', redisPort: 'x' }, 'redisPort', 'x');
    expectIssue({ API_TOKEN: 't', redisHost: 'r', redisPort: '0' }, 'redisPort', '0');
  });
});

describe('loadConfig: Kafka', () => {
  it('KAFKA_BROKERS: comma-separated host:port list', () => {
    expect(load({ API_TOKEN: 't', KAFKA_BROKERS: 'k1:9092, k2:9093,,[::1]:9094' }).kafkaBrokers).toEqual([
      'k1:9092',
      'k2:9093',
      '[::1]:9094',
    ]);
  });

  it('kafkaHost alias; canonical wins', () => {
    expect(load({ API_TOKEN: 't', kafkaHost: 'kafka:9092' }).kafkaBrokers).toEqual(['kafka:9092']);
    const c = load({ API_TOKEN: 't', KAFKA_BROKERS: 'a:1', kafkaHost: 'b:2' });
    expect(c.kafkaBrokers).toEqual(['a:1']);
    expect(c.warnings).toContain('kafkaHost is ignored: KAFKA_BROKERS is set and takes precedence');
  });

  it('kafkaEnable=false (Jimi) turns the kafkaHost alias off', () => {
    const c = load({ kafkaHost: 'kafka:9092', kafkaEnable: 'false' });
    expect(c.kafkaBrokers).toEqual([]);
    expect(c.mode).toBe('embedded');
    expect(c.warnings.join('\n')).toContain('kafkaEnable is false');
  });

  it('names bad broker lists', () => {
    for (const bad of ['kafka', 'kafka:', 'PLAINTEXT://k:9092', 'k:0', 'k:99999', ',', 'a:1,b']) {
      expectIssue({ API_TOKEN: 't', KAFKA_BROKERS: bad }, 'KAFKA_BROKERS', bad);
    }
    expectIssue({ API_TOKEN: 't', kafkaHost: 'kafka' }, 'kafkaHost', 'kafka');
  });
});

describe('loadConfig: TOPIC_PREFIX, GATE_ID, LOG_LEVEL', () => {
  it('TOPIC_PREFIX (alias topicPrefix)', () => {
    expect(load({ TOPIC_PREFIX: 'acme.iot' }).topicPrefix).toBe('acme.iot');
    expect(load({ topicPrefix: 'jimi' }).topicPrefix).toBe('jimi');
    expect(load({ TOPIC_PREFIX: 'a', topicPrefix: 'b' }).topicPrefix).toBe('a');
    for (const bad of ['has space', 'a/b', '..', 'x'.repeat(201)])
      expectIssue({ TOPIC_PREFIX: bad }, 'TOPIC_PREFIX', bad);
    expectIssue({ topicPrefix: 'a*b' }, 'topicPrefix', 'a*b');
  });

  it('GATE_ID (alias gateId); default derived per port with gateIdFor', () => {
    const c = load({});
    expect(c.gateId).toBeNull();
    expect(gateIdFor(c, 21122)).toBe('host1-21122');
    expect(gateIdFor(c, 21100, 3)).toBe('host1-21100-w3');
    const j = load({ gateId: 'jimi-gateway-450-21122-93' });
    expect(j.gateId).toBe('jimi-gateway-450-21122-93');
    expect(gateIdFor(j, 21122)).toBe('jimi-gateway-450-21122-93');
    expect(gateIdFor(j, 21122, 2)).toBe('jimi-gateway-450-21122-93-w2');
    expect(load({ GATE_ID: 'a', gateId: 'b' }).gateId).toBe('a');
    for (const bad of ['has space', 'x'.repeat(129), 'a/b']) expectIssue({ GATE_ID: bad }, 'GATE_ID', bad);
  });

  it('LOG_LEVEL: pino levels, case-insensitive', () => {
    for (const l of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const) {
      expect(load({ LOG_LEVEL: l }).logLevel).toBe(l);
    }
    expect(load({ LOG_LEVEL: 'DEBUG' }).logLevel).toBe('debug');
    const issue = expectIssue({ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL', 'verbose');
    expect(issue.reason).toContain('fatal, error, warn, info, debug, trace, silent');
  });
});

describe('loadConfig: gateway settings', () => {
  it('GATEWAY_WORKERS: 1–256 or auto', () => {
    expect(load({ GATEWAY_WORKERS: '4' }).gateway.workers).toBe(4);
    expect(load({ GATEWAY_WORKERS: 'auto' }).gateway.workers).toBe(6);
    for (const bad of ['0', '257', 'many', '1.5']) expectIssue({ GATEWAY_WORKERS: bad }, 'GATEWAY_WORKERS', bad);
  });

  it('READ_TIMEOUT_MS in ms; the Jimi readTimeOut alias in minutes; canonical wins', () => {
    expect(load({ READ_TIMEOUT_MS: '90000' }).gateway.readTimeoutMs).toBe(90_000);
    expect(load({ READ_TIMEOUT_MS: '0' }).gateway.readTimeoutMs).toBe(0);
    expect(load({ READ_TIMEOUT_MS: '300_000' }).gateway.readTimeoutMs).toBe(300_000);
    expect(load({ readTimeOut: '5' }).gateway.readTimeoutMs).toBe(300_000);
    expect(load({ readTimeOut: '0.5' }).gateway.readTimeoutMs).toBe(30_000);
    const both = load({ READ_TIMEOUT_MS: '1000', readTimeOut: '5' });
    expect(both.gateway.readTimeoutMs).toBe(1000);
    expect(both.warnings).toContain('readTimeOut is ignored: READ_TIMEOUT_MS is set and takes precedence');
    expect(load({ READ_TIMEOUT_MS: '60000', readTimeOut: '1' }).warnings).toEqual([]);
    for (const bad of ['-1', 'soon', '86400001', '5m']) expectIssue({ READ_TIMEOUT_MS: bad }, 'READ_TIMEOUT_MS', bad);
    for (const bad of ['-1', 'five', '1441', '5min']) {
      const issue = expectIssue({ readTimeOut: bad }, 'readTimeOut', bad);
      expect(issue.reason).toContain('minutes');
    }
  });

  it('MAX_FRAME_BYTES, MAX_PENDING_OUTBOUND_BYTES: bounded, never unlimited', () => {
    expect(load({ MAX_FRAME_BYTES: '2048' }).gateway.maxFrameBytes).toBe(2048);
    expect(load({ MAX_PENDING_OUTBOUND_BYTES: '65536' }).gateway.maxPendingOutboundBytes).toBe(65536);
    for (const bad of ['0', '63', 'big', String(16 * 1024 * 1024 + 1)]) {
      expectIssue({ MAX_FRAME_BYTES: bad }, 'MAX_FRAME_BYTES', bad);
    }
    for (const bad of ['0', '1023', '1e6']) {
      expectIssue({ MAX_PENDING_OUTBOUND_BYTES: bad }, 'MAX_PENDING_OUTBOUND_BYTES', bad);
    }
  });

  it('MAX_MESSAGES_PER_SECOND, MAX_CONNECTIONS: 0 = unlimited', () => {
    expect(load({ MAX_MESSAGES_PER_SECOND: '0' }).gateway.maxMessagesPerSecond).toBe(0);
    expect(load({ MAX_MESSAGES_PER_SECOND: '50' }).gateway.maxMessagesPerSecond).toBe(50);
    expect(load({ MAX_CONNECTIONS: '0' }).gateway.maxConnections).toBe(0);
    expect(load({ MAX_CONNECTIONS: '20000' }).gateway.maxConnections).toBe(20000);
    expectIssue({ MAX_MESSAGES_PER_SECOND: '-5' }, 'MAX_MESSAGES_PER_SECOND', '-5');
    expectIssue({ MAX_CONNECTIONS: 'lots' }, 'MAX_CONNECTIONS', 'lots');
  });

  for (const [name, key, def] of [
    ['DURABLE_ACK', 'durableAck', true],
    ['PUBLISH_UNAUTHENTICATED', 'publishUnauthenticated', false],
    ['EVENT_INCLUDE_RAW', 'eventIncludeRaw', true],
  ] as const) {
    it(`${name}: boolean (default ${def})`, () => {
      for (const t of ['true', 'TRUE', '1', 'yes', 'on']) expect(load({ [name]: t }).gateway[key]).toBe(true);
      for (const f of ['false', 'False', '0', 'no', 'off']) expect(load({ [name]: f }).gateway[key]).toBe(false);
      expect(load({}).gateway[key]).toBe(def);
      expectIssue({ [name]: 'maybe' }, name, 'maybe');
    });
  }

  it('PROXY_PROTOCOL: off | v1 | v2 | auto', () => {
    for (const m of ['off', 'v1', 'v2', 'auto'] as const)
      expect(load({ PROXY_PROTOCOL: m }).gateway.proxyProtocol).toBe(m);
    expect(load({ PROXY_PROTOCOL: 'V2' }).gateway.proxyProtocol).toBe('v2');
    expectIssue({ PROXY_PROTOCOL: 'v3' }, 'PROXY_PROTOCOL', 'v3');
  });

  it('TLS_CERT_FILE / TLS_KEY_FILE: both or neither, readable files, resolved against cwd', () => {
    writeFileSync(join(dir, 'cert.pem'), 'cert');
    writeFileSync(join(dir, 'key.pem'), 'key');
    expect(load({ TLS_CERT_FILE: 'cert.pem', TLS_KEY_FILE: join(dir, 'key.pem') }).gateway.tls).toEqual({
      certFile: join(dir, 'cert.pem'),
      keyFile: join(dir, 'key.pem'),
    });
    expect(expectIssue({ TLS_CERT_FILE: 'cert.pem' }, 'TLS_KEY_FILE').code).toBe('IOTHUB_ERR_CONFIG_CONFLICT');
    expect(expectIssue({ TLS_KEY_FILE: 'key.pem' }, 'TLS_CERT_FILE').code).toBe('IOTHUB_ERR_CONFIG_CONFLICT');
    expectIssue({ TLS_CERT_FILE: 'missing.pem', TLS_KEY_FILE: 'key.pem' }, 'TLS_CERT_FILE', 'missing.pem');
    expectIssue({ TLS_CERT_FILE: 'cert.pem', TLS_KEY_FILE: dir }, 'TLS_KEY_FILE', dir);
  });

  it('JT808_REGISTRATION and JT808_ALLOW_LIST', () => {
    const c = load({ JT808_REGISTRATION: 'allow-list', JT808_ALLOW_LIST: '013912345678, 860112070347838;13912345678' });
    expect(c.gateway.jt808Registration).toBe('allow-list');
    expect(c.gateway.jt808AllowList).toEqual(['13912345678', '860112070347838']);
    expect(load({ JT808_REGISTRATION: 'open' }).gateway.jt808Registration).toBe('open');
    expectIssue({ JT808_REGISTRATION: 'closed' }, 'JT808_REGISTRATION', 'closed');
    expect(expectIssue({ JT808_REGISTRATION: 'allow-list' }, 'JT808_ALLOW_LIST').code).toBe(
      'IOTHUB_ERR_CONFIG_MISSING',
    );
    expect(expectIssue({ JT808_ALLOW_LIST: '123' }, 'JT808_ALLOW_LIST', '123').code).toBe('IOTHUB_ERR_CONFIG_CONFLICT');
    const bad = expectIssue({ JT808_REGISTRATION: 'allow-list', JT808_ALLOW_LIST: '123,abc' }, 'JT808_ALLOW_LIST');
    expect(bad.reason).toContain('abc');
    expectIssue({ JT808_REGISTRATION: 'allow-list', JT808_ALLOW_LIST: '1'.repeat(21) }, 'JT808_ALLOW_LIST');
  });

  it('MEDIA_DIR: absolute, relative to cwd, or the default; a file is refused', () => {
    expect(load({ MEDIA_DIR: '/var/lib/iothub/media' }).gateway.mediaDir).toBe('/var/lib/iothub/media');
    expect(load({ MEDIA_DIR: 'media' }).gateway.mediaDir).toBe(join(dir, 'media'));
    mkdirSync(join(dir, 'existing'));
    expect(load({ MEDIA_DIR: 'existing' }).gateway.mediaDir).toBe(join(dir, 'existing'));
    writeFileSync(join(dir, 'afile'), 'x');
    expectIssue({ MEDIA_DIR: 'afile' }, 'MEDIA_DIR', 'afile');
  });

  it('JT808_IMEI_SOURCE: phone | auth-imei', () => {
    expect(load({ JT808_IMEI_SOURCE: 'auth-imei' }).gateway.jt808ImeiSource).toBe('auth-imei');
    expect(load({ JT808_IMEI_SOURCE: 'phone' }).gateway.jt808ImeiSource).toBe('phone');
    expectIssue({ JT808_IMEI_SOURCE: 'imei' }, 'JT808_IMEI_SOURCE', 'imei');
  });
});

describe('loadConfig: errors and a whole Jimi compose environment', () => {
  it('collects every bad variable in one error; code, variable and value of the first', () => {
    const err = fail({ JIMI_PORT: 'x', LOG_LEVEL: 'loud', DURABLE_ACK: 'perhaps' });
    expect(err.name).toBe('ConfigError');
    expect(err.issues.map((i) => i.variable)).toEqual(['JIMI_PORT', 'LOG_LEVEL', 'DURABLE_ACK']);
    expect(err.code).toBe('IOTHUB_ERR_CONFIG_INVALID');
    expect(err.variable).toBe('JIMI_PORT');
    expect(err.value).toBe('x');
    expect(err.message).toContain('JIMI_PORT="x"');
    expect(err.message).toContain('LOG_LEVEL="loud"');
    expect(err.message).toContain('DURABLE_ACK="perhaps"');
  });

  it('a single problem gives a one-line message', () => {
    expect(fail({ JIMI_PORT: 'x' }).message).toBe(
      'configuration error: JIMI_PORT="x": expected a port number (integer 0–65535; 0 = any free port) [IOTHUB_ERR_CONFIG_INVALID]',
    );
  });

  it('accepts the Jimi compose variables of the JT/T 808 gateway and the dispatcher', () => {
    const c = load({
      gateId: 'jimi-gateway-450-21122-93',
      redisHost: 'redis',
      redisPort: '6379',
      redisPassword: 'jimi@123',
      kafkaHost: 'kafka:9092',
      kafkaEnable: 'true',
      lbsURL: 'http://xxx',
      lbsToken: '',
      readTimeOut: '5',
      pushURL: 'http://stg.api.example.com/jimi-iot',
      pushToken: 'a12341234123',
      topicPrefix: 'iothub',
      offlineCmdPushURL: 'http://host/pushInstructResponse',
      offlineCmdPushToken: 'a12341234123',
      API_TOKEN: 'tok',
    });
    expect(c.mode).toBe('fleet');
    expect(c.gateId).toBe('jimi-gateway-450-21122-93');
    expect(c.redisUrl).toBe('redis://:jimi%40123@redis:6379');
    expect(c.kafkaBrokers).toEqual(['kafka:9092']);
    expect(c.lbsUrl).toBe('http://xxx');
    expect(c.lbsToken).toBeNull();
    expect(c.gateway.readTimeoutMs).toBe(300_000);
    expect(c.pushUrl).toBe('http://stg.api.example.com/jimi-iot');
    expect(c.pushToken).toBe('a12341234123');
    expect(c.offlineCmdPushUrl).toBe('http://host/pushInstructResponse');
    expect(c.offlineCmdPushToken).toBe('a12341234123');
    expect(c.warnings).toEqual([]);
  });
});

describe('redaction helpers', () => {
  it('redactUrl hides passwords only', () => {
    expect(redactUrl('redis://:pw@h:1')).toBe('redis://:***@h:1');
    expect(redactUrl('redis://user:pw@h:1/2')).toBe('redis://user:***@h:1/2');
    expect(redactUrl('redis://h:1')).toBe('redis://h:1');
    expect(redactUrl('not a url')).toBe('not a url');
  });

  it('redactConfig removes tokens and passwords', () => {
    const c = load({ API_TOKEN: 'A', PUSH_TOKEN: 'B', LBS_TOKEN: 'C', REDIS_URL: 'redis://:D@r:1' });
    const text = JSON.stringify(redactConfig(c));
    for (const secret of ['"A"', '"B"', '"C"', ':D@']) expect(text).not.toContain(secret);
    expect(text).toContain('redis://:***@r:1');
  });
});
