#!/usr/bin/env node
// Lease-store micro-benchmark for @kcl/checkpoint-dynamodb (not a test).
//
//   pnpm --filter @kcl/checkpoint-dynamodb bench [-- --ops 2000 --endpoint http://127.0.0.1:8000 --json --write-baseline]
//
// Measures three lease operations, each one conditional UpdateItem:
//   takeLease        taking new leases (row absent, counter 0)
//   renewLease       by the owner (owner + token condition, counter + 1)
//   checkpoint       checkpointSequence (owner + token condition)
// first sequentially (1 in flight), then with 16 in flight (16 lanes, each on its own leases). Prints ops/s and p50/p99
// latency per scenario and the ratio of ops/s to bench/baseline.json (the figures in the README).
// Without --endpoint it starts dynalite in this process (so server and client share one event loop and one core).
import { createRequire } from 'node:module';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

// The pinned AWS SDK warns on every start that later releases need Node 22; known and not actionable here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const { DynamoCheckpoint } = require('../dist/index.js');
const { KinesisClientLibConfig, NOOP_LOGGER, createShardStatus } = require('@kcl/core');
const { measureOps, startDynalite, randomName, LOCAL_CREDENTIALS } = require('@kcl/testbed');

const { values: args } = parseArgs({
  options: {
    ops: { type: 'string', default: '2000' },
    endpoint: { type: 'string' },
    json: { type: 'boolean', default: false },
    'write-baseline': { type: 'boolean', default: false },
  },
});
const OPS = Number(args.ops);
if (!Number.isInteger(OPS) || OPS < 16) throw new Error(`--ops must be an integer >= 16, got ${args.ops}`);
const CONCURRENCY = [1, 16];
const BASELINE_FILE = join(here, 'baseline.json');

const round = (x) => Math.round(x * 100) / 100;

/** Runs `op(lane, i)` OPS times over `lanes` lanes (testbed's measureOps); ops/s whole, latencies rounded to 0.01 ms. */
async function measure(lanes, op) {
  const { opsPerSec, p50Ms, p99Ms } = await measureOps(OPS, lanes, op);
  return { opsPerSec: Math.round(opsPerSec), p50Ms: round(p50Ms), p99Ms: round(p99Ms) };
}

async function main() {
  const server = args.endpoint ? undefined : await startDynalite();
  const endpoint = args.endpoint ?? server.endpoint;
  const config = new KinesisClientLibConfig('kcl-bench', 'bench-stream', 'us-east-1', 'bench-worker')
    .withTableName(randomName('bench'))
    .withDynamoDBEndpoint(endpoint)
    .withDynamoDBCredentials(LOCAL_CREDENTIALS)
    .withLogger(NOOP_LOGGER);
  const checkpointer = new DynamoCheckpoint(config);
  await checkpointer.init();
  const results = [];
  try {
    // Warm-up: connections, JIT.
    for (let i = 0; i < 100; i++) await checkpointer.takeLease(createShardStatus(`warmup-${i}`), 'bench-worker');

    for (const lanes of CONCURRENCY) {
      // Leases of this round: OPS new shards for the takes; renew and checkpoint cycle over them lane by lane.
      const shards = Array.from({ length: OPS }, (_, i) => createShardStatus(`c${lanes}-shardId-${String(i).padStart(12, '0')}`));
      const take = await measure(lanes, (_lane, i) => checkpointer.takeLease(shards[i], 'bench-worker'));
      results.push({ op: 'takeLease', inFlight: lanes, ...take });
      const renew = await measure(lanes, (_lane, i) => checkpointer.renewLease(shards[i], 'bench-worker'));
      results.push({ op: 'renew', inFlight: lanes, ...renew });
      const checkpoint = await measure(lanes, (_lane, i) => {
        const shard = shards[i];
        shard.checkpoint = String(1_000_000 + i);
        return checkpointer.checkpointSequence(shard);
      });
      results.push({ op: 'checkpoint', inFlight: lanes, ...checkpoint });
    }
  } finally {
    await checkpointer.close();
    await server?.stop();
  }

  const baseline = existsSync(BASELINE_FILE) ? JSON.parse(readFileSync(BASELINE_FILE, 'utf8')) : undefined;
  for (const r of results) {
    const base = baseline?.results?.find((b) => b.op === r.op && b.inFlight === r.inFlight);
    r.ratioToBaseline = base ? round(r.opsPerSec / base.opsPerSec) : null;
  }
  const summary = {
    backend: args.endpoint ? `DynamoDB at ${endpoint}` : 'dynalite 4.0.0 (in-process)',
    node: process.version,
    opsPerScenario: OPS,
    results,
  };
  if (args['write-baseline'])
    writeFileSync(BASELINE_FILE, `${JSON.stringify({ ...summary, results: results.map(({ ratioToBaseline, ...r }) => r) }, null, 2)}\n`);
  if (args.json) {
    console.log(JSON.stringify(summary));
    return;
  }
  console.log(`@kcl/checkpoint-dynamodb lease operations against ${summary.backend}, ${OPS} ops per scenario, Node ${process.version}`);
  console.log('operation         in flight    ops/s   p50 ms   p99 ms   vs baseline');
  for (const r of results) {
    console.log(
      `${r.op.padEnd(17)} ${String(r.inFlight).padStart(9)} ${String(r.opsPerSec).padStart(8)} ${r.p50Ms.toFixed(2).padStart(8)} ${r.p99Ms
        .toFixed(2)
        .padStart(8)}   ${r.ratioToBaseline === null ? 'n/a' : `${r.ratioToBaseline.toFixed(2)}x`}`,
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
