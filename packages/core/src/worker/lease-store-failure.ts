import { isKclError, type KclErrorCode } from '../errors';

/** Outcomes of a lease-store call that mean the store answered: the lease or the data was not as expected. */
const ANSWERED_CODES: ReadonlySet<KclErrorCode> = new Set<KclErrorCode>([
  'LEASE_NOT_ACQUIRED',
  'SHARD_CLAIMED',
  'SEQUENCE_NOT_FOUND',
  'NO_LEASE_OWNER',
  'LEASE_LOST',
  'CHECKPOINT_OUT_OF_ORDER',
  'LEASE_NOT_FINISHED',
  'INVALID_ARGUMENT',
  'INVALID_CONFIG',
  'ABORTED',
]);

/** AWS SDK exception names of a conditional write or transaction that the store refused on purpose. */
const CONDITIONAL_NAMES: ReadonlySet<string> = new Set(['ConditionalCheckFailedException', 'TransactionCanceledException', 'AbortError']);

/**
 * True when `error` from a lease-store call means the store itself failed (cannot be reached, timed out, answered
 * 5xx, throttled, refused the credentials, or any other error that is not a known answer), false when the store answered and the
 * answer was "no": a lost lease, a failed conditional write, a claimed shard, a missing checkpoint, an out-of-order
 * checkpoint, an aborted call. Lease-store health (`MonitoringService.leaseStoreHealth`) goes false only on a store
 * failure.
 */
export function isLeaseStoreFailure(error: unknown): boolean {
  if (isKclError(error)) return !ANSWERED_CODES.has(error.code);
  if (typeof error !== 'object' || error === null) return true;
  const name = (error as { name?: unknown }).name;
  if (typeof name === 'string' && CONDITIONAL_NAMES.has(name)) return false;
  return true;
}
