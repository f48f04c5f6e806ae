import assert from 'node:assert/strict';
import { createShardStatus, type ShardStatus } from '../checkpoint/shard-status';
import { expectKclError, peek, tokenOf, viewOf, type ConformanceCase } from './conformance-harness';

const SEQ_1 = '49590338271490256608559692538361571095921575989136588898';

/** The lease fields a transition may change, for "nothing changed" checks. */
function leaseState(lease: ShardStatus) {
  return {
    assignedTo: lease.assignedTo,
    leaseCounter: lease.leaseCounter,
    leaseToken: lease.leaseToken,
    claimRequest: lease.claimRequest,
    checkpoint: lease.checkpoint,
  };
}

/** Cases about the two lease transitions of the SPI on their own: `takeLease` and `renewLease`. */
export const transitionCases: ReadonlyArray<readonly [string, ConformanceCase]> = [
  [
    'takeLease is decided by the observed counter alone: the owner re-taking its own lease gets a new tenure',
    async (ctx) => {
      const a = await ctx.worker('a');
      const id = ctx.shardId('retake');
      const first = createShardStatus(id);
      await a.cp.takeLease(first, a.id);
      const oldToken = tokenOf(first);
      // The caller's owner and token are set (as a renewal would pass them): takeLease still takes, at the counter.
      const again = { ...viewOf(first), assignedTo: a.id, leaseToken: oldToken };
      await a.cp.takeLease(again, a.id);
      assert.equal(again.leaseCounter, 2, 'the take increments the counter');
      assert.notEqual(tokenOf(again), oldToken, 'a take always sets a new token');
      await expectKclError(a.cp.renewLease(first, a.id), 'LEASE_LOST', 'renewal in the tenure the re-take ended');
      await a.cp.renewLease(again, a.id);
      assert.equal(again.leaseCounter, 3);
    },
  ],
  [
    'takeLease of another worker’s live lease at a stale counter fails and changes nothing; at the current counter it succeeds',
    async (ctx) => {
      const a = await ctx.worker('a');
      const b = await ctx.worker('b');
      const id = ctx.shardId('contested');
      const mine = createShardStatus(id);
      await a.cp.takeLease(mine, a.id);
      mine.checkpoint = SEQ_1;
      await a.cp.checkpointSequence(mine);
      const observed = viewOf(await peek(b.cp, id));
      await a.cp.renewLease(mine, a.id);
      const before = await peek(b.cp, id);
      await expectKclError(b.cp.takeLease({ ...observed }, b.id), 'LEASE_NOT_ACQUIRED', 'take at the counter before the renewal');
      assert.deepEqual(leaseState(await peek(b.cp, id)), leaseState(before), 'a refused take changes nothing');
      await b.cp.claimShard(viewOf(before), b.id);
      const current = viewOf(await peek(b.cp, id));
      await b.cp.takeLease(current, b.id);
      assert.equal(current.assignedTo, b.id);
      assert.equal(current.leaseCounter, before.leaseCounter + 1);
      assert.equal(current.claimRequest, undefined, 'a take clears the claim');
      assert.equal(current.checkpoint, SEQ_1, 'a take keeps the checkpoint');
      await expectKclError(a.cp.renewLease(mine, a.id), 'LEASE_LOST', 'the old owner renewing after the take');
    },
  ],
  [
    'renewLease is fenced by owner and token, keeps token, claim and checkpoint, and never creates a lease',
    async (ctx) => {
      const a = await ctx.worker('a');
      const b = await ctx.worker('b');
      const id = ctx.shardId('renew');
      const mine = createShardStatus(id);
      await a.cp.takeLease(mine, a.id);
      const token = tokenOf(mine);
      mine.checkpoint = SEQ_1;
      await a.cp.checkpointSequence(mine);
      await b.cp.claimShard(viewOf(await peek(b.cp, id)), b.id);
      const stale = { ...mine, leaseCounter: 0 }; // the counter the caller passes does not matter to a renewal
      await a.cp.renewLease(stale, a.id);
      assert.equal(stale.leaseCounter, 2, 'counter + 1, filled in from the store');
      assert.equal(stale.leaseToken, token, 'the token is kept');
      assert.equal(stale.claimRequest, b.id, 'the claim is kept (the owner sees it on renewal)');
      assert.equal(stale.checkpoint, SEQ_1, 'the checkpoint is kept');
      const before = await peek(b.cp, id);
      await expectKclError(a.cp.renewLease({ ...mine, leaseToken: `${token}-other` }, a.id), 'LEASE_LOST', 'renewal with another token');
      await expectKclError(b.cp.renewLease({ ...mine, assignedTo: b.id }, b.id), 'LEASE_LOST', 'renewal by another worker with the owner’s token');
      assert.deepEqual(leaseState(await peek(b.cp, id)), leaseState(before), 'refused renewals change nothing');
      await a.cp.removeLeaseOwner(id, token);
      await expectKclError(a.cp.renewLease(mine, a.id), 'LEASE_LOST', 'renewal of a released lease');
      const absent = createShardStatus(ctx.shardId('absent'), { assignedTo: a.id, leaseToken: token });
      await expectKclError(a.cp.renewLease(absent, a.id), 'LEASE_LOST', 'renewal of an absent lease');
      assert.equal((await peek(b.cp, absent.id)).exists, false, 'a renewal never creates a lease');
    },
  ],
  [
    'takeLease and renewLease reject bad arguments with InvalidArgumentError and write nothing',
    async (ctx) => {
      const a = await ctx.worker('a');
      const id = ctx.shardId('args');
      await expectKclError(a.cp.takeLease(createShardStatus(id), ''), 'INVALID_ARGUMENT', 'take for an empty worker id');
      await expectKclError(a.cp.takeLease(createShardStatus(id, { leaseCounter: -1 }), a.id), 'INVALID_ARGUMENT', 'take at a negative counter');
      await expectKclError(a.cp.takeLease(createShardStatus(id, { leaseCounter: 1.5 }), a.id), 'INVALID_ARGUMENT', 'take at a fractional counter');
      await expectKclError(a.cp.renewLease(createShardStatus(id, { assignedTo: a.id }), a.id), 'INVALID_ARGUMENT', 'renewal without a token');
      await expectKclError(
        a.cp.renewLease(createShardStatus(id, { assignedTo: a.id, leaseToken: '' }), a.id),
        'INVALID_ARGUMENT',
        'renewal with an empty token',
      );
      await expectKclError(a.cp.renewLease(createShardStatus(id, { leaseToken: 'token' }), ''), 'INVALID_ARGUMENT', 'renewal for an empty worker id');
      assert.equal((await peek(a.cp, id)).exists, false, 'nothing was written');
    },
  ],
];
