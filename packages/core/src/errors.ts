/**
 * The @kcl error hierarchy. Every error thrown by @kcl packages is a {@link KclError} with a stable
 * {@link KclErrorCode}; test with `instanceof` or {@link isKclError}, never by matching messages.
 */

import { primitiveText } from './internal/primitive-text';

/** Stable machine-readable error codes. New codes may be added in minor releases. */
export type KclErrorCode =
  | 'INVALID_CONFIG'
  | 'LEASE_NOT_ACQUIRED'
  | 'SHARD_CLAIMED'
  | 'SEQUENCE_NOT_FOUND'
  | 'NO_LEASE_OWNER'
  | 'LEASE_LOST'
  | 'CHECKPOINT_OUT_OF_ORDER'
  | 'LEASE_NOT_FINISHED'
  | 'LEASE_STORE_UNAVAILABLE'
  | 'LEASE_STORE_AUTH'
  | 'LEASE_STORE_ERROR'
  | 'BACKEND_NOT_INSTALLED'
  | 'RETRY_EXHAUSTED'
  | 'INVALID_ARGUMENT'
  | 'KINESIS_ERROR'
  | 'WORKER_STATE'
  | 'ABORTED';

const KCL_ERROR_MARKER = Symbol.for('@kcl/core/KclError');

export interface KclErrorOptions {
  /** The underlying error, if any. */
  cause?: unknown;
  /** Whether retrying the same operation may succeed. Defaults per subclass. */
  retryable?: boolean;
}

/** Base class of every error raised by @kcl. */
export class KclError extends Error {
  /** Stable error code; see {@link KclErrorCode}. */
  readonly code: KclErrorCode;
  /** True when retrying the same operation later may succeed. */
  readonly retryable: boolean;

  constructor(code: KclErrorCode, message: string, options: KclErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
    Object.defineProperty(this, KCL_ERROR_MARKER, { value: true });
  }
}

/** True for any {@link KclError}, also across duplicated copies of @kcl/core in one process. */
export function isKclError(value: unknown): value is KclError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[KCL_ERROR_MARKER] === true;
}

/** A configuration value is out of range or inconsistent with another one. */
export class ConfigError extends KclError {
  /** Name of the offending option (e.g. `failoverTimeMillis`). */
  readonly option: string;
  /** The rejected value. */
  readonly value: unknown;
  /** Human-readable description of what is allowed. */
  readonly allowed: string;

  constructor(option: string, value: unknown, allowed: string, hint?: string) {
    super('INVALID_CONFIG', `Invalid value for ${option}: ${formatValue(value)}. Allowed: ${allowed}.${hint ? ` ${hint}` : ''}`);
    this.option = option;
    this.value = value;
    this.allowed = allowed;
  }
}

/** An argument passed to a public method is invalid (e.g. a malformed sequence number). */
export class InvalidArgumentError extends KclError {
  constructor(message: string, options: KclErrorOptions = {}) {
    super('INVALID_ARGUMENT', message, options);
  }
}

/** The lease could not be taken or renewed because its stored state changed (someone else holds it). */
export class LeaseNotAcquiredError extends KclError {
  readonly shardId: string;
  constructor(shardId: string, message?: string, options: KclErrorOptions = {}) {
    super('LEASE_NOT_ACQUIRED', message ?? `Lease for shard ${shardId} was not acquired: it is held or was changed by another worker`, options);
    this.shardId = shardId;
  }
}

/** A steal (claim) request for the shard is already pending, or the shard cannot be claimed. */
export class ShardClaimedError extends KclError {
  readonly shardId: string;
  constructor(shardId: string, message?: string, options: KclErrorOptions = {}) {
    super('SHARD_CLAIMED', message ?? `Shard ${shardId} already has a pending claim request`, options);
    this.shardId = shardId;
  }
}

