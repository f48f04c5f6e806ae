import { takeOrRenewLease } from '../checkpoint/lease-transitions';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import type { Checkpointer } from '../checkpoint/checkpointer';
import type { CoordinatorLease, OwnedLease } from '../checkpoint/coordination';
import { SHARD_END, createShardStatus, type ShardStatus } from '../checkpoint/shard-status';
import { isKclError } from '../errors';
import { describeError, expectKclError, peek, sleep, tokenOf, viewOf, type CaseContext, type ConformanceCase } from './conformance-harness';

const SEQ_1 = '49590338271490256608559692538361571095921575989136588898';

const byShard = (owned: OwnedLease[]): OwnedLease[] =>
  owned.map((o) => ({ shardId: o.shardId, leaseCounter: o.leaseCounter })).sort((a, b) => (a.shardId < b.shardId ? -1 : 1));

/**
 * Asserts that `listOwnedLeases(workerId)` answers exactly `expected` (shard id -> counter; counters are compared when
 * the store returns them). With a lagging owner
 * index (ctx.ownedLeasesLagMillis > 0) it polls up to that long first.
 */
async function expectOwned(ctx: CaseContext, cp: Checkpointer, workerId: string, expected: Record<string, number>, what: string): Promise<void> {
  const want = byShard(Object.entries(expected).map(([shardId, leaseCounter]) => ({ shardId, leaseCounter })));
  const deadline = performance.now() + ctx.ownedLeasesLagMillis;
  for (;;) {
    const got = byShard(await cp.listOwnedLeases(workerId));
    // A store whose index holds no counters (Redis owner sets) leaves them out; those present must be exact.
    const withCounter = new Set(got.filter((o) => o.leaseCounter !== undefined).map((o) => o.shardId));
    const expect = want.map((o) => (withCounter.has(o.shardId) ? o : { shardId: o.shardId, leaseCounter: undefined }));
    if (performance.now() >= deadline) {
      assert.deepEqual(got, expect, `listOwnedLeases(${workerId}) ${what}`);
      return;
    }
    if (JSON.stringify(got) === JSON.stringify(expect)) return;
    await sleep(Math.min(50, ctx.ownedLeasesLagMillis));
  }
}

function assertCoordinator(actual: CoordinatorLease | undefined, expected: CoordinatorLease, what: string): void {
  assert.ok(actual !== undefined, `${what}: the coordinator lease is missing`);
  assert.deepEqual(
    { assignedTo: actual.assignedTo, leaseCounter: actual.leaseCounter, leaseToken: actual.leaseToken },
    { assignedTo: expected.assignedTo, leaseCounter: expected.leaseCounter, leaseToken: expected.leaseToken },
    what,
  );
}

function coordinatorToken(lease: CoordinatorLease): string {
  if (typeof lease.leaseToken !== 'string' || lease.leaseToken.length === 0) {
    throw new assert.AssertionError({ message: 'takeCoordinatorLease returned no token' });
  }
  return lease.leaseToken;
}

/** Takes a new lease of `label` for worker `w` and returns it. */
async function take(ctx: CaseContext, w: { id: string; cp: Checkpointer }, label: string): Promise<ShardStatus> {
  const shard = createShardStatus(ctx.shardId(label));
  await takeOrRenewLease(w.cp, shard, w.id);
  return shard;
}

