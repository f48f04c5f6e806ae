/**
 * Each invariant against synthetic logs: a clean run passes all of them; each test breaks the run in one way and
 * checks that the matching invariant (and only the ones it should) reports it.
 */
import { checkInvariants, type InvariantResult } from '../src/invariants';
import { cleanRun, RunBuilder, shardName, T0 } from './support/synthetic-run';

function failed(results: InvariantResult[]): string[] {
  return results.filter((r) => !r.passed).map((r) => r.name);
}

function resultOf(results: InvariantResult[], name: string): InvariantResult {
  const found = results.find((r) => r.name === name);
  if (!found) throw new Error(`no result ${name}`);
  return found;
}

test('a clean run with a kill, a resume after the checkpoint and a retried batch passes every invariant', () => {
  const results = checkInvariants(cleanRun().run.build());
  expect(failed(results)).toEqual([]);
  // Every invariant looked at something (the resharding ones are exercised by the split and merge runs below).
  const resharding = ['parents-before-children', 'closed-shards-ended'];
  for (const r of results) if (!resharding.includes(r.name)) expect(r.checked).toBeGreaterThan(0);
});

describe('no-loss', () => {
  test('a record never delivered is lost', () => {
    const { run } = cleanRun();
    const extra = run.produce(1, 1);
    run.finalLeases[1]!.checkpoint = extra[0]!.seq;
    const results = checkInvariants(run.build());
    expect(failed(results)).toEqual(['no-loss']);
    expect(resultOf(results, 'no-loss').violations[0]).toMatch(/record 11 on shardId-000000000001 was never delivered/);
  });

  test('a record delivered only in a call that threw is lost', () => {
    const run = new RunBuilder();
    const s0 = run.produce(0, 2);
    run.shard(0).lease(0, s0[1]);
    run
      .tenure('w1', 'w1/1', 0)
      .init(T0 + 1, null)
      .deliver(T0 + 2, s0.slice(0, 1))
      .deliver(T0 + 3, s0.slice(1), { fail: true });
    const results = checkInvariants(run.build());
    expect(resultOf(results, 'no-loss').violationCount).toBe(1);
  });

  test('a record that was never produced, or at another position, is reported', () => {
    const { run, s0 } = cleanRun();
    run.lines.push({ t: 'batch', at: T0 + 8_000, w: 'w2', inc: 'w2/200', ten: 'x', shard: s0[0]!.shard, recs: [[999, s0[0]!.seq, null]] });
    run.lines.push({ t: 'batch', at: T0 + 8_001, w: 'w2', inc: 'w2/200', ten: 'y', shard: shardName(1), recs: [[0, s0[0]!.seq, null]] });
    const r = resultOf(checkInvariants(run.build()), 'no-loss');
    expect(r.violations.join('\n')).toMatch(/record 999 delivered .* never produced/);
    expect(r.violations.join('\n')).toMatch(/record 0 delivered on shardId-000000000001 .* but produced on shardId-000000000000/);
  });
});

