#!/usr/bin/env node
// Benchmark of RedisCheckpoint lease operations against a local redis-server started by @kcl/testbed.
// Not a test. Run: `pnpm --filter @kcl/checkpoint-redis bench` (builds first), options: --ops N (default 5000),
// --json (one JSON line instead of the table).
//
// Measures takeLease (take of a new lease), renewLease (renew by the owner) and checkpointSequence: ops/s and p50/p99
// latency, sequentially and with 16 calls in flight. Baseline: a plain HSET round trip on a node-redis client in the
// same mode; "x baseline" is the op's throughput divided by the baseline's.
import { createRequire } from 'node:module';
import { cpus } from 'node:os';

const require = createRequire(import.meta.url);
const { RedisCheckpoint } = require('../dist/index.js');
const { KinesisClientLibConfig, NOOP_LOGGER, createShardStatus } = require('@kcl/core');
const { measureOps, startRedis, randomName } = require('@kcl/testbed');
const { createClient } = require('redis');

const args = process.argv.slice(2);
const opsArg = args.indexOf('--ops');
const OPS = opsArg >= 0 ? Number(args[opsArg + 1]) : 5000;
const JSON_OUT = args.includes('--json');
const IN_FLIGHT = 16;
if (!Number.isInteger(OPS) || OPS < IN_FLIGHT) throw new Error(`--ops must be an integer >= ${IN_FLIGHT}`);

const server = await startRedis();
const raw = createClient({ url: server.url, RESP: 2 });
await raw.connect();
const table = randomName('bench');
const config = new KinesisClientLibConfig(table, 'bench-stream', 'us-east-1', 'bench-worker').withLogger(NOOP_LOGGER);
const cp = new RedisCheckpoint(config, { address: server.address });
await cp.init();

let shardSeq = 0;
const newShard = () => createShardStatus(`shardId-${String(shardSeq++).padStart(12, '0')}`);
const owned = [];
for (let lane = 0; lane < IN_FLIGHT; lane++) {
  const shard = newShard();
  await cp.takeLease(shard, 'bench-worker');
  owned.push(shard);
}

let checkpoints = 0;
const operations = {
  'HSET (baseline)': (lane, i) => raw.hSet(`bench:${table}:baseline:${lane}`, 'Checkpoint', String(i)),
  takeLease: () => cp.takeLease(newShard(), 'bench-worker'),
  renewLease: (lane) => cp.renewLease(owned[lane], 'bench-worker'),
  checkpointSequence: (lane) => {
    // Always forward (warm-up and every row included): a checkpoint never moves backwards.
    const shard = owned[lane];
    shard.checkpoint = String(49590338271490256608559692538361571095921575989136588802n + BigInt(++checkpoints));
    return cp.checkpointSequence(shard);
  },
};

// Warm-up: script cache, JIT, connection.
for (const op of Object.values(operations)) for (let i = 0; i < 300; i++) await op(i % IN_FLIGHT, i);

const results = [];
for (const [mode, lanes] of [
  ['sequential', 1],
  [`${IN_FLIGHT} in flight`, IN_FLIGHT],
]) {
  let baseline;
  for (const [name, op] of Object.entries(operations)) {
    const r = await measureOps(OPS, lanes, op);
    baseline ??= r.opsPerSec;
    results.push({ operation: name, mode, ...r, ratioToBaseline: r.opsPerSec / baseline });
  }
}

await cp.close();
await raw.close();
await server.stop();

const env = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, ops: OPS, redis: 'local redis-server (testbed), loopback' };
if (JSON_OUT) {
  console.log(JSON.stringify({ env, results }));
} else {
  console.log(`RedisCheckpoint lease ops, ${OPS} ops per row, ${env.redis}, Node ${env.node}, ${env.cpus} cores`);
  console.log('| operation | mode | ops/s | p50 ms | p99 ms | x baseline |');
  console.log('|---|---|---:|---:|---:|---:|');
  for (const r of results) {
    console.log(
      `| ${r.operation} | ${r.mode} | ${Math.round(r.opsPerSec)} | ${r.p50Ms.toFixed(3)} | ${r.p99Ms.toFixed(3)} | ${r.ratioToBaseline.toFixed(2)} |`,
    );
  }
}
