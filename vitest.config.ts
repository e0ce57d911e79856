import { defineConfig } from 'vitest/config';

// Pin timezone and keep the suite deterministic (STYLE.md: Tests).
process.env.TZ = 'UTC';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['node_modules', 'dist', 'src/web/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    env: { TZ: 'UTC', JOINTLY_PII_KEY: 'test-pii-key-not-secret' },
  },
});
