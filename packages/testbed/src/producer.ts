/**
 * Writes numbered records to a stream and remembers where each one landed (shard and sequence number): the producer
 * of core's worker tests and the end-to-end tests.
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { putRecords as putRecordsWithRetry } from '@kcl/local';

export interface ProducedRecord {
  data: string;
  shardId: string;
  sequenceNumber: string;
}

export class Producer {
  readonly produced: ProducedRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown;
  private n = 0;

  /**
   * @param prefix payloads are `${prefix}-${n}`
   */
  constructor(
    private readonly kinesis: KinesisClient,
    private readonly streamName: string,
    private readonly prefix = 'rec',
  ) {}

  /** Payloads produced so far. */
  payloads(): string[] {
    return this.produced.map((p) => p.data);
  }

  /** Records produced into `shardId`, in order. */
  ofShard(shardId: string): ProducedRecord[] {
    return this.produced.filter((p) => p.shardId === shardId);
  }

  /** Puts `count` records with random partition keys (PutRecords, 500 per call); any rejected record fails the put. */
  async put(count: number): Promise<ProducedRecord[]> {
    const payloads = Array.from({ length: count }, () => `${this.prefix}-${this.n++}`);
    const entries = payloads.map((data) => ({ Data: Buffer.from(data), PartitionKey: `pk-${Math.floor(Math.random() * 1e9)}` }));
    const { results } = await putRecordsWithRetry(this.kinesis, this.streamName, entries, { maxAttempts: 1 });
    const added = results.map((r) => ({ data: payloads[r.index]!, shardId: r.shardId, sequenceNumber: r.sequenceNumber }));
    this.produced.push(...added);
    return added;
  }

  /** Puts `batch` records every `everyMs` until {@link stop}. */
  start(batch: number, everyMs: number): void {
    this.timer = setInterval(() => {
      this.chain = this.chain.then(async () => {
        try {
          await this.put(batch);
        } catch (error) {
          this.failure ??= error;
        }
      });
    }, everyMs);
  }

  /** Stops the timer and waits for the put in flight. Throws the first put failure, if any. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.chain;
    if (this.failure !== undefined) throw this.failure as Error;
  }
}
