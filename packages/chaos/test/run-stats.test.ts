import { RunModel } from '../src/invariants';
import { deliveryCounts, failoverTimes, handoffTimes, lastCounts, summarize } from '../src/run-stats';
import { RunBuilder, T0 } from './support/synthetic-run';

test('summarize: min, median, p90, max; empty gives nulls', () => {
  expect(summarize([])).toEqual({ samples: 0, minMs: null, medianMs: null, p90Ms: null, maxMs: null });
  expect(summarize([5, 1, 3, 2, 4])).toEqual({ samples: 5, minMs: 1, medianMs: 3, p90Ms: 5, maxMs: 5 });
});

test('failover: from the kill to the next take of each shard the victim processed; calm ones apart', () => {
  const run = new RunBuilder();
  const s0 = run.produce(0, 2);
  const s1 = run.produce(1, 2);
  run.shard(0).shard(1);
  run
    .tenure('w1', 'w1/1', 0)
    .init(T0 + 1, null)
    .deliver(T0 + 2, s0.slice(0, 1));
  run
    .tenure('w1', 'w1/1', 1)
    .init(T0 + 1, null)
    .deliver(T0 + 2, s1.slice(0, 1));
  run
    .tenure('w2', 'w2/1', 0)
    .acquired(T0 + 3_500)
    .init(T0 + 3_501, null);
  run.tenure('w3', 'w3/1', 1).init(T0 + 6_000, null);
  const model = new RunModel(run.build());
  const faults = [
    { kind: 'kill', at: T0 + 500, inc: 'w1/1', worker: 'w1' },
    { kind: 'store-partition', at: T0 + 5_000, endAt: T0 + 5_500 },
  ];
  const times = failoverTimes(model, faults, 3_000);
  expect(times.kill).toEqual([3_000, 5_500]);
  expect(times.killCalm).toEqual([3_000]); // shard 1's take came after a partition
  expect(times.pause).toEqual([]);
});

test('hand-off: from leaseLost(handoff) to the claimer taking the shard', () => {
  const run = new RunBuilder();
  run.produce(0, 1);
  run.shard(0);
  run
    .tenure('w1', 'w1/1', 0)
    .init(T0 + 1, null)
    .shutdown(T0 + 100, 'REQUESTED');
  run.lines.push({ t: 'event', at: T0 + 110, w: 'w1', inc: 'w1/1', name: 'leaseLost', shard: 'shardId-000000000000', reason: 'handoff' });
  run
    .tenure('w2', 'w2/1', 0)
    .acquired(T0 + 400)
    .init(T0 + 401, null);
  expect(handoffTimes(new RunModel(run.build()))).toEqual([290]);
});

test('lastCounts sums the last cumulative line of each incarnation; deliveryCounts counts duplicates', () => {
  expect(
    lastCounts([
      { t: 'ops', at: 1, w: 'w1', inc: 'w1/1', ops: { takeLease: 1 } },
      { t: 'ops', at: 2, w: 'w1', inc: 'w1/1', ops: { takeLease: 5, listLeases: 2 } },
      { t: 'ops', at: 3, w: 'w2', inc: 'w2/1', ops: { takeLease: 1 } },
    ]),
  ).toEqual({ takeLease: 6, listLeases: 2 });
  const run = new RunBuilder();
  const s0 = run.produce(0, 3);
  run
    .tenure('w1', 'w1/1', 0)
    .init(T0, null)
    .deliver(T0 + 1, s0, { fail: true })
    .deliver(T0 + 2, s0);
  run
    .tenure('w2', 'w2/1', 0)
    .init(T0 + 10, null)
    .deliver(T0 + 11, s0.slice(1));
  expect(deliveryCounts(new RunModel(run.build()))).toEqual({ deliveries: 5, distinct: 3, duplicates: 2, failedCalls: 1 });
});