describe('order-within-tenure', () => {
  test('a skipped record inside a tenure is caught even if another tenure delivers it later', () => {
    const run = new RunBuilder();
    const s0 = run.produce(0, 4);
    run.shard(0).lease(0, s0[3]);
    run
      .tenure('w1', 'w1/1', 0)
      .init(T0 + 1, null)
      .deliver(T0 + 2, [s0[0]!, s0[2]!])
      .checkpoint(T0 + 3, s0[2]!)
      .shutdown(T0 + 4, 'REQUESTED');
    run
      .tenure('w2', 'w2/1', 0)
      .init(T0 + 10, null)
      .deliver(T0 + 11, s0)
      .checkpoint(T0 + 12, s0[3]!);
    const results = checkInvariants(run.build());
    expect(failed(results)).toContain('order-within-tenure');
    expect(resultOf(results, 'order-within-tenure').violations[0]).toMatch(/skips 1 record\(s\) from record 1 to record 2/);
  });

  test('records out of order within a tenure are caught', () => {
    const run = new RunBuilder();
    const s0 = run.produce(0, 3);
    run.shard(0).lease(0, s0[2]);
    run
      .tenure('w1', 'w1/1', 0)
      .init(T0 + 1, null)
      .deliver(T0 + 2, [s0[0]!, s0[2]!, s0[1]!])
      .checkpoint(T0 + 3, s0[2]!);
    expect(resultOf(checkInvariants(run.build()), 'order-within-tenure').passed).toBe(false);
  });

  test('a tenure that does not start right after its checkpoint is caught (aggregate sub-sequence resume)', () => {
    const run = new RunBuilder();
    const agg = run.produce(0, 4, { aggregate: true });
    run.shard(0).lease(0, agg[3]);
    // Initialized after user record 1 of the aggregate: must start at user record 2, not 3.
    run
      .tenure('w1', 'w1/1', 0)
      .init(T0 + 1, { seq: agg[0]!.seq, sub: 1 })
      .deliver(T0 + 2, [agg[3]!])
      .checkpoint(T0 + 3, agg[3]!);
    const r = resultOf(checkInvariants(run.build()), 'order-within-tenure');
    expect(r.violations[0]).toMatch(/its first record; initialized after checkpoint/);
    // ... while starting at user record 2 passes.
    const ok = new RunBuilder();
    const agg2 = ok.produce(0, 4, { aggregate: true });
    ok.shard(0).lease(0, agg2[3]);
    ok.tenure('w1', 'w1/1', 0)
      .init(T0 + 1, { seq: agg2[0]!.seq, sub: 1 })
      .deliver(T0 + 2, agg2.slice(2))
      .checkpoint(T0 + 3, agg2[3]!);
    expect(resultOf(checkInvariants(ok.build()), 'order-within-tenure').passed).toBe(true);
  });

  test('a repeat within a tenure is caught', () => {
    const run = new RunBuilder();
    const s0 = run.produce(0, 2);
    run.shard(0).lease(0, s0[1]);
    run
      .tenure('w1', 'w1/1', 0)
      .init(T0 + 1, null)
      .deliver(T0 + 2, s0)
      .deliver(T0 + 3, s0.slice(1))
      .checkpoint(T0 + 4, s0[1]!);
    expect(resultOf(checkInvariants(run.build()), 'order-within-tenure').violations[0]).toMatch(/repeats or goes back/);
  });
});

describe('exclusive-tenures', () => {
  test('a paused worker that delivers after another took the lease is caught', () => {
    const { run, s0 } = cleanRun();
    // w1's tenure on shard 0 (inc w1/100) resumes after w2 took the lease at T0+5000 and delivers once more.
    const ten = run.lines.find((l) => l.t === 'init' && l.inc === 'w1/100')!;
    run.lines.push({ t: 'batch', at: T0 + 5_500, w: 'w1', inc: 'w1/100', ten: (ten as { ten: string }).ten, shard: s0[0]!.shard, recs: [] });
    const results = checkInvariants(run.build());
    expect(failed(results)).toEqual(['exclusive-tenures']);
    expect(resultOf(results, 'exclusive-tenures').violations[0]).toMatch(
      /delivered 1 batch\(es\) from t\+5\.500s on, after .* took the lease at t\+5\.000s/,
    );
  });

  test('the take time is the leaseAcquired event when it precedes initialize', () => {
    const run = new RunBuilder();
    const s0 = run.produce(0, 2);
    run.shard(0).lease(0, s0[1]);
    run
      .tenure('w1', 'w1/1', 0)
      .init(T0 + 1, null)
      .deliver(T0 + 2, s0.slice(0, 1))
      .deliver(T0 + 150, s0.slice(1));
    run
      .tenure('w2', 'w2/1', 0)
      .acquired(T0 + 100)
      .init(T0 + 200, null)
      .deliver(T0 + 201, s0)
      .checkpoint(T0 + 202, s0[1]!);
    expect(resultOf(checkInvariants(run.build()), 'exclusive-tenures').violationCount).toBe(1);
  });

  test('two tenures of the same incarnation are not compared', () => {
    const run = new RunBuilder();
    const s0 = run.produce(0, 2);
    run.shard(0).lease(0, s0[1]);
    run
      .tenure('w1', 'w1/1', 0)
      .init(T0 + 1, null)
      .deliver(T0 + 2, s0.slice(0, 1))
      .checkpoint(T0 + 3, s0[0]!)
      .deliver(T0 + 20, s0.slice(1))
      .checkpoint(T0 + 21, s0[1]!);
    run.tenure('w1', 'w1/1', 0).init(T0 + 10, { seq: s0[0]!.seq, sub: null });
    expect(resultOf(checkInvariants(run.build()), 'exclusive-tenures').passed).toBe(true);
  });
});

