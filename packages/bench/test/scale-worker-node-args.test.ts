import { workerNodeArgs } from '../src/scale-worker-process';

describe('workerNodeArgs', () => {
  it('splits BENCH_SCALE_WORKER_NODE_ARGS on whitespace; none when unset or blank', () => {
    expect(workerNodeArgs({ BENCH_SCALE_WORKER_NODE_ARGS: ' --cpu-prof  --cpu-prof-dir=/tmp/p ' })).toEqual(['--cpu-prof', '--cpu-prof-dir=/tmp/p']);
    expect(workerNodeArgs({})).toEqual([]);
    expect(workerNodeArgs({ BENCH_SCALE_WORKER_NODE_ARGS: '  ' })).toEqual([]);
  });
});
