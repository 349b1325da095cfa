import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/.tmp/**',
      '.venv/**',
      'test/vectors/**',
      'bench-results/**',
      'docs/api/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // Core (apart from its node/ folder) runs in browsers: no Node built-ins.
    files: ['packages/core/src/**/*.ts'],
    ignores: ['packages/core/src/node/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'core is isomorphic; put Node-only code in src/node/' },
            { group: ['prom-client'], message: 'prom-client stays in src/node/metrics/ (@brine/core/metrics)' },
          ],
        },
      ],
    },
  },
  {
    // Metrics subscribe to core's seams; prom-client loads only with @brine/core/metrics.
    files: ['packages/core/src/node/**/*.ts'],
    ignores: ['packages/core/src/node/metrics/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['prom-client'], message: 'prom-client stays in src/node/metrics/ (@brine/core/metrics)' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/test/**/*.ts', 'test/**/*.ts', 'examples/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    // The consumer check's CommonJS sample is require() on purpose.
    files: ['scripts/consumer/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