describe('duplicates-after-checkpoint', () => {
  test('a tenure that resumes before the last successful checkpoint is caught', () => {
    const run = new RunBuilder();
    const s0 = run.produce(0, 4);
    run.shard(0).lease(0, s0[3]);
    run
      .tenure('w1', 'w1/1', 0)
      .init(T0 + 1, null)
      .deliver(T0 + 2, s0.slice(0, 2))
      .checkpoint(T0 + 3, s0[1]!);
    // w2 starts from scratch although s0[1] was checkpointed: records 0-1 come again.
    run
      .tenure('w2', 'w2/1', 0)
      .init(T0 + 5_000, null)
      .deliver(T0 + 5_001, s0)
      .checkpoint(T0 + 5_002, s0[3]!);
    const results = checkInvariants(run.build());
    expect(failed(results)).toEqual(['duplicates-after-checkpoint']);
    const text = resultOf(results, 'duplicates-after-checkpoint').violations.join('\n');
    expect(text).toMatch(/initialized after \(none\), before the last successful checkpoint/);
    expect(text).toMatch(/delivered 2 record\(s\) \(first 0\) already covered/);
  });

  test('a failed checkpoint does not count; a checkpoint inside an aggregate covers only up to its user record', () => {
    const run = new RunBuilder();
    const agg = run.produce(0, 3, { aggregate: true });
    run.shard(0).lease(0, agg[2]);
    run
      .tenure('w1', 'w1/1', 0)
      .init(T0 + 1, null)
      .deliver(T0 + 2, agg)
      .checkpoint(T0 + 3, { seq: agg[0]!.seq, sub: 0 })
      .checkpoint(T0 + 4, agg[2]!, false);
    run
      .tenure('w2', 'w2/1', 0)
      .init(T0 + 5_000, { seq: agg[0]!.seq, sub: 0 })
      .deliver(T0 + 5_001, agg.slice(1))
      .checkpoint(T0 + 5_002, agg[2]!);
    expect(failed(checkInvariants(run.build()))).toEqual([]);
  });

  test('a duplicate of a record inside the checkpointed part of an aggregate is caught', () => {
    const run = new RunBuilder();
    const agg = run.produce(0, 3, { aggregate: true });
    run.shard(0).lease(0, agg[2]);
    run
      .tenure('w1', 'w1/1', 0)
      .init(T0 + 1, null)
      .deliver(T0 + 2, agg)
      .checkpoint(T0 + 3, { seq: agg[0]!.seq, sub: 1 });
    run
      .tenure('w2', 'w2/1', 0)
      .init(T0 + 5_000, { seq: agg[0]!.seq, sub: 1 })
      .deliver(T0 + 5_001, agg.slice(1))
      .checkpoint(T0 + 5_002, agg[2]!);
    const results = checkInvariants(run.build());
    expect(resultOf(results, 'duplicates-after-checkpoint').violations[0]).toMatch(/delivered 1 record\(s\) \(first 1\)/);
  });
});

describe('retried-batch-redelivered', () => {
  test('a different batch after a failed call is caught', () => {
    const run = new RunBuilder();
    const s0 = run.produce(0, 4);
    run.shard(0).lease(0, s0[3]);
    run
      .tenure('w1', 'w1/1', 0)
      .init(T0 + 1, null)
      .deliver(T0 + 2, s0.slice(0, 2))
      .deliver(T0 + 3, s0.slice(2), { fail: true })
      .deliver(T0 + 4, s0.slice(3))
      .checkpoint(T0 + 5, s0[3]!);
    const results = checkInvariants(run.build());
    expect(resultOf(results, 'retried-batch-redelivered').violations[0]).toMatch(
      /after a failed call with records \[2\.\.3\] \(2\) the next call had \[3\.\.3\] \(1\)/,
    );
    // The skipped record also shows as a loss and a gap.
    expect(failed(results)).toEqual(expect.arrayContaining(['no-loss', 'order-within-tenure', 'retried-batch-redelivered']));
  });
});

