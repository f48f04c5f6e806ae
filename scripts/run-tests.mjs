#!/usr/bin/env node
// Runs every workspace package's jest suite through turbo and prints one plain total over all packages as the last
// line: "N passed, N failed". Exits non-zero if any test failed, any suite could not run, or no test ran at all.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const RESULT_FILE = '.jest-results.json';
const packageDirs = ['packages', 'examples']
  .flatMap((group) => (existsSync(join(root, group)) ? readdirSync(join(root, group)).map((d) => join(root, group, d)) : []))
  .filter((dir) => existsSync(join(dir, 'package.json')));

for (const dir of packageDirs) rmSync(join(dir, RESULT_FILE), { force: true });

const extra = process.argv.slice(2);
const turbo = spawnSync(
  'pnpm',
  ['exec', 'turbo', 'run', 'test', '--continue', '--concurrency=1', '--', '--ci', '--forceExit', '--json', `--outputFile=${RESULT_FILE}`, ...extra],
  { cwd: root, stdio: 'inherit', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ?? 'true', FORCE_COLOR: process.env.FORCE_COLOR ?? '0' } },
);

let passed = 0;
let failed = 0;
const rows = [];
for (const dir of packageDirs) {
  const file = join(dir, RESULT_FILE);
  if (!existsSync(file)) continue;
  const r = JSON.parse(readFileSync(file, 'utf8'));
  const brokenSuites = r.numRuntimeErrorTestSuites ?? 0;
  passed += r.numPassedTests;
  failed += r.numFailedTests + brokenSuites;
  rows.push(`${JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name}: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${brokenSuites} suites failed to run`);
}
console.log('\nPer package:');
for (const row of rows) console.log(`  ${row}`);
const ok = turbo.status === 0 && failed === 0 && passed > 0;
if (turbo.status !== 0 && failed === 0) failed = 1; // turbo failed before jest could report (build error, crash)
console.log(`${passed} passed, ${failed} failed`);
process.exit(ok ? 0 : 1);
