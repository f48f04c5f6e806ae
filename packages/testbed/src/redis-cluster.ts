import { TestbedError, checkIntegerOption } from './errors';
import { LOOPBACK, getFreePort } from './free-port';
import { launchRedis, type RedisProcess } from './redis-process';
import { redisCommand } from './redis-command';
import type { RedisClusterHandle } from './types';

const SLOTS = 16384;

export interface StartRedisClusterOptions {
  /**
   * Number of masters (no replicas); slots are split evenly.
   * @defaultValue 3
   */
  masters?: number;
  /**
   * `--cluster-node-timeout` in ms.
   * @defaultValue 2000
   */
  nodeTimeoutMs?: number;
  /**
   * How long to wait for `cluster_state:ok` on every node, in ms.
   * @defaultValue 30000
   */
  startTimeoutMs?: number;
}

/**
 * Starts a Redis Cluster of `masters` redis-server processes on 127.0.0.1 (each with its own temp dir and cluster bus
 * port), assigns the 16384 slots evenly, joins the nodes and waits until CLUSTER INFO reports cluster_state:ok on every
 * node. Does what `redis-cli --cluster create ... --cluster-replicas 0 --cluster-yes` does, without its fixed 1 s
 * waits.
 */
export async function startRedisCluster(options: StartRedisClusterOptions = {}): Promise<RedisClusterHandle> {
  checkIntegerOption('redis-cluster', 'masters', options.masters, 1, 16);
  checkIntegerOption('redis-cluster', 'nodeTimeoutMs', options.nodeTimeoutMs, 100, 60_000);
  const masters = options.masters ?? 3;
  const nodeTimeout = options.nodeTimeoutMs ?? 2000;
  const busPorts: number[] = [];
  const launched = await Promise.allSettled(
    Array.from({ length: masters }, (_, index) =>
      launchRedis({
        name: `redis-cluster node ${index + 1}`,
        extraArgs: async (port, dir) => {
          let busPort = await getFreePort();
          while (busPort === port) busPort = await getFreePort();
          busPorts[index] = busPort;
          return [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            `${dir}/nodes.conf`,
            '--cluster-node-timeout',
            String(nodeTimeout),
            '--cluster-port',
            String(busPort),
          ];
        },
      }),
    ),
  );
  const nodes = launched.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const stopAll = async (): Promise<void> => {
    await Promise.all(nodes.map((node) => node.stop()));
  };
  const failed = launched.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) {
    await stopAll();
    throw failed.reason;
  }
  try {
    await formCluster(nodes, busPorts, options.startTimeoutMs ?? 30_000);
  } catch (error) {
    await stopAll();
    throw new TestbedError('redis-cluster', error instanceof Error ? error.message : String(error), { cause: error });
  }
  let stopping: Promise<void> | undefined;
  return {
    nodes: nodes.map((node) => ({ host: LOOPBACK, port: node.port })),
    urls: nodes.map((node) => `redis://${LOOPBACK}:${node.port}`),
    stop: () => (stopping ??= stopAll()),
  };
}

async function formCluster(nodes: RedisProcess[], busPorts: number[], timeoutMs: number): Promise<void> {
  const target = (node: RedisProcess): { host: string; port: number } => ({ host: LOOPBACK, port: node.port });
  await Promise.all(
    nodes.map(async (node, index) => {
      const first = Math.floor((SLOTS * index) / nodes.length);
      const last = Math.floor((SLOTS * (index + 1)) / nodes.length) - 1;
      await redisCommand(target(node), ['CLUSTER', 'ADDSLOTSRANGE', String(first), String(last)]);
      // Distinct config epochs, as redis-cli does, so no epoch collision has to be resolved first.
      await redisCommand(target(node), ['CLUSTER', 'SET-CONFIG-EPOCH', String(index + 1)]);
    }),
  );
  const [seed, ...others] = nodes;
  if (seed) {
    for (const [index, other] of others.entries()) {
      await redisCommand(target(seed), ['CLUSTER', 'MEET', LOOPBACK, String(other.port), String(busPorts[index + 1])]);
    }
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const infos = await Promise.all(nodes.map((node) => redisCommand(target(node), ['CLUSTER', 'INFO'])));
    if (infos.every((info) => info?.includes('cluster_state:ok') && info.includes(`cluster_known_nodes:${nodes.length}\r\n`))) return;
    if (Date.now() > deadline) {
      throw new Error(`cluster not ok after ${timeoutMs} ms; CLUSTER INFO of node 1:\n${infos[0] ?? ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