describe('parents-before-children', () => {
  function split(options: { childFirstAt: number; parentEndAt?: number; lastParentAt?: number; confirmAfter?: number }): RunBuilder {
    const run = new RunBuilder();
    const p = run.produce(0, 2);
    const c1 = run.produce(1, 1);
    const c2 = run.produce(2, 1);
    run.shard(0, [], true).shard(1, [0]).shard(2, [0]);
    const parent = run
      .tenure('w1', 'w1/1', 0)
      .init(T0 + 1, null)
      .deliver(T0 + 2, p.slice(0, 1))
      .checkpoint(T0 + 3, p[0]!);
    parent.deliver(options.lastParentAt ?? T0 + 4, p.slice(1)).checkpoint(T0 + 5, p[1]!);
    // As the processor does: shutdown(TERMINATE) is logged, then its SHARD_END checkpoint returns (`confirmAfter` later).
    if (options.parentEndAt !== undefined) {
      parent.shutdown(options.parentEndAt, 'TERMINATE').checkpoint(options.parentEndAt + (options.confirmAfter ?? 1), 'SHARD_END');
    }
    run
      .tenure('w2', 'w2/1', 1)
      .init(options.childFirstAt - 1, null)
      .deliver(options.childFirstAt, c1)
      .checkpoint(options.childFirstAt + 1, c1[0]!);
    run
      .tenure('w2', 'w2/1', 2)
      .init(T0 + 2_000, null)
      .deliver(T0 + 2_001, c2)
      .checkpoint(T0 + 2_002, c2[0]!);
    run
      .lease(0, 'SHARD_END', { owner: 'w1' })
      .lease(1, c1[0], { parents: [0] })
      .lease(2, c2[0], { parents: [0] });
    return run;
  }

  test('children after the parent ended pass', () => {
    const results = checkInvariants(split({ childFirstAt: T0 + 1_000, parentEndAt: T0 + 500 }).build());
    expect(failed(results)).toEqual([]);
    expect(resultOf(results, 'parents-before-children').checked).toBe(2);
    expect(resultOf(results, 'closed-shards-ended').checked).toBe(1);
  });

  test('a child delivered before its parent reached SHARD_END is caught', () => {
    const results = checkInvariants(split({ childFirstAt: T0 + 400, parentEndAt: T0 + 500 }).build());
    expect(failed(results)).toEqual(['parents-before-children']);
    expect(resultOf(results, 'parents-before-children').violations[0]).toMatch(/before its parent shardId-000000000000 began writing SHARD_END/);
  });

  test('a slow store: the child may start once SHARD_END was written, before the writer of the parent got the answer', () => {
    const results = checkInvariants(split({ childFirstAt: T0 + 600, parentEndAt: T0 + 500, confirmAfter: 400 }).build());
    expect(failed(results)).toEqual([]);
  });

  test('a child delivered while its parent still delivered is caught', () => {
    const results = checkInvariants(split({ childFirstAt: T0 + 3, parentEndAt: T0 + 500, lastParentAt: T0 + 4 }).build());
    expect(resultOf(results, 'parents-before-children').violations[0]).toMatch(/still had 1 delivery/);
  });

  test('a merge child needs both parents: one unfinished parent is caught', () => {
    const run = new RunBuilder();
    const a = run.produce(0, 1);
    const b = run.produce(1, 1);
    const c = run.produce(2, 1);
    run.shard(0, [], true).shard(1, [], true).shard(2, [0, 1]);
    run
      .tenure('w1', 'w1/1', 0)
      .init(T0 + 1, null)
      .deliver(T0 + 2, a)
      .checkpoint(T0 + 3, a[0]!)
      .shutdown(T0 + 4, 'TERMINATE')
      .checkpoint(T0 + 5, 'SHARD_END');
    run
      .tenure('w2', 'w2/1', 1)
      .init(T0 + 1, null)
      .deliver(T0 + 2, b)
      .checkpoint(T0 + 3, b[0]!);
    run
      .tenure('w3', 'w3/1', 2)
      .init(T0 + 9, null)
      .deliver(T0 + 10, c)
      .checkpoint(T0 + 11, c[0]!);
    run
      .lease(0, 'SHARD_END', { owner: 'w1' })
      .lease(1, b[0])
      .lease(2, c[0], { parents: [0, 1] });
    const results = checkInvariants(run.build());
    expect(resultOf(results, 'parents-before-children').violations).toEqual([
      expect.stringMatching(/its parent shardId-000000000001 never reached SHARD_END/),
    ]);
    expect(resultOf(results, 'closed-shards-ended').passed).toBe(false);
  });
});