/** No checkpoint is stored for the shard. */
export class SequenceNotFoundError extends KclError {
  readonly shardId: string;
  constructor(shardId: string, message?: string, options: KclErrorOptions = {}) {
    super('SEQUENCE_NOT_FOUND', message ?? `No checkpoint is stored for shard ${shardId}`, options);
    this.shardId = shardId;
  }
}

/** The shard's lease has no owner. */
export class NoLeaseOwnerError extends KclError {
  readonly shardId: string;
  constructor(shardId: string, message?: string, options: KclErrorOptions = {}) {
    super('NO_LEASE_OWNER', message ?? `Shard ${shardId} has no lease owner`, options);
    this.shardId = shardId;
  }
}

/**
 * The caller no longer holds the lease it acted on (it expired and was taken, or was released). A worker that gets
 * this must stop processing the shard: its checkpoint was NOT written.
 */
export class LeaseLostError extends KclError {
  readonly shardId: string;
  constructor(shardId: string, message?: string, options: KclErrorOptions = {}) {
    super('LEASE_LOST', message ?? `Lease for shard ${shardId} is no longer held by this worker`, options);
    this.shardId = shardId;
  }
}

/**
 * The lease store refused a checkpoint that would move the stored one backwards: a sequence number (or sub-sequence
 * number) below the stored checkpoint, or any sequence number after SHARD_END (SHARD_END is final). Nothing was
 * written. Writing the stored checkpoint again is not an error (an idempotent no-op, so a retried write succeeds).
 */
export class CheckpointOrderError extends KclError {
  readonly shardId: string;
  /** The checkpoint the store holds (a sequence number or `SHARD_END`). */
  readonly stored: string;
  /** Sub-sequence number of {@link stored}; undefined for a whole record. */
  readonly storedSubSequenceNumber: number | undefined;
  /** The checkpoint that was refused. */
  readonly attempted: string;
  /** Sub-sequence number of {@link attempted}; undefined for a whole record. */
  readonly attemptedSubSequenceNumber: number | undefined;

  constructor(
    shardId: string,
    stored: { checkpoint: string; subSequenceNumber?: number | undefined },
    attempted: { checkpoint: string; subSequenceNumber?: number | undefined },
    options: KclErrorOptions = {},
  ) {
    const position = (p: { checkpoint: string; subSequenceNumber?: number | undefined }) =>
      p.subSequenceNumber === undefined ? p.checkpoint : `${p.checkpoint} (subSequenceNumber ${p.subSequenceNumber})`;
    const why =
      stored.checkpoint === 'SHARD_END'
        ? 'the shard is checkpointed at SHARD_END, which is final'
        : `it is before the stored checkpoint ${position(stored)}; a checkpoint never moves backwards`;
    super('CHECKPOINT_OUT_OF_ORDER', `Checkpoint ${position(attempted)} for shard ${shardId} refused: ${why}. Nothing was written.`, options);
    this.shardId = shardId;
    this.stored = stored.checkpoint;
    this.storedSubSequenceNumber = stored.subSequenceNumber;
    this.attempted = attempted.checkpoint;
    this.attemptedSubSequenceNumber = attempted.subSequenceNumber;
  }
}

/**
 * `removeLeaseInfo` refused to delete a lease that is not checkpointed at SHARD_END (only finished leases are ever
 * deleted; e.g. the lease was removed and re-created since it was read). Nothing was deleted.
 */
export class LeaseNotFinishedError extends KclError {
  readonly shardId: string;
  /** The stored checkpoint (undefined when the lease has none). */
  readonly checkpoint: string | undefined;
  constructor(shardId: string, checkpoint: string | undefined, options: KclErrorOptions = {}) {
    super(
      'LEASE_NOT_FINISHED',
      `Lease for shard ${shardId} was not removed: it is not checkpointed at SHARD_END (checkpoint ${checkpoint ?? 'none'}); only finished leases are removed`,
      options,
    );
    this.shardId = shardId;
    this.checkpoint = checkpoint;
  }
}

