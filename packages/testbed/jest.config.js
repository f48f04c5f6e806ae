// globalSetup builds dist/ once (if stale) before any test file runs: the CLI and orphan tests spawn dist/*.js.
module.exports = require('../../jest.preset.js')(__dirname, { globalSetup: '<rootDir>/test/global-setup.ts' });
