import { takeOrRenewLease } from '../checkpoint/lease-transitions';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { SHARD_END, createShardStatus } from '../checkpoint/shard-status';
import { isKclError } from '../errors';
import { LeaseObserver } from '../leases/lease-observer';
import { describeError, expectKclError, peek, sleep, tokenOf, viewOf, type CaseContext, type ConformanceCase } from './conformance-harness';

const SEQ_1 = '49590338271490256608559692538361571095921575989136588898';
const SEQ_2 = '49590338271490256608559692540925702759324208523137515618';
const SEQ_3 = '49590338271490256608559692541000000000000000000000000001';

async function contenders(ctx: CaseContext, count: number) {
  return Promise.all(Array.from({ length: count }, (_, i) => ctx.worker(`c${i}`)));
}

function assertLosersNotAcquired(results: PromiseSettledResult<void>[]): void {
  for (const r of results) {
    if (r.status === 'rejected' && !(isKclError(r.reason) && r.reason.code === 'LEASE_NOT_ACQUIRED')) {
      assert.fail(`a losing contender failed with ${describeError(r.reason)} instead of LeaseNotAcquiredError`);
    }
  }
}

/** Cases about taking, renewing, expiring and checkpointing one lease. */
export const leaseCases: ReadonlyArray<readonly [string, ConformanceCase]> = [
  [
    'takeOrRenewLease (go-kcl getLease) takes a new lease: creates it with owner, counter 1, a token and the parent ids',
    async (ctx) => {
      const a = await ctx.worker('a');
      const b = await ctx.worker('b');
      const id = ctx.shardId('new');
      const shard = createShardStatus(id, { parentShardIds: [ctx.shardId('parent')] });
      await takeOrRenewLease(a.cp, shard, a.id);
      assert.equal(shard.assignedTo, a.id, 'shard updated in place: owner');
      assert.equal(shard.leaseCounter, 1, 'shard updated in place: counter');
      assert.ok(typeof shard.leaseToken === 'string' && shard.leaseToken.length > 0, 'shard updated in place: token');
      const stored = await peek(b.cp, id);
      assert.ok(stored.exists, 'lease row created');
      assert.equal(stored.assignedTo, a.id);
      assert.equal(stored.leaseCounter, 1);
      assert.equal(stored.leaseToken, shard.leaseToken);
      assert.equal(stored.checkpoint, undefined, 'a new lease has no checkpoint');
      assert.equal(stored.parentShardId, ctx.shardId('parent'));
      assert.deepEqual(stored.parentShardIds, [ctx.shardId('parent')]);
    },
  ],
  [
    'takeOrRenewLease (go-kcl getLease) renews: counter + 1, same token, checkpoint kept',
    async (ctx) => {
      const a = await ctx.worker('a');
      const id = ctx.shardId('renew');
      const shard = createShardStatus(id);
      await takeOrRenewLease(a.cp, shard, a.id);
      const token = shard.leaseToken;
      shard.checkpoint = SEQ_1;
      await a.cp.checkpointSequence(shard);
      for (let expected = 2; expected <= 4; expected += 1) {
        await takeOrRenewLease(a.cp, shard, a.id);
        assert.equal(shard.leaseCounter, expected, 'renewal increments the counter');
        assert.equal(shard.leaseToken, token, 'renewal keeps the token');
      }
      const stored = await peek(a.cp, id);
      assert.equal(stored.leaseCounter, 4);
      assert.equal(stored.leaseToken, token);
      assert.equal(stored.assignedTo, a.id);
      assert.equal(stored.checkpoint, SEQ_1);
    },
  ],
  [
    'renewal by a worker that lost the lease fails with LeaseLostError and changes nothing',
    async (ctx) => {
      const a = await ctx.worker('a');
      const b = await ctx.worker('b');
      const id = ctx.shardId('lost');
      const mine = createShardStatus(id);
      await takeOrRenewLease(a.cp, mine, a.id);
      const theirs = viewOf(await peek(b.cp, id));
      await takeOrRenewLease(b.cp, theirs, b.id);
      await expectKclError(takeOrRenewLease(a.cp, mine, a.id), 'LEASE_LOST', 'renewal after a take-over');
      const stored = await peek(b.cp, id);
      assert.equal(stored.assignedTo, b.id);
      assert.equal(stored.leaseCounter, theirs.leaseCounter, 'a failed renewal does not move the counter');
      assert.equal(stored.leaseToken, theirs.leaseToken);
      const finished = viewOf(theirs);
      finished.leaseToken = theirs.leaseToken;
      finished.checkpoint = SHARD_END;
      await b.cp.checkpointSequence(finished);
      await b.cp.removeLeaseOwner(id, tokenOf(theirs));
      await expectKclError(takeOrRenewLease(b.cp, theirs, b.id), 'LEASE_LOST', 'renewal after release');
      await b.cp.removeLeaseInfo(id);
      await expectKclError(takeOrRenewLease(a.cp, mine, a.id), 'LEASE_LOST', 'renewal of a deleted lease');
    },
  ],
  [
    'expiry: an observer on its own clock sees the lease live while the owner renews, expired after it stops, then takes it',
    async (ctx) => {
      const failover = ctx.failoverTimeMillis;
      const a = await ctx.worker('owner');
      const b = await ctx.worker('observer');
      const id = ctx.shardId('expiry');
      const mine = createShardStatus(id);
      await takeOrRenewLease(a.cp, mine, a.id);
      mine.checkpoint = SEQ_1;
      await a.cp.checkpointSequence(mine);
      const observer = new LeaseObserver({ failoverTimeMillis: failover });
      const look = async () => {
        const lease = await peek(b.cp, id);
        observer.observe([lease]);
        return lease;
      };

      let renewing = true;
      let renewError: unknown;
      let lastRenewStart = performance.now();
      const renewLoop = (async () => {
        while (renewing) {
          await sleep(failover / 5);
          if (!renewing) return;
          lastRenewStart = performance.now();
          await takeOrRenewLease(a.cp, mine, a.id);
        }
      })().catch((error: unknown) => {
        renewError = error;
      });
      try {
        const until = performance.now() + 3 * failover;
        while (performance.now() < until && renewError === undefined) {
          await look();
          if (observer.isExpired(id)) {
            // A stalled event loop (loaded CI machine) can delay the owner's renewal past the failover time; only a
            // lease that still looks expired one renewal interval later is a failure.
            await sleep(failover / 5 + failover / 10);
            await look();
            assert.equal(observer.isExpired(id), false, 'lease reported expired while its owner renews it');
          }
          await sleep(failover / 10);
        }
      } finally {
        renewing = false;
        await renewLoop;
      }
      if (renewError !== undefined) throw new assert.AssertionError({ message: `renewal failed: ${describeError(renewError)}` });
      assert.ok(mine.leaseCounter >= 4, `the owner renewed (counter ${mine.leaseCounter})`);

      const deadline = performance.now() + 5 * failover + 2000;
      let last = await look();
      while (!observer.isExpired(id)) {
        assert.ok(performance.now() < deadline, 'lease never expired after its owner stopped renewing');
        await sleep(failover / 10);
        last = await look();
      }
      const expiredAfter = performance.now() - lastRenewStart;
      assert.ok(expiredAfter > failover, `expired ${expiredAfter.toFixed(0)} ms after the last renewal (< ${failover})`);
      assert.equal(last.leaseCounter, mine.leaseCounter, 'the observed counter is the last renewal');

      const taken = viewOf(last);
      await takeOrRenewLease(b.cp, taken, b.id);
      assert.equal(taken.assignedTo, b.id);
      assert.equal(taken.leaseCounter, mine.leaseCounter + 1);
      assert.equal(taken.checkpoint, SEQ_1, 'the new owner resumes from the stored checkpoint');
      await expectKclError(takeOrRenewLease(a.cp, mine, a.id), 'LEASE_LOST', 'the old owner renewing after the take-over');
    },
  ],
  [
    'take-over of an expired lease at the observed counter: new owner, new token, counter + 1, state filled in',
    async (ctx) => {
      const a = await ctx.worker('a');
      const b = await ctx.worker('b');
      const id = ctx.shardId('takeover');
      const mine = createShardStatus(id);
      await takeOrRenewLease(a.cp, mine, a.id);
      await takeOrRenewLease(a.cp, mine, a.id);
      mine.checkpoint = SEQ_2;
      mine.subSequenceNumber = 2;
      await a.cp.checkpointSequence(mine);
      const observed = await peek(b.cp, id);
      assert.equal(observed.leaseCounter, 2);
      const theirs = viewOf(observed);
      theirs.checkpoint = undefined;
      theirs.subSequenceNumber = undefined;
      await takeOrRenewLease(b.cp, theirs, b.id);
      assert.equal(theirs.assignedTo, b.id);
      assert.equal(theirs.leaseCounter, 3);
      assert.ok(theirs.leaseToken !== undefined && theirs.leaseToken !== mine.leaseToken, 'a take sets a new token');
      assert.equal(theirs.checkpoint, SEQ_2, 'a take fills in the stored checkpoint');
      assert.equal(theirs.subSequenceNumber, 2, 'a take fills in the stored subSequenceNumber');
      const stored = await peek(a.cp, id);
      assert.equal(stored.assignedTo, b.id);
      assert.equal(stored.leaseToken, theirs.leaseToken);
      await expectKclError(takeOrRenewLease(a.cp, mine, a.id), 'LEASE_LOST', 'the old owner renewing');
    },
  ],
  [
    'a take with a stale counter (or at 0 of an existing lease) fails with LeaseNotAcquiredError',
    async (ctx) => {
      const a = await ctx.worker('a');
      const b = await ctx.worker('b');
      const id = ctx.shardId('stale');
      const mine = createShardStatus(id);
      await takeOrRenewLease(a.cp, mine, a.id);
      const observed = viewOf(await peek(b.cp, id));
      await takeOrRenewLease(a.cp, mine, a.id);
      await expectKclError(takeOrRenewLease(b.cp, observed, b.id), 'LEASE_NOT_ACQUIRED', 'take at a stale counter');
      await expectKclError(takeOrRenewLease(b.cp, createShardStatus(id), b.id), 'LEASE_NOT_ACQUIRED', 'take at counter 0 of an existing lease');
      const ahead = viewOf(observed);
      ahead.leaseCounter = 99;
      await expectKclError(takeOrRenewLease(b.cp, ahead, b.id), 'LEASE_NOT_ACQUIRED', 'take at a counter the lease never had');
      const stored = await peek(b.cp, id);
      assert.equal(stored.assignedTo, a.id, 'failed takes do not change the owner');
      assert.equal(stored.leaseCounter, 2, 'failed takes do not change the counter');
      assert.equal(stored.leaseToken, mine.leaseToken);
      await takeOrRenewLease(a.cp, mine, a.id);
    },
  ],
  [
    'exactly one of 20 concurrent contenders wins a new shard',
    async (ctx) => {
      const workers = await contenders(ctx, 20);
      const id = ctx.shardId('race-new');
      const shards = workers.map(() => createShardStatus(id));
      const results = await Promise.allSettled(workers.map((w, i) => takeOrRenewLease(w.cp, shards[i]!, w.id)));
      const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
      assert.equal(winners.length, 1, `expected exactly one winner, got ${winners.length}`);
      assertLosersNotAcquired(results);
      const winner = winners[0]!;
      const stored = await peek(workers[0]!.cp, id);
      assert.equal(stored.assignedTo, workers[winner]!.id);
      assert.equal(stored.leaseCounter, 1);
      assert.equal(stored.leaseToken, shards[winner]!.leaseToken);
    },
  ],
  [
    'exactly one of 20 concurrent contenders wins an expired shard',
    async (ctx) => {
      const owner = await ctx.worker('owner');
      const workers = await contenders(ctx, 20);
      const id = ctx.shardId('race-expired');
      const mine = createShardStatus(id);
      await takeOrRenewLease(owner.cp, mine, owner.id);
      await takeOrRenewLease(owner.cp, mine, owner.id);
      const observed = await peek(owner.cp, id);
      const shards = workers.map(() => viewOf(observed));
      const results = await Promise.allSettled(workers.map((w, i) => takeOrRenewLease(w.cp, shards[i]!, w.id)));
      const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
      assert.equal(winners.length, 1, `expected exactly one winner, got ${winners.length}`);
      assertLosersNotAcquired(results);
      const winner = winners[0]!;
      const stored = await peek(owner.cp, id);
      assert.equal(stored.assignedTo, workers[winner]!.id);
      assert.equal(stored.leaseCounter, 3);
      assert.equal(stored.leaseToken, shards[winner]!.leaseToken);
      await expectKclError(takeOrRenewLease(owner.cp, mine, owner.id), 'LEASE_LOST', 'the old owner renewing');
    },
  ],
  [
    'checkpoint by the owner is stored and fetched with its subSequenceNumber; the counter does not move',
    async (ctx) => {
      const a = await ctx.worker('a');
      const b = await ctx.worker('b');
      const id = ctx.shardId('checkpoint');
      const mine = createShardStatus(id);
      await takeOrRenewLease(a.cp, mine, a.id);
      mine.checkpoint = SEQ_1;
      mine.subSequenceNumber = 3;
      await a.cp.checkpointSequence(mine);
      const fetched = createShardStatus(id);
      await b.cp.fetchCheckpoint(fetched);
      assert.equal(fetched.checkpoint, SEQ_1);
      assert.equal(fetched.subSequenceNumber, 3);
      assert.equal(fetched.assignedTo, a.id);
      assert.equal(fetched.leaseCounter, 1, 'a checkpoint does not change the counter');
      assert.equal(fetched.leaseToken, mine.leaseToken);
      mine.checkpoint = SEQ_2;
      mine.subSequenceNumber = undefined;
      await a.cp.checkpointSequence(mine);
      await b.cp.fetchCheckpoint(fetched);
      assert.equal(fetched.checkpoint, SEQ_2);
      assert.equal(fetched.subSequenceNumber ?? 0, 0, 'a checkpoint of a whole record clears the old subSequenceNumber');
    },
  ],
  [
    "checkpoint by a non-owner or with a stale token fails with LeaseLostError; the new owner's checkpoint is unchanged",
    async (ctx) => {
      const a = await ctx.worker('a');
      const b = await ctx.worker('b');
      const c = await ctx.worker('c');
      const id = ctx.shardId('fenced');
      const first = createShardStatus(id);
      await takeOrRenewLease(a.cp, first, a.id);
      first.checkpoint = SEQ_1;
      await a.cp.checkpointSequence(first);
      const theirs = viewOf(await peek(b.cp, id));
      await takeOrRenewLease(b.cp, theirs, b.id);
      theirs.checkpoint = SEQ_2;
      await b.cp.checkpointSequence(theirs);

      first.checkpoint = SEQ_3;
      await expectKclError(a.cp.checkpointSequence(first), 'LEASE_LOST', 'checkpoint by the old owner');
      const forged = createShardStatus(id, { assignedTo: c.id, leaseToken: 'not-a-real-token', checkpoint: SEQ_3 });
      await expectKclError(c.cp.checkpointSequence(forged), 'LEASE_LOST', 'checkpoint by a worker that never owned it');
      const noToken = createShardStatus(id, { assignedTo: b.id, checkpoint: SEQ_3 });
      await expectKclError(c.cp.checkpointSequence(noToken), 'LEASE_LOST', "checkpoint with the owner's id but no token");
      assert.equal((await peek(b.cp, id)).checkpoint, SEQ_2);

      // a re-take by the old owner gives it a new tenure: its first tenure's token stays invalid
      const again = viewOf(await peek(a.cp, id));
      await takeOrRenewLease(a.cp, again, a.id);
      assert.notEqual(again.leaseToken, first.leaseToken);
      await expectKclError(a.cp.checkpointSequence(first), 'LEASE_LOST', 'checkpoint with the token of an earlier tenure');
      await expectKclError(b.cp.checkpointSequence(theirs), 'LEASE_LOST', 'checkpoint by the owner before the re-take');
      assert.equal((await peek(b.cp, id)).checkpoint, SEQ_2);
      again.checkpoint = SEQ_3;
      await a.cp.checkpointSequence(again);
      assert.equal((await peek(b.cp, id)).checkpoint, SEQ_3);
    },
  ],
  [
    'fetchCheckpoint: SequenceNotFoundError for an unknown shard, and for a lease without checkpoint (fields filled in)',
    async (ctx) => {
      const a = await ctx.worker('a');
      const unknown = createShardStatus(ctx.shardId('unknown'));
      await expectKclError(a.cp.fetchCheckpoint(unknown), 'SEQUENCE_NOT_FOUND', 'fetchCheckpoint of an unknown shard');
      const id = ctx.shardId('unchecked');
      const mine = createShardStatus(id);
      await takeOrRenewLease(a.cp, mine, a.id);
      const probe = createShardStatus(id);
      await expectKclError(a.cp.fetchCheckpoint(probe), 'SEQUENCE_NOT_FOUND', 'fetchCheckpoint of a lease without checkpoint');
      assert.equal(probe.assignedTo, a.id, 'owner filled in although there is no checkpoint');
      assert.equal(probe.leaseCounter, 1, 'counter filled in although there is no checkpoint');
    },
  ],
];