describe('closed-shards-ended', () => {
  test('a closed shard whose lease is not at SHARD_END is caught', () => {
    const { run } = cleanRun();
    run.finalShards[0]!.endingSeq = '123';
    const results = checkInvariants(run.build());
    expect(failed(results)).toContain('closed-shards-ended');
    expect(resultOf(results, 'closed-shards-ended').violations[0]).toMatch(/shardId-000000000000 is closed but its lease is at/);
  });

  test('a delivery after SHARD_END is caught', () => {
    const run = new RunBuilder();
    const s0 = run.produce(0, 1);
    run.shard(0, [], true).lease(0, 'SHARD_END', { owner: 'w1' });
    run
      .tenure('w1', 'w1/1', 0)
      .init(T0 + 1, null)
      .deliver(T0 + 2, s0)
      .checkpoint(T0 + 3, 'SHARD_END')
      .shutdown(T0 + 4, 'TERMINATE');
    run
      .tenure('w1', 'w1/1', 0)
      .init(T0 + 10, 'SHARD_END')
      .deliver(T0 + 11, s0);
    const results = checkInvariants(run.build());
    expect(resultOf(results, 'closed-shards-ended').violations[0]).toMatch(/reached SHARD_END at t\+0\.003s but records were delivered again/);
  });
});

describe('lease-table-consistent', () => {
  test('an orphaned owner is caught', () => {
    const { run } = cleanRun();
    run.finalLeases[0]!.owner = 'w2';
    const results = checkInvariants(run.build());
    expect(failed(results)).toEqual(['lease-table-consistent']);
    expect(resultOf(results, 'lease-table-consistent').violations[0]).toMatch(/still owned by w2 after every worker shut down/);
  });

  test('a checkpoint behind the last record, a missing lease and a lease of an unlisted shard are caught', () => {
    const { run, s0 } = cleanRun();
    run.finalLeases[0]!.checkpoint = s0[4]!.seq;
    run.shard(7);
    run.finalLeases.push({ shard: shardName(9), checkpoint: '1', sub: undefined, owner: undefined, parents: [] });
    const text = resultOf(checkInvariants(run.build()), 'lease-table-consistent').violations.join('\n');
    expect(text).toMatch(/shardId-000000000000: final checkpoint .* does not cover its last record 5/);
    expect(text).toMatch(/shardId-000000000007 has no lease/);
    expect(text).toMatch(/shardId-000000000009: lease of a shard the stream does not list, not at SHARD_END/);
  });

  test('retention rule: a SHARD_END lease of an unlisted shard is kept only within the retention period', () => {
    const { run } = cleanRun();
    run.finalLeases.push({ shard: shardName(9), checkpoint: 'SHARD_END', sub: undefined, owner: 'w1', parents: [] });
    expect(resultOf(checkInvariants(run.build()), 'lease-table-consistent').passed).toBe(true);
    const late = { ...run.build(), retentionMillis: 1_000 };
    expect(resultOf(checkInvariants(late), 'lease-table-consistent').violations[0]).toMatch(/kept longer than the retention rule/);
  });

  test('a child lease without its parent ids, and a SHARD_END lease of an unknown worker, are caught', () => {
    const run = new RunBuilder();
    const p = run.produce(0, 1);
    run.shard(0, [], true).shard(1, [0]);
    run
      .tenure('w1', 'w1/1', 0)
      .init(T0 + 1, null)
      .deliver(T0 + 2, p)
      .checkpoint(T0 + 3, 'SHARD_END');
    run.lease(0, 'SHARD_END', { owner: 'ghost' }).lease(1, undefined);
    const text = resultOf(checkInvariants(run.build()), 'lease-table-consistent').violations.join('\n');
    expect(text).toMatch(/shardId-000000000001: lease parents \[\] lack shardId-000000000000/);
    expect(text).toMatch(/SHARD_END lease owned by unknown worker ghost/);
  });
});

test('a checker that throws is reported as a failed invariant, not a crash', () => {
  const { run } = cleanRun();
  run.finalLeases[0]!.checkpoint = 'not-a-number';
  const results = checkInvariants(run.build());
  expect(resultOf(results, 'lease-table-consistent').violations).toEqual([expect.stringMatching(/^the checker failed: Cannot convert not-a-number/)]);
});
