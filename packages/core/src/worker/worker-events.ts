import { EventEmitter } from 'node:events';
import type { LeaseLostReason } from '../leases/held-lease';
import type { Logger } from '../logger/logger';
import type { ChildShardInfo } from '../shards/shard-registry';
import type { BatchSkippedEvent, ProcessorFailingEvent } from '../consumers/consumer-events';
import { callSafely } from '../internal/safe-call';
import { isPromiseLike } from '../internal/is-promise-like';

export type { BatchSkippedEvent, ProcessorFailingEvent } from '../consumers/consumer-events';

/** The events a {@link Worker} emits, with their payloads. */
export interface WorkerEvents {
  /** This worker took the lease of a shard; a processor is being started for it. */
  leaseAcquired: { shardId: string };
  /** This worker no longer holds the lease of a shard; see {@link LeaseLostReason} for the reasons. */
  leaseLost: { shardId: string; reason: LeaseLostReason };
  /** A shard was read to its end and checkpointed at SHARD_END; its children (if reported) follow. */
  shardEnded: { shardId: string; childShards: ChildShardInfo[] };
  /** `processRecords` threw; the same batch is delivered again after a back-off (`attempt` counts from 1). */
  processorError: { shardId: string; error: unknown; attempt: number };
  /**
   * A record processor call has been running for `millis` without returning (`logWarningForTaskAfterMillis`, then
   * again each time that much more has passed): the shard makes no progress meanwhile.
   */
  processorStuck: { shardId: string; operation: 'initialize' | 'processRecords' | 'shutdown'; millis: number };
  /**
   * A shard's processor keeps failing: fired at its 1st, 2nd, 4th, 8th... consecutive failed call (growing intervals,
   * as the log lines), with the attempt count, the last error and the wait before the next call. (`processorError`
   * still fires for every failed `processRecords`.)
   */
  processorFailing: ProcessorFailingEvent;
  /**
   * The `skip` processor failure policy passed a batch over after `maxAttempts` failed calls: the records and their
   * sequence range. Processing continues with the next batch; a later `checkpoint()` covers the skipped one.
   */
  batchSkipped: BatchSkippedEvent;
  /**
   * Something failed that the worker handles by itself (retrying, giving a lease up...): a lease-store or Kinesis
   * call, a processor factory. Informational; the worker keeps running.
   */
  error: { error: unknown; shardId?: string | undefined; operation: string };
  /** `shutdown()` finished. */
  shutdown: Record<string, never>;
}

export type WorkerEventName = keyof WorkerEvents;

/** A listener of event `K`. It may be async; a listener that throws or rejects is logged and never breaks the worker. */
export type WorkerEventListener<K extends WorkerEventName> = (event: WorkerEvents[K]) => void | Promise<void>;

/**
 * A typed event emitter whose emit never throws: every listener is called in turn inside try/catch, a rejected
 * promise returned by a listener is caught, and both are logged. (Node's own `emit('error')` would throw when nobody
 * listens; this one does not.)
 */
export class TypedEventEmitter<Events extends { [K in keyof Events]: object }> {
  private readonly emitter = new EventEmitter();
  private readonly getLogger: () => Logger | undefined;

  constructor(getLogger: () => Logger | undefined) {
    this.getLogger = getLogger;
  }

  /** Adds a listener. */
  on<K extends keyof Events & string>(event: K, listener: (payload: Events[K]) => void | Promise<void>): this {
    // eslint-disable-next-line @typescript-eslint/no-misused-promises -- emitSafely catches what an async listener rejects
    this.emitter.on(event, listener);
    return this;
  }

  /** Adds a listener called at most once. */
  once<K extends keyof Events & string>(event: K, listener: (payload: Events[K]) => void | Promise<void>): this {
    // eslint-disable-next-line @typescript-eslint/no-misused-promises -- emitSafely catches what an async listener rejects
    this.emitter.once(event, listener);
    return this;
  }

  /** Removes a listener added with {@link on} or {@link once}. */
  off<K extends keyof Events & string>(event: K, listener: (payload: Events[K]) => void | Promise<void>): this {
    // eslint-disable-next-line @typescript-eslint/no-misused-promises -- the same function object that on() added
    this.emitter.off(event, listener);
    return this;
  }

  /** Number of listeners of `event`. */
  listenerCount<K extends keyof Events & string>(event: K): number {
    return this.emitter.listenerCount(event);
  }

  /** Calls every listener of `event` with `payload`. Never throws. */
  protected emitSafely<K extends keyof Events & string>(event: K, payload: Events[K]): void {
    const listeners = this.emitter.rawListeners(event) as Array<(payload: Events[K]) => unknown>;
    for (const listener of listeners) {
      try {
        const result = listener.call(this, payload);
        if (isPromiseLike(result)) {
          result.then(undefined, (error: unknown) => this.listenerFailed(event, error));
        }
      } catch (error) {
        this.listenerFailed(event, error);
      }
    }
  }

  private listenerFailed(event: string, error: unknown): void {
    // A broken logger must not turn a listener error into a crash either.
    callSafely(() => this.getLogger()?.error('a worker event listener threw; ignoring it', { event, error }));
  }
}
