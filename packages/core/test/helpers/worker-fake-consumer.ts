/**
 * A fake shard consumer for lease-engine tests: no Kinesis reads. Each shard is an endless (or finite) sequence of
 * numbered records 1, 2, 3...; the consumer resumes after the stored checkpoint, delivers one record per tick,
 * checks the lease before every delivery exactly as the real consumer does, and records every delivery in a shared
 * ledger so tests can assert exclusivity and at-least-once delivery across workers.
 */
import { SHARD_END } from '../../src/checkpoint/shard-status';
import { ShutdownReason } from '../../src/processor/shutdown-reason';
import type { RecordProcessorCheckpointer } from '../../src/processor/record-processor';
import type { ChildShardInfo } from '../../src/shards/shard-registry';
import type { ShardConsumer, ShardConsumerDeps, ShardConsumerFactory, ShardConsumerResult } from '../../src/consumers/shard-consumer';

export interface Delivery {
  shardId: string;
  workerId: string;
  seq: number;
  /** performance.now() when processRecords started / ended. */
  start: number;
  end: number;
}

export interface ConsumerRunRecord {
  shardId: string;
  workerId: string;
  startedAt: number;
  endedAt?: number;
  reason?: ShutdownReason;
}

/** Everything the fake consumers of all workers did. */
export class DeliveryLedger {
  readonly deliveries: Delivery[] = [];
  readonly runs: ConsumerRunRecord[] = [];

  forShard(shardId: string): Delivery[] {
    return this.deliveries.filter((d) => d.shardId === shardId);
  }

  byWorker(workerId: string): Delivery[] {
    return this.deliveries.filter((d) => d.workerId === workerId);
  }

  /** Pairs of deliveries of one shard by two different workers whose [start, end] intervals overlap. */
  overlaps(): Array<[Delivery, Delivery]> {
    const found: Array<[Delivery, Delivery]> = [];
    const shards = new Set(this.deliveries.map((d) => d.shardId));
    for (const shardId of shards) {
      const list = this.forShard(shardId).sort((a, b) => a.start - b.start);
      for (let i = 0; i < list.length; i++) {
        for (let j = i + 1; j < list.length; j++) {
          const a = list[i]!;
          const b = list[j]!;
          if (b.start > a.end) break;
          if (a.workerId !== b.workerId) found.push([a, b]);
        }
      }
    }
    return found;
  }

  /** Runs of one shard by different workers that were alive at the same time. */
  overlappingRuns(): Array<[ConsumerRunRecord, ConsumerRunRecord]> {
    const found: Array<[ConsumerRunRecord, ConsumerRunRecord]> = [];
    for (let i = 0; i < this.runs.length; i++) {
      for (let j = i + 1; j < this.runs.length; j++) {
        const a = this.runs[i]!;
        const b = this.runs[j]!;
        if (a.shardId !== b.shardId || a.workerId === b.workerId) continue;
        const aEnd = a.endedAt ?? Infinity;
        const bEnd = b.endedAt ?? Infinity;
        if (a.startedAt < bEnd && b.startedAt < aEnd) found.push([a, b]);
      }
    }
    return found;
  }

  /** Sequence numbers delivered for a shard, in delivery order. */
  seqs(shardId: string): number[] {
    return this.forShard(shardId)
      .sort((a, b) => a.start - b.start)
      .map((d) => d.seq);
  }
}

export interface FakeConsumerOptions {
  ledger: DeliveryLedger;
  /** Delay between deliveries. @defaultValue 10 */
  tickMillis?: number;
  /** How long one processRecords takes. @defaultValue 2 */
  processMillis?: number;
  /** Checkpoint after each delivery. @defaultValue true */
  checkpointEachRecord?: boolean;
  /** Number of records a shard has before it ends (TERMINATE), per shard; absent = endless. */
  shardLength?: (shardId: string) => number | undefined;
  /** Children reported when a shard ends. */
  childrenOf?: (shardId: string) => ChildShardInfo[];
  /** Set to true to "kill" the worker: its consumers stop dead (no shutdown call, no checkpoint) and never return. */
  killed?: () => boolean;
}

