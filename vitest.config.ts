import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    // Every response a test sees is checked against openapi/openapi.json (tests/support/contract.ts).
    setupFiles: ['tests/support/contract-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Two cores: keep file parallelism modest so Redis-backed tests don't starve.
    maxWorkers: 2,
  },
});
