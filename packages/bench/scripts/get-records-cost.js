#!/usr/bin/env node
// CPU per empty GetRecords call, three ways, against the Kinesis stand-in of `pnpm bench:scale --engine-only`
// (started in a child process, so its work is not counted): the AWS SDK's `client.send`, core's lean GetRecords path
// (what polling consumers use on a worker-built client), and a plain node:http keep-alive POST of the same JSON with
// no signing and no parsing beyond JSON.parse (the floor). Each is measured in a sequential loop with
// process.cpuUsage() (user + system) around the calls, after a warm-up, alternating the order per round.
//
//   pnpm --filter @kcl/bench build && pnpm --filter @kcl/bench get-records-cost [--calls 3000] [--rounds 3] [--json]
//
// Uses core's internal lean path from its dist (not a public API; for this measurement only).
'use strict';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { fork } = require('node:child_process');
const http = require('node:http');
const path = require('node:path');

const args = process.argv.slice(2);
function option(name, fallback) {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(args[i + 1]);
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write(`--${name} needs a positive integer\n`);
    process.exit(2);
  }
  return value;
}
const CALLS = option('calls', 3000);
const ROUNDS = option('rounds', 3);
const WARMUP = Math.min(500, CALLS);
const JSON_OUT = args.includes('--json');

const core = require('@kcl/core');
const { GetRecordsCommand, GetShardIteratorCommand } = require('@aws-sdk/client-kinesis');
const corePackage = path.dirname(require.resolve('@kcl/core/package.json'));
const { LeanGetRecords } = require(path.join(corePackage, 'dist/kinesis/lean-get-records.js'));

function startStandIn() {
  const child = fork(path.join(__dirname, '../dist/scale-server-child.js'), ['stand-in', '1'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => (m && m.type === 'ready' ? resolve({ endpoint: m.endpoint, child }) : reject(new Error('bad message'))));
    child.once('exit', (code) => reject(new Error(`stand-in exited with ${code}`)));
  });
}

async function measure(calls, fn) {
  const before = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) await fn();
  const cpu = process.cpuUsage(before);
  return { cpuMillisPerCall: (cpu.user + cpu.system) / 1000 / calls, wallMillisPerCall: (performance.now() - t0) / calls };
}

async function main() {
  const { endpoint, child } = await startStandIn();
  const client = core.createKinesisClient({
    regionName: 'us-east-1',
    kinesisEndpoint: endpoint,
    kinesisCredentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxRetryCount: 3,
  });
  const { ShardIterator } = await client.send(
    new GetShardIteratorCommand({ StreamName: 's', ShardId: 'shardId-000000000000', ShardIteratorType: 'LATEST' }),
  );
  const input = { ShardIterator, Limit: 10000 };
  const signal = new AbortController().signal;
  const lean = new LeanGetRecords(client);
  const url = new URL(endpoint);
  const agent = new http.Agent({ keepAlive: true });
  const body = JSON.stringify(input);
  const plain = () =>
    new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: '/',
          agent,
          headers: {
            'content-type': 'application/x-amz-json-1.1',
            'x-amz-target': 'Kinesis_20131202.GetRecords',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const ways = {
    'sdk send': () => client.send(new GetRecordsCommand(input), { abortSignal: signal }),
    'lean path': () => lean.send(input, signal),
    'plain node:http': plain,
  };
  for (const fn of Object.values(ways)) await measure(WARMUP, fn);
  const results = Object.fromEntries(Object.keys(ways).map((k) => [k, []]));
  const names = Object.keys(ways);
  for (let round = 0; round < ROUNDS; round++) {
    const order = names.slice(round % names.length).concat(names.slice(0, round % names.length));
    for (const name of order) results[name].push(await measure(CALLS, ways[name]));
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const summary = {};
  for (const name of names) {
    const cpu = median(results[name].map((r) => r.cpuMillisPerCall));
    summary[name] = {
      cpuMillisPerCall: Number(cpu.toFixed(3)),
      runs: results[name].map((r) => Number(r.cpuMillisPerCall.toFixed(3))),
      wallMillisPerCall: Number(median(results[name].map((r) => r.wallMillisPerCall)).toFixed(3)),
      coreAt1000PerSecond: `${(cpu * 100).toFixed(0)} %`,
    };
  }
  if (JSON_OUT) {
    process.stdout.write(`${JSON.stringify({ calls: CALLS, rounds: ROUNDS, summary })}\n`);
  } else {
    process.stdout.write(`CPU per empty GetRecords (${CALLS} sequential calls x ${ROUNDS} rounds, median), stand-in in its own process\n`);
    for (const name of names) {
      const s = summary[name];
      process.stdout.write(
        `  ${name.padEnd(16)} ${s.cpuMillisPerCall.toFixed(3)} ms CPU/call (runs ${s.runs.join(', ')}), ${s.wallMillisPerCall.toFixed(3)} ms wall/call; at 1,000 calls/s: ${s.coreAt1000PerSecond} of a core\n`,
      );
    }
    const ratio = summary['sdk send'].cpuMillisPerCall / summary['lean path'].cpuMillisPerCall;
    process.stdout.write(`  sdk send / lean path: ${ratio.toFixed(2)}x\n`);
  }
  client.destroy();
  agent.destroy();
  child.disconnect();
}

main().catch((error) => {
  process.stderr.write(`get-records-cost failed: ${error && error.stack ? error.stack : String(error)}\n`);
  process.exit(1);
});
