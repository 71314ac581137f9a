import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'gateways/test/**/*.test.ts',
      'simulator/test/**/*.test.ts',
      'router/test/**/*.test.ts',
      'instruction-server/test/**/*.test.ts',
      'dispatch/test/**/*.test.ts',
      'lbs/test/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', 'test/integration/**'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
