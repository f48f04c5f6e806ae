import { takeOrRenewLease } from '../checkpoint/lease-transitions';
import assert from 'node:assert/strict';
import { SHARD_END, createShardStatus, type ShardStatus } from '../checkpoint/shard-status';
import { expectKclError, peek, tokenOf, viewOf, type ConformanceCase } from './conformance-harness';

/** A 56-digit sequence number (today's length) and the one right after it. */
const SEQ_56 = '49590338271490256608559692538361571095921575989136588898';
const SEQ_56_NEXT = '49590338271490256608559692538361571095921575989136588899';
/**
 * Two 129-digit sequence numbers (the longest Kinesis allows) that differ only in the last digit: equal to 38
 * significant digits (DynamoDB's Number precision) and as doubles, so only an exact comparison orders them.
 */
const SEQ_129_LOW = `9${'0'.repeat(127)}1`;
const SEQ_129_HIGH = `9${'0'.repeat(127)}2`;

/** Checkpoints `checkpoint` through the owner's copy of the lease (a fresh copy, as the worker sends it). */
async function write(
  cp: { checkpointSequence(shard: ShardStatus): Promise<void> },
  lease: ShardStatus,
  checkpoint: string,
  subSequenceNumber?: number,
): Promise<void> {
  const copy: ShardStatus = { ...lease, parentShardIds: [...lease.parentShardIds], checkpoint, subSequenceNumber };
  await cp.checkpointSequence(copy);
}

async function storedPosition(cp: Parameters<typeof peek>[0], id: string) {
  const stored = await peek(cp, id);
  return { checkpoint: stored.checkpoint, sub: stored.subSequenceNumber ?? undefined };
}

