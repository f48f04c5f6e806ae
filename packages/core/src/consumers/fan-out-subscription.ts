/**
 * One SubscribeToShard call of the enhanced fan-out consumer: opens the HTTP event stream and reads its events one
 * at a time.
 *
 * - The request has its own AbortController, linked to the consumer's signal (shutdown or lease loss): `close()`
 *   aborts it, so the HTTP connection is released (and Kinesis frees the subscription) whenever the consumer stops
 *   reading, whatever the reason.
 * - A watchdog (every `checkIntervalMs`) aborts the request when `shouldStop()` says so (hand-off request, overdue
 *   lease: flags, not signals) or when no event arrived for `idleTimeoutMs` (a dead connection). `endedBy` tells
 *   which.
 * - Error events of the stream (ResourceInUseException, InternalFailureException, KMS errors...) are thrown by
 *   `next()`, like the failures of the request itself.
 * @internal
 */
import { SubscribeToShardCommand } from '@aws-sdk/client-kinesis';
import type { _Record, ChildShard, KinesisClient, StartingPosition, SubscribeToShardEventStream } from '@aws-sdk/client-kinesis';
import { performance } from 'node:perf_hooks';
import { linkAbortSignals } from './linked-abort-signal';
import type { LinkedAbortSignal } from './linked-abort-signal';
import type { StartPosition } from './shard-iterator';

/** One SubscribeToShardEvent. */
export interface FanOutEvent {
  records: _Record[];
  /** Where the next subscription continues (AFTER it); null / absent at the end of a closed shard. */
  continuationSequenceNumber: string | undefined;
  millisBehindLatest: number | undefined;
  /** Set at shard end. */
  childShards: ChildShard[] | undefined;
  receivedAt: Date;
}

export interface FanOutSubscriptionRequest {
  kinesis: KinesisClient;
  consumerArn: string;
  shardId: string;
  position: StartPosition;
  /** The consumer's signal (shutdown or lease loss). */
  signal: AbortSignal;
  /** Checked by the watchdog: true aborts the subscription (`endedBy = 'stop'`). */
  shouldStop: () => boolean;
  /** No event for this long aborts the subscription (`endedBy = 'idle'`). */
  idleTimeoutMs: number;
  /** How often the watchdog looks. */
  checkIntervalMs: number;
}

/** Why the watchdog ended a subscription. */
export type SubscriptionEnd = 'stop' | 'idle';

/** The SubscribeToShard StartingPosition of a consumer start position. */
export function toStartingPosition(position: StartPosition): StartingPosition {
  switch (position.type) {
    case 'AT_SEQUENCE_NUMBER':
    case 'AFTER_SEQUENCE_NUMBER':
      return { Type: position.type, SequenceNumber: position.sequenceNumber };
    case 'AT_TIMESTAMP':
      return { Type: position.type, Timestamp: position.timestamp };
    default:
      return { Type: position.type };
  }
}

export class FanOutSubscription {
  private readonly request: FanOutSubscriptionRequest;
  private readonly controller = new AbortController();
  private readonly linked: LinkedAbortSignal;
  private readonly watchdog: NodeJS.Timeout;
  private iterator: AsyncIterator<SubscribeToShardEventStream> | undefined;
  private lastActivity = performance.now();
  private ended: SubscriptionEnd | undefined;
  private closed = false;

  constructor(request: FanOutSubscriptionRequest) {
    this.request = request;
    this.linked = linkAbortSignals([request.signal, this.controller.signal]);
    this.watchdog = setInterval(() => this.check(), request.checkIntervalMs);
    this.watchdog.unref();
  }

  /** Set when the watchdog aborted the subscription. */
  get endedBy(): SubscriptionEnd | undefined {
    return this.ended;
  }

  /**
   * The next event; undefined when the server ended the stream. Throws the request's failure or an error event.
   * The first call sends SubscribeToShard.
   */
  async next(): Promise<FanOutEvent | undefined> {
    this.iterator ??= await this.open();
    for (;;) {
      const step = await this.iterator.next();
      this.lastActivity = performance.now();
      if (step.done === true) return undefined;
      const event = step.value;
      if (event.SubscribeToShardEvent !== undefined) {
        const e = event.SubscribeToShardEvent;
        return {
          records: e.Records ?? [],
          continuationSequenceNumber: e.ContinuationSequenceNumber ?? undefined,
          millisBehindLatest: e.MillisBehindLatest,
          childShards: e.ChildShards,
          receivedAt: new Date(),
        };
      }
      const failure = errorMember(event);
      if (failure !== undefined) throw failure;
      // An event type this SDK version does not know ($unknown): skip it.
    }
  }

  /** Stops the watchdog and aborts the request (releasing its connection). Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.watchdog);
    this.controller.abort(new Error('subscription closed'));
    this.linked.dispose();
    const iterator = this.iterator;
    if (iterator?.return) {
      // Not awaited: the aborted request ends the stream; a failure of the cleanup is expected and not interesting.
      iterator.return().catch(() => undefined);
    }
  }

  private async open(): Promise<AsyncIterator<SubscribeToShardEventStream>> {
    const { kinesis, consumerArn, shardId, position } = this.request;
    const out = await kinesis.send(
      new SubscribeToShardCommand({ ConsumerARN: consumerArn, ShardId: shardId, StartingPosition: toStartingPosition(position) }),
      { abortSignal: this.linked.signal },
    );
    if (!out.EventStream) return emptyIterator();
    return out.EventStream[Symbol.asyncIterator]();
  }

  private check(): void {
    if (this.closed || this.ended !== undefined) return;
    if (this.request.shouldStop()) this.ended = 'stop';
    else if (performance.now() - this.lastActivity > this.request.idleTimeoutMs) this.ended = 'idle';
    else return;
    this.controller.abort(new Error(`subscription ended by the consumer (${this.ended})`));
  }
}

/** The exception carried by an error event of the stream, if it is one. */
function errorMember(event: SubscribeToShardEventStream): Error | undefined {
  for (const [key, value] of Object.entries(event)) {
    if (key === 'SubscribeToShardEvent' || key === '$unknown' || value === undefined) continue;
    if (value instanceof Error) return value;
    const message = typeof (value as { message?: unknown }).message === 'string' ? (value as { message: string }).message : key;
    return Object.assign(new Error(message), { name: key });
  }
  return undefined;
}

function emptyIterator(): AsyncIterator<SubscribeToShardEventStream> {
  return { next: () => Promise.resolve({ done: true, value: undefined }) };
}
