import { defineConfig } from 'vitest/config';

/** The scale suite (`pnpm run test:scale`): swarms of real minion processes, asserting completeness. */
export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.scale.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
    reporters: ['default'],
  },
});
