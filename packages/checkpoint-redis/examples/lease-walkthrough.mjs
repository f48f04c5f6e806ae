#!/usr/bin/env node
// A runnable walk through the Redis lease store: two workers of the application "orders" share one redis-server.
// Run: `pnpm --filter @kcl/checkpoint-redis example` (builds first). Uses REDIS_ADDRESS (host:port or redis[s]:// URL)
// if set (with key prefix "kcl-example", so an existing "kcl:orders" application is not touched), else starts a
// throwaway redis-server with @kcl/testbed.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { RedisCheckpoint } = require('../dist/index.js');
const { KinesisClientLibConfig, createShardStatus, LeaseNotAcquiredError } = require('@kcl/core');
const { createClient } = require('redis');

const quiet = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return quiet;
  },
};
let server;
let address = process.env.REDIS_ADDRESS;
if (!address) {
  const { startRedis } = require('@kcl/testbed');
  server = await startRedis();
  address = server.address;
}

const config = (workerId) =>
  new KinesisClientLibConfig('orders', 'orders-stream', 'us-east-1', workerId).withFailoverTimeMillis(10_000).withLogger(quiet);
const keyPrefix = server ? 'kcl' : 'kcl-example';
const alice = new RedisCheckpoint(config('alice'), { address, keyPrefix });
const bob = new RedisCheckpoint(config('bob'), { address, keyPrefix });
await Promise.all([alice.init(), bob.init()]);

// alice takes shard 1 (a new lease: counter 0 -> 1) and checkpoints.
const shard = createShardStatus('shardId-000000000001');
await alice.takeLease(shard, 'alice');
shard.checkpoint = '49590338271490256608559692538361571095921575989136588802';
await alice.checkpointSequence(shard);
console.log('alice holds', shard.id, { counter: shard.leaseCounter, checkpoint: shard.checkpoint });

// bob saw counter 0 earlier; alice's take moved it, so bob's take fails.
const seenByBob = createShardStatus('shardId-000000000001');
try {
  await bob.takeLease(seenByBob, 'bob');
} catch (error) {
  if (!(error instanceof LeaseNotAcquiredError)) throw error;
  console.log('bob cannot take it:', error.message);
}

// bob asks for the shard (lease stealing); alice sees the claim on her next renewal and releases.
await bob.fetchCheckpoint(seenByBob);
await bob.claimShard(seenByBob, 'bob');
await alice.renewLease(shard, 'alice');
console.log('alice sees claim by', shard.claimRequest);
await alice.removeLeaseOwner(shard.id, shard.leaseToken);

// bob takes it at the counter he now observes, and resumes from alice's checkpoint.
await bob.fetchCheckpoint(seenByBob);
await bob.takeLease(seenByBob, 'bob');
console.log('bob holds', seenByBob.id, { counter: seenByBob.leaseCounter, checkpoint: seenByBob.checkpoint });

// What is stored, in go-kcl's layout.
const raw = createClient({ url: address.includes('://') ? address : `redis://${address}`, RESP: 2 });
await raw.connect();
console.log('keys:', (await raw.keys(`${alice.keys.base}:*`)).sort());
console.log(`${alice.keys.shard(shard.id)} =`, await raw.hGetAll(alice.keys.shard(shard.id)));
if (!server) await alice.removeLeaseInfo(shard.id);
await raw.close();
await Promise.all([alice.close(), bob.close()]);
await server?.stop();