/** Cases about release fencing by token, checkpoint order, SHARD_END being final and conditional deletion. */
export const orderCases: ReadonlyArray<readonly [string, ConformanceCase]> = [
  [
    'removeLeaseOwner is fenced by the token: the same worker id with the token of an earlier tenure is refused and the lease is unchanged',
    async (ctx) => {
      const old = await ctx.worker('same');
      const restarted = await ctx.worker('same'); // a second instance with the SAME worker id (restart, resumed process)
      assert.equal(old.id, restarted.id);
      const id = ctx.shardId('stale-release');
      const first = createShardStatus(id);
      await takeOrRenewLease(old.cp, first, old.id);
      // the restarted instance takes the (expired) lease at the observed counter: same owner, a new tenure
      const second = viewOf(await peek(restarted.cp, id));
      await takeOrRenewLease(restarted.cp, second, restarted.id);
      assert.equal(second.assignedTo, old.id);
      assert.notEqual(second.leaseToken, first.leaseToken, 'a take sets a new token, also for the same worker id');
      const before = await peek(restarted.cp, id);

      await expectKclError(old.cp.removeLeaseOwner(id, tokenOf(first)), 'LEASE_LOST', 'release with the token of an earlier tenure');
      await expectKclError(old.cp.removeLeaseOwner(id, 'not-a-real-token'), 'LEASE_LOST', 'release with a token the lease never had');
      const after = await peek(restarted.cp, id);
      assert.equal(after.assignedTo, restarted.id, 'a refused release keeps the owner');
      assert.equal(after.leaseToken, before.leaseToken, 'a refused release keeps the token');
      assert.equal(after.leaseCounter, before.leaseCounter, 'a refused release does not move the counter');
      await takeOrRenewLease(restarted.cp, second, restarted.id); // the live owner still renews

      await restarted.cp.removeLeaseOwner(id, tokenOf(second));
      const released = await peek(old.cp, id);
      assert.equal(released.assignedTo, undefined, 'the release with the live token works');
      assert.equal(released.leaseCounter, before.leaseCounter + 2);
    },
  ],
  [
    'a checkpoint never moves backwards (exact comparison of sequence numbers of any length, then sub-sequence); the same checkpoint again is a no-op success',
    async (ctx) => {
      const a = await ctx.worker('a');
      const b = await ctx.worker('b');
      const id = ctx.shardId('order');
      const mine = createShardStatus(id);
      await takeOrRenewLease(a.cp, mine, a.id);
      const refused = async (checkpoint: string, sub: number | undefined, what: string, expected: { checkpoint: string; sub?: number }) => {
        await expectKclError(write(a.cp, mine, checkpoint, sub), 'CHECKPOINT_OUT_OF_ORDER', what);
        assert.deepEqual(
          await storedPosition(b.cp, id),
          { checkpoint: expected.checkpoint, sub: expected.sub },
          `${what}: stored checkpoint unchanged`,
        );
      };

      await write(a.cp, mine, '200');
      await refused('5', undefined, '5 after 200 (shorter number)', { checkpoint: '200' });
      await refused('199', undefined, '199 after 200', { checkpoint: '200' });
      await write(a.cp, mine, '200'); // the stored checkpoint again: idempotent
      await write(a.cp, mine, SEQ_56);
      await refused('999999999999999999999999999999', undefined, 'a 30-digit number after a 56-digit one', { checkpoint: SEQ_56 });

      await write(a.cp, mine, SEQ_56_NEXT, 3);
      await refused(SEQ_56_NEXT, 2, 'a lower sub-sequence number of the same record', { checkpoint: SEQ_56_NEXT, sub: 3 });
      await refused(SEQ_56, 7, 'an earlier record with a higher sub-sequence number', { checkpoint: SEQ_56_NEXT, sub: 3 });
      await write(a.cp, mine, SEQ_56_NEXT, 3); // again: no-op
      await write(a.cp, mine, SEQ_56_NEXT); // the whole record is after every user record in it
      await refused(SEQ_56_NEXT, 9, 'a user record inside a record checkpointed as a whole', { checkpoint: SEQ_56_NEXT });
      await write(a.cp, mine, SEQ_56_NEXT); // again: no-op

      await write(a.cp, mine, SEQ_129_HIGH);
      await refused(SEQ_129_LOW, undefined, '129-digit numbers that differ in the last digit only', { checkpoint: SEQ_129_HIGH });
      await refused(SEQ_129_HIGH, 0, 'a user record inside a 129-digit record checkpointed as a whole', { checkpoint: SEQ_129_HIGH });
    },
  ],
  [
    'a backwards checkpoint by a worker that does not hold the lease fails with LeaseLostError, not an order error',
    async (ctx) => {
      const a = await ctx.worker('a');
      const b = await ctx.worker('b');
      const id = ctx.shardId('order-lost');
      const first = createShardStatus(id);
      await takeOrRenewLease(a.cp, first, a.id);
      await write(a.cp, first, SEQ_56_NEXT);
      const theirs = viewOf(await peek(b.cp, id));
      await takeOrRenewLease(b.cp, theirs, b.id);
      await expectKclError(write(a.cp, first, SEQ_56), 'LEASE_LOST', 'a backwards checkpoint with a stale tenure');
      assert.equal((await peek(b.cp, id)).checkpoint, SEQ_56_NEXT);
    },
  ],
  [
    'SHARD_END is final: the owner may write it over a sequence number, but afterwards no sequence number (CheckpointOrderError); SHARD_END again succeeds',
    async (ctx) => {
      const a = await ctx.worker('a');
      const b = await ctx.worker('b');
      const id = ctx.shardId('final');
      const mine = createShardStatus(id);
      await takeOrRenewLease(a.cp, mine, a.id);
      await write(a.cp, mine, SEQ_129_HIGH, 4);
      await write(a.cp, mine, SHARD_END);
      await expectKclError(write(a.cp, mine, SEQ_56), 'CHECKPOINT_OUT_OF_ORDER', 'a smaller sequence number after SHARD_END');
      await expectKclError(
        write(a.cp, mine, `${SEQ_129_HIGH.slice(0, 128)}9`),
        'CHECKPOINT_OUT_OF_ORDER',
        'a larger sequence number after SHARD_END',
      );
      await expectKclError(write(a.cp, mine, '1'), 'CHECKPOINT_OUT_OF_ORDER', 'a short sequence number after SHARD_END');
      await write(a.cp, mine, SHARD_END); // again: no-op
      const stored = await peek(b.cp, id);
      assert.equal(stored.checkpoint, SHARD_END, 'the checkpoint stays SHARD_END');
      assert.equal(stored.subSequenceNumber ?? undefined, undefined, 'SHARD_END has no sub-sequence number');
      // the finished shard stays unleasable, also after its owner let go
      await a.cp.removeLeaseOwner(id, tokenOf(mine));
      await expectKclError(takeOrRenewLease(b.cp, viewOf(await peek(b.cp, id)), b.id), 'LEASE_NOT_ACQUIRED', 'take of a finished shard');
      assert.equal((await peek(b.cp, id)).checkpoint, SHARD_END);
    },
  ],
  [
    'checkpointSequence rejects a checkpoint that is neither a sequence number nor SHARD_END with InvalidArgumentError',
    async (ctx) => {
      const a = await ctx.worker('a');
      const id = ctx.shardId('invalid');
      const mine = createShardStatus(id);
      await takeOrRenewLease(a.cp, mine, a.id);
      await write(a.cp, mine, '100');
      for (const bad of ['', 'TRIM_HORIZON', '0100', '-5', '12.5', '1'.repeat(130)]) {
        await expectKclError(write(a.cp, mine, bad), 'INVALID_ARGUMENT', `checkpoint ${JSON.stringify(bad.slice(0, 12))}`);
      }
      await expectKclError(write(a.cp, mine, '101', -1), 'INVALID_ARGUMENT', 'a negative sub-sequence number');
      assert.equal((await peek(a.cp, id)).checkpoint, '100');
    },
  ],
  [
    'removeLeaseInfo deletes only a lease at SHARD_END: LeaseNotFinishedError (lease unchanged) without a checkpoint or at a sequence number',
    async (ctx) => {
      const a = await ctx.worker('a');
      const b = await ctx.worker('b');
      const id = ctx.shardId('delete-unfinished');
      const mine = createShardStatus(id);
      await takeOrRenewLease(a.cp, mine, a.id);
      await expectKclError(b.cp.removeLeaseInfo(id), 'LEASE_NOT_FINISHED', 'removal of a lease without checkpoint');
      await write(a.cp, mine, SEQ_56);
      await expectKclError(b.cp.removeLeaseInfo(id), 'LEASE_NOT_FINISHED', 'removal of a lease at a sequence number');
      const kept = await peek(b.cp, id);
      assert.ok(kept.exists, 'the lease is kept');
      assert.equal(kept.assignedTo, a.id);
      assert.equal(kept.leaseCounter, 1);
      assert.equal(kept.checkpoint, SEQ_56);
      assert.ok(
        (await b.cp.listLeases()).some((s) => s.id === id),
        'listLeases still has it',
      );
      await takeOrRenewLease(a.cp, mine, a.id); // still held and renewed
      await write(a.cp, mine, SHARD_END);
      await b.cp.removeLeaseInfo(id);
      assert.equal((await peek(b.cp, id)).exists, false, 'a lease at SHARD_END is removed');
    },
  ],
];
