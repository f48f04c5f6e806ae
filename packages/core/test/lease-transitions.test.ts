import { createShardStatus, type ShardStatus } from '../src/checkpoint/shard-status';
import { isLeaseRenewal, takeOrRenewLease } from '../src/checkpoint/lease-transitions';

/** Records which transition `takeOrRenewLease` chose. */
function recorder() {
  const calls: Array<[string, string, string]> = [];
  return {
    calls,
    takeLease: async (shard: ShardStatus, worker: string) => void calls.push(['take', shard.id, worker]),
    renewLease: async (shard: ShardStatus, worker: string) => void calls.push(['renew', shard.id, worker]),
  };
}

describe('takeOrRenewLease (go-kcl getLease over the two SPI transitions)', () => {
  it('renews a lease the caller holds (its own id and a token), takes anything else', async () => {
    const store = recorder();
    await takeOrRenewLease(store, createShardStatus('held', { assignedTo: 'w', leaseToken: 't' }), 'w');
    await takeOrRenewLease(store, createShardStatus('new'), 'w');
    await takeOrRenewLease(store, createShardStatus('no-token', { assignedTo: 'w' }), 'w');
    await takeOrRenewLease(store, createShardStatus('other', { assignedTo: 'x', leaseToken: 't' }), 'w');
    expect(store.calls).toEqual([
      ['renew', 'held', 'w'],
      ['take', 'new', 'w'],
      ['take', 'no-token', 'w'],
      ['take', 'other', 'w'],
    ]);
  });

  it('isLeaseRenewal needs both the same owner and a token', () => {
    expect(isLeaseRenewal({ assignedTo: 'w', leaseToken: 't' }, 'w')).toBe(true);
    expect(isLeaseRenewal({ assignedTo: 'w', leaseToken: undefined }, 'w')).toBe(false);
    expect(isLeaseRenewal({ assignedTo: 'x', leaseToken: 't' }, 'w')).toBe(false);
    expect(isLeaseRenewal({ assignedTo: undefined, leaseToken: undefined }, 'w')).toBe(false);
  });
});
