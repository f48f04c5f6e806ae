import { Ledger } from '../src/ledger';

describe('demo ledger', () => {
  it('counts distinct records, duplicates, lost and out-of-order deliveries', () => {
    const ledger = new Ledger(10);
    ledger.produced = 5;
    ledger.deliver('s1', 't1', 0, 10);
    ledger.deliver('s1', 't1', 2, 5);
    ledger.deliver('s1', 't2', 2, 0); // a new tenure re-delivers after a move: duplicate, not out of order
    ledger.deliver('s2', 't3', 3, 0);
    ledger.deliver('s2', 't3', 1, 0); // out of order within one tenure
    expect(ledger.consumed).toBe(4);
    expect(ledger.deliveries).toBe(5);
    expect(ledger.lostCount()).toBe(1); // id 4
    expect(ledger.outOfOrder).toBe(1);
    expect(ledger.shard('s1').delivered).toBe(3);
    expect(ledger.shard('s1').millisBehindLatest).toBe(0);
  });

  it('counts a lease that moves between workers', () => {
    const ledger = new Ledger(1);
    ledger.leaseAcquired('s1', 'w1');
    ledger.leaseAcquired('s2', 'w2');
    expect(ledger.leaseMoves).toBe(0);
    ledger.leaseReleased('s1', 'w1');
    ledger.deliver('s1', 't', 0, 0);
    ledger.leaseAcquired('s1', 'w2');
    expect(ledger.leaseMoves).toBe(1);
    expect(ledger.shard('s1').owner).toBe('w2');
  });
});
