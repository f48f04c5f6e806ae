/**
 * The bound on the Kinesis reads the polling consumers of one worker keep in flight together
 * (`maxConcurrentGetRecords`): GetRecords and GetShardIterator calls take a slot for the time of the call; a consumer
 * that finds every slot taken waits for one, first come first served. Rate limits, idle waits and back-offs happen
 * outside the slot.
 *
 * Why: a worker with 1,000 or more shards otherwise sends a call per shard at once whenever many consumers wake
 * together (the take pass that starts them, an event-loop stall that releases their idle waits in one turn). Their
 * answers then arrive in one burst that holds the event loop, and the thousands of request objects alive at the
 * same time survive young-generation collections: measured on the 1,000-shard bench, the worker's garbage collector
 * then stays in a regime where it promotes about 7 KB per poll to the old generation (scavenges of 15-30 ms, old
 * generation growing between mark-sweeps) for as long as the process runs; with the calls bounded it promotes about
 * a sixth of that.
 * @internal
 */
import { AbortedError } from '../errors';

/** Most GetShardIterator calls in flight together, whatever `maxConcurrentGetRecords` allows. */
export const MAX_ITERATOR_CALLS_IN_FLIGHT = 16;

/**
 * The bound on the polling consumers' GetShardIterator calls in flight: a quarter of `maxConcurrentGetRecords`, at
 * least 1 and at most {@link MAX_ITERATOR_CALLS_IN_FLIGHT} (16 with the default of 64). An iterator call also takes a
 * slot of the shared gate, so this only narrows it.
 *
 * Why a bound of its own: iterator calls come in bursts - every consumer that starts (a worker taking 1,000 leases at
 * start-up, a joiner receiving its share, a batch of hand-offs) asks for one before its first GetRecords - and go
 * through the SDK's full middleware chain, which allocates several times what a lean GetRecords does. Measured on
 * the 1,000-shard bench (`pnpm bench:scale --engine-only --shards 1000 --workers 1`), a start-up burst of 64 of them
 * in flight made V8 decide at start-up to allocate the HTTP request objects of every later call directly in the old
 * generation (allocation-site pretenuring, a decision that stays): the worker then promoted 5.8 MB/s while
 * idle-polling, with 9-11 ms scavenges; with 16 in flight 1.2-1.9 MB/s with 5-7 ms scavenges. At 20-30 ms per call on
 * AWS, 16 in flight still get 1,000 iterators in under 2 s.
 * @internal
 */
export function iteratorCallLimit(maxConcurrentGetRecords: number): number {
  return Math.max(1, Math.min(MAX_ITERATOR_CALLS_IN_FLIGHT, Math.floor(maxConcurrentGetRecords / 4)));
}

/** A consumer waiting for a slot. */
interface Waiter {
  resolve(): void;
  reject(error: Error): void;
  signal: AbortSignal;
  onAbort: () => void;
  done: boolean;
}

export class KinesisCallGate {
  private inFlight = 0;
  private waiters: Waiter[] = [];
  private head = 0;

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`KinesisCallGate: limit must be an integer >= 1, got ${String(limit)}`);
  }

  /** Calls holding a slot now. */
  get active(): number {
    return this.inFlight;
  }

  /** Consumers waiting for a slot now. */
  get queued(): number {
    let count = 0;
    for (let i = this.head; i < this.waiters.length; i++) if (!this.waiters[i]!.done) count++;
    return count;
  }

  /** Takes a slot if one is free and nobody waits (no allocation). False: call {@link wait}. */
  tryAcquire(): boolean {
    if (this.inFlight >= this.limit) return false;
    // Waiters that gave up (aborted) stay queued until they reach the head; nobody else waits for a free slot.
    while (this.head < this.waiters.length && this.waiters[this.head]!.done) this.head++;
    if (this.head < this.waiters.length) return false;
    this.inFlight++;
    return true;
  }

  /**
   * Resolves once the caller holds a slot (in the order callers started waiting). Rejects with an AbortedError when
   * `signal` aborts first (the caller then holds no slot).
   */
  wait(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(new AbortedError('waiting for a Kinesis call slot was aborted', { cause: signal.reason }));
    if (this.tryAcquire()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        done: false,
        onAbort: () => {
          if (waiter.done) return;
          waiter.done = true;
          reject(new AbortedError('waiting for a Kinesis call slot was aborted', { cause: signal.reason }));
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Gives a slot back; the longest-waiting consumer (if any) gets it. */
  release(): void {
    if (this.inFlight <= 0) throw new RangeError('KinesisCallGate: release() without a slot');
    this.inFlight--;
    while (this.head < this.waiters.length) {
      const waiter = this.waiters[this.head]!;
      this.waiters[this.head] = undefined as unknown as Waiter;
      this.head++;
      if (waiter.done) continue;
      waiter.done = true;
      waiter.signal.removeEventListener('abort', waiter.onAbort);
      this.inFlight++;
      waiter.resolve();
      break;
    }
    if (this.head === this.waiters.length) {
      this.waiters = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.waiters.length) {
      this.waiters = this.waiters.slice(this.head);
      this.head = 0;
    }
  }
}
