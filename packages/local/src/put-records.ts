/**
 * PutRecords with retry of the entries Kinesis rejected: the `kcl-local put` command and the producers of this
 * repository's tests, benchmarks, chaos run and demo put their entries through it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { PutRecordsCommand, type KinesisClient, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { LocalError, checkRange } from './errors';

/** Where one entry landed; `index` is its place in the entries given. */
export interface PutRecordResult {
  index: number;
  shardId: string;
  sequenceNumber: string;
}

export interface PutRecordsOptions {
  /** Aborts the call in flight or the pause between rounds (the promise rejects with the abort reason). */
  signal?: AbortSignal;
  /**
   * Rounds of calls before giving up on entries still rejected (`Infinity`: never give up).
   * @defaultValue 10
   */
  maxAttempts?: number;
  /**
   * Pause in ms after round `attempt` (from 1) before the entries it left rejected are put again.
   * @defaultValue 50 × attempt
   */
  retryDelayMs?: (attempt: number) => number;
  /**
   * A call that fails as a whole (the SDK throws) rejects all its entries (put again next round) instead of failing.
   * @defaultValue false
   */
  retryFailedCalls?: boolean;
  /**
   * Entries still rejected after the last round fail the put with a KINESIS_FAILED LocalError; false returns them in
   * `rejected`.
   * @defaultValue true
   */
  throwIfRejected?: boolean;
  /** Called after every call with the entries it got accepted (not called when none were). */
  onAccepted?: (accepted: PutRecordResult[]) => void;
}

export interface PutRecordsOutcome {
  /** One per accepted entry, in the order of the entries given. */
  results: PutRecordResult[];
  /** Indexes of the entries never accepted (only with `throwIfRejected: false`). */
  rejected: number[];
  /** PutRecords calls made. */
  calls: number;
  /** Entries put again after a rejection (counted once per round). */
  retried: number;
}

const MAX_ENTRIES = 500;
/** Kinesis takes 5 MiB per call (data and partition keys); this leaves room for the rest of the request. */
const MAX_CALL_BYTES = 4 * 1024 * 1024;

function entryBytes(entry: PutRecordsRequestEntry): number {
  return (entry.Data?.length ?? 0) + Buffer.byteLength(entry.PartitionKey ?? '') + Buffer.byteLength(entry.ExplicitHashKey ?? '');
}

/** Splits `indexes` into calls of at most 500 entries and 4 MiB (an entry alone is always a call). */
function calls(indexes: readonly number[], entries: readonly PutRecordsRequestEntry[]): number[][] {
  const out: number[][] = [];
  let call: number[] = [];
  let bytes = 0;
  for (const index of indexes) {
    const size = entryBytes(entries[index]!);
    if (call.length === MAX_ENTRIES || (call.length > 0 && bytes + size > MAX_CALL_BYTES)) {
      out.push(call);
      call = [];
      bytes = 0;
    }
    call.push(index);
    bytes += size;
  }
  if (call.length > 0) out.push(call);
  return out;
}

/**
 * `count` generated entries: entry `i` (from 0) has partition key `key-<i>` and data `{"n":<i>}` (JSON, UTF-8), so a
 * consumer can tell which records it got.
 */
export function generatedEntries(count: number): PutRecordsRequestEntry[] {
  checkRange('kinesis', 'records', count, 0, 10_000_000);
  return Array.from({ length: count }, (_, n) => ({ PartitionKey: `key-${n}`, Data: Buffer.from(JSON.stringify({ n })) }));
}

/**
 * Puts `entries` (or `generatedEntries(count)` for a number) with PutRecords (500 entries / 4 MiB per call, in order)
 * and puts the ones Kinesis rejected (throttled, internal failure) again, in rounds, until every entry was accepted
 * or `maxAttempts` rounds were made.
 * @throws LocalError KINESIS_FAILED when entries are still rejected after the last round (unless `throwIfRejected`
 * is false); a call that fails as a whole throws the SDK's error (unless `retryFailedCalls`)
 */
export async function putRecords(
  client: KinesisClient,
  streamName: string,
  entriesOrCount: readonly PutRecordsRequestEntry[] | number,
  options: PutRecordsOptions = {},
): Promise<PutRecordsOutcome> {
  const entries = typeof entriesOrCount === 'number' ? generatedEntries(entriesOrCount) : entriesOrCount;
  const { signal } = options;
  const maxAttempts = options.maxAttempts ?? 10;
  const results = new Array<PutRecordResult | undefined>(entries.length);
  const outcome: PutRecordsOutcome = { results: [], rejected: [], calls: 0, retried: 0 };
  let pending = entries.map((_, index) => index);
  for (let attempt = 1; pending.length > 0; attempt++) {
    const failed: number[] = [];
    for (const call of calls(pending, entries)) {
      outcome.calls++;
      let out;
      try {
        const command = new PutRecordsCommand({ StreamName: streamName, Records: call.map((index) => entries[index]!) });
        out = await client.send(command, signal ? { abortSignal: signal } : {});
      } catch (error) {
        if (!options.retryFailedCalls || signal?.aborted) throw error;
        failed.push(...call);
        continue;
      }
      const accepted: PutRecordResult[] = [];
      call.forEach((index, k) => {
        const result = out.Records?.[k];
        if (!result || result.ErrorCode !== undefined || !result.ShardId || !result.SequenceNumber) failed.push(index);
        else accepted.push((results[index] = { index, shardId: result.ShardId, sequenceNumber: result.SequenceNumber }));
      });
      if (accepted.length > 0) options.onAccepted?.(accepted);
    }
    if (failed.length > 0 && attempt >= maxAttempts) {
      if (options.throwIfRejected ?? true) {
        throw new LocalError('KINESIS_FAILED', 'kinesis', `PutRecords: ${failed.length} records still rejected after ${attempt} attempt(s)`);
      }
      outcome.rejected = failed.sort((a, b) => a - b);
      break;
    }
    if (failed.length > 0) {
      outcome.retried += failed.length;
      await sleep(options.retryDelayMs?.(attempt) ?? 50 * attempt, undefined, signal ? { signal } : undefined);
    }
    pending = failed;
  }
  outcome.results = results.filter((r): r is PutRecordResult => r !== undefined);
  return outcome;
}
