/** The `api` section of the configuration (packages/core/src/config.ts, docs/configuration.md). */
import { ConfigError, loadConfig } from '@iothub/core';
import { describe, expect, it } from 'vitest';

const base = { API_TOKEN: 't' };

describe('loadConfig: api', () => {
  it('defaults', () => {
    expect(loadConfig(base).api).toEqual({
      maxOutstandingPerDevice: 1,
      defaultTimeoutS: 30,
      maxTimeoutS: 300,
      offlineCommandTtlS: 86_400,
      offlineCommandsPerDevice: 50,
      rateLimitPerSecond: 200,
      bodyLimitBytes: 65_536,
      adminPort: 10091,
    });
  });

  it('reads every variable', () => {
    const c = loadConfig({
      ...base,
      API_MAX_OUTSTANDING_PER_DEVICE: '2',
      API_DEFAULT_TIMEOUT_S: '10',
      API_MAX_TIMEOUT_S: '60',
      OFFLINE_CMD_TTL_S: '600',
      OFFLINE_CMD_MAX_PER_DEVICE: '5',
      API_RATE_LIMIT_PER_SECOND: '0',
      API_BODY_LIMIT_BYTES: '2048',
      API_ADMIN_PORT: 'off',
    }).api;
    expect(c).toEqual({
      maxOutstandingPerDevice: 2,
      defaultTimeoutS: 10,
      maxTimeoutS: 60,
      offlineCommandTtlS: 600,
      offlineCommandsPerDevice: 5,
      rateLimitPerSecond: 0,
      bodyLimitBytes: 2048,
      adminPort: null,
    });
  });

  it('a bad value stops the start with the variable named', () => {
    const bad = (env: Record<string, string>) => {
      try {
        loadConfig({ ...base, ...env });
      } catch (err) {
        if (err instanceof ConfigError) return err.variable;
        throw err;
      }
      return null;
    };
    expect(bad({ API_MAX_OUTSTANDING_PER_DEVICE: '0' })).toBe('API_MAX_OUTSTANDING_PER_DEVICE');
    expect(bad({ OFFLINE_CMD_TTL_S: 'soon' })).toBe('OFFLINE_CMD_TTL_S');
    expect(bad({ API_BODY_LIMIT_BYTES: '10' })).toBe('API_BODY_LIMIT_BYTES');
    expect(bad({ API_DEFAULT_TIMEOUT_S: '100', API_MAX_TIMEOUT_S: '50' })).toBe('API_DEFAULT_TIMEOUT_S');
  });
});
