import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ManagedChild, waitUntilReady } from './child-process';
import { localKinesisClient } from './clients';
import { TestbedError, checkIntegerOption } from './errors';
import { LOOPBACK, getFreePorts } from './free-port';
import type { LocalServer } from './types';

export interface KinesisLocalOptions {
  /**
   * Plain-HTTP port on 127.0.0.1; 0 picks a free one.
   * @defaultValue 0
   */
  port?: number;
  /**
   * HTTPS port on 127.0.0.1 (self-signed certificate bundled with kinesis-local); 0 picks a free one.
   * @defaultValue 0
   */
  tlsPort?: number;
  /**
   * Delay of every asynchronous operation (CreateStream, SplitShard, MergeShards, UpdateShardCount,
   * RegisterStreamConsumer, ...), in kinesis-mock duration syntax.
   * @defaultValue '10ms'
   */
  operationDuration?: string;
  /**
   * Max shards per account.
   * @defaultValue 100
   */
  shardLimit?: number;
  /**
   * How long to wait for the first ListStreams answer, in ms.
   * @defaultValue 60000
   */
  startTimeoutMs?: number;
  /**
   * kinesis-mock log level (ERROR, WARN, INFO, DEBUG, TRACE); logs are kept for error messages only.
   * @defaultValue 'WARN'
   */
  logLevel?: string;
}

export interface KinesisLocalServer extends LocalServer {
  /** https://127.0.0.1:tlsPort (self-signed certificate); `endpoint` is the plain http:// one. */
  tlsEndpoint: string;
  tlsPort: number;
  /** Process id of the kinesis-local child (its own process group). */
  pid: number;
}

const DURATION_VARIABLES = [
  'CREATE_STREAM_DURATION',
  'DELETE_STREAM_DURATION',
  'REGISTER_STREAM_CONSUMER_DURATION',
  'DEREGISTER_STREAM_CONSUMER_DURATION',
  'START_STREAM_ENCRYPTION_DURATION',
  'STOP_STREAM_ENCRYPTION_DURATION',
  'MERGE_SHARDS_DURATION',
  'SPLIT_SHARD_DURATION',
  'UPDATE_SHARD_COUNT_DURATION',
  'UPDATE_STREAM_MODE_DURATION',
] as const;

const PRELOAD = join(__dirname, '..', 'preload', 'loopback-only.cjs');
const MAX_ATTEMPTS = 3;

function packageDir(): string {
  try {
    return dirname(require.resolve('kinesis-local/package.json'));
  } catch (error) {
    throw new TestbedError('kinesis-local', 'package kinesis-local is not installed (run pnpm install)', { cause: error });
  }
}

/**
 * Starts kinesis-local (the Node build of kinesis-mock) as a child process bound to 127.0.0.1. Slower than
 * kinesalite, but has ChildShards, ShardFilter, UpdateShardCount and enhanced fan-out (RegisterStreamConsumer,
 * SubscribeToShard over HTTP/1.1). Keep its data small: it slows down as records accumulate.
 */
export async function startKinesisLocal(options: KinesisLocalOptions = {}): Promise<KinesisLocalServer> {
  checkIntegerOption('kinesis-local', 'port', options.port, 0, 65535);
  checkIntegerOption('kinesis-local', 'tlsPort', options.tlsPort, 0, 65535);
  checkIntegerOption('kinesis-local', 'shardLimit', options.shardLimit, 1, 100_000);
  const duration = options.operationDuration ?? '10ms';
  if (!/^\d+\s*(ms|milliseconds?|s|seconds?)$/.test(duration)) {
    throw new TestbedError('kinesis-local', `option operationDuration must look like '10ms' or '1s', got ${JSON.stringify(duration)}`);
  }
  const fixedPorts = (options.port ?? 0) !== 0 && (options.tlsPort ?? 0) !== 0;
  let lastError: unknown;
  for (let attempt = 1; attempt <= (fixedPorts ? 1 : MAX_ATTEMPTS); attempt++) {
    try {
      return await launch(options, duration);
    } catch (error) {
      lastError = error;
      const clash = error instanceof Error && /EADDRINUSE|address already in use/i.test(error.message);
      if (!clash) break;
    }
  }
  throw lastError instanceof TestbedError
    ? lastError
    : new TestbedError('kinesis-local', lastError instanceof Error ? lastError.message : String(lastError), { cause: lastError });
}

async function launch(options: KinesisLocalOptions, duration: string): Promise<KinesisLocalServer> {
  const dir = packageDir();
  const [freeA, freeB] = await getFreePorts(2);
  const port = options.port || (freeA as number);
  const tlsPort = options.tlsPort || (port === freeB ? (freeA as number) : (freeB as number));
  const workDir = mkdtempSync(join(tmpdir(), 'kcl-kinesis-local-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KINESIS_MOCK_CERT_PATH: join(dir, 'server.json'),
    KINESIS_MOCK_PLAIN_PORT: String(port),
    KINESIS_MOCK_TLS_PORT: String(tlsPort),
    SHARD_LIMIT: String(options.shardLimit ?? 100),
    AWS_REGION: 'us-east-1',
    LOG_LEVEL: options.logLevel ?? 'WARN',
    ROOT_LOG_LEVEL: 'ERROR',
    SHOULD_PERSIST_DATA: 'false',
    LOAD_DATA_IF_EXISTS: 'false',
    KCL_TESTBED_PARENT_PID: String(process.pid),
  };
  delete env.INITIALIZE_STREAMS;
  for (const name of DURATION_VARIABLES) env[name] = duration;
  const child = new ManagedChild('kinesis-local', process.execPath, ['--require', PRELOAD, join(dir, 'main.js')], {
    cwd: workDir,
    env,
  });
  const endpoint = `http://${LOOPBACK}:${port}`;
  const probe = localKinesisClient(endpoint, { maxAttempts: 1 });
  const cleanup = async (): Promise<void> => {
    await child.stop();
    rmSync(workDir, { recursive: true, force: true });
  };
  try {
    await waitUntilReady(
      child,
      async () => {
        await probe.send(new ListStreamsCommand({}), { abortSignal: AbortSignal.timeout(2000) });
        return true;
      },
      { timeoutMs: options.startTimeoutMs ?? 60_000, intervalMs: 50, what: `kinesis-local on ${endpoint}` },
    );
  } catch (error) {
    await cleanup();
    throw new TestbedError('kinesis-local', error instanceof Error ? error.message : String(error), { cause: error });
  } finally {
    probe.destroy();
  }
  let stopping: Promise<void> | undefined;
  return {
    host: LOOPBACK,
    port,
    endpoint,
    tlsPort,
    tlsEndpoint: `https://${LOOPBACK}:${tlsPort}`,
    pid: child.pid as number,
    stop: () => (stopping ??= cleanup()),
  };
}
