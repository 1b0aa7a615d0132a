import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    // Tests start engines, brokers and databases; on a loaded 2-core machine the 5 s default
    // fails slow-but-correct tests. A hang still fails, after a minute.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
