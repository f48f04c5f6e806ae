/**
 * Loads the logs a chaos run left in its directory (worker logs, produced records, faults, final state, t0) back into
 * the checker's input, so a run can be checked again (`pnpm chaos --check <dir>`), e.g. after a checker change.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChaosRunData } from './invariants';
import type { AppliedFault, FinalLease, FinalShard, ProducedRecord, WorkerLine } from './log-lines';

const RETENTION_MILLIS = 24 * 3_600_000;

function jsonLines<T>(file: string): T[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

export function loadRunData(dir: string): ChaosRunData {
  const workerFiles = readdirSync(dir).filter((f) => /^w\d+\.jsonl$/.test(f));
  const lines = workerFiles.flatMap((f) => jsonLines<WorkerLine>(join(dir, f)));
  const final = JSON.parse(readFileSync(join(dir, 'final-state.json'), 'utf8')) as { finalShards: FinalShard[]; finalLeases: FinalLease[] };
  const faults = (JSON.parse(readFileSync(join(dir, 'faults.json'), 'utf8')) as { applied: AppliedFault[] }).applied;
  const startedAt = Number(readFileSync(join(dir, 't0'), 'utf8'));
  return {
    produced: jsonLines<ProducedRecord>(join(dir, 'produced.jsonl')),
    lines,
    faults,
    finalLeases: final.finalLeases,
    finalShards: final.finalShards,
    workerIds: [...new Set(lines.map((l) => l.w))].sort(),
    retentionMillis: RETENTION_MILLIS,
    startedAt,
    checkedAt: Math.max(startedAt, ...lines.map((l) => l.at)),
  };
}
