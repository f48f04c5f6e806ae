// Runs test jobs on a fixed number of slots (one per core), longest first, and prints each job's output as one block
// when it ends, so two jobs running side by side never interleave their lines. A job that needs every slot (a suite
// that already runs two jest workers and has timing bounds) runs alone.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';

/** One slot per core, at most two (the CI machine has two; more would only add timing noise to the suites). */
export const LANE_SLOTS = Math.max(1, Math.min(2, availableParallelism()));

/**
 * @typedef {object} LaneJob
 * @property {string} label what the job is, as printed
 * @property {number} cost expected seconds (longest first; measured on a 2-core machine)
 * @property {boolean} [alone] needs every slot: runs with nothing beside it
 * @property {string} command
 * @property {string[]} args
 * @property {string} cwd
 * @property {NodeJS.ProcessEnv} env
 */

/**
 * Runs `jobs` on `slots` slots. Exclusive jobs first (each alone), then the others longest first on the free slots.
 * @param {LaneJob[]} jobs
 * @param {number} slots
 * @returns {Promise<Map<LaneJob, { status: number | null, seconds: number }>>}
 */
export async function runInLanes(jobs, slots) {
  const results = new Map();
  const alone = jobs.filter((j) => j.alone).sort((a, b) => b.cost - a.cost);
  const shared = jobs.filter((j) => !j.alone).sort((a, b) => b.cost - a.cost);
  for (const job of alone) results.set(job, await runJob(job));
  let next = 0;
  const lane = async () => {
    while (next < shared.length) {
      const job = shared[next++];
      results.set(job, await runJob(job));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, slots) }, lane));
  return results;
}

/** @param {LaneJob} job */
function runJob(job) {
  const started = performance.now();
  console.log(`--- start: ${job.label}`);
  return new Promise((resolve) => {
    const chunks = [];
    const child = spawn(job.command, job.args, { cwd: job.cwd, env: job.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (c) => chunks.push(c));
    child.stderr.on('data', (c) => chunks.push(c));
    let done = false;
    const finish = (status) => {
      if (done) return;
      done = true;
      const seconds = (performance.now() - started) / 1000;
      process.stdout.write(`\n===== ${job.label} (exit ${status}, ${seconds.toFixed(1)} s) =====\n`);
      process.stdout.write(Buffer.concat(chunks));
      resolve({ status, seconds });
    };
    child.on('error', (error) => {
      chunks.push(Buffer.from(`could not start ${job.command}: ${error.message}\n`));
      finish(null);
    });
    child.on('close', (code) => finish(code));
  });
}
