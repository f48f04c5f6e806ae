#!/usr/bin/env node
// Runs the core and lease-store suites again under other Node LTS lines (binaries from the npm registry's `node`
// package, fetched by `npx -y node@N`), after `pnpm test` built everything and ran every suite on this Node.
// The runs go two at a time (scripts/lanes.mjs). Prints one plain total as the last line, over the `pnpm test` run's result files AND these runs:
// "N passed, N failed". Exits non-zero if any test failed, any suite could not run, or a run produced no result.
//
// Usage: node scripts/test-other-nodes.mjs [22 24 ...]   (default: 22 24)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LANE_SLOTS, runInLanes } from './lanes.mjs';

const root = join(import.meta.dirname, '..');
const MAIN_RESULT_FILE = '.jest-results.json';
const SUITES = ['packages/core', 'packages/checkpoint-dynamodb', 'packages/checkpoint-redis'];
const majors = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['22', '24'];
const jestBin = join(root, 'node_modules', 'jest', 'bin', 'jest.js');
const env = {
  ...process.env,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ?? 'true',
  FORCE_COLOR: process.env.FORCE_COLOR ?? '0',
};

/** @returns {{ passed: number, failed: number, broken: number } | undefined} */
function readResults(file) {
  if (!existsSync(file)) return undefined;
  const r = JSON.parse(readFileSync(file, 'utf8'));
  return { passed: r.numPassedTests, failed: r.numFailedTests, broken: r.numRuntimeErrorTestSuites ?? 0 };
}

const rows = [];
let passed = 0;
let failed = 0;
const add = (label, result) => {
  if (!result) {
    failed += 1;
    rows.push(`${label}: no result (the run crashed before jest reported)`);
    return;
  }
  passed += result.passed;
  failed += result.failed + result.broken;
  rows.push(`${label}: ${result.passed} passed, ${result.failed} failed, ${result.broken} suites failed to run`);
};

// The `pnpm test` run (this Node), as scripts/run-tests.mjs counted it.
for (const group of ['packages', 'examples']) {
  const dir = join(root, group);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) {
    const file = join(dir, name, MAIN_RESULT_FILE);
    if (existsSync(file)) add(`node ${process.versions.node} ${group}/${name}`, readResults(file));
  }
}

/** Seconds each suite took under Node 20 on a 2-core machine (2026-12-06): longest first on two lanes. */
const COST = { 'packages/core': 170, 'packages/checkpoint-dynamodb': 31, 'packages/checkpoint-redis': 27 };
const jobs = [];
for (const major of majors) {
  const version = spawnSync('npx', ['-y', `node@${major}`, '--version'], { cwd: root, encoding: 'utf8', env });
  if (version.status !== 0) {
    console.error(`could not get Node ${major} through npx: ${version.stderr}`);
    add(`node ${major}`, undefined);
    continue;
  }
  for (const suite of SUITES) {
    const resultFile = `.jest-results-node${major}.json`;
    const cwd = join(root, suite);
    rmSync(join(cwd, resultFile), { force: true });
    jobs.push({
      label: `node ${version.stdout.trim()} ${suite}`,
      cost: COST[suite] ?? 10,
      command: 'npx',
      args: ['-y', `node@${major}`, jestBin, '--ci', '--forceExit', '--json', `--outputFile=${resultFile}`],
      cwd,
      env,
      resultFile: join(cwd, resultFile),
    });
  }
}
// The suites under different Node lines side by side, one per core (each suite runs one jest worker).
await runInLanes(jobs, LANE_SLOTS);
for (const job of jobs) add(job.label, readResults(job.resultFile));

console.log('\nPer run:');
for (const row of rows) console.log(`  ${row}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
