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
