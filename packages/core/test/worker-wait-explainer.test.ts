/**
 * Log lines that explain why a worker waits for leases, written once when the situation changes (computed from the
 * lease table reads the engine makes anyway): leases of a previous incarnation of this worker id still to expire, and
 * every lease held by other workers. Kinesalite + in-memory lease store.
 */
import { createShardStatus } from '../src/checkpoint/shard-status';
import type { LeaseAssessment } from '../src/leases/lease-assessment';
import { LeaseObserver } from '../src/leases/lease-observer';
import { judgeWaitSituation } from '../src/leases/wait-explainer';
import type { ShardStatus } from '../src/checkpoint/shard-status';
import { createTestStream, delay, InMemoryLeaseTable, makeWorker, waitFor, workerConfig, useKinesaliteFixture } from './helpers/worker-harness';

const kinesalite = useKinesaliteFixture();

const PREVIOUS = /^waiting for (\d+) leases of a previous incarnation to expire \(up to (\d+) s\)$/;
const ALL_HELD = 'all leases are held by other workers';

test('a restarted worker id explains that it waits for its previous incarnation’s leases, once, then takes them', async () => {
  const stream = await createTestStream(kinesalite.fx.kinesis, { shardCount: 2 });
  const table = new InMemoryLeaseTable();
  for (const id of ['shardId-000000000000', 'shardId-000000000001']) {
    table.put(createShardStatus(id, { assignedTo: 'w-restarted', leaseToken: `old-${id}`, leaseCounter: 7 }));
  }
  const config = workerConfig(stream, 'w-restarted').withStatusLogIntervalMillis(0);
  const w = makeWorker(table, kinesalite.fx.kinesis, config);
  await w.worker.start();
  expect(w.worker.heldShards()).toEqual([]);
  await waitFor(() => w.worker.heldShards().length === 2, 'both leases taken after they expired', 10_000);
  await delay(300);
  const lines = w.logger.at('info').filter((l) => PREVIOUS.test(l.message));
  expect(lines).toHaveLength(1);
  const [, count, seconds] = PREVIOUS.exec(lines[0]!.message)!;
  expect(count).toBe('2');
  expect(Number(seconds)).toBe(Math.ceil(config.failoverTimeMillis / 1000));
  expect(w.logger.at('info').some((l) => l.message === ALL_HELD)).toBe(false);
  await w.worker.shutdown();
});

test('a worker that gets no lease because another worker holds them all says so once', async () => {
  const stream = await createTestStream(kinesalite.fx.kinesis, { shardCount: 1 });
  const table = new InMemoryLeaseTable();
  const first = makeWorker(table, kinesalite.fx.kinesis, workerConfig(stream, 'w-first').withStatusLogIntervalMillis(0));
  await first.worker.start();
  expect(first.worker.heldShards()).toEqual(['shardId-000000000000']);
  const second = makeWorker(table, kinesalite.fx.kinesis, workerConfig(stream, 'w-second').withStatusLogIntervalMillis(0));
  await second.worker.start();
  await delay(1_000);
  expect(second.worker.heldShards()).toEqual([]);
  expect(second.logger.at('info').filter((l) => l.message === ALL_HELD)).toHaveLength(1);
  expect(first.logger.at('info').some((l) => l.message === ALL_HELD || PREVIOUS.test(l.message))).toBe(false);
  await second.worker.shutdown();
  await first.worker.shutdown();
});

describe('judgeWaitSituation', () => {
  const observer = new LeaseObserver({ failoverTimeMillis: 10_000, clock: () => 0 });
  const lease = (id: string, owner: string | undefined, token?: string): ShardStatus =>
    createShardStatus(id, { assignedTo: owner, leaseToken: token, leaseCounter: 1 });
  const assessment = (over: Partial<LeaseAssessment>): LeaseAssessment => ({
    leasable: [],
    workers: new Set(),
    loadByWorker: new Map(),
    target: 1,
    available: [],
    nextExpiryMillis: undefined,
    ...over,
  });

  test('with fleet coordination only tokens of a former incarnation count (an assigned lease is about to be adopted)', () => {
    const leases = new Map([
      ['s1', lease('s1', 'me', 'foreign')],
      ['s2', lease('s2', 'me', 'just-assigned')],
    ]);
    observer.observe(leases.values());
    const situation = judgeWaitSituation({
      workerId: 'me',
      snapshot: { leases, readAt: 0 },
      assessment: assessment({ leasable: ['s1', 's2'] }),
      observer,
      heldTokens: new Map(),
      activeHeld: 0,
      isForeignToken: (t) => t === 'foreign',
    });
    expect(situation).toEqual({ kind: 'previousIncarnation', leases: 1, upToSeconds: 10 });
  });

  test('nothing to explain while this worker holds a lease or one is available', () => {
    const leases = new Map([['s1', lease('s1', 'other', 't')]]);
    const base = { workerId: 'me', snapshot: { leases, readAt: 0 }, observer, heldTokens: new Map<string, string>() };
    const held = { loadByWorker: new Map([['other', [leases.get('s1')!]]]), leasable: ['s1'] };
    expect(judgeWaitSituation({ ...base, assessment: assessment(held), activeHeld: 0 }).kind).toBe('allHeldByOthers');
    expect(judgeWaitSituation({ ...base, assessment: assessment(held), activeHeld: 1 }).kind).toBe('none');
    const available = assessment({ ...held, available: [{ shardId: 's1', kind: 'expired', lease: leases.get('s1') }] });
    expect(judgeWaitSituation({ ...base, assessment: available, activeHeld: 0 }).kind).toBe('none');
  });
});
