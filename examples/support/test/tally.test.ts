import { ConsumptionTally } from '../src/tally';

const record = (sequenceNumber: string, subSequenceNumber?: number) => ({ sequenceNumber, subSequenceNumber });

describe('ConsumptionTally', () => {
  it('counts distinct records and resolves done at the target, however often records are redelivered', async () => {
    const tally = new ConsumptionTally('orders', 3);
    let done = false;
    void tally.done.then(() => (done = true));
    tally.add([record('1'), record('2')]);
    tally.add([record('2'), record('1')]); // a retried batch
    await Promise.resolve();
    expect(done).toBe(false);
    expect(tally.distinct).toBe(2);
    tally.add([record('3')]);
    await tally.done;
    expect(tally.summary()).toBe('[orders] consumed 3 of 3 sample records (5 deliveries)');
  });

  it('tells de-aggregated KPL records apart by sub-sequence number', () => {
    const tally = new ConsumptionTally('kpl', 10);
    tally.add([record('7', 0), record('7', 1), record('7')]);
    expect(tally.distinct).toBe(2);
  });

  it('without a target only counts, and never resolves', async () => {
    const tally = new ConsumptionTally('aws', undefined);
    tally.add([record('1'), record('1')]);
    const settled = await Promise.race([tally.done.then(() => 'done'), new Promise((resolve) => setTimeout(() => resolve('pending'), 20))]);
    expect(settled).toBe('pending');
    expect(tally.summary()).toBe('[aws] consumed 2 records (2 deliveries)');
  });
});
