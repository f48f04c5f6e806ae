/** Where a shard with no checkpoint starts (values as in go-kcl). */
export enum InitialPositionInStream {
  /** Only records put after the worker starts reading the shard. */
  LATEST = 1,
  /** The oldest record still retained in the shard. */
  TRIM_HORIZON = 2,
  /** The first record at or after `timestampAtInitialPositionInStream`. */
  AT_TIMESTAMP = 3,
}
