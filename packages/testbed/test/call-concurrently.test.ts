import { setImmediate as tick } from 'node:timers/promises';
import { callConcurrently } from '../src/json-child';

describe('callConcurrently', () => {
  it('makes exactly `calls` calls, at most `concurrency` at a time, and sums what they returned', async () => {
    let inFlight = 0;
    let most = 0;
    let made = 0;
    const total = await callConcurrently(40, 4, async () => {
      made++;
      inFlight++;
      most = Math.max(most, inFlight);
      await tick();
      inFlight--;
      return 2;
    });
    expect({ total, made, most }).toEqual({ total: 80, made: 40, most: 4 });
  });

  it('makes no call for 0 calls and rejects with the first failure', async () => {
    await expect(callConcurrently(0, 4, () => Promise.reject(new Error('never called')))).resolves.toBe(0);
    await expect(callConcurrently(3, 2, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });
});
