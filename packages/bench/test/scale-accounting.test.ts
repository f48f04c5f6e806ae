import { commandStatsDelta, parseCommandStats } from '../src/scale-commandstats';
import { DeliveryLedger } from '../src/scale-delivery';
import { fairShareRange, FairShareWatcher, isFairShare } from '../src/scale-fair-share';
import { addCallCounts, countStoreCommands, noCalls } from '../src/scale-call-counter';
import { floorSnapshotOf, loopDelayFigures } from '../src/scale-floor-protocol';
import { buildPhase, dynamoLoad, storeReadFigures, sumOperations } from '../src/scale-phase';
import type { WorkerSnapshot } from '../src/scale-worker-protocol';

describe('fair share', () => {
  it('each worker within 5 % of shards / workers, rounded outwards', () => {
    expect(fairShareRange(1_000, 2)).toEqual({ share: 500, min: 475, max: 525 });
    expect(fairShareRange(1_000, 1)).toEqual({ share: 1_000, min: 950, max: 1_050 });
    expect(fairShareRange(8, 3)).toMatchObject({ min: 2, max: 3 });
    expect(() => fairShareRange(0, 2)).toThrow(RangeError);
  });

  it('is fair only when every shard is held and every count is in range', () => {
    expect(isFairShare([1_000], 1_000)).toBe(true);
    expect(isFairShare([999], 1_000)).toBe(false); // one lease not held
    expect(isFairShare([500, 500], 1_000)).toBe(true);
    expect(isFairShare([524, 476], 1_000)).toBe(true);
    expect(isFairShare([526, 474], 1_000)).toBe(false);
    expect(isFairShare([1_000, 0], 1_000)).toBe(false);
    expect(isFairShare([3, 3, 2], 8)).toBe(true);
    expect(isFairShare([], 8)).toBe(false);
  });

  it('the watcher times a phase from the join to the first fair report of every member', () => {
    const watcher = new FairShareWatcher(10);
    watcher.startPhase(['a'], undefined);
    watcher.observe('a', 10, 50); // before the join is known: not counted
    watcher.joined(100);
    expect(watcher.reachedAfterMillis()).toBe(0); // already fair when it joined
    watcher.startPhase(['a', 'b'], undefined);
    watcher.joined(1_000);
    expect(watcher.reachedAfterMillis()).toBeUndefined(); // b has not reported
    watcher.observe('b', 0, 1_200);
    watcher.observe('a', 7, 1_500);
    watcher.observe('b', 3, 1_700);
    expect(watcher.reachedAfterMillis()).toBeUndefined(); // 7/3: outside 4..6
    watcher.observe('a', 5, 2_000);
    watcher.observe('b', 5, 2_400);
    expect(watcher.reachedAfterMillis()).toBe(1_400);
    watcher.observe('a', 10, 3_000);
    expect(watcher.reachedAfterMillis()).toBe(1_400); // the first time counts
    expect(watcher.counts()).toEqual([10, 5]);
  });
});

describe('DeliveryLedger', () => {
  it('counts delivered, lost, duplicates (and those of checkpointed records) and unknown records', () => {
    const ledger = new DeliveryLedger();
    for (const seq of ['1', '2', '3', '4']) ledger.produced('shard-a', seq);
    ledger.produced('shard-b', '1');
    ledger.produced('shard-b', '1'); // reported twice: one record
    expect(ledger.pending()).toBe(5);
    ledger.delivered({ shardId: 'shard-a', sequenceNumbers: ['1', '2'], checkpointed: false });
    ledger.delivered({ shardId: 'shard-a', sequenceNumbers: ['1', '2', '3'], checkpointed: true }); // 2 expected redeliveries
    ledger.delivered({ shardId: 'shard-a', sequenceNumbers: ['3'], checkpointed: true }); // 3 was checkpointed: unexplained
    ledger.delivered({ shardId: 'shard-b', sequenceNumbers: ['9'], checkpointed: true }); // never produced
    ledger.delivered({ shardId: 'shard-c', sequenceNumbers: ['1'], checkpointed: true }); // unknown shard
    expect(ledger.pending()).toBe(2);
    expect(ledger.summary()).toEqual({ produced: 5, delivered: 3, lost: 2, duplicates: 3, duplicatesAfterCheckpoint: 1, unknown: 2 });
  });
});

