import { randomBytes } from 'node:crypto';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { InvalidArgumentError, type KinesisClientLibConfig } from '@kcl/core';
import { createTestStream, LOCAL_CREDENTIALS, localKinesisClient, startDynalite, startKinesalite, startRedis, type LocalServer } from '@kcl/testbed';
import { EXAMPLE_USAGE, parseExampleArgs, type ExampleArgs } from './args';
import { produceForever, putSampleRecords } from './sample-producer';
import { resolveSettings, type ExampleMode, type ExampleSettings, type ExampleStore } from './settings';
import { ConsumptionTally } from './tally';

/** Options of {@link exampleEnvironment}. */
export interface ExampleEnvironmentOptions {
  /** The lease store the example uses: the local test bed starts dynalite or redis-server for it. */
  store: ExampleStore;
  /**
   * Command-line arguments (see EXAMPLE_USAGE).
   * @defaultValue `process.argv.slice(2)`
   */
  argv?: readonly string[];
  /**
   * Environment variables that choose between the local test bed and AWS.
   * @defaultValue `process.env`
   */
  env?: NodeJS.ProcessEnv;
  /**
   * Where progress lines go.
   * @defaultValue `console.log`
   */
  print?: (line: string) => void;
}

/** Shards of the sample stream on the local test bed. */
export const LOCAL_SHARD_COUNT = 2;

/**
 * Lease timings on the local test bed, so that a run takes seconds (go-kcl's defaults, used on AWS, are 10 s
 * failover, 5 s renewal, 1 s idle wait, 60 s shard sync).
 */
export const LOCAL_TIMINGS = Object.freeze({
  failoverTimeMillis: 3_000,
  leaseRefreshPeriodMillis: 1_000,
  idleTimeBetweenReadsInMillis: 200,
  shardSyncIntervalMillis: 5_000,
  shutdownGraceMillis: 5_000,
});

interface LocalParts {
  runId: string;
  kinesisEndpoint: string;
  dynamoDBEndpoint: string | undefined;
  servers: LocalServer[];
  client: KinesisClient;
}

/**
 * Where an example runs: the local test bed (stand-ins on 127.0.0.1, a fresh stream with sample records) or AWS (an
 * existing stream). Examples read `streamName`, `region` and `redisUrl`, call `applyTo(config)`, count what they
 * consume with `tally(name)` and wait for `sampleConsumed()`.
 */
export class ExampleEnvironment {
  readonly mode: ExampleMode;
  readonly region: string;
  /** The stream to consume: KCL_STREAM_NAME on AWS, a fresh `kcl-example-<run>` stream locally. */
  readonly streamName: string;
  private readonly redis: string | undefined;
  readonly args: ExampleArgs;
  private readonly settings: ExampleSettings;
  private readonly local: LocalParts | undefined;
  private readonly print: (line: string) => void;
  private readonly tallies: ConsumptionTally[] = [];
  private readonly producer = new AbortController();
  private producing: Promise<void> | undefined;
  private timeout: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;

  /** Use {@link exampleEnvironment}. */
  constructor(parts: {
    settings: ExampleSettings;
    args: ExampleArgs;
    streamName: string;
    redisUrl: string | undefined;
    local: LocalParts | undefined;
    print: (line: string) => void;
  }) {
    this.settings = parts.settings;
    this.mode = parts.settings.mode;
    this.region = parts.settings.region;
    this.args = parts.args;
    this.streamName = parts.streamName;
    this.redis = parts.redisUrl;
    this.local = parts.local;
    this.print = parts.print;
  }

  /**
   * Where the Redis examples keep their leases: KCL_REDIS_URL, else the local redis-server's URL.
   * @throws InvalidArgumentError in an environment set up for the DynamoDB store
   */
  get redisUrl(): string {
    if (this.redis === undefined) throw new InvalidArgumentError('redisUrl: this environment was set up with store "dynamodb"');
    return this.redis;
  }

