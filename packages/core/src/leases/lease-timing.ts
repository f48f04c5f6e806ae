/**
 * How long a held lease stays valid after a renewal, and how often it is renewed.
 *
 * Why a holder always stops before anyone else may take its lease: another worker takes a lease only after it has
 * watched the lease's counter stay unchanged for `failoverTimeMillis` on its own monotonic clock (LeaseObserver), and
 * only with a write conditional on that counter. It cannot have seen the counter value written by our last successful
 * renewal before that renewal reached the store, which is after we STARTED the request. So no take can succeed before
 * `lastRenewStart + failoverTimeMillis`, measured in real time. The holder treats the lease as valid only while
 * `now - lastRenewStart < validityMillis = failoverTimeMillis - safetyMarginMillis` on its own monotonic clock and
 * gives the shard up (ZOMBIE) when that ends.
 *
 * The safety margin is 20 % of the failover time (at least 1 ms). It absorbs the rate difference of two hosts'
 * monotonic clocks, a late timer on a busy event loop, and leaves the processor time to notice the loss and finish
 * what it is doing before another worker can start on the shard.
 *
 * Renewals run every `leaseRefreshPeriodMillis`, but never less often than twice per validity window (so one slow or
 * failed renewal does not cost the lease); a failed renewal is retried after a quarter of that interval.
 */
export interface LeaseTiming {
  failoverTimeMillis: number;
  /** `failoverTimeMillis - safetyMarginMillis`: how long a lease stays valid after the start of its last renewal. */
  validityMillis: number;
  /** `ceil(failoverTimeMillis / 5)`. */
  safetyMarginMillis: number;
  /** `min(leaseRefreshPeriodMillis, floor(validityMillis / 2))`. */
  renewIntervalMillis: number;
  /** Delay before retrying a failed renewal: `max(1, floor(renewIntervalMillis / 4))`. */
  renewRetryMillis: number;
  /** How often the taker reads the lease table: `leaseRefreshPeriodMillis`. */
  takeIntervalMillis: number;
}

export function computeLeaseTiming(failoverTimeMillis: number, leaseRefreshPeriodMillis: number): LeaseTiming {
  const safetyMarginMillis = Math.max(1, Math.ceil(failoverTimeMillis / 5));
  const validityMillis = Math.max(1, failoverTimeMillis - safetyMarginMillis);
  const renewIntervalMillis = Math.max(1, Math.min(leaseRefreshPeriodMillis, Math.floor(validityMillis / 2)));
  return {
    failoverTimeMillis,
    validityMillis,
    safetyMarginMillis,
    renewIntervalMillis,
    renewRetryMillis: Math.max(1, Math.floor(renewIntervalMillis / 4)),
    takeIntervalMillis: Math.max(1, leaseRefreshPeriodMillis),
  };
}
