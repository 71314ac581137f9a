/** The `lbs` section of the configuration (packages/core/src/config.ts): defaults, aliases, errors. */
import { ConfigError, loadConfig, redactConfig } from '@iothub/core';
import { describe, expect, it } from 'vitest';

const opts = { cwd: '/srv/iothub', hostname: 'h', generateToken: () => 't' };

describe('LBS configuration', () => {
  it('defaults', () => {
    const c = loadConfig({}, opts);
    expect(c.lbs).toEqual({
      dataDir: '/srv/iothub/data/lbs',
      upstreamUrl: null,
      upstreamToken: null,
      upstreamTimeoutMs: 1500,
      cacheSize: 100_000,
      cacheTtlS: 86_400,
      resolve: true,
      timeoutMs: 1500,
    });
    expect(c.lbsUrl).toBe('http://127.0.0.1:10099');
  });

  it('reads every variable and the Jimi aliases; redacts the upstream token', () => {
    const c = loadConfig(
      {
        LBS_DATA_DIR: 'lbsdata',
        lbsWifiServiceURL: 'https://lbs.example.com/loc/query',
        lbsWifiServiceToken: 'up-secret',
        LBS_UPSTREAM_TIMEOUT_MS: '800',
        LBS_CACHE_SIZE: '0',
        LBS_CACHE_TTL_S: '60',
        LBS_RESOLVE: 'false',
        LBS_TIMEOUT_MS: '2500',
      },
      opts,
    );
    expect(c.lbs).toEqual({
      dataDir: '/srv/iothub/lbsdata',
      upstreamUrl: 'https://lbs.example.com/loc/query',
      upstreamToken: 'up-secret',
      upstreamTimeoutMs: 800,
      cacheSize: 0,
      cacheTtlS: 60,
      resolve: false,
      timeoutMs: 2500,
    });
    expect(JSON.stringify(redactConfig(c))).not.toContain('up-secret');
  });

  it('a bad value stops with an error naming the variable', () => {
    for (const [name, value] of [
      ['LBS_TIMEOUT_MS', '10'],
      ['LBS_UPSTREAM_URL', 'ftp://x'],
      ['LBS_CACHE_SIZE', '-1'],
      ['LBS_RESOLVE', 'maybe'],
    ] as const) {
      let err: unknown;
      try {
        loadConfig({ [name]: value }, opts);
      } catch (e) {
        err = e;
      }
      expect(err, name).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).message).toContain(name);
    }
  });
});