  /**
   * Points a config at this environment. Local test bed: the stand-ins' endpoints, dummy credentials, short lease
   * timings ({@link LOCAL_TIMINGS}) and a table name unique to this run (`<applicationName>-<run>`), so runs
   * against long-lived stand-ins never see each other's checkpoints. AWS: only the KCL_*_ENDPOINT overrides, if set;
   * credentials come from the AWS SDK's default chain.
   */
  applyTo<T extends KinesisClientLibConfig>(config: T): T {
    const { kinesisEndpoint, dynamoDBEndpoint } = this.local ?? this.settings;
    if (kinesisEndpoint !== undefined) config.withKinesisEndpoint(kinesisEndpoint);
    if (dynamoDBEndpoint !== undefined) config.withDynamoDBEndpoint(dynamoDBEndpoint);
    if (this.local) {
      config
        .withCredentials({ ...LOCAL_CREDENTIALS })
        .withTableName(`${config.applicationName}-${this.local.runId}`)
        .withFailoverTimeMillis(LOCAL_TIMINGS.failoverTimeMillis)
        .withLeaseRefreshPeriodMillis(LOCAL_TIMINGS.leaseRefreshPeriodMillis)
        .withIdleTimeBetweenReadsInMillis(LOCAL_TIMINGS.idleTimeBetweenReadsInMillis)
        .withShardSyncIntervalMillis(LOCAL_TIMINGS.shardSyncIntervalMillis)
        .withShutdownGraceMillis(LOCAL_TIMINGS.shutdownGraceMillis);
    }
    return config;
  }

  /** A counter of what application `name` consumed; its summary is printed by `close()`. */
  tally(name: string): ConsumptionTally {
    const bounded = this.mode === 'local' && !this.args.forever;
    const tally = new ConsumptionTally(name, bounded ? this.args.records : undefined);
    this.tallies.push(tally);
    return tally;
  }

  /**
   * Local test bed: resolves once every tally saw every sample record; rejects after `--timeout-seconds`. AWS or
   * `--forever`: never resolves (the example runs until Ctrl-C).
   */
  sampleConsumed(): Promise<string> {
    if (this.mode !== 'local' || this.args.forever) return new Promise<string>(() => undefined);
    if (this.tallies.length === 0) throw new InvalidArgumentError('sampleConsumed() needs at least one tally(name) first');
    const all = Promise.all(this.tallies.map((tally) => tally.done)).then(() => `all ${this.args.records} sample records consumed`);
    const timedOut = new Promise<never>((_, reject) => {
      this.timeout = setTimeout(() => {
        const counts = this.tallies.map((tally) => tally.summary()).join('; ');
        reject(new Error(`sample not consumed within ${this.args.timeoutSeconds} s: ${counts}`));
      }, this.args.timeoutSeconds * 1000);
      this.timeout.unref();
    });
    return Promise.race([all, timedOut]).finally(() => clearTimeout(this.timeout));
  }

