/**
 * "A process that exits": an application whose SIGTERM handler only awaits worker.shutdown() (test/fixtures/
 * shutdown-app.ts) must end by itself within the grace period, with each lease store (an injected DynamoCheckpoint
 * on dynalite, the default DynamoDB store loaded by the worker, an injected RedisCheckpoint on redis-server). Same
 * after a start() that failed: stream missing (no lease table left behind either), lease store unreachable, or a
 * failure after the lease store was initialised (fan-out registration, which kinesalite refuses).
 */
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { getFreePort, localDynamoClient, ManagedChild, nodeEntryArgs, randomName, waitFor } from '@kcl/testbed';
import { join } from 'node:path';
import { LEASE_STORE_NAMES, newNamespace, type LeaseStoreName, type StoreSpec } from '../src';
import type { ShutdownAppConfig, ShutdownAppLine } from './fixtures/shutdown-app';
import { useEndToEndSuite } from './helpers/e2e-suite';
import { runExclusively } from './helpers/exclusive-suite';

const FIXTURES = join(__dirname, 'fixtures');
/** The app's shutdownGraceMillis (testConfig's default). */
const GRACE_MILLIS = 5_000;
/** Time for a loaded 2-core machine to get a Node process going or gone, on top of the protocol's own bounds. */
const PROCESS_SLACK_MILLIS = 10_000;

// Worker processes with failover-time bounds: never two such files at once (see exclusive-suite).
runExclusively();
const { bed, useLeaseStore } = useEndToEndSuite({ checkRejections: false });

/** The shutdown app in its own process, with its JSON lines. */
class AppProcess {
  readonly child: ManagedChild;

  constructor(settings: ShutdownAppConfig) {
    this.child = new ManagedChild(
      `shutdown-app (${settings.store.name}, ${settings.storeMode})`,
      process.execPath,
      ['--disable-warning=NodeVersionSupportWarning', ...nodeEntryArgs(join(FIXTURES, 'shutdown-app.ts'))],
      // cwd: the package, so the worker finds @kcl/checkpoint-dynamodb as an application would (default store).
      { cwd: join(__dirname, '..'), env: { ...process.env, KCL_IT_APP: JSON.stringify(settings) } },
    );
  }

  lines(): ShutdownAppLine[] {
    return this.child
      .output()
      .split('\n')
      .filter((text) => text.startsWith('{"type"'))
      .map((text) => JSON.parse(text) as ShutdownAppLine);
  }

  line<T extends ShutdownAppLine['type']>(type: T): Extract<ShutdownAppLine, { type: T }> | undefined {
    return this.lines().find((l) => l.type === type) as Extract<ShutdownAppLine, { type: T }> | undefined;
  }

  /** Waits for one of the app's lines (fails early, with its output, if it exits first). */
  async waitForLine(types: Array<ShutdownAppLine['type']>, timeoutMs: number): Promise<ShutdownAppLine> {
    await waitFor(
      () => {
        if (this.lines().some((l) => types.includes(l.type))) return true;
        if (this.child.exitStatus) throw new Error(`before printing ${types.join(' / ')}: ${this.child.describeExit()}`);
        return false;
      },
      `the app printing ${types.join(' / ')}`,
      timeoutMs,
    );
    return this.lines().find((l) => types.includes(l.type)) as ShutdownAppLine;
  }

  /** Resolves with how the app ended if it exits by itself within `timeoutMs`; otherwise kills it and fails. */
  async exitsWithin(timeoutMs: number, what: string): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([this.child.exited, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      const output = this.child.describeExit();
      await this.child.stop(0);
      throw new Error(`the app did not exit by itself within ${timeoutMs} ms ${what}: ${output}`);
    }
    return { code: outcome.code, signal: outcome.signal };
  }
}

interface StoreCase {
  store: LeaseStoreName;
  storeMode: ShutdownAppConfig['storeMode'];
}

const ALL_CASES: StoreCase[] = [
  { store: 'dynamodb', storeMode: 'injected' },
  { store: 'dynamodb', storeMode: 'default' },
  { store: 'redis', storeMode: 'injected' },
];
const CASES = ALL_CASES.filter((c) => LEASE_STORE_NAMES.includes(c.store)); // KCL_IT_STORES