/** The lease store cannot be reached (connection refused, timeout, DNS). Retryable. */
export class LeaseStoreUnavailableError extends KclError {
  constructor(message: string, options: KclErrorOptions = {}) {
    super('LEASE_STORE_UNAVAILABLE', message, { retryable: true, ...options });
  }
}

/** The lease store rejected our credentials. Not retryable. */
export class LeaseStoreAuthError extends KclError {
  constructor(message: string, options: KclErrorOptions = {}) {
    super('LEASE_STORE_AUTH', message, options);
  }
}

/** Any other lease store failure. */
export class LeaseStoreError extends KclError {
  constructor(message: string, options: KclErrorOptions = {}) {
    super('LEASE_STORE_ERROR', message, options);
  }
}

/** An optional backend package (e.g. @kcl/checkpoint-dynamodb) is needed but not installed. */
export class BackendNotInstalledError extends KclError {
  readonly packageName: string;
  constructor(packageName: string, message: string, options: KclErrorOptions = {}) {
    super('BACKEND_NOT_INSTALLED', message, options);
    this.packageName = packageName;
  }
}

/** The retry helper gave up. `attempts` lists every failure in order; `cause` is the last one. */
export class RetryExhaustedError extends KclError {
  readonly attempts: readonly unknown[];
  constructor(operation: string, attempts: readonly unknown[]) {
    const last = attempts[attempts.length - 1];
    super(
      'RETRY_EXHAUSTED',
      `${operation} failed after ${attempts.length} attempt(s): ${attempts.map((a, i) => `#${i + 1} ${describe(a)}`).join('; ')}`,
      { cause: last, retryable: false },
    );
    this.attempts = attempts;
  }
}

/** A Kinesis API call failed in a way the worker could not recover from by itself. */
export class KinesisError extends KclError {
  constructor(message: string, options: KclErrorOptions = {}) {
    super('KINESIS_ERROR', message, options);
  }
}

/**
 * The stream does not exist (ListShards answered ResourceNotFoundException) at the region / endpoint the worker
 * uses. Raised by `Worker.start()` before the lease store is touched, so no lease table is created for a mistyped
 * stream name.
 */
export class StreamNotFoundError extends KinesisError {
  readonly streamName: string;
  readonly region: string;
  /** The Kinesis endpoint asked (`config.kinesisEndpoint` or the injected client's), or undefined for AWS's own. */
  readonly endpoint: string | undefined;
  constructor(streamName: string, region: string, endpoint: string | undefined, options: KclErrorOptions = {}) {
    super(
      `Kinesis stream ${JSON.stringify(streamName)} does not exist in region ${region}` +
        `${endpoint === undefined ? '' : ` at ${endpoint}`}: check the stream name, the region and the endpoint ` +
        '(create the stream first; the worker never creates it)',
      { retryable: false, ...options },
    );
    this.streamName = streamName;
    this.region = region;
    this.endpoint = endpoint;
  }
}

/**
 * The record processor factory gave something that is not a RecordProcessor (no `processRecords` method, or an
 * `initialize` / `shutdown` that is not a function), or `createProcessor()` itself threw. `Worker.start()` rejects
 * with it for the first processor; later ones are reported in an `error` event and their lease released.
 */
export class InvalidRecordProcessorError extends InvalidArgumentError {}

/** A method was called in a state that does not allow it (e.g. `start()` after `shutdown()`). */
export class WorkerStateError extends KclError {
  constructor(message: string, options: KclErrorOptions = {}) {
    super('WORKER_STATE', message, options);
  }
}

/** An operation was aborted through its AbortSignal (usually because the worker is shutting down). */
export class AbortedError extends KclError {
  constructor(message = 'The operation was aborted', options: KclErrorOptions = {}) {
    super('ABORTED', message, options);
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  try {
    return JSON.stringify(value) ?? primitiveText(value);
  } catch {
    return primitiveText(value);
  }
}
