// ESLint for the whole workspace (`pnpm lint`): typescript-eslint's type-checked rules (no floating or misused
// promises, no unsafe any) on every package's sources and tests, and the layer boundaries of @kcl/core.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', '**/fixtures/**', '**/coverage/**', '**/*.js', '**/*.mjs', '**/*.cjs', '.changeset/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // tsconfig.test.json of each package covers its src/ and test/.
        project: ['./packages/*/tsconfig.test.json', './examples/*/tsconfig.test.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true, caughtErrors: 'none' },
      ],
      // Off: a file seen by several packages' tsconfigs gets its type information from one of them, and an assertion
      // needed under another's settings (noUncheckedIndexedAccess) was reported as unnecessary.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // Async methods implement async contracts (Checkpointer, RecordProcessor, MonitoringService) without awaiting.
      '@typescript-eslint/require-await': 'off',
      // A caught `unknown` is passed on as it is (rethrown, rejected): wrapping it would change what callers see.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      '@typescript-eslint/only-throw-error': ['error', { allowThrowingUnknown: true }],
    },
  },
  {
    // Layers of @kcl/core (test/core-layers.test.ts checks the whole folder graph): worker/ is the composition root.
    files: ['packages/core/src/**/*.ts'],
    ignores: ['packages/core/src/worker/**', 'packages/core/src/index.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/worker/*'], message: 'worker/ is the composition root: nothing in core imports it.' }] }],
    },
  },
  {
    // Backends and every other package use core through its public entry points only.
    files: ['packages/*/src/**/*.ts', 'packages/*/test/**/*.ts', 'examples/*/src/**/*.ts', 'examples/*/test/**/*.ts'],
    ignores: ['packages/core/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@kcl/core/*', '!@kcl/core/testing', '!@kcl/core/package.json'], message: "Import '@kcl/core' or '@kcl/core/testing' only." }] },
      ],
    },
  },
  {
    files: ['**/test/**/*.ts'],
    rules: {
      // expect(obj.method).toHaveBeenCalled() and friends pass methods unbound on purpose.
      '@typescript-eslint/unbound-method': 'off',
      // Jest's asymmetric matchers (expect.any, expect.objectContaining...) are typed `any`.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      // Proxies over stores (fault injection) return Reflect.get's any.
      '@typescript-eslint/no-unsafe-return': 'off',
      // Tests load untyped fixtures (aws-kinesis-agg) and modules under test lazily with require().
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
);
