import { takeOrRenewLease } from '../src/checkpoint/lease-transitions';
import {
  ConfigError,
  InvalidArgumentError,
  LeaseLostError,
  LeaseNotAcquiredError,
  LeaseNotFinishedError,
  LeaseStoreError,
  LeaseStoreUnavailableError,
  NoLeaseOwnerError,
  SequenceNotFoundError,
  ShardClaimedError,
} from '../src/errors';
import { SHARD_END, createShardStatus } from '../src/checkpoint/shard-status';
import { KinesisClientLibConfig } from '../src/config/kcl-config';
import { InMemoryCheckpointer, InMemoryLeaseTable } from '../src/testing';

function setup() {
  const table = new InMemoryLeaseTable('test');
  const a = new InMemoryCheckpointer(table, { workerId: 'a' });
  const b = new InMemoryCheckpointer(table, { workerId: 'b' });
  return { table, a, b };
}

describe('InMemoryCheckpointer', () => {
  it('takes a new lease, renews it and shares state through the table', async () => {
    const { table, a, b } = setup();
    const shard = createShardStatus('s1', { parentShardIds: ['p1', 'p2'] });
    await takeOrRenewLease(a, shard, 'a');
    expect(shard).toMatchObject({ assignedTo: 'a', leaseCounter: 1, parentShardId: 'p1', parentShardIds: ['p1', 'p2'] });
    const token = shard.leaseToken;
    expect(token).toEqual(expect.any(String));
    expect(shard.leaseTimeout).toBeInstanceOf(Date);
    await takeOrRenewLease(a, shard, 'a');
    expect(shard.leaseCounter).toBe(2);
    expect(shard.leaseToken).toBe(token);
    expect(await b.getLeaseOwner('s1')).toBe('a');
    expect(table.get('s1')).toMatchObject({ assignedTo: 'a', leaseCounter: 2, leaseToken: token });
  });

  it('takes only at the observed counter and never at SHARD_END', async () => {
    const { a, b } = setup();
    const shard = createShardStatus('s1');
    await takeOrRenewLease(a, shard, 'a');
    const seen = createShardStatus('s1', { leaseCounter: 1, assignedTo: 'a' });
    await takeOrRenewLease(a, shard, 'a'); // counter 2
    await expect(takeOrRenewLease(b, seen, 'b')).rejects.toBeInstanceOf(LeaseNotAcquiredError);
    seen.leaseCounter = 2;
    await takeOrRenewLease(b, seen, 'b');
    expect(seen).toMatchObject({ assignedTo: 'b', leaseCounter: 3 });
    expect(seen.leaseToken).not.toBe(shard.leaseToken);
    await expect(takeOrRenewLease(a, shard, 'a')).rejects.toBeInstanceOf(LeaseLostError);
    shard.checkpoint = '1';
    await expect(a.checkpointSequence(shard)).rejects.toBeInstanceOf(LeaseLostError);
    seen.checkpoint = SHARD_END;
    await b.checkpointSequence(seen);
    await expect(takeOrRenewLease(a, createShardStatus('s1', { leaseCounter: 3 }), 'a')).rejects.toBeInstanceOf(LeaseNotAcquiredError);
  });

  it('rejects a take of a deleted lease at a non-zero counter', async () => {
    const { a } = setup();
    await expect(takeOrRenewLease(a, createShardStatus('gone', { leaseCounter: 4 }), 'a')).rejects.toBeInstanceOf(LeaseNotAcquiredError);
  });

  it('lets exactly one of many concurrent takers win', async () => {
    const table = new InMemoryLeaseTable();
    table.setLatency(2);
    const workers = Array.from({ length: 10 }, (_, i) => new InMemoryCheckpointer(table, { workerId: `w${i}` }));
    const results = await Promise.allSettled(workers.map((w, i) => takeOrRenewLease(w, createShardStatus('s'), `w${i}`)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(table.get('s')?.leaseCounter).toBe(1);
  });

  it('claims, releases and hands over', async () => {
    const { table, a, b } = setup();
    const shard = createShardStatus('s1');
    await takeOrRenewLease(a, shard, 'a');
    const view = table.get('s1');
    if (!view) throw new Error('missing');
    await b.claimShard(view, 'b');
    await expect(b.claimShard(view, 'c')).rejects.toBeInstanceOf(ShardClaimedError);
    await takeOrRenewLease(a, shard, 'a');
    expect(shard.claimRequest).toBe('b');
    const token = shard.leaseToken as string;
    await expect(b.removeLeaseOwner('s1', token)).rejects.toBeInstanceOf(LeaseLostError);
    await expect(a.removeLeaseOwner('s1', '')).rejects.toBeInstanceOf(InvalidArgumentError);
    await a.removeLeaseOwner('s1', token);
    await a.removeLeaseOwner('s1', token); // unowned: no-op
    expect(table.get('s1')).toMatchObject({ assignedTo: undefined, leaseToken: undefined, claimRequest: 'b', leaseCounter: 3 });
    await expect(b.getLeaseOwner('s1')).rejects.toBeInstanceOf(NoLeaseOwnerError);
    const next = table.get('s1');
    if (!next) throw new Error('missing');
    await takeOrRenewLease(b, next, 'b');
    expect(next).toMatchObject({ assignedTo: 'b', claimRequest: undefined, leaseCounter: 4 });
    await expect(a.claimShard(shard, 'a')).rejects.toBeInstanceOf(LeaseNotAcquiredError);
  });

  it('fetches checkpoints and lists active workers', async () => {
    const { a, b } = setup();
    await expect(a.fetchCheckpoint(createShardStatus('none'))).rejects.toBeInstanceOf(SequenceNotFoundError);
    const s1 = createShardStatus('s1');
    await takeOrRenewLease(a, s1, 'a');
    const probe = createShardStatus('s1');
    await expect(b.fetchCheckpoint(probe)).rejects.toBeInstanceOf(SequenceNotFoundError);
    expect(probe.assignedTo).toBe('a');
    s1.checkpoint = '123';
    s1.subSequenceNumber = 7;
    await a.checkpointSequence(s1);
    await b.fetchCheckpoint(probe);
    expect(probe).toMatchObject({ checkpoint: '123', subSequenceNumber: 7, leaseCounter: 1 });
    const s2 = createShardStatus('s2');
    await takeOrRenewLease(b, s2, 'b');
    const s3 = createShardStatus('s3');
    await takeOrRenewLease(b, s3, 'b');
    s3.checkpoint = SHARD_END;
    await b.checkpointSequence(s3);
    const known = new Map([['s2', createShardStatus('s2')]]);
    const active = await a.listActiveWorkers(known);
    expect([...active.keys()].sort()).toEqual(['a', 'b']);
    expect(active.get('b')?.map((s) => s.id)).toEqual(['s2']);
    expect(known.get('s2')?.assignedTo).toBe('b');
    expect((await a.listLeases()).map((s) => s.id).sort()).toEqual(['s1', 's2', 's3']);
    await expect(a.removeLeaseInfo('s1')).rejects.toBeInstanceOf(LeaseNotFinishedError);
    await b.removeLeaseInfo('s3');
    await b.removeLeaseInfo('s3');
    expect((await a.listLeases()).map((s) => s.id).sort()).toEqual(['s1', 's2']);
  });

  it('accepts a KinesisClientLibConfig and validates options', () => {
    const table = new InMemoryLeaseTable();
    const config = new KinesisClientLibConfig('app', 'stream', 'us-east-1', 'cfg-worker').withFailoverTimeMillis(500);
    expect(() => new InMemoryCheckpointer(table, config)).not.toThrow();
    expect(() => new InMemoryCheckpointer(table, { workerId: '' })).toThrow(ConfigError);
    expect(() => new InMemoryCheckpointer(table, { workerId: 'x', failoverTimeMillis: 0 })).toThrow(ConfigError);
  });

  it('rejects calls after close', async () => {
    const { a } = setup();
    await a.close();
    await a.close();
    await expect(a.listLeases()).rejects.toBeInstanceOf(LeaseStoreError);
  });
});

describe('InMemoryLeaseTable fault hooks', () => {
  it('failNext fails the next call(s) of one operation without writing', async () => {
    const { table, a } = setup();
    const boom = new LeaseStoreUnavailableError('boom');
    table.failNext('takeLease', boom, { times: 2 });
    await expect(a.listLeases()).resolves.toEqual([]);
    await expect(takeOrRenewLease(a, createShardStatus('s'), 'a')).rejects.toBe(boom);
    await expect(takeOrRenewLease(a, createShardStatus('s'), 'a')).rejects.toBe(boom);
    expect(table.size).toBe(0);
    await takeOrRenewLease(a, createShardStatus('s'), 'a');
    expect(table.callCount('takeLease')).toBe(3);
  });

  it('failNext afterWrite applies the write and then throws', async () => {
    const { table, a } = setup();
    table.failNext('*', new Error('lost reply'), { afterWrite: true });
    await expect(takeOrRenewLease(a, createShardStatus('s'), 'a')).rejects.toThrow('lost reply');
    expect(table.get('s')?.assignedTo).toBe('a');
  });

  it('unavailable rejects every call with a retryable error', async () => {
    const { table, a } = setup();
    table.unavailable = true;
    const err = await a.init().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LeaseStoreUnavailableError);
    expect((err as LeaseStoreUnavailableError).retryable).toBe(true);
    table.unavailable = false;
    await expect(a.init()).resolves.toBeUndefined();
  });

  it('setLatency delays calls; pause holds them until resume', async () => {
    const { table, a } = setup();
    table.setLatency(30);
    const started = performance.now();
    await a.init();
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    table.setLatency(0);
    table.pause();
    let done = false;
    const pending = takeOrRenewLease(a, createShardStatus('s'), 'a').then(() => {
      done = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    expect(table.size).toBe(0);
    table.resume();
    await pending;
    expect(done).toBe(true);
  });

  it('put and get seed and inspect copies', async () => {
    const { table, a } = setup();
    table.put(createShardStatus('old', { checkpoint: '9', leaseCounter: 0, assignedTo: 'gone' }));
    const seen = table.get('old');
    if (!seen) throw new Error('missing');
    seen.checkpoint = 'mutated';
    expect(table.get('old')?.checkpoint).toBe('9');
    await takeOrRenewLease(a, seen, 'a');
    expect(seen.checkpoint).toBe('9');
    table.reset();
    expect(table.size).toBe(0);
  });
});
