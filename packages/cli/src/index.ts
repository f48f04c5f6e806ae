export { runCli } from './main';
export { parseCommandLine, COMMANDS, DEFAULT_FAILOVER_MILLIS, DEFAULT_KEY_PREFIX, DEFAULT_REDIS_URL } from './args';
export type { CliOptions, CommandName, HelpRequest, ResetTarget, StoreKind } from './args';
export {
  BackendMissingError,
  CliError,
  CliUsageError,
  EXIT_CODES,
  LeaseChangedError,
  LeaseNotFoundError,
  LiveOwnerError,
  ShardEndedError,
} from './errors';
export type { CliErrorCode } from './errors';
export type { CliIo } from './output';
export type { LeaseRow } from './commands/lease-rows';
export type { LagRow } from './commands/lag';
export { watchLeaseCounters } from './liveness';
export type { CounterObservation, WatchOptions, WatchResult } from './liveness';
