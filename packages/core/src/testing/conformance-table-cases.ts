import { takeOrRenewLease } from '../checkpoint/lease-transitions';
import assert from 'node:assert/strict';
import { SHARD_END, createShardStatus, type ShardStatus } from '../checkpoint/shard-status';
import { expectKclError, inBatches, peek, tokenOf, viewOf, type ConformanceCase } from './conformance-harness';

const SEQ_1 = '49590338271490256608559692538361571095921575989136588898';
const SEQ_2 = '49590338271490256608559692540925702759324208523137515618';

const sorted = (values: Iterable<string>): string[] => [...values].sort();

/** Cases about claims, release, shard end, parents, deletion, listing and tables. */
export const tableCases: ReadonlyArray<readonly [string, ConformanceCase]> = [
  [
    'init is idempotent, also concurrently on a new table, and keeps existing leases',
    async (ctx) => {
      const fresh = ctx.newTableName();
      const a = await ctx.worker('a', { tableName: fresh, init: false });
      const b = await ctx.worker('b', { tableName: fresh, init: false });
      await Promise.all([a.cp.init(), b.cp.init()]);
      await a.cp.init();
      const id = ctx.shardId('init');
      const mine = createShardStatus(id);
      await takeOrRenewLease(a.cp, mine, a.id);
      const c = await ctx.worker('c', { tableName: fresh });
      await c.cp.init();
      const stored = await peek(c.cp, id);
      assert.equal(stored.assignedTo, a.id, 'init of another checkpointer keeps existing leases');
      assert.equal(stored.leaseCounter, 1);
    },
  ],
  [
    'claimShard records a claim without changing owner or counter; a second claim fails with ShardClaimedError',
    async (ctx) => {
      const a = await ctx.worker('a');
      const b = await ctx.worker('b');
      const c = await ctx.worker('c');
      const id = ctx.shardId('claim');
      const mine = createShardStatus(id);
      await takeOrRenewLease(a.cp, mine, a.id);
      const seenByB = viewOf(await peek(b.cp, id));
      await b.cp.claimShard(seenByB, b.id);
      assert.equal(seenByB.claimRequest, b.id, 'claimShard updates the shard in place');
      const afterClaim = await peek(c.cp, id);
      assert.equal(afterClaim.claimRequest, b.id);
      assert.equal(afterClaim.assignedTo, a.id, 'a claim does not change the owner');
      assert.equal(afterClaim.leaseCounter, 1, 'a claim does not change the counter');
      const seenByC = viewOf(await peek(c.cp, id));
      seenByC.claimRequest = undefined;
      await expectKclError(c.cp.claimShard(seenByC, c.id), 'SHARD_CLAIMED', 'a second claim');
      assert.equal((await peek(c.cp, id)).claimRequest, b.id, 'the first claim stays');

      const other = ctx.shardId('claim-moved');
      const theirs = createShardStatus(other);
      await takeOrRenewLease(a.cp, theirs, a.id);
      const stale = viewOf(await peek(c.cp, other));
      await takeOrRenewLease(b.cp, viewOf(stale), b.id);
      await expectKclError(c.cp.claimShard(stale, c.id), 'LEASE_NOT_ACQUIRED', 'a claim naming an owner that changed');
      assert.equal((await peek(c.cp, other)).claimRequest, undefined);
    },
  ],
  [
    'the owner sees the claim on renewal, releases, and the claimer takes the lease (claim cleared, checkpoint kept)',
    async (ctx) => {
      const a = await ctx.worker('a');
      const b = await ctx.worker('b');
      const id = ctx.shardId('handoff');
      const mine = createShardStatus(id);
      await takeOrRenewLease(a.cp, mine, a.id);
      await b.cp.claimShard(viewOf(await peek(b.cp, id)), b.id);
      await takeOrRenewLease(a.cp, mine, a.id);
      assert.equal(mine.claimRequest, b.id, 'the owner sees the claim when it renews');
      assert.equal(mine.leaseCounter, 2);
      mine.checkpoint = SEQ_1;
      await a.cp.checkpointSequence(mine);
      await a.cp.removeLeaseOwner(id, tokenOf(mine));
      const released = await peek(b.cp, id);
      assert.equal(released.assignedTo, undefined, 'release removes the owner');
      assert.equal(released.leaseCounter, 3, 'release increments the counter');
      assert.equal(released.claimRequest, b.id, 'release keeps the claim');
      assert.equal(released.checkpoint, SEQ_1, 'release keeps the checkpoint');
      const taken = viewOf(released);
      await takeOrRenewLease(b.cp, taken, b.id);
      assert.equal(taken.assignedTo, b.id);
      assert.equal(taken.claimRequest, undefined, 'a take clears the claim');
      assert.equal(taken.checkpoint, SEQ_1);
      const stored = await peek(a.cp, id);
      assert.equal(stored.claimRequest, undefined);
      assert.equal(stored.leaseCounter, 4);
      await expectKclError(takeOrRenewLease(a.cp, mine, a.id), 'LEASE_LOST', 'the old owner renewing after hand-off');
    },
  ],
  [
    'removeLeaseOwner by a non-owner fails with LeaseLostError; on an unowned or absent lease it is a no-op',
    async (ctx) => {
      const a = await ctx.worker('a');
      const b = await ctx.worker('b');
      const id = ctx.shardId('release');
      const mine = createShardStatus(id);
      await takeOrRenewLease(a.cp, mine, a.id);
      await expectKclError(b.cp.removeLeaseOwner(id, tokenOf(mine)), 'LEASE_LOST', 'release by a non-owner');
      const untouched = await peek(a.cp, id);
      assert.equal(untouched.assignedTo, a.id);
      assert.equal(untouched.leaseCounter, 1);
      await a.cp.removeLeaseOwner(id, tokenOf(mine));
      await a.cp.removeLeaseOwner(id, tokenOf(mine));
      await b.cp.removeLeaseOwner(id, 'any-token');
      await b.cp.removeLeaseOwner(ctx.shardId('never-created'), 'any-token');
      const released = await peek(a.cp, id);
      assert.equal(released.assignedTo, undefined);
      assert.equal(released.leaseCounter, 2, 'releasing an unowned lease again does not move the counter');
      await expectKclError(takeOrRenewLease(a.cp, mine, a.id), 'LEASE_LOST', 'renewal after release');
    },
  ],
  [
    'a lease checkpointed at SHARD_END is never taken (by anyone) nor claimed, and is not an active lease',
    async (ctx) => {
      const a = await ctx.worker('a');
      const b = await ctx.worker('b');
      const id = ctx.shardId('ended');
      const mine = createShardStatus(id);
      await takeOrRenewLease(a.cp, mine, a.id);
      mine.checkpoint = SHARD_END;
      await a.cp.checkpointSequence(mine);
      const active = await b.cp.listActiveWorkers(new Map());
      assert.ok(!(active.get(a.id) ?? []).some((s) => s.id === id), 'listActiveWorkers skips SHARD_END leases');
      const seen = viewOf(await peek(b.cp, id));
      assert.equal(seen.checkpoint, SHARD_END);
      await expectKclError(takeOrRenewLease(b.cp, viewOf(seen), b.id), 'LEASE_NOT_ACQUIRED', 'take of a SHARD_END lease');
      await expectKclError(b.cp.claimShard(viewOf(seen), b.id), 'SHARD_CLAIMED', 'claim of a SHARD_END lease');
      await a.cp.removeLeaseOwner(id, tokenOf(mine));
      const released = viewOf(await peek(b.cp, id));
      await expectKclError(takeOrRenewLease(b.cp, viewOf(released), b.id), 'LEASE_NOT_ACQUIRED', 'take of a released SHARD_END lease');
      await expectKclError(takeOrRenewLease(a.cp, viewOf(released), a.id), 'LEASE_NOT_ACQUIRED', 'the old owner re-taking it');
      const stored = await peek(b.cp, id);
      assert.equal(stored.checkpoint, SHARD_END);
      assert.equal(stored.assignedTo, undefined);
      assert.equal(stored.claimRequest, undefined);
    },
  ],
  [
    'parent shard ids (both parents of a merge) round-trip through takeLease, fetchCheckpoint and listLeases',
    async (ctx) => {
      const a = await ctx.worker('a');
      const b = await ctx.worker('b');
      const [p1, p2] = [ctx.shardId('parent-1'), ctx.shardId('parent-2')];
      const merged = createShardStatus(ctx.shardId('merged'), { parentShardIds: [p1, p2] });
      const split = createShardStatus(ctx.shardId('split'), { parentShardId: p1 });
      const root = createShardStatus(ctx.shardId('root'));
      for (const shard of [merged, split, root]) await takeOrRenewLease(a.cp, shard, a.id);
      const check = (s: ShardStatus, parents: string[], where: string) => {
        assert.equal(s.parentShardId, parents[0], `${where}: parentShardId of ${s.id}`);
        assert.deepEqual(sorted(s.parentShardIds), sorted(parents), `${where}: parentShardIds of ${s.id}`);
      };
      check(merged, [p1, p2], 'takeLease');
      merged.checkpoint = SEQ_2;
      await a.cp.checkpointSequence(merged);
      await takeOrRenewLease(a.cp, merged, a.id);
      const fetched = createShardStatus(merged.id);
      await b.cp.fetchCheckpoint(fetched);
      check(fetched, [p1, p2], 'fetchCheckpoint');
      check(await peek(b.cp, split.id), [p1], 'fetchCheckpoint');
      check(await peek(b.cp, root.id), [], 'fetchCheckpoint');
      await a.cp.removeLeaseOwner(merged.id, tokenOf(merged));
      const listed = new Map((await b.cp.listLeases()).map((s) => [s.id, s]));
      check(listed.get(merged.id)!, [p1, p2], 'listLeases after release');
      check(listed.get(split.id)!, [p1], 'listLeases');
      check(listed.get(root.id)!, [], 'listLeases');
      const taken = viewOf(listed.get(merged.id)!);
      taken.parentShardIds = [];
      taken.parentShardId = undefined;
      await takeOrRenewLease(b.cp, taken, b.id);
      check(taken, [p1, p2], 'takeLease of an existing lease');
    },
  ],
  [
    'getLeaseOwner returns the owner; NoLeaseOwnerError when unowned or absent',
    async (ctx) => {
      const a = await ctx.worker('a');
      const b = await ctx.worker('b');
      const id = ctx.shardId('owner');
      await expectKclError(b.cp.getLeaseOwner(id), 'NO_LEASE_OWNER', 'owner of an absent lease');
      const owned = createShardStatus(id);
      await takeOrRenewLease(a.cp, owned, a.id);
      assert.equal(await b.cp.getLeaseOwner(id), a.id);
      assert.equal(await a.cp.getLeaseOwner(id), a.id);
      await a.cp.removeLeaseOwner(id, tokenOf(owned));
      await expectKclError(b.cp.getLeaseOwner(id), 'NO_LEASE_OWNER', 'owner of a released lease');
    },
  ],
  [
    'removeLeaseInfo deletes a lease at SHARD_END (idempotent); a later take starts a new lease at counter 0',
    async (ctx) => {
      const a = await ctx.worker('a');
      const b = await ctx.worker('b');
      const id = ctx.shardId('removed');
      const mine = createShardStatus(id);
      await takeOrRenewLease(a.cp, mine, a.id);
      mine.checkpoint = SEQ_1;
      await a.cp.checkpointSequence(mine);
      mine.checkpoint = SHARD_END;
      await a.cp.checkpointSequence(mine);
      const before = viewOf(await peek(b.cp, id));
      await b.cp.removeLeaseInfo(id);
      await b.cp.removeLeaseInfo(id);
      await b.cp.removeLeaseInfo(ctx.shardId('never-created'));
      assert.equal((await peek(b.cp, id)).exists, false, 'the lease is gone');
      await expectKclError(b.cp.fetchCheckpoint(createShardStatus(id)), 'SEQUENCE_NOT_FOUND', 'fetch after removal');
      await expectKclError(b.cp.getLeaseOwner(id), 'NO_LEASE_OWNER', 'owner after removal');
      assert.ok(!(await b.cp.listLeases()).some((s) => s.id === id), 'listLeases after removal');
      await expectKclError(a.cp.checkpointSequence(mine), 'LEASE_LOST', 'checkpoint of a removed lease');
      await expectKclError(takeOrRenewLease(b.cp, before, b.id), 'LEASE_NOT_ACQUIRED', 'take of a removed lease at its old counter');
      const fresh = createShardStatus(id);
      await takeOrRenewLease(b.cp, fresh, b.id);
      assert.equal(fresh.leaseCounter, 1);
      assert.equal(fresh.checkpoint, undefined, 'a re-created lease has no checkpoint');
      await expectKclError(a.cp.checkpointSequence(mine), 'LEASE_LOST', 'checkpoint with the removed lease token');
      // a cleanup that read the finished lease before it was removed and re-created must not delete the new one
      await expectKclError(a.cp.removeLeaseInfo(id), 'LEASE_NOT_FINISHED', 'removal of the re-created, unfinished lease');
      const kept = await peek(a.cp, id);
      assert.equal(kept.assignedTo, b.id, 'a refused removal keeps the lease');
      assert.equal(kept.leaseToken, fresh.leaseToken);
    },
  ],
  [
    'listLeases and listActiveWorkers read every page (160 leases, owned, released and finished)',
    async (ctx) => {
      const workers = await Promise.all(['w0', 'w1', 'w2', 'w3'].map((label) => ctx.worker(label)));
      const reader = await ctx.worker('reader');
      const ids = Array.from({ length: 160 }, (_, i) => ctx.shardId(`many-${String(i).padStart(3, '0')}`));
      const owner = (i: number) => workers[i % workers.length]!;
      const leases = new Map<string, ShardStatus>();
      await inBatches(ids, 16, async (id) => {
        const shard = createShardStatus(id);
        await takeOrRenewLease(owner(ids.indexOf(id)).cp, shard, owner(ids.indexOf(id)).id);
        leases.set(id, shard);
      });
      const releasedIdx = ids.map((_, i) => i).filter((i) => i % 16 === 1);
      const finishedIdx = ids.map((_, i) => i).filter((i) => i % 16 === 2);
      await inBatches([...releasedIdx, ...finishedIdx], 16, async (i) => {
        const id = ids[i]!;
        const shard = leases.get(id)!;
        if (releasedIdx.includes(i)) return owner(i).cp.removeLeaseOwner(id, tokenOf(shard));
        shard.checkpoint = SHARD_END;
        return owner(i).cp.checkpointSequence(shard);
      });

      const prefix = ctx.shardId('many-');
      const listed = (await reader.cp.listLeases()).filter((s) => s.id.startsWith(prefix));
      assert.equal(listed.length, ids.length, `listLeases returned ${listed.length} of ${ids.length} leases`);
      assert.deepEqual(sorted(listed.map((s) => s.id)), sorted(ids), 'listLeases returns each lease once');
      for (const s of listed) {
        const i = ids.indexOf(s.id);
        assert.equal(s.assignedTo, releasedIdx.includes(i) ? undefined : owner(i).id, `owner of ${s.id}`);
        assert.equal(s.leaseCounter, releasedIdx.includes(i) ? 2 : 1, `counter of ${s.id}`);
      }

      const known = new Map<string, ShardStatus>([
        [ids[0]!, createShardStatus(ids[0]!)],
        [ids[1]!, createShardStatus(ids[1]!, { assignedTo: 'stale-owner', leaseCounter: 1 })],
        [ctx.shardId('not-stored'), createShardStatus(ctx.shardId('not-stored'), { assignedTo: 'someone', leaseCounter: 5 })],
      ]);
      const active = await reader.cp.listActiveWorkers(known);
      workers.forEach((w, k) => {
        const expected = ids.filter((_, i) => i % workers.length === k && !releasedIdx.includes(i) && !finishedIdx.includes(i));
        const got = (active.get(w.id) ?? []).map((s) => s.id);
        assert.deepEqual(sorted(got), sorted(expected), `active leases of ${w.id}`);
        for (const s of active.get(w.id) ?? []) assert.equal(s.assignedTo, w.id);
      });
      assert.equal(active.has(reader.id), false, 'a worker without leases is not listed');
      assert.equal(active.has('stale-owner'), false, 'grouping uses the stored owner');
      assert.equal(known.get(ids[0]!)!.assignedTo, owner(0).id, 'known entries are updated with the stored state');
      assert.equal(known.get(ids[0]!)!.leaseCounter, 1);
      assert.equal(known.get(ids[1]!)!.assignedTo, undefined, 'known entries are updated (released lease)');
      assert.equal(known.get(ids[1]!)!.leaseCounter, 2);
      assert.equal(known.get(ctx.shardId('not-stored'))!.assignedTo, 'someone', 'entries not stored are left alone');
    },
  ],
  [
    'two tables (two applications) are isolated',
    async (ctx) => {
      const other = ctx.newTableName();
      const a1 = await ctx.worker('a');
      const a2 = await ctx.worker('a', { tableName: other });
      const id = ctx.shardId('same-id');
      const only2 = ctx.shardId('only-in-2');
      const in1 = createShardStatus(id);
      const in2 = createShardStatus(id);
      await takeOrRenewLease(a1.cp, in1, a1.id);
      await takeOrRenewLease(a2.cp, in2, a2.id);
      assert.equal(in2.leaseCounter, 1, 'the same shard id is a new lease in the other table');
      const only2Lease = createShardStatus(only2);
      await takeOrRenewLease(a2.cp, only2Lease, a2.id);
      in1.checkpoint = SEQ_1;
      in2.checkpoint = SEQ_2;
      await a1.cp.checkpointSequence(in1);
      await a2.cp.checkpointSequence(in2);
      assert.equal((await peek(a1.cp, id)).checkpoint, SEQ_1);
      assert.equal((await peek(a2.cp, id)).checkpoint, SEQ_2);
      await expectKclError(a1.cp.checkpointSequence(in2), 'LEASE_LOST', "checkpoint with the other table's token");
      assert.deepEqual(sorted((await a2.cp.listLeases()).map((s) => s.id)), sorted([id, only2]), 'listLeases of the new table');
      assert.equal((await peek(a1.cp, only2)).exists, false);
      in2.checkpoint = SHARD_END;
      await a2.cp.checkpointSequence(in2);
      await a2.cp.removeLeaseInfo(id);
      assert.equal((await peek(a1.cp, id)).checkpoint, SEQ_1, 'removal in one table leaves the other');
      await a2.cp.removeLeaseOwner(only2, tokenOf(only2Lease));
      await takeOrRenewLease(a1.cp, in1, a1.id);
    },
  ],
];