const INFO_BEFORE = [
  '# Commandstats',
  'cmdstat_evalsha:calls=100,usec=2000,usec_per_call=20.00,rejected_calls=0,failed_calls=0',
  'cmdstat_hgetall:calls=50,usec=100,usec_per_call=2.00,rejected_calls=0,failed_calls=0',
  'cmdstat_info:calls=3,usec=300,usec_per_call=100.00,rejected_calls=0,failed_calls=0',
  '',
].join('\r\n');
const INFO_AFTER = [
  '# Commandstats',
  'cmdstat_evalsha:calls=300,usec=6000,usec_per_call=20.00,rejected_calls=0,failed_calls=0',
  'cmdstat_hgetall:calls=50,usec=100,usec_per_call=2.00,rejected_calls=0,failed_calls=0',
  'cmdstat_client|setname:calls=4,usec=4,usec_per_call=1.00,rejected_calls=0,failed_calls=0',
  'cmdstat_info:calls=9,usec=900,usec_per_call=100.00,rejected_calls=0,failed_calls=0',
  '',
].join('\r\n');

describe('INFO commandstats', () => {
  it('parses every cmdstat line, subcommands included', () => {
    const stats = parseCommandStats(INFO_AFTER);
    expect(stats.get('evalsha')).toEqual({ calls: 300, usec: 6000 });
    expect(stats.get('client|setname')).toEqual({ calls: 4, usec: 4 });
    expect(stats.size).toBe(4);
    expect(parseCommandStats('# Commandstats\r\n').size).toBe(0);
  });

  it('turns two snapshots into calls per second per command, busiest first, without the bench`s own INFO', () => {
    const delta = commandStatsDelta(parseCommandStats(INFO_BEFORE), parseCommandStats(INFO_AFTER), 2_000);
    expect(delta.commands).toEqual([
      { command: 'evalsha', calls: 200, perSecond: 100, usecPerCall: 20 },
      { command: 'client|setname', calls: 4, perSecond: 2, usecPerCall: 1 },
    ]);
    expect(delta.totalCalls).toBe(204);
    expect(delta.totalPerSecond).toBe(102);
  });

  it('counts a counter that went down (CONFIG RESETSTAT) from 0', () => {
    const delta = commandStatsDelta(parseCommandStats(INFO_AFTER), parseCommandStats(INFO_BEFORE), 1_000);
    expect(delta.commands.find((c) => c.command === 'evalsha')).toMatchObject({ calls: 100 });
    expect(delta.commands.find((c) => c.command === 'hgetall')).toBeUndefined(); // unchanged
  });
});

const snapshot = (overrides: Partial<WorkerSnapshot>): WorkerSnapshot => ({
  intervalMillis: 10_000,
  held: 0,
  rssMb: 100,
  rssPeakMb: 120,
  heapUsedMb: 30,
  heapTotalMb: 40,
  eventLoopDelayP99Millis: 12,
  eventLoopDelayMaxMillis: 40,
  cpuPercent: 10,
  kinesisCalls: {},
  errors: 0,
  leasesAcquired: 0,
  leasesLost: 0,
  ...overrides,
});

