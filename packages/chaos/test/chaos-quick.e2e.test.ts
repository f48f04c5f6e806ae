/**
 * The quick chaos run end to end, once per lease store (what CI runs every time): 4 worker processes, 8 shards,
 * 8,000 records, every fault kind at least once (2 SIGKILLs, a SIGSTOP longer than the failover time, a split and a
 * merge, a Redis restart on Redis, a partition, resets and latency on the store's proxy, Kinesis throttling / expired
 * iterators / 5xx, a processor that throws now and then). Every invariant must hold. Fixed seeds keep the schedule
 * the same from run to run; CHAOS_SEED=<n> tries another one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUICK_DEFAULTS } from '../src/args';
import { checkInvariants } from '../src/invariants';
import { loadRunData } from '../src/load-run';
import { runChaos } from '../src/run-chaos';
import type { LeaseBackend } from '../src/schedule';

const SEEDS: Record<string, number> = { dynamodb: 3, redis: 2 };

describe.each(['dynamodb', 'redis'] as LeaseBackend[])('quick chaos run on %s', (backend) => {
  test('every fault kind is applied and every invariant holds', async () => {
    const reportDir = mkdtempSync(join(tmpdir(), `kcl-chaos-${backend}-`));
    const seed = process.env['CHAOS_SEED'] ? Number(process.env['CHAOS_SEED']) : SEEDS[backend]!;
    const report = await runChaos({ ...QUICK_DEFAULTS, backend, reportDir }, seed);
    const failures = report.invariants.filter((i) => !i.passed).map((i) => `${i.name}: ${i.violations.slice(0, 3).join(' | ')}`);
    const context = `seed ${seed}, logs in ${report.logDir}`;

    expect({ failures, context }).toEqual({ failures: [], context });
    expect(report.records).toMatchObject({ produced: QUICK_DEFAULTS.records, delivered: QUICK_DEFAULTS.records, lost: 0 });
    expect(report.records.aggregatedRecords).toBeGreaterThan(0);
    expect(report.records.processorFailures).toBeGreaterThan(0);
    expect(report.faults.skipped).toEqual([]);
    expect(report.faults.applied).toMatchObject({
      kill: 2,
      pause: 1,
      split: 1,
      merge: 1,
      'store-partition': 1,
      'store-reset': 1,
      'store-latency': 1,
      'kinesis-throttle': 1,
      'kinesis-expired-iterator': 1,
      'kinesis-5xx': 1,
      ...(backend === 'redis' ? { 'redis-restart': 1 } : {}),
    });
    expect(report.setup.shardsAtEnd).toEqual({ total: QUICK_DEFAULTS.shards + 3, closed: 3 });
    expect(report.drain.complete).toBe(true);
    expect(report.workers.unexpectedExits).toEqual([]);
    expect(report.workers.forcedStops).toBe(0);
    for (const invariant of report.invariants) expect(invariant.checked).toBeGreaterThan(0);
    // The logs left on disk give the same verdict when checked again (pnpm chaos --check <dir>).
    expect(checkInvariants(loadRunData(report.logDir)).map((i) => [i.name, i.passed, i.checked])).toEqual(
      report.invariants.map((i) => [i.name, i.passed, i.checked]),
    );
    rmSync(reportDir, { recursive: true, force: true });
  }, 180_000);
});
