/**
 * The lease store of a chaos run behind loopback fault proxies: dynalite (in-process), a durable redis-server
 * (restartable on the same port), or a 3-master Redis cluster (one proxy per master; the workers' cluster client maps
 * the announced node addresses to the proxies). Workers reach the store through the proxies; the coordinator reads
 * the final lease table directly.
 */
import { startDurableRedis, startDynalite, startRedisCluster, startTcpProxy, type DurableRedisHandle, type TcpFaultProxy } from '@kcl/testbed';
import type { LeaseBackend } from '../schedule';
import type { StoreSpec } from '../worker-settings';

export interface LeaseStoreStandIn {
  backend: LeaseBackend;
  /** How workers reach the store (through the proxies). */
  workerSpec: StoreSpec;
  /** How the coordinator reaches it (directly). */
  directSpec: StoreSpec;
  proxies: TcpFaultProxy[];
  /** The restartable server (single-server Redis only). */
  redis: DurableRedisHandle | undefined;
  blackHole(): void;
  reset(): void;
  heal(): void;
  setLatency(ms: number): void;
  stop(): Promise<void>;
}

export async function startLeaseStore(backend: LeaseBackend, names: { tableName: string; keyPrefix: string }): Promise<LeaseStoreStandIn> {
  const stops: Array<() => Promise<void>> = [];
  const proxies: TcpFaultProxy[] = [];
  const proxyTo = async (port: number): Promise<TcpFaultProxy> => {
    const proxy = await startTcpProxy({ target: { host: '127.0.0.1', port } });
    proxies.push(proxy);
    return proxy;
  };
  try {
    let workerSpec: StoreSpec;
    let directSpec: StoreSpec;
    let redis: DurableRedisHandle | undefined;
    if (backend === 'dynamodb') {
      const server = await startDynalite();
      stops.push(() => server.stop());
      const proxy = await proxyTo(server.port);
      workerSpec = { kind: 'dynamodb', endpoint: `http://${proxy.address}`, tableName: names.tableName };
      directSpec = { kind: 'dynamodb', endpoint: server.endpoint, tableName: names.tableName };
    } else if (backend === 'redis') {
      redis = await startDurableRedis();
      const server = redis;
      stops.push(() => server.stop());
      const proxy = await proxyTo(redis.port);
      workerSpec = { kind: 'redis', address: proxy.address, ...names };
      directSpec = { kind: 'redis', address: redis.address, ...names };
    } else {
      const cluster = await startRedisCluster({ masters: 3 });
      stops.push(() => cluster.stop());
      const addressMap: Record<string, string> = {};
      for (const node of cluster.nodes) addressMap[`${node.host}:${node.port}`] = (await proxyTo(node.port)).address;
      workerSpec = { kind: 'redis-cluster', rootNodes: proxies.map((p) => `redis://${p.address}`), addressMap, ...names };
      directSpec = { kind: 'redis-cluster', rootNodes: cluster.urls, addressMap: {}, ...names };
    }
    return {
      backend,
      workerSpec,
      directSpec,
      proxies,
      redis,
      blackHole: () => proxies.forEach((p) => p.blackHole()),
      reset: () => proxies.forEach((p) => p.reset()),
      heal: () => proxies.forEach((p) => p.heal()),
      setLatency: (ms) => proxies.forEach((p) => p.setLatency(ms)),
      stop: async () => {
        await Promise.all(proxies.map((p) => p.close()));
        for (const stop of stops.reverse()) await stop().catch(() => undefined);
      },
    };
  } catch (error) {
    await Promise.all(proxies.map((p) => p.close()));
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    throw error;
  }
}
