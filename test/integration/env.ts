/**
 * Service addresses for the integration run. When one is missing, the suite registers a single
 * failing test that says how to provide it (a missing service is a failure, never a skip).
 */
import { it } from 'vitest';

export function serviceEnv(name: 'REDIS_URL' | 'KAFKA_BROKERS'): string | undefined {
  const value = process.env[name]?.trim();
  if (value !== undefined && value !== '') return value;
  it(`${name} is set`, () => {
    throw new Error(
      `${name} is not set: the integration tests need real services. Run \`bash scripts/services.sh start\`, ` +
        'then `env $(bash scripts/services.sh env) pnpm test:integration`.',
    );
  });
  return undefined;
}
