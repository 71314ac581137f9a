import { defineConfig } from 'vitest/config';

// The integration run (`pnpm test:integration`): contract suites against real Redis and Kafka,
// reached through REDIS_URL and KAFKA_BROKERS (`export $(bash scripts/services.sh env)`).
export default defineConfig({
  test: {
    include: ['test/integration/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
