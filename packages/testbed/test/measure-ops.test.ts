import { setImmediate as tick } from 'node:timers/promises';
import { measureOps } from '../src/measure-ops';

describe('measureOps', () => {
  it('runs every op index once over the lanes and reports throughput and percentiles', async () => {
    const seen: number[] = [];
    const lanesUsed = new Set<number>();
    const result = await measureOps(50, 4, async (lane, i) => {
      lanesUsed.add(lane);
      seen.push(i);
      await tick();
    });
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect([...lanesUsed].sort()).toEqual([0, 1, 2, 3]);
    expect(result.opsPerSec).toBeGreaterThan(0);
    expect(result.p99Ms).toBeGreaterThanOrEqual(result.p50Ms);
  });
});