/** The factory to pass as `WorkerOptions.shardConsumerFactory`. */
export function fakeConsumerFactory(options: FakeConsumerOptions): ShardConsumerFactory {
  return (deps) => new FakeShardConsumer(deps, options);
}

class FakeShardConsumer implements ShardConsumer {
  constructor(
    private readonly deps: ShardConsumerDeps,
    private readonly options: FakeConsumerOptions,
  ) {}

  async run(): Promise<ShardConsumerResult> {
    const { deps, options } = this;
    const { lease, processor, checkpointer, shutdownSignal, config } = deps;
    const shardId = lease.shardId;
    const record: ConsumerRunRecord = { shardId, workerId: config.workerId, startedAt: performance.now() };
    options.ledger.runs.push(record);
    const finish = (result: ShardConsumerResult): ShardConsumerResult => {
      record.endedAt = performance.now();
      record.reason = result.reason;
      return result;
    };
    const stored = lease.shard.checkpoint;
    let last = stored === undefined ? 0 : Number(stored);
    let ended = false;
    const rpc: RecordProcessorCheckpointer = {
      checkpoint: async (seq?: string | null) => {
        if (options.killed?.()) await never();
        lease.shard.checkpoint = seq === null || (seq === undefined && ended) ? SHARD_END : (seq ?? String(last));
        await checkpointer.checkpointSequence(lease.shard);
      },
      prepareCheckpoint: async () => {
        throw new Error('not supported by the fake consumer');
      },
    };
    await processor.initialize({ shardId, extendedSequenceNumber: stored ? { sequenceNumber: stored } : undefined });
    const length = options.shardLength?.(shardId);
    for (;;) {
      if (options.killed?.()) await never();
      if (lease.lostSignal.aborted || !lease.isValid()) {
        await safe(() => processor.shutdown({ shutdownReason: ShutdownReason.ZOMBIE, checkpointer: rpc }));
        return finish({ reason: ShutdownReason.ZOMBIE });
      }
      if (shutdownSignal.aborted || lease.handoffRequested) {
        await safe(() => processor.shutdown({ shutdownReason: ShutdownReason.REQUESTED, checkpointer: rpc }));
        return finish({ reason: ShutdownReason.REQUESTED });
      }
      if (length !== undefined && last >= length) {
        ended = true;
        lease.shard.checkpoint = SHARD_END;
        await checkpointer.checkpointSequence(lease.shard);
        await safe(() => processor.shutdown({ shutdownReason: ShutdownReason.TERMINATE, checkpointer: rpc }));
        const childShards = options.childrenOf?.(shardId) ?? [];
        deps.events.shardEnded(shardId, childShards);
        return finish({ reason: ShutdownReason.TERMINATE, childShards });
      }
      const seq = last + 1;
      const start = performance.now();
      await sleep(options.processMillis ?? 2);
      await safe(() =>
        processor.processRecords({
          shardId,
          records: [
            {
              data: Buffer.from(String(seq)),
              partitionKey: 'pk',
              sequenceNumber: String(seq),
              aggregated: false,
            },
          ],
          millisBehindLatest: 0,
          checkpointer: rpc,
        }),
      );
      options.ledger.deliveries.push({ shardId, workerId: config.workerId, seq, start, end: performance.now() });
      last = seq;
      if (options.checkpointEachRecord ?? true) {
        try {
          await rpc.checkpoint(String(seq));
        } catch {
          // Lease lost: the next loop iteration sees it.
        }
      }
      await sleep(options.tickMillis ?? 10);
    }
  }
}

async function safe(fn: () => unknown): Promise<void> {
  try {
    await fn();
  } catch {
    // The fake consumer ignores processor failures; the real consumer's retries are tested elsewhere.
  }
}

function never(): Promise<never> {
  return new Promise<never>(() => undefined);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