describe.each(CASES)('$store lease store ($storeMode)', ({ store: storeName, storeMode }) => {
  const { store, cleanup, newTestStream } = useLeaseStore(storeName);

  function startApp(streamName: string, spec: StoreSpec, enhancedFanOut = false): AppProcess {
    const app = new AppProcess({ streamName, kinesisEndpoint: bed.endpoint, store: spec, storeMode, enhancedFanOut });
    cleanup.add(() => app.child.stop(0));
    return app;
  }

  async function tableNames(): Promise<string[]> {
    const client = localDynamoClient(`http://${store.address.host}:${store.address.port}`);
    try {
      return (await client.send(new ListTablesCommand({}))).TableNames ?? [];
    } finally {
      client.destroy();
    }
  }

  test('SIGTERM: the handler only awaits worker.shutdown(), and the process exits by itself within the grace period', async () => {
    const { streamName, namespace, producer } = await newTestStream(2);
    await producer.put(20);
    const app = startApp(streamName, store.spec(namespace));
    const started = await app.waitForLine(['started', 'startFailed'], 30_000);
    expect(started).toEqual({ type: 'started', leases: ['shardId-000000000000', 'shardId-000000000001'] });
    // Records flow (and get checkpointed) before the SIGTERM, so the store has been busy.
    await waitFor(async () => [...(await store.leases(namespace)).values()].some((l) => l.checkpoint !== undefined), 'a checkpoint', 15_000);

    app.child.killNow('SIGTERM');
    const exit = await app.exitsWithin(GRACE_MILLIS + PROCESS_SLACK_MILLIS, 'after SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(app.line('shutdownResolved')).toBeDefined();
    // The shutdown was graceful: both leases released for the next worker.
    const leases = await store.leases(namespace);
    expect([...leases.values()].map((l) => l.assignedTo)).toEqual([undefined, undefined]);
  });

  test('stream missing: start() rejects with StreamNotFoundError, no lease table is created, the process exits by itself', async () => {
    const tablesBefore = storeName === 'dynamodb' ? await tableNames() : [];
    const missing = randomName('no-such-stream');
    const app = startApp(missing, store.spec(newNamespace()));
    const failed = await app.waitForLine(['started', 'startFailed'], 30_000);
    expect(failed).toMatchObject({ type: 'startFailed', name: 'StreamNotFoundError', code: 'KINESIS_ERROR' });
    expect((failed as { message: string }).message).toContain(missing);
    expect((failed as { message: string }).message).toContain(bed.endpoint);
    expect(await app.exitsWithin(PROCESS_SLACK_MILLIS, 'after start() failed')).toEqual({ code: 0, signal: null });
    if (storeName === 'dynamodb') expect(await tableNames()).toEqual(tablesBefore);
  });

  test('lease store unreachable: start() rejects with a LeaseStore error, the process exits by itself', async () => {
    const { streamName } = await newTestStream(1);
    const closedPort = await getFreePort(); // nothing listens there
    const app = startApp(streamName, store.spec(newNamespace(), { host: '127.0.0.1', port: closedPort }));
    const failed = await app.waitForLine(['started', 'startFailed'], 60_000);
    expect(failed).toMatchObject({ type: 'startFailed' });
    expect((failed as { code?: string }).code).toMatch(/^LEASE_STORE_/);
    expect(await app.exitsWithin(PROCESS_SLACK_MILLIS, 'after start() failed')).toEqual({ code: 0, signal: null });
  });

  test('start() fails after the lease store was initialised: the store is closed and the process exits by itself', async () => {
    const { streamName, namespace } = await newTestStream(1);
    const app = startApp(streamName, store.spec(namespace), true);
    const failed = await app.waitForLine(['started', 'startFailed'], 30_000);
    expect(failed).toMatchObject({ type: 'startFailed' });
    expect(await app.exitsWithin(PROCESS_SLACK_MILLIS, 'after start() failed')).toEqual({ code: 0, signal: null });
  });
});
