/** Writes numbered records to a stream and remembers where each one landed (shard and sequence number). */
import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';

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

  /** Puts `count` records with random partition keys (PutRecords, 500 per call). */
  async put(count: number): Promise<ProducedRecord[]> {
    const added: ProducedRecord[] = [];
    for (let done = 0; done < count; done += 500) {
      const chunk = Array.from({ length: Math.min(500, count - done) }, () => `${this.prefix}-${this.n++}`);
      const out = await this.kinesis.send(
        new PutRecordsCommand({
          StreamName: this.streamName,
          Records: chunk.map((data) => ({ Data: Buffer.from(data), PartitionKey: `pk-${Math.floor(Math.random() * 1e9)}` })),
        }),
      );
      const results = out.Records ?? [];
      if (out.FailedRecordCount || results.length !== chunk.length) throw new Error(`PutRecords: ${out.FailedRecordCount ?? '?'} records failed`);
      chunk.forEach((data, i) => {
        const r = results[i];
        added.push({ data, shardId: r?.ShardId ?? '', sequenceNumber: r?.SequenceNumber ?? '' });
      });
    }
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
    if (this.failure !== undefined) throw this.failure;
  }
}
