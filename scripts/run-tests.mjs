#!/usr/bin/env node
// Runs every workspace package's jest suite (its own `test` script) and prints one plain total over all packages as
// the last line: "N passed, N failed". Exits non-zero if any test failed, any suite could not run, or no test ran.
// `pnpm test` builds everything (turbo) before it calls this.
//
// Two packages run side by side (one per core, longest first; see lanes.mjs), except the integration tests: they run
// two jest workers of their own and have failover-time bounds, so nothing runs beside them.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LANE_SLOTS, runInLanes } from './lanes.mjs';

const root = join(import.meta.dirname, '..');
const RESULT_FILE = '.jest-results.json';
/** Seconds each package's suite took on a 2-core machine (2026-12-06); others count as 10. */
const COST = {
  '@kcl/core': 170,
  '@kcl/integration-tests': 165,
  '@kcl/package-tests': 85,
  '@kcl/chaos': 65,
  '@kcl/checkpoint-dynamodb': 31,
  '@kcl/checkpoint-redis': 27,
  '@kcl/bench': 24,
  '@kcl/testbed': 21,
  '@kcl/cli': 13,
};
/** Suites with timing bounds that already use both cores. */
const ALONE = new Set(['@kcl/integration-tests']);

const packages = ['packages', 'examples']
  .flatMap((group) => (existsSync(join(root, group)) ? readdirSync(join(root, group)).map((d) => join(root, group, d)) : []))
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
  .filter(({ manifest }) => typeof manifest.scripts?.test === 'string');

const extra = process.argv.slice(2);
const env = {
  ...process.env,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ?? 'true',
  FORCE_COLOR: process.env.FORCE_COLOR ?? '0',
};
const jobs = packages.map(({ dir, manifest }) => {
  rmSync(join(dir, RESULT_FILE), { force: true });
  return {
    label: manifest.name,
    cost: COST[manifest.name] ?? 10,
    alone: ALONE.has(manifest.name),
    command: 'pnpm',
    args: ['run', 'test', '--ci', '--forceExit', '--json', `--outputFile=${RESULT_FILE}`, ...extra],
    cwd: dir,
    env,
    dir,
  };
});

const ran = await runInLanes(jobs, LANE_SLOTS);

let passed = 0;
let failed = 0;
const rows = [];
for (const job of jobs) {
  const { status, seconds } = ran.get(job) ?? { status: null, seconds: 0 };
  const file = join(job.dir, RESULT_FILE);
  if (!existsSync(file)) {
    failed += 1;
    rows.push(`${job.label}: no result (exit ${status}: the run failed before jest reported)`);
    continue;
  }
  const r = JSON.parse(readFileSync(file, 'utf8'));
  const brokenSuites = r.numRuntimeErrorTestSuites ?? 0;
  passed += r.numPassedTests;
  failed += r.numFailedTests + brokenSuites;
  // jest exits non-zero on a failed hook or an error outside tests too; count that as a failure.
  if (status !== 0 && r.numFailedTests + brokenSuites === 0) failed += 1;
  rows.push(`${job.label}: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${brokenSuites} suites failed to run (exit ${status}, ${seconds.toFixed(0)} s)`);
}
console.log('\nPer package:');
for (const row of rows) console.log(`  ${row}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
