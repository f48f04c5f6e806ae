// Shared jest settings for every workspace package. Each package's jest.config.js spreads this.
// Tests are transpiled only (fast); `pnpm typecheck` type-checks them with tsc.
/** @param {string} dir package directory */
module.exports = (dir, overrides = {}) => ({
  rootDir: dir,
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 60_000,
  ...overrides,
});
