/**
 * The two lease stores under test, on the test bed's real servers: DynamoDB (`DynamoCheckpoint` on dynalite) and
 * Redis (`RedisCheckpoint` on redis-server). Tests run once per store with `describe.each(LEASE_STORE_NAMES)`.
 */
import { KinesisClientLibConfig, type Checkpointer, type CoordinatorLease, type ShardStatus, type WorkerHeartbeat } from '@kcl/core';
import { randomName, startDynalite, startRedis, type LocalServer } from '@kcl/testbed';
import { createStoreClient, type StoreTarget } from './store-client';
import { APPLICATION, testLogger } from './worker-config';

export type LeaseStoreName = 'dynamodb' | 'redis';

/** Every store there is, in the order tests run them. */
export const ALL_LEASE_STORE_NAMES: readonly LeaseStoreName[] = ['dynamodb', 'redis'];

/**
 * The stores named in `value` (comma-separated, e.g. `redis` or `dynamodb,redis`), in {@link ALL_LEASE_STORE_NAMES}
 * order; all of them when `value` is undefined or blank.
 * @throws Error for an unknown store name (a typo must not silently run nothing)
 */
export function selectLeaseStores(value: string | undefined): readonly LeaseStoreName[] {
  const wanted = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (wanted.length === 0) return ALL_LEASE_STORE_NAMES;
  const unknown = wanted.filter((s) => !(ALL_LEASE_STORE_NAMES as readonly string[]).includes(s));
  if (unknown.length > 0) throw new Error(`KCL_IT_STORES: unknown lease store(s) ${unknown.join(', ')} (known: ${ALL_LEASE_STORE_NAMES.join(', ')})`);
  return ALL_LEASE_STORE_NAMES.filter((name) => wanted.includes(name));
}

/**
 * The stores the tests run with (`describe.each(LEASE_STORE_NAMES)`): every store, or only those named in the
 * `KCL_IT_STORES` environment variable (e.g. `KCL_IT_STORES=redis`). @defaultValue every store
 */
export const LEASE_STORE_NAMES: readonly LeaseStoreName[] = selectLeaseStores(process.env['KCL_IT_STORES']);

/** Where a store's server listens (or a proxy in front of it). */
export interface StoreAddress {
  host: string;
  port: number;
}

/** One test's private part of a store: its own table name (and, for Redis, its own key prefix). */
export interface StoreNamespace {
  tableName: string;
  keyPrefix: string;
}

/** What a process needs to build a checkpointer for a store: which one, where, and the test's namespace. */
export interface StoreSpec {
  name: LeaseStoreName;
  address: StoreAddress;
  namespace: StoreNamespace;
}

/** A fresh namespace (randomName), so tests sharing one server never see each other's leases. */
export function newNamespace(): StoreNamespace {
  return { tableName: randomName('leases'), keyPrefix: randomName('kcl') };
}

/**
 * Builds the checkpointer of `spec` for a worker whose config is `config` (the config's table name is set to the
 * namespace's). The checkpointer opens (and on close() closes) its own connection.
 */
export function createCheckpointer(spec: StoreSpec, config: KinesisClientLibConfig): Checkpointer {
  return createStoreClient(storeTarget(spec), config, { timeoutMillis: 3_000 }).checkpointer;
}

/** The {@link StoreTarget} of `spec` (what {@link createStoreClient} builds from). */
export function storeTarget(spec: StoreSpec): StoreTarget {
  const { host, port } = spec.address;
  const { tableName, keyPrefix } = spec.namespace;
  return spec.name === 'dynamodb'
    ? { kind: 'dynamodb', endpoint: `http://${host}:${port}`, tableName }
    : { kind: 'redis', address: `${host}:${port}`, tableName, keyPrefix };
}

/** A running store server for a test file: builds checkpointers for it and closes them all at the end. */
export class LeaseStoreServer {
  private readonly opened: Checkpointer[] = [];
  private readonly readers = new Map<string, Checkpointer>();

  private server: LocalServer | undefined;

  private constructor(readonly name: LeaseStoreName) {}

  /** Starts dynalite or redis-server on a free loopback port. */
  static async start(name: LeaseStoreName): Promise<LeaseStoreServer> {
    const store = LeaseStoreServer.unstarted(name);
    await store.open();
    return store;
  }

  /** A store object whose server starts with {@link open} (e.g. in a describe block's beforeAll); unusable before. */
  static unstarted(name: LeaseStoreName): LeaseStoreServer {
    return new LeaseStoreServer(name);
  }

  /** Starts the server (dynalite or redis-server on a free loopback port) of an {@link unstarted} store. */
  async open(): Promise<void> {
    if (this.server) throw new Error(`the ${this.name} store is already started`);
    this.server = this.name === 'dynamodb' ? await startDynalite() : await startRedis();
  }

  private get running(): LocalServer {
    if (!this.server) throw new Error(`the ${this.name} store is not started yet (open() it in beforeAll)`);
    return this.server;
  }

  get address(): StoreAddress {
    return { host: this.running.host, port: this.running.port };
  }

  /** A spec for `namespace`, optionally reaching the server through `via` (a proxy). */
  spec(namespace: StoreNamespace, via?: StoreAddress): StoreSpec {
    return { name: this.name, address: via ?? this.address, namespace };
  }

  /** A checkpointer (closed by {@link closeCheckpointers}) for a worker with `config`. */
  checkpointer(config: KinesisClientLibConfig, namespace: StoreNamespace, via?: StoreAddress): Checkpointer {
    const checkpointer = createCheckpointer(this.spec(namespace, via), config);
    this.opened.push(checkpointer);
    return checkpointer;
  }

  /**
   * Reads the whole lease table of `namespace` with a reader of its own (worker id `lease-reader`, which never takes
   * a lease nor joins the fleet), kept open until {@link closeCheckpointers}.
   */
  async leases(namespace: StoreNamespace): Promise<Map<string, ShardStatus>> {
    const rows = await (await this.reader(namespace)).listLeases();
    return new Map(rows.map((row) => [row.id, row]));
  }

  /** The coordinator (leader) lease of `namespace` as the store has it (undefined before anyone took the role). */
  async coordinator(namespace: StoreNamespace): Promise<CoordinatorLease | undefined> {
    return (await this.reader(namespace)).getCoordinatorLease();
  }

  /** The worker registry of `namespace` (worker ids and heartbeat counters). */
  async workers(namespace: StoreNamespace): Promise<WorkerHeartbeat[]> {
    return (await this.reader(namespace)).listWorkers();
  }

  private async reader(namespace: StoreNamespace): Promise<Checkpointer> {
    let reader = this.readers.get(namespace.tableName);
    if (!reader) {
      const config = new KinesisClientLibConfig(APPLICATION, 'lease-reader', 'us-east-1', 'lease-reader').withLogger(testLogger());
      reader = this.checkpointer(config, namespace);
      this.readers.set(namespace.tableName, reader);
    }
    await reader.init();
    return reader;
  }

  /** Closes every checkpointer built by this server object (bounded by the backends' own close timeouts). */
  async closeCheckpointers(): Promise<void> {
    this.readers.clear();
    const all = this.opened.splice(0);
    await Promise.all(all.map((c) => c.close().catch(() => undefined)));
  }

  async stop(): Promise<void> {
    await this.closeCheckpointers();
    await this.running.stop();
  }
}