/** Cases about the worker registry, the coordinator lease, the owner index, hand-offs and batch renewal. */
export const coordinationCases: ReadonlyArray<readonly [string, ConformanceCase]> = [
  [
    'heartbeat creates a registry entry and adds 1 per call (also concurrently); removeWorker deletes it; listWorkers lists them',
    async (ctx) => {
      const a = await ctx.worker('a');
      const b = await ctx.worker('b');
      const mine = (list: Array<{ workerId: string; counter: number }>) =>
        Object.fromEntries(list.filter((w) => w.workerId === a.id || w.workerId === b.id).map((w) => [w.workerId, w.counter]));
      assert.deepEqual(mine(await a.cp.listWorkers()), {}, 'no entry before the first heartbeat');
      for (let i = 0; i < 3; i += 1) await a.cp.heartbeat(a.id);
      await b.cp.heartbeat(b.id);
      assert.deepEqual(mine(await b.cp.listWorkers()), { [a.id]: 3, [b.id]: 1 }, 'counters after 3 and 1 heartbeats');
      await Promise.all(Array.from({ length: 20 }, () => b.cp.heartbeat(b.id)));
      assert.deepEqual(mine(await a.cp.listWorkers()), { [a.id]: 3, [b.id]: 21 }, '20 concurrent heartbeats add 20');
      await b.cp.removeWorker(a.id);
      assert.deepEqual(mine(await a.cp.listWorkers()), { [b.id]: 21 }, 'removeWorker deletes the entry');
      await b.cp.removeWorker(a.id);
      await b.cp.removeWorker(ctx.workerId('never-registered'));
      await a.cp.heartbeat(a.id);
      assert.deepEqual(mine(await b.cp.listWorkers()), { [a.id]: 1, [b.id]: 21 }, 'a heartbeat after removal starts at 1');
    },
  ],
  [
    'coordinator lease: taken when absent at 0 by exactly one of 10 contenders, refused at a stale counter, taken at the observed one',
    async (ctx) => {
      const table = ctx.newTableName();
      const workers = await Promise.all(Array.from({ length: 10 }, (_, i) => ctx.worker(`c${i}`, { tableName: table })));
      const reader = workers[0]!;
      assert.equal(await reader.cp.getCoordinatorLease(), undefined, 'no coordinator lease on a new table');
      await expectKclError(reader.cp.takeCoordinatorLease(reader.id, 1), 'LEASE_NOT_ACQUIRED', 'take of an absent lease at counter 1');
      assert.equal(await reader.cp.getCoordinatorLease(), undefined, 'a refused take creates nothing');
      const results = await Promise.allSettled(workers.map((w) => w.cp.takeCoordinatorLease(w.id, 0)));
      const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
      assert.equal(winners.length, 1, `expected exactly one winner, got ${winners.length}`);
      for (const r of results) {
        if (r.status === 'rejected' && !(isKclError(r.reason) && r.reason.code === 'LEASE_NOT_ACQUIRED')) {
          assert.fail(`a losing contender failed with ${describeError(r.reason)} instead of LeaseNotAcquiredError`);
        }
      }
      const winner = workers[winners[0]!]!;
      const won = (results[winners[0]!] as PromiseFulfilledResult<CoordinatorLease>).value;
      assert.equal(won.assignedTo, winner.id);
      assert.equal(won.leaseCounter, 1);
      coordinatorToken(won);
      assertCoordinator(await reader.cp.getCoordinatorLease(), won, 'the stored lease is the one returned');

      const other = workers.find((w) => w !== winner)!;
      await expectKclError(other.cp.takeCoordinatorLease(other.id, 0), 'LEASE_NOT_ACQUIRED', 'take at counter 0 of a held lease');
      const renewed = await winner.cp.renewCoordinatorLease(winner.id, coordinatorToken(won));
      await expectKclError(other.cp.takeCoordinatorLease(other.id, 1), 'LEASE_NOT_ACQUIRED', 'take at a stale counter');
      await expectKclError(other.cp.takeCoordinatorLease(other.id, 7), 'LEASE_NOT_ACQUIRED', 'take at a counter it never had');
      assertCoordinator(await other.cp.getCoordinatorLease(), renewed, 'refused takes change nothing');
      const taken = await other.cp.takeCoordinatorLease(other.id, renewed.leaseCounter);
      assert.equal(taken.assignedTo, other.id);
      assert.equal(taken.leaseCounter, renewed.leaseCounter + 1, 'a take increments the counter');
      assert.notEqual(coordinatorToken(taken), won.leaseToken, 'a take sets a new token');
      assertCoordinator(await winner.cp.getCoordinatorLease(), taken, 'the stored lease after the take-over');
      await expectKclError(winner.cp.renewCoordinatorLease(winner.id, coordinatorToken(won)), 'LEASE_LOST', 'the old holder renewing');
    },
  ],
  [
    'coordinator lease: renewed and released only by its owner with its token; release lets others take it at once',
    async (ctx) => {
      const table = ctx.newTableName();
      const a = await ctx.worker('a', { tableName: table });
      const b = await ctx.worker('b', { tableName: table });
      const first = await a.cp.takeCoordinatorLease(a.id, 0);
      const token = coordinatorToken(first);
      for (let expected = 2; expected <= 3; expected += 1) {
        const renewed = await a.cp.renewCoordinatorLease(a.id, token);
        assertCoordinator(renewed, { assignedTo: a.id, leaseCounter: expected, leaseToken: token }, 'renewal: counter + 1, same token');
      }
      await expectKclError(a.cp.renewCoordinatorLease(a.id, `${token}-old`), 'LEASE_LOST', 'renewal with another token');
      await expectKclError(b.cp.renewCoordinatorLease(b.id, token), 'LEASE_LOST', 'renewal by another worker with the right token');
      await expectKclError(b.cp.releaseCoordinatorLease(b.id, token), 'LEASE_LOST', 'release by another worker');
      await expectKclError(a.cp.releaseCoordinatorLease(a.id, `${token}-old`), 'LEASE_LOST', 'release with another token');
      const held = { assignedTo: a.id, leaseCounter: 3, leaseToken: token };
      assertCoordinator(await b.cp.getCoordinatorLease(), held, 'refused renewals and releases change nothing');

      // a re-take by the same worker id (a restarted process) makes the first tenure's token stale
      const again = await a.cp.takeCoordinatorLease(a.id, 3);
      assert.notEqual(again.leaseToken, token);
      await expectKclError(a.cp.renewCoordinatorLease(a.id, token), 'LEASE_LOST', 'renewal with the token of an earlier tenure');
      await expectKclError(a.cp.releaseCoordinatorLease(a.id, token), 'LEASE_LOST', 'release with the token of an earlier tenure');
      assertCoordinator(await b.cp.getCoordinatorLease(), again, 'the live tenure is untouched');

      await a.cp.releaseCoordinatorLease(a.id, coordinatorToken(again));
      const released = await b.cp.getCoordinatorLease();
      assert.ok(released, 'a released lease is still stored');
      assert.equal(released.assignedTo, undefined, 'release removes the owner');
      assert.equal(released.leaseToken, undefined, 'release removes the token');
      assert.equal(released.leaseCounter, 5, 'release increments the counter');
      await a.cp.releaseCoordinatorLease(a.id, coordinatorToken(again));
      assert.equal((await b.cp.getCoordinatorLease())?.leaseCounter, 5, 'releasing an unowned lease is a no-op');
      await expectKclError(a.cp.renewCoordinatorLease(a.id, coordinatorToken(again)), 'LEASE_LOST', 'renewal after release');
      const taken = await b.cp.takeCoordinatorLease(b.id, 5);
      assertCoordinator(await a.cp.getCoordinatorLease(), { ...taken, assignedTo: b.id, leaseCounter: 6 }, 'taken at once after release');
    },
  ],
  [
    'listOwnedLeases follows take, renew, release, take-over, transfer and removeLeaseInfo',
    async (ctx) => {
      const a = await ctx.worker('a');
      const b = await ctx.worker('b');
      const c = await ctx.worker('c');
      await expectOwned(ctx, c.cp, a.id, {}, 'before any take');
      const one = await take(ctx, a, 'one');
      const two = await take(ctx, a, 'two');
      const [s1, s2] = [one.id, two.id];
      await expectOwned(ctx, c.cp, a.id, { [s1]: 1, [s2]: 1 }, 'after two takes');
      await takeOrRenewLease(a.cp, one, a.id);
      await expectOwned(ctx, c.cp, a.id, { [s1]: 2, [s2]: 1 }, 'after a renewal (counter follows)');
      await a.cp.removeLeaseOwner(s2, tokenOf(two));
      await expectOwned(ctx, c.cp, a.id, { [s1]: 2 }, 'after a release');
      const theirs = viewOf(await peek(b.cp, s2));
      await takeOrRenewLease(b.cp, theirs, b.id);
      await expectOwned(ctx, c.cp, b.id, { [s2]: 3 }, 'after a take of a released lease');
      const stolen = viewOf(await peek(c.cp, s2));
      await takeOrRenewLease(c.cp, stolen, c.id);
      await expectOwned(ctx, a.cp, b.id, {}, 'after its lease was taken over by another worker');
      await expectOwned(ctx, a.cp, c.id, { [s2]: 4 }, 'after taking over a lease');
      await a.cp.transferLease(s1, tokenOf(one), a.id, b.id);
      await expectOwned(ctx, c.cp, a.id, {}, 'after transferring its lease away');
      await expectOwned(ctx, c.cp, b.id, { [s1]: 3 }, 'after receiving a transferred lease');
      const finished = viewOf(await peek(c.cp, s2));
      finished.leaseToken = stolen.leaseToken;
      finished.checkpoint = SHARD_END;
      await c.cp.checkpointSequence(finished);
      await expectOwned(ctx, a.cp, c.id, { [s2]: 4 }, 'a lease at SHARD_END that is still owned is listed');
      await c.cp.removeLeaseInfo(s2);
      await expectOwned(ctx, a.cp, c.id, {}, 'after removeLeaseInfo deleted its lease');
    },
  ],
  [
    'transferLease hands a lease over: new owner, new token, counter + 1, claim cleared, checkpoint kept; the old tenure is fenced',
    async (ctx) => {
      const a = await ctx.worker('a');
      const b = await ctx.worker('b');
      const mine = await take(ctx, a, 'transfer');
      const id = mine.id;
      mine.checkpoint = SEQ_1;
      await a.cp.checkpointSequence(mine);
      await b.cp.claimShard(viewOf(await peek(b.cp, id)), b.id);
      await takeOrRenewLease(a.cp, mine, a.id);
      assert.equal(mine.claimRequest, b.id);
      const moved = await a.cp.transferLease(id, tokenOf(mine), a.id, b.id);
      assert.equal(moved.id, id);
      assert.equal(moved.assignedTo, b.id, 'the new owner');
      assert.equal(moved.leaseCounter, 3, 'the counter is incremented');
      assert.ok(moved.leaseToken !== undefined && moved.leaseToken !== mine.leaseToken, 'a new token');
      assert.equal(moved.claimRequest, undefined, 'the claim is cleared');
      assert.equal(moved.checkpoint, SEQ_1, 'the checkpoint is kept');
      const stored = await peek(a.cp, id);
      assert.equal(stored.assignedTo, b.id);
      assert.equal(stored.leaseCounter, 3);
      assert.equal(stored.leaseToken, moved.leaseToken, 'the returned token is the stored one');
      assert.equal(stored.claimRequest, undefined);
      assert.equal(stored.checkpoint, SEQ_1);

      await expectKclError(takeOrRenewLease(a.cp, mine, a.id), 'LEASE_LOST', 'the old owner renewing');
      mine.checkpoint = SEQ_1;
      await expectKclError(a.cp.checkpointSequence(mine), 'LEASE_LOST', 'the old owner checkpointing');
      const theirs = viewOf(moved);
      theirs.leaseToken = moved.leaseToken;
      await takeOrRenewLease(b.cp, theirs, b.id);
      assert.equal(theirs.leaseCounter, 4, 'the new owner renews with the returned token');
      assert.equal(theirs.leaseToken, moved.leaseToken);
    },
  ],
  [
    'transferLease is refused (nothing changed) with a stale token or by a non-owner (LeaseLostError) and at SHARD_END (LeaseNotAcquiredError)',
    async (ctx) => {
      const a = await ctx.worker('a');
      const b = await ctx.worker('b');
      const c = await ctx.worker('c');
      const first = await take(ctx, a, 'fenced');
      const id = first.id;
      const retaken = viewOf(await peek(a.cp, id));
      await takeOrRenewLease(a.cp, retaken, a.id);
      const before = await peek(c.cp, id);
      await expectKclError(a.cp.transferLease(id, tokenOf(first), a.id, b.id), 'LEASE_LOST', 'transfer with the token of an earlier tenure');
      await expectKclError(c.cp.transferLease(id, tokenOf(retaken), c.id, b.id), 'LEASE_LOST', 'transfer naming another owner');
      await expectKclError(b.cp.transferLease(ctx.shardId('absent'), tokenOf(retaken), a.id, b.id), 'LEASE_LOST', 'transfer of an absent lease');
      const after = await peek(c.cp, id);
      assert.equal(after.assignedTo, a.id, 'refused transfers keep the owner');
      assert.equal(after.leaseCounter, before.leaseCounter, 'refused transfers keep the counter');
      assert.equal(after.leaseToken, retaken.leaseToken, 'refused transfers keep the token');

      retaken.checkpoint = SHARD_END;
      await a.cp.checkpointSequence(retaken);
      await expectKclError(a.cp.transferLease(id, tokenOf(retaken), a.id, b.id), 'LEASE_NOT_ACQUIRED', 'transfer at SHARD_END');
      const finished = await peek(c.cp, id);
      assert.equal(finished.assignedTo, a.id, 'a finished lease is not handed over');
      assert.equal(finished.leaseCounter, before.leaseCounter);
      assert.equal(finished.leaseToken, retaken.leaseToken);
    },
  ],
  [
    'coordination entries (registry, coordinator lease) never show up in listLeases, listActiveWorkers or an owner index',
    async (ctx) => {
      const table = ctx.newTableName();
      const a = await ctx.worker('a', { tableName: table });
      const b = await ctx.worker('b', { tableName: table });
      await a.cp.heartbeat(a.id);
      await b.cp.heartbeat(b.id);
      const leader = await a.cp.takeCoordinatorLease(a.id, 0);
      await a.cp.renewCoordinatorLease(a.id, coordinatorToken(leader));
      const mine = await take(ctx, a, 'only');
      const ids = (await b.cp.listLeases()).map((lease) => lease.id);
      assert.deepEqual(ids, [mine.id], 'listLeases lists the shard leases only');
      const active = await b.cp.listActiveWorkers(new Map());
      assert.deepEqual(
        [...active.entries()].map(([worker, leases]) => [worker, leases.map((l) => l.id)]),
        [[a.id, [mine.id]]],
        'listActiveWorkers groups the shard leases only',
      );
      await expectOwned(ctx, b.cp, a.id, { [mine.id]: 1 }, 'of the coordinator holder');
      await b.cp.removeWorker(a.id);
      await a.cp.releaseCoordinatorLease(a.id, coordinatorToken(leader));
      assert.deepEqual(
        (await b.cp.listLeases()).map((lease) => lease.id),
        [mine.id],
        'after removal and release',
      );
    },
  ],
  [
    'renewLeases (when implemented) equals one renewal per lease, with a result per lease: a lost lease fails alone',
    async (ctx) => {
      const a = await ctx.worker('a');
      const b = await ctx.worker('b');
      if (typeof a.cp.renewLeases !== 'function') return; // optional: the worker renews one lease at a time
      assert.deepEqual(await a.cp.renewLeases([], a.id), [], 'an empty batch');
      const shards = await Promise.all(['r0', 'r1', 'r2', 'r3'].map((label) => take(ctx, a, label)));
      const [kept, lost, stale, checkpointed] = shards as [ShardStatus, ShardStatus, ShardStatus, ShardStatus];
      checkpointed.checkpoint = SEQ_1;
      await a.cp.checkpointSequence(checkpointed);
      await takeOrRenewLease(b.cp, viewOf(await peek(b.cp, lost.id)), b.id);
      const staleToken = stale.leaseToken;
      const retaken = viewOf(await peek(a.cp, stale.id));
      await takeOrRenewLease(a.cp, retaken, a.id);
      stale.leaseToken = staleToken;
      const lostBefore = await peek(b.cp, lost.id);

      let results: Array<ShardStatus | Error>;
      try {
        results = await a.cp.renewLeases(shards, a.id);
      } catch (error) {
        assert.fail(`renewLeases rejected as a whole (${describeError(error)}): a lost lease must fail only its own slot`);
      }
      assert.equal(results.length, shards.length, 'one result per lease');
      for (const index of [0, 3]) {
        const result = results[index];
        assert.ok(result !== undefined && !(result instanceof Error), `lease ${index} renewed, got ${describeError(result)}`);
        assert.equal(result.id, shards[index]!.id, 'results are in the order of the leases');
      }
      for (const index of [1, 2]) {
        const result = results[index];
        assert.ok(isKclError(result) && result.code === 'LEASE_LOST', `lease ${index}: expected LeaseLostError, got ${describeError(result)}`);
      }
      assert.equal(kept.leaseCounter, 2, 'a renewed lease is updated in place: counter + 1');
      assert.equal(checkpointed.checkpoint, SEQ_1, 'a renewal keeps the checkpoint');
      for (const shard of [kept, checkpointed]) {
        const stored = await peek(b.cp, shard.id);
        assert.equal(stored.leaseCounter, 2, `${shard.id}: stored counter + 1`);
        assert.equal(stored.leaseToken, shard.leaseToken, `${shard.id}: token kept`);
        assert.equal(stored.assignedTo, a.id);
      }
      const lostAfter = await peek(b.cp, lost.id);
      assert.equal(lostAfter.assignedTo, b.id, 'the lost lease keeps its new owner');
      assert.equal(lostAfter.leaseCounter, lostBefore.leaseCounter, 'the lost lease is not renewed');
      const staleAfter = await peek(b.cp, stale.id);
      assert.equal(staleAfter.leaseCounter, retaken.leaseCounter, 'an entry with the token of an earlier tenure is not renewed');
      assert.equal(staleAfter.leaseToken, retaken.leaseToken);
    },
  ],
];
