/**
 * Failover after a real crash: a Worker runs in a child process (test/fixtures/worker-child.ts) on the test's lease
 * table (served over loopback HTTP) and is SIGKILLed mid-stream. A worker in this process takes its leases within
 * failover time + one refresh period and resumes after the last checkpoint: nothing is lost, and only records the
 * dead worker delivered after its last checkpoint are delivered again.
 */
import { join } from 'node:path';
import { IpcChild, Producer, TS_REGISTER_PRELOAD } from '@kcl/testbed';
import type { ChildMessage, WorkerChildSettings } from './fixtures/worker-child';
import { createTestStream, EventLog, FAST, InMemoryLeaseTable, makeWorker, waitFor, workerConfig, type TestWorker } from './helpers/worker-harness';
import { LedgerProcessorFactory, newRecordLedger } from './helpers/worker-processor';
import { startLeaseTableServer, type LeaseTableServer } from './helpers/worker-rpc-store';
import { useWorkerSuite } from './helpers/worker-suite';

const { fx, cleanup } = useWorkerSuite();

function startChild(settings: WorkerChildSettings, onMessage: (m: ChildMessage) => void): IpcChild {
  const child = new IpcChild('worker child', join(__dirname, 'fixtures', 'worker-child.ts'), [], {
    execArgv: ['-r', TS_REGISTER_PRELOAD],
    env: { ...process.env, KCL_CHILD_WORKER: JSON.stringify(settings) },
  });
  child.onMessage = (m) => onMessage(m as unknown as ChildMessage);
  cleanup.push(() => child.stop(0));
  return child;
}

test('a SIGKILLed worker’s leases are taken within failover + one refresh period and resume after its last checkpoint', async () => {
  const stream = await createTestStream(fx.kinesis, { shardCount: 2 });
  const table = new InMemoryLeaseTable();
  const server: LeaseTableServer = await startLeaseTableServer(table, FAST.failoverTimeMillis);
  cleanup.push(() => server.stop());
  const producer = new Producer(fx.kinesis, stream);
  cleanup.push(() => producer.stop());

  const byChild: Array<{ shardId: string; data: string; sequenceNumber: string }> = [];
  let childLeases: string[] | undefined;
  const child = startChild(
    {
      workerId: 'child',
      streamName: stream,
      kinesisEndpoint: fx.server.endpoint,
      storeUrl: server.url,
      failoverMillis: FAST.failoverTimeMillis,
      refreshMillis: FAST.leaseRefreshPeriodMillis,
      // The child starts first and is the leader; without balancing the survivor stays idle until the child dies, so
      // this is also the failover of the leader's own leases (taken at once by the next leader, see leader-election.ts).
      stealing: false,
    },
    (m) => {
      if (m.type === 'started') childLeases = m.leases;
      for (const r of m.records ?? []) byChild.push({ shardId: m.shardId!, ...r });
    },
  );
  await waitFor(() => childLeases !== undefined || child.process.exitCode !== null, 'the child worker to start', 30_000);
  if (child.process.exitCode !== null) throw new Error(`the child worker crashed on start-up: ${child.stderr().join('\n')}`);
  expect(childLeases).toEqual(['shardId-000000000000', 'shardId-000000000001']);
  producer.start(10, 30);

  // The survivor, idle until the child dies.
  const ledger = newRecordLedger();
  const events = new EventLog();
  const survivor: TestWorker = makeWorker(table, fx.kinesis, workerConfig(stream, 'survivor'), {
    factory: new LedgerProcessorFactory('survivor', ledger) as never,
    events,
  });
  cleanup.push(() => survivor.worker.shutdown());
  await survivor.worker.start();
  expect(survivor.worker.heldShards()).toEqual([]);
  // Kill it mid-stream: once it has delivered and checkpointed on both shards and renewed its leases a few times.
  await waitFor(
    () => byChild.length >= 100 && table.list().every((l) => l.checkpoint !== undefined && l.leaseCounter >= 4),
    'the child delivering and renewing',
    10_000,
  );

  child.process.kill('SIGKILL');
  const killedAt = performance.now();
  await child.whenExited();
  const checkpoints = new Map(table.list().map((l) => [l.id, l.checkpoint]));

  await waitFor(() => survivor.worker.heldShards().length === 2, 'the survivor taking over', 5_000);
  for (const e of events.of('leaseAcquired', 'survivor')) {
    expect(e.at - killedAt).toBeLessThan(FAST.failoverTimeMillis + FAST.leaseRefreshPeriodMillis + 300);
    // ...and not before the failover time since the child's last renewal (at most one renewal interval before the kill).
    expect(e.at - killedAt).toBeGreaterThan(FAST.failoverTimeMillis - FAST.leaseRefreshPeriodMillis - 50);
  }
  await producer.stop();
  await waitFor(
    () => {
      const got = ledger.payloads(); // once per check: the predicate runs every 5 ms
      return producer.payloads().every((p) => got.has(p) || byChild.some((r) => r.data === p));
    },
    'every record',
    10_000,
  );

  for (const [shardId, checkpoint] of checkpoints) {
    const first = ledger.deliveries().find((d) => d.batch.shardId === shardId)!;
    // Resumes right after the last checkpoint: the first record delivered is the one after it in the shard.
    expect(BigInt(first.sequenceNumber)).toBeGreaterThan(BigInt(checkpoint!));
    const childAfterCheckpoint = byChild.filter((r) => r.shardId === shardId && BigInt(r.sequenceNumber) > BigInt(checkpoint!));
    const expectedFirst = childAfterCheckpoint[0]?.sequenceNumber;
    if (expectedFirst) expect(first.sequenceNumber).toBe(expectedFirst);
  }
  // Nothing lost; the only records delivered twice are those the child delivered after its last checkpoint.
  const all = new Set([...byChild.map((r) => r.data), ...ledger.deliveries().map((d) => d.data)]);
  expect(producer.payloads().filter((p) => !all.has(p))).toEqual([]);
  const allowed = new Set(byChild.filter((r) => BigInt(r.sequenceNumber) > BigInt(checkpoints.get(r.shardId)!)).map((r) => r.data));
  const childData = new Set(byChild.map((r) => r.data));
  const repeated = ledger
    .deliveries()
    .filter((d) => childData.has(d.data))
    .map((d) => d.data);
  expect(repeated.filter((d) => !allowed.has(d))).toEqual([]);
  expect(ledger.duplicates()).toEqual([]);
  expect(ledger.orderViolations()).toEqual([]);
});
