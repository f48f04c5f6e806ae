import { applyStoredLease, copyStoredLease } from '../checkpoint/lease-row';
import type { CoordinatorLease, WorkerHeartbeat } from '../checkpoint/coordination';
import type { ShardStatus } from '../checkpoint/shard-status';
import { InvalidArgumentError, LeaseStoreUnavailableError } from '../errors';

/** The Checkpointer operations an {@link InMemoryLeaseTable} can delay or fail. */
export type CheckpointerOperation =
  | 'init'
  | 'takeLease'
  | 'renewLease'
  | 'checkpointSequence'
  | 'fetchCheckpoint'
  | 'removeLeaseInfo'
  | 'removeLeaseOwner'
  | 'getLeaseOwner'
  | 'listActiveWorkers'
  | 'claimShard'
  | 'listLeases'
  | 'heartbeat'
  | 'removeWorker'
  | 'listWorkers'
  | 'getCoordinatorLease'
  | 'takeCoordinatorLease'
  | 'renewCoordinatorLease'
  | 'releaseCoordinatorLease'
  | 'listOwnedLeases'
  | 'transferLease'
  | 'renewLeases';

/** The coordination state of an {@link InMemoryLeaseTable} (worker registry and coordinator lease), kept apart from the leases. */
export interface InMemoryCoordinationState {
  /** Worker id -> heartbeat counter. */
  readonly workers: Map<string, number>;
  /** The coordinator lease, undefined until first taken. */
  coordinator: CoordinatorLease | undefined;
}

/** Options of {@link InMemoryLeaseTable.failNext}. */
export interface FailNextOptions {
  /**
   * How many consecutive calls of the operation fail.
   * @defaultValue 1
   */
  times?: number;
  /**
   * When true the operation IS applied to the table and only then the error is thrown: the caller sees a failure
   * although the write happened (a response lost on the way back, as a store timeout can do).
   * @defaultValue false
   */
  afterWrite?: boolean;
}

interface Fault {
  op: CheckpointerOperation | '*';
  error: unknown;
  remaining: number;
  afterWrite: boolean;
}

/**
 * The shared state behind one or more {@link InMemoryCheckpointer}s: one lease table (one application), held in this
 * process. Several checkpointers (several workers) built on the same table see the same leases, exactly like workers
 * sharing a DynamoDB table. Every operation is applied atomically (a synchronous change after the simulated
 * latency), so races between workers resolve like conditional writes do.
 *
 * Fault hooks for engine tests:
 * - {@link failNext}: make the next call(s) of an operation throw an error of your choice, before or after the write.
 * - {@link setLatency}: delay every call (or per operation).
 * - {@link unavailable}: while true every call rejects with {@link LeaseStoreUnavailableError} (after the latency),
 *   as a backend does when its store stops answering and its request timeout fires.
 * - {@link pause} / {@link resume}: calls hang (no answer at all) until resumed.
 *
 * Inspection and seeding: {@link get}, {@link list}, {@link put}, {@link delete}, {@link callCount},
 * {@link coordinatorLease}, {@link workers}.
 */
export class InMemoryLeaseTable {
  /** Name of the table (informational, used in messages). */
  readonly name: string;
  /**
   * While true every operation rejects with a retryable {@link LeaseStoreUnavailableError} and changes nothing.
   * @defaultValue false
   */
  unavailable = false;

  private readonly leases = new Map<string, ShardStatus>();
  private readonly coordination: InMemoryCoordinationState = { workers: new Map(), coordinator: undefined };
  private readonly faults: Fault[] = [];
  private readonly calls = new Map<CheckpointerOperation, number>();
  private latency: (op: CheckpointerOperation) => number = () => 0;
  private pausedUntil: Promise<void> | undefined;
  private releasePause: (() => void) | undefined;

  constructor(name = 'in-memory-leases') {
    this.name = name;
  }

  /**
   * Delays every call by `ms` milliseconds (or by `ms(op)` for per-operation latency) before it is applied.
   * 0 restores immediate answers.
   */
  setLatency(ms: number | ((op: CheckpointerOperation) => number)): void {
    if (typeof ms === 'number') {
      if (!Number.isFinite(ms) || ms < 0) throw new InvalidArgumentError(`latency must be a finite number >= 0, got ${ms}`);
      this.latency = () => ms;
    } else {
      this.latency = ms;
    }
  }