  /** Stops the producer, prints every tally's summary and stops the stand-ins this run started. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearTimeout(this.timeout);
      this.producer.abort();
      await this.producing?.catch(() => undefined);
      for (const tally of this.tallies) this.print(tally.summary());
      if (this.local) {
        this.local.client.destroy();
        await Promise.allSettled(this.local.servers.map((server) => server.stop()));
      }
    })();
    return this.closing;
  }

  /** Starts `--forever` production (local test bed only). */
  startProducing(first: number): void {
    if (!this.local || !this.args.forever) return;
    const { client } = this.local;
    this.producing = produceForever(client, this.streamName, first, this.args.rate, this.producer.signal).catch((error: unknown) => {
      if (!this.producer.signal.aborted) this.print(`producer stopped: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
}

/**
 * Sets up where an example runs and prints what it chose.
 *
 * - AWS mode when KCL_STREAM_NAME, AWS_REGION and AWS credentials (AWS_ACCESS_KEY_ID, AWS_PROFILE or
 *   AWS_WEB_IDENTITY_TOKEN_FILE) are set: consumes that existing stream until Ctrl-C; no local server is started.
 * - Otherwise the local test bed: kinesalite plus dynalite or redis-server on free 127.0.0.1 ports (or the servers
 *   named by KCL_KINESIS_ENDPOINT / KCL_DYNAMODB_ENDPOINT / KCL_REDIS_URL), a fresh stream with
 *   {@link LOCAL_SHARD_COUNT} shards and `--records` sample records in it.
 *
 * `--help` prints the usage and exits.
 * @throws ConfigError for a bad option or environment variable
 */
export async function exampleEnvironment(options: ExampleEnvironmentOptions): Promise<ExampleEnvironment> {
  const print = options.print ?? ((line: string) => console.log(line));
  // The pinned AWS SDK warns on every start that its later releases need Node 22: known, and not actionable here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const args = parseExampleArgs(options.argv ?? process.argv.slice(2));
  if (args.help) {
    print(EXAMPLE_USAGE);
    process.exit(0);
  }
  const settings = resolveSettings(options.env ?? process.env, options.store);
  for (const note of settings.notes) print(`note: ${note}`);
  if (settings.mode === 'aws') {
    const environment = new ExampleEnvironment({
      settings,
      args,
      streamName: settings.streamName as string,
      redisUrl: settings.redisUrl,
      local: undefined,
      print,
    });
    print(`AWS mode: consuming stream ${environment.streamName} in ${environment.region} until Ctrl-C`);
    return environment;
  }
  return startLocal(settings, args, options.store, print);
}

async function startLocal(
  settings: ExampleSettings,
  args: ExampleArgs,
  store: ExampleStore,
  print: (line: string) => void,
): Promise<ExampleEnvironment> {
  const servers: LocalServer[] = [];
  const started = <T extends LocalServer>(server: T): T => {
    servers.push(server);
    return server;
  };
  let client: KinesisClient | undefined;
  try {
    const [kinesis, dynamo, redis] = await Promise.all([
      settings.kinesisEndpoint ?? startKinesalite().then(started),
      store === 'dynamodb' ? (settings.dynamoDBEndpoint ?? startDynalite().then(started)) : undefined,
      store === 'redis' ? (settings.redisUrl ?? startRedis().then(started)) : undefined,
    ]);
    const endpointOf = (server: string | LocalServer): string => (typeof server === 'string' ? server : server.endpoint);
    const kinesisEndpoint = endpointOf(kinesis);
    const dynamoDBEndpoint = dynamo === undefined ? undefined : endpointOf(dynamo);
    const redisUrl = redis === undefined ? undefined : typeof redis === 'string' ? redis : redis.url;
    const runId = randomBytes(3).toString('hex');
    client = localKinesisClient(kinesisEndpoint);
    const streamName = await createTestStream(client, { name: `kcl-example-${runId}`, shardCount: LOCAL_SHARD_COUNT });
    await putSampleRecords(client, streamName, 0, args.records);

    const origin = (server: string | LocalServer | undefined, name: string): string =>
      server === undefined ? '' : typeof server === 'string' ? `${name} ${redact(server)} (given)` : `${name} ${server.endpoint}`;
    const parts = [origin(kinesis, 'kinesis'), origin(dynamo, 'dynamodb'), origin(redis, 'redis')].filter((part) => part !== '');
    print(`local test bed: ${parts.join(', ')}`);
    print(
      `stream ${streamName} (${LOCAL_SHARD_COUNT} shards): wrote ${args.records} sample records${args.forever ? `, then ${args.rate}/s until Ctrl-C` : ''}`,
    );
    const environment = new ExampleEnvironment({
      settings,
      args,
      streamName,
      redisUrl,
      local: { runId, kinesisEndpoint, dynamoDBEndpoint, servers, client },
      print,
    });
    environment.startProducing(args.records);
    return environment;
  } catch (error) {
    client?.destroy();
    await Promise.allSettled(servers.map((server) => server.stop()));
    throw error;
  }
}

/** Hides a password in a redis:// URL. */
function redact(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}