describe('lease-store reads', () => {
  const steady = (intervalMillis: number, storeCalls: Record<string, number>, readCapacityUnits?: number) => ({
    intervalMillis,
    eventLoopDelayP99Millis: 1,
    eventLoopDelayMaxMillis: 1,
    cpuPercent: 1,
    rssMb: 1,
    heapUsedMb: 1,
    rssPeakMb: 1,
    kinesisCalls: {},
    storeCalls,
    readCapacityUnits,
  });

  it("counts read commands / read requests only (scripts and writes are not reads) and sums each worker's steady rate", () => {
    const figures = storeReadFigures(
      [
        snapshot({ storeCalls: { HGETALL: 1_000, SSCAN: 2, EVALSHA: 500 }, steady: steady(5_000, { HGETALL: 1_000, SSCAN: 2, EVALSHA: 300 }) }),
        snapshot({ storeCalls: { SMEMBERS: 4, EVALSHA: 500 }, steady: steady(2_000, { SMEMBERS: 2, EVALSHA: 200 }) }),
      ],
      10_000,
    );
    expect(figures.perSecond).toBeCloseTo(100.6);
    expect(figures.steadyPerSecond).toBeCloseTo(200.4 + 1);
    expect(figures.steadyReadCapacityPerSecond).toBeNull();
  });

  it('has no steady rate unless every worker had a steady part; DynamoDB read capacity per second when returned', () => {
    expect(storeReadFigures([snapshot({ steady: steady(1_000, { Scan: 3 }) }), snapshot({})], 1_000).steadyPerSecond).toBeNull();
    const dynamo = storeReadFigures([snapshot({ steady: steady(2_000, { Query: 2, UpdateItem: 9 }, 10) })], 2_000);
    expect(dynamo.steadyPerSecond).toBe(1);
    expect(dynamo.steadyReadCapacityPerSecond).toBe(5);
  });

  it("turns a store's running command totals into deltas per call, and adds counts", () => {
    let totals: Record<string, number> = { HGETALL: 5 };
    const take = countStoreCommands(() => totals);
    expect(take().calls).toEqual({ HGETALL: 5 });
    totals = { HGETALL: 7, SMEMBERS: 1 };
    expect(take().calls).toEqual({ HGETALL: 2, SMEMBERS: 1 });
    expect(take().calls).toEqual({});
    const sum = addCallCounts(
      { ...noCalls(), calls: { Scan: 1 }, readCapacityUnits: 2 },
      { ...noCalls(), calls: { Scan: 2, Query: 1 }, readCapacityUnits: 3 },
    );
    expect(sum).toMatchObject({ calls: { Scan: 3, Query: 1 }, readCapacityUnits: 5 });
  });
});

describe('phase figures', () => {
  it('sums per-operation counts of all workers into rates', () => {
    expect(sumOperations([{ GetRecords: 30, ListShards: 1 }, undefined, { GetRecords: 10 }], 2_000)).toEqual([
      { operation: 'GetRecords', calls: 40, perSecond: 20 },
      { operation: 'ListShards', calls: 1, perSecond: 0.5 },
    ]);
  });

  it('DynamoDB load: requests per operation, failures, consumed capacity (null when no answer carried it)', () => {
    const load = dynamoLoad(
      [
        snapshot({ storeCalls: { UpdateItem: 80, Scan: 2 }, storeFailures: { UpdateItem: 3 }, consumedCapacityUnits: 90, answersWithCapacity: 82 }),
        snapshot({ storeCalls: { UpdateItem: 20 }, consumedCapacityUnits: 10, answersWithCapacity: 20 }),
      ],
      10_000,
    );
    expect(load).toEqual({
      kind: 'dynamodb-requests',
      totalCalls: 102,
      totalPerSecond: 10.2,
      operations: [
        { operation: 'UpdateItem', calls: 100, perSecond: 10 },
        { operation: 'Scan', calls: 2, perSecond: 0.2 },
      ],
      failures: 3,
      consumedCapacityUnits: 100,
      consumedCapacityPerSecond: 10,
    });
    expect(dynamoLoad([snapshot({ storeCalls: { UpdateItem: 1 } })], 1_000)).toMatchObject({
      consumedCapacityUnits: null,
      consumedCapacityPerSecond: null,
    });
  });

  it('a worker that did not answer its snapshot is marked, with the last held count known', () => {
    const phase = buildPhase({
      phase: 2,
      workerIds: ['worker-1', 'worker-2'],
      millis: 10_000,
      fairShare: { share: 4, min: 3, max: 5, reachedAfterMillis: null, limitMillis: 9_000 },
      snapshots: [snapshot({ held: 8, cpuPercent: 25, kinesisCalls: { GetRecords: 100 } }), undefined],
      held: [8, 0],
      leaseStore: { kind: 'redis-commandstats', totalCalls: 0, totalPerSecond: 0, commands: [] },
    });
    expect(phase.joinedWorker).toBe('worker-2');
    expect(phase.workerFigures[0]).toMatchObject({ workerId: 'worker-1', answered: true, held: 8, cpuPercent: 25 });
    expect(phase.workerFigures[1]).toEqual({ workerId: 'worker-2', answered: false, held: 0 });
    expect(phase.kinesis).toEqual({ totalCalls: 100, totalPerSecond: 10, operations: [{ operation: 'GetRecords', calls: 100, perSecond: 10 }] });
    expect(phase.totalCpuPercent).toBe(25);
  });
});

