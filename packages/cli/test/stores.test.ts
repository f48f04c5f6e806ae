/**
 * `kcl leases`, `kcl reset` and `kcl release` against both lease stores: DynamoDB (dynalite) and Redis
 * (redis-server), both started by @kcl/testbed on loopback. Leases are set up with raw writes, as workers leave them;
 * a live owner is simulated by a loop that moves the lease counter (what a worker's renewals do).
 */
import { SHARD_END } from '@kcl/core';
import type { LeaseRow } from '../src/commands/lease-rows';
import { EXIT_CODES } from '../src/errors';
import { every, kcl, useLocalCredentials } from './helpers';
import { dynamoStore, redisStore, type RawStore } from './raw-stores';

useLocalCredentials();

const SEQ_A = '49590338271490256608559692538361571095921575989136588898';
const SEQ_B = '49590338271490256608559692540925702759324208523137515618';

describe.each([
  ['dynamodb', dynamoStore],
  ['redis', redisStore],
])('%s', (_name, open) => {
  let store: RawStore;
  let table: string;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(async () => {
    await store.stop();
  });
  beforeEach(async () => {
    table = await store.newTable();
  });
  const cli = (command: string, ...extra: string[]) => kcl([command, ...store.args(table, 'orders-stream'), ...extra]);

  test('leases: every lease with owner, checkpoint, counter, claim, parents and SHARD_END (table and --json)', async () => {
    await store.put(table, { shardId: 'shardId-000000000000', checkpoint: SHARD_END, counter: 9 });
    await store.put(table, {
      shardId: 'shardId-000000000001',
      owner: 'w-a',
      token: 't1',
      counter: 4,
      checkpoint: SEQ_A,
      subSequenceNumber: 3,
      parents: ['shardId-000000000000'],
    });
    await store.put(table, { shardId: 'shardId-000000000002', claim: 'w-b', counter: 2 });

    const json = await cli('leases', '--json');
    expect(json.code).toBe(EXIT_CODES.ok);
    const rows = JSON.parse(json.out) as LeaseRow[];
    expect(rows).toEqual([
      expect.objectContaining({ shardId: 'shardId-000000000000', owner: null, checkpoint: SHARD_END, shardEnd: true, leaseCounter: 9 }),
      expect.objectContaining({
        shardId: 'shardId-000000000001',
        owner: 'w-a',
        checkpoint: SEQ_A,
        subSequenceNumber: 3,
        leaseCounter: 4,
        parentShardIds: ['shardId-000000000000'],
        shardEnd: false,
        counterAgeMillis: null,
      }),
      expect.objectContaining({ shardId: 'shardId-000000000002', owner: null, checkpoint: null, claimRequest: 'w-b' }),
    ]);

    const text = await cli('leases');
    expect(text.code).toBe(0);
    const lines = text.out.split('\n');
    expect(lines[0]).toMatch(/^SHARD\s+OWNER\s+CHECKPOINT\s+COUNTER\s+COUNTER AGE\s+CLAIM\s+PARENTS\s+SHARD_END$/);
    expect(lines[2]).toContain(`${SEQ_A}/3`);
    expect(lines).toHaveLength(4);
  });

  test('leases --observe-ms: the age of each counter, and which ones moved', async () => {
    await store.put(table, { shardId: 'shardId-000000000001', owner: 'w-live', token: 't', counter: 1 });
    await store.put(table, { shardId: 'shardId-000000000002', owner: 'w-dead', token: 't', counter: 1 });
    const stop = every(60, () => store.bump(table, 'shardId-000000000001'));
    const run = await cli('leases', '--json', '--observe-ms', '600');
    await stop();
    const rows = JSON.parse(run.out) as LeaseRow[];
    expect(rows[0]).toMatchObject({ shardId: 'shardId-000000000001', counterChanged: true });
    expect(rows[1]).toMatchObject({ shardId: 'shardId-000000000002', counterChanged: false });
    expect(rows[1]!.counterAgeMillis).toBeGreaterThanOrEqual(600);
    expect(rows[0]!.counterAgeMillis).toBeLessThan(rows[1]!.counterAgeMillis!);
  });

  test('release refuses while a live worker renews the lease, and does it with --force', async () => {
    const shard = 'shardId-000000000001';
    await store.put(table, { shardId: shard, owner: 'w-live', token: 'tok', counter: 3, checkpoint: SEQ_A });
    const stop = every(50, () => store.bump(table, shard));
    const refused = await cli('release', '--shard', shard, '--failover-ms', '2000');
    expect(refused.code).toBe(EXIT_CODES.failed);
    expect(refused.err).toMatch(/Refusing: shard shardId-000000000001 is held by live worker w-live/);
    expect(refused.err).toContain('--force');
    expect((await store.get(table, shard))?.owner).toBe('w-live');

    const forced = await cli('release', '--shard', shard, '--failover-ms', '2000', '--force');
    await stop();
    expect(forced.code).toBe(EXIT_CODES.ok);
    expect(forced.out).toBe(`released ${shard} from w-live`);
    const after = await store.get(table, shard);
    expect(after).toMatchObject({ owner: undefined, token: undefined, checkpoint: SEQ_A });
    if (store.ownerSet) expect(await store.ownerSet(table, 'w-live')).toEqual([]);
  });

  test('release of a dead owner (counter still for --failover-ms) frees the lease, keeps the checkpoint', async () => {
    const shard = 'shardId-000000000003';
    await store.put(table, { shardId: shard, owner: 'w-dead', token: 'tok', counter: 7, checkpoint: SEQ_A, claim: 'w-b' });
    const run = await cli('release', '--shard', shard, '--failover-ms', '300', '--json');
    expect(run.code).toBe(EXIT_CODES.ok);
    expect(JSON.parse(run.out)).toEqual({ shardId: shard, releasedOwner: 'w-dead' });
    expect(await store.get(table, shard)).toMatchObject({ owner: undefined, token: undefined, counter: 8, checkpoint: SEQ_A });
    const again = await cli('release', '--shard', shard);
    expect(again).toMatchObject({ code: 0, out: `${shard} is not owned: nothing to release` });
  });

  test('reset moves the checkpoint (also backwards), frees the lease and increments the counter', async () => {
    const shard = 'shardId-000000000004';
    await store.put(table, { shardId: shard, owner: 'w-dead', token: 'tok', counter: 5, checkpoint: SEQ_B, subSequenceNumber: 2 });
    const back = await cli('reset', '--shard', shard, '--to', SEQ_A, '--failover-ms', '300');
    expect(back.code).toBe(EXIT_CODES.ok);
    expect(back.out).toBe(`reset ${shard}: checkpoint ${SEQ_B} -> ${SEQ_A}; lease released from w-dead`);
    expect(await store.get(table, shard)).toMatchObject({
      owner: undefined,
      token: undefined,
      counter: 6,
      checkpoint: SEQ_A,
      subSequenceNumber: undefined,
    });
    if (store.ownerSet) expect(await store.ownerSet(table, 'w-dead')).toEqual([]);

    for (const to of ['TRIM_HORIZON', 'LATEST']) {
      const run = await cli('reset', '--shard', shard, '--to', to, '--json');
      expect(run.code).toBe(0);
      expect(JSON.parse(run.out)).toMatchObject({ shardId: shard, checkpoint: to, releasedOwner: null });
      expect((await store.get(table, shard))?.checkpoint).toBe(to);
    }
  });

  test('reset refuses a live owner (unless --force), SHARD_END always, and a missing lease', async () => {
    const shard = 'shardId-000000000005';
    await store.put(table, { shardId: shard, owner: 'w-live', token: 'tok', counter: 1, checkpoint: SEQ_B });
    const stop = every(50, () => store.bump(table, shard));
    const refused = await cli('reset', '--shard', shard, '--to', 'TRIM_HORIZON', '--failover-ms', '2000');
    expect(refused.code).toBe(EXIT_CODES.failed);
    expect(refused.err).toContain('held by live worker w-live');
    expect((await store.get(table, shard))?.checkpoint).toBe(SEQ_B);
    const forced = await cli('reset', '--shard', shard, '--to', 'TRIM_HORIZON', '--failover-ms', '2000', '--force');
    await stop();
    expect(forced.code).toBe(EXIT_CODES.ok);
    expect(await store.get(table, shard)).toMatchObject({ checkpoint: 'TRIM_HORIZON', owner: undefined });

    await store.put(table, { shardId: 'shardId-000000000006', checkpoint: SHARD_END, counter: 3 });
    const ended = await cli('reset', '--shard', 'shardId-000000000006', '--to', 'LATEST');
    expect(ended.code).toBe(EXIT_CODES.failed);
    expect(ended.err).toContain('SHARD_END, which is final');
    expect((await store.get(table, 'shardId-000000000006'))?.checkpoint).toBe(SHARD_END);

    const missing = await cli('reset', '--shard', 'shardId-000000000099', '--to', 'LATEST');
    expect(missing.code).toBe(EXIT_CODES.failed);
    expect(missing.err).toContain('has no lease');
  });
});
