/**
 * Errors of the `kcl` command. Each maps to an exit code: {@link CliUsageError} 2 (bad command line), every other
 * failure 1 (a refusal such as {@link LiveOwnerError}, a store or Kinesis error).
 */

/** Exit codes of `kcl`. */
export const EXIT_CODES = Object.freeze({ ok: 0, failed: 1, usage: 2 });

/** Stable codes of the CLI's own errors. */
export type CliErrorCode = 'USAGE' | 'LIVE_OWNER' | 'LEASE_NOT_FOUND' | 'LEASE_CHANGED' | 'SHARD_ENDED' | 'BACKEND_MISSING';

/** Base class of the CLI's own errors. */
export class CliError extends Error {
  constructor(
    readonly code: CliErrorCode,
    message: string,
    options: ErrorOptions = {},
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A bad command line (exit code 2): `option` names the offending option as given (`--store`), or `command` for an
 * unknown or missing command, or `argument` for a stray positional argument.
 */
export class CliUsageError extends CliError {
  constructor(
    message: string,
    readonly option: string,
  ) {
    super('USAGE', message);
  }
}

/** `reset` / `release` refused: a live worker holds the lease (its counter moved during the watch). Exit code 1. */
export class LiveOwnerError extends CliError {
  constructor(
    readonly shardId: string,
    readonly owner: string,
    watchedMillis: number,
  ) {
    super(
      'LIVE_OWNER',
      `Refusing: shard ${shardId} is held by live worker ${owner} (its lease counter changed within ${watchedMillis} ms). ` +
        'Stop that worker first, or pass --force to act anyway (the worker loses the lease at its next renewal).',
    );
  }
}

/** The shard has no lease in the table. Exit code 1. */
export class LeaseNotFoundError extends CliError {
  constructor(readonly shardId: string) {
    super('LEASE_NOT_FOUND', `Shard ${shardId} has no lease in this table (see \`kcl leases\`).`);
  }
}

/** The lease changed between the CLI's read and its conditional write (a worker took or renewed it). Exit code 1. */
export class LeaseChangedError extends CliError {
  constructor(
    readonly shardId: string,
    options: ErrorOptions = {},
  ) {
    super(
      'LEASE_CHANGED',
      `The lease of shard ${shardId} changed while this command ran (a worker took, renewed or released it); nothing was written. Run the command again.`,
      options,
    );
  }
}

/** `reset` refused on a lease checkpointed at SHARD_END (SHARD_END is final). Exit code 1. */
export class ShardEndedError extends CliError {
  constructor(readonly shardId: string) {
    super('SHARD_ENDED', `Refusing: shard ${shardId} is checkpointed at SHARD_END, which is final (its children carry on from there).`);
  }
}

/** The backend package of `--store` is not installed (it is an optional peer dependency). Exit code 1. */
export class BackendMissingError extends CliError {
  constructor(
    readonly packageName: string,
    options: ErrorOptions = {},
  ) {
    super('BACKEND_MISSING', `--store needs ${packageName}, which is not installed: npm install ${packageName}`, options);
  }
}
