import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Shared test code under test/ (the compliance suites) imports '@brine/core', which only the
    // packages have in their node_modules: resolve it to the same built module the packages load.
    alias: [
      { find: /^@brine\/core$/, replacement: fileURLToPath(new URL('./packages/core/dist/index.js', import.meta.url)) },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', 'test/interop/**', 'test/browser/**', '**/*.browser.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
