/** Why a record processor is being shut down (values as in go-kcl). */
export enum ShutdownReason {
  /** The worker is shutting down (graceful): a last checkpoint is possible and the lease is released afterwards. */
  REQUESTED = 1,
  /** The shard was read to its end (split/merge). Checkpoint with `checkpoint()` or `checkpoint(null)` = SHARD_END. */
  TERMINATE = 2,
  /** The lease was lost (or could not be renewed in time). Checkpointing is no longer possible. */
  ZOMBIE = 3,
}