  /**
   * The next call(s) of `op` (or of any operation, with `'*'`) throw `error`. Faults queue up in the order they were
   * added; each is consumed when a matching call starts.
   */
  failNext(op: CheckpointerOperation | '*', error: unknown, options: FailNextOptions = {}): void {
    const times = options.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new InvalidArgumentError(`failNext times must be an integer >= 1, got ${times}`);
    this.faults.push({ op, error, remaining: times, afterWrite: options.afterWrite ?? false });
  }

  /** Drops every pending fault added by {@link failNext}. */
  clearFaults(): void {
    this.faults.length = 0;
  }

  /** From now on calls hang (are neither applied nor answered) until {@link resume}. Idempotent. */
  pause(): void {
    if (this.pausedUntil) return;
    this.pausedUntil = new Promise<void>((resolve) => {
      this.releasePause = resolve;
    });
  }

  /** Lets calls held by {@link pause} continue. Idempotent. */
  resume(): void {
    const release = this.releasePause;
    this.pausedUntil = undefined;
    this.releasePause = undefined;
    release?.();
  }

  /** True between {@link pause} and {@link resume}. */
  get paused(): boolean {
    return this.pausedUntil !== undefined;
  }

  /** How many calls of `op` (or of all operations) reached the table, including failed ones. */
  callCount(op?: CheckpointerOperation): number {
    if (op) return this.calls.get(op) ?? 0;
    let total = 0;
    for (const n of this.calls.values()) total += n;
    return total;
  }

  /** A copy of the stored lease of `shardId`, or undefined. */
  get(shardId: string): ShardStatus | undefined {
    const lease = this.leases.get(shardId);
    return lease ? copyStoredLease(lease) : undefined;
  }

  /** Copies of every stored lease, sorted by shard id. */
  list(): ShardStatus[] {
    return [...this.leases.keys()].sort().map((id) => copyStoredLease(this.leases.get(id) as ShardStatus));
  }

  /** Number of stored leases. */
  get size(): number {
    return this.leases.size;
  }

  /**
   * Stores (or overwrites) a lease as is, bypassing every rule: for seeding a test (e.g. a go-kcl row with counter 0,
   * a parent at SHARD_END). Only the stored fields of `lease` are kept.
   */
  put(lease: ShardStatus): void {
    this.leases.set(lease.id, copyStoredLease(lease));
  }

  /** Deletes a lease, bypassing every rule. Returns whether it existed. */
  delete(shardId: string): boolean {
    return this.leases.delete(shardId);
  }

  /** A copy of the coordinator lease, or undefined if never taken. */
  get coordinatorLease(): CoordinatorLease | undefined {
    const lease = this.coordination.coordinator;
    return lease ? { ...lease } : undefined;
  }

  /** The worker registry (worker id and heartbeat counter), sorted by worker id. */
  workers(): WorkerHeartbeat[] {
    return [...this.coordination.workers.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([workerId, counter]) => ({ workerId, counter }));
  }

  /** Removes every lease, registry entry, the coordinator lease, every fault, latency, pause and call count. */
  reset(): void {
    this.leases.clear();
    this.coordination.workers.clear();
    this.coordination.coordinator = undefined;
    this.faults.length = 0;
    this.calls.clear();
    this.latency = () => 0;
    this.unavailable = false;
    this.resume();
  }

  /**
   * Runs one operation against the table: counts it, applies latency, pause, unavailability and faults, then calls
   * `apply` synchronously with the live lease map and coordination state (so the whole transition is atomic). Used
   * by {@link InMemoryCheckpointer}; usable to build other fakes on the same table.
   */
  async run<T>(op: CheckpointerOperation, apply: (leases: Map<string, ShardStatus>, coordination: InMemoryCoordinationState) => T): Promise<T> {
    this.calls.set(op, (this.calls.get(op) ?? 0) + 1);
    const fault = this.takeFault(op);
    const delay = this.latency(op);
    if (delay > 0) await new Promise<void>((resolve) => setTimeout(resolve, delay));
    while (this.pausedUntil) await this.pausedUntil;
    if (this.unavailable) {
      throw new LeaseStoreUnavailableError(`In-memory lease table ${this.name} is unavailable (simulated) during ${op}`);
    }
    if (fault && !fault.afterWrite) throw fault.error;
    const result = apply(this.leases, this.coordination);
    if (fault) throw fault.error;
    return result;
  }

  private takeFault(op: CheckpointerOperation): Fault | undefined {
    const index = this.faults.findIndex((f) => f.op === op || f.op === '*');
    if (index < 0) return undefined;
    const fault = this.faults[index] as Fault;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.splice(index, 1);
    return fault;
  }
}

export { applyStoredLease, copyStoredLease };