describe('machine floor', () => {
  const phaseInput = {
    phase: 1,
    workerIds: ['worker-1'],
    millis: 10_000,
    fairShare: { share: 8, min: 7, max: 9, reachedAfterMillis: 100, limitMillis: 9_000 },
    snapshots: [snapshot({ held: 8 })],
    held: [8],
    leaseStore: { kind: 'redis-commandstats' as const, totalCalls: 0, totalPerSecond: 0, commands: [] },
  };

  it('turns a delay histogram (ns) into p99 and max in ms, 0 when it recorded nothing', () => {
    const histogram = { count: 500, max: 21_000_000, percentile: (p: number) => (p === 99 ? 18_500_000 : 0) };
    expect(loopDelayFigures(histogram, 5_000)).toEqual({ intervalMillis: 5_000, eventLoopDelayP99Millis: 18.5, eventLoopDelayMaxMillis: 21 });
    expect(loopDelayFigures({ count: 0, max: 0, percentile: () => Number.NaN }, 10)).toEqual({
      intervalMillis: 10,
      eventLoopDelayP99Millis: 0,
      eventLoopDelayMaxMillis: 0,
    });
  });

  it("reads the probe's answer: phase and steady figures; no answer or a malformed one is undefined", () => {
    const figures = { intervalMillis: 10_000, eventLoopDelayP99Millis: 19.1, eventLoopDelayMaxMillis: 30.2 };
    const steady = { intervalMillis: 4_000, eventLoopDelayP99Millis: 18.4, eventLoopDelayMaxMillis: 22.3 };
    expect(floorSnapshotOf({ type: 'snapshot', id: 3, floor: { ...figures, steady } })).toEqual({ ...figures, steady });
    expect(floorSnapshotOf({ type: 'snapshot', floor: figures })).toEqual(figures);
    expect(floorSnapshotOf({ type: 'snapshot', floor: { ...figures, steady: { intervalMillis: 1 } } })).toEqual(figures);
    expect(floorSnapshotOf(undefined)).toBeUndefined();
    expect(floorSnapshotOf({ type: 'snapshot' })).toBeUndefined();
    expect(floorSnapshotOf({ type: 'snapshot', floor: { ...figures, eventLoopDelayP99Millis: 'x' } })).toBeUndefined();
    expect(floorSnapshotOf({ type: 'snapshot', floor: { ...figures, eventLoopDelayMaxMillis: Number.POSITIVE_INFINITY } })).toBeUndefined();
  });

  it("a phase carries the probe's figures, and null when the probe did not answer", () => {
    const floor = { intervalMillis: 10_000, eventLoopDelayP99Millis: 19.1, eventLoopDelayMaxMillis: 30.2 };
    expect(buildPhase({ ...phaseInput, machineFloor: floor }).machineFloor).toEqual(floor);
    expect(buildPhase({ ...phaseInput, machineFloor: undefined }).machineFloor).toBeNull();
    expect(buildPhase(phaseInput).machineFloor).toBeNull();
  });
});
