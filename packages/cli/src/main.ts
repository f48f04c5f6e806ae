/**
 * `kcl` as a function: parses the command line, opens the lease store of `--store`, runs the command and returns the
 * exit code (0 ok, 1 refused or failed, 2 bad usage). Never throws; messages go to `io.err`.
 */
import { isKclError } from '@kcl/core';
import { parseCommandLine, type CliOptions } from './args';
import { lagCommand } from './commands/lag';
import { leasesCommand } from './commands/leases';
import { releaseCommand } from './commands/release';
import { resetCommand } from './commands/reset';
import { CliError, CliUsageError, EXIT_CODES } from './errors';
import { HELP_TEXT } from './help';
import { processIo, type CliIo } from './output';
import { openDynamoStore } from './stores/dynamodb-store';
import type { LeaseStoreAccess } from './stores/lease-store';
import { openRedisStore } from './stores/redis-store';

/** Runs `kcl` with `argv` (without the node and script paths) and resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo = processIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let options: CliOptions;
  try {
    const parsed = parseCommandLine(argv, env);
    if ('help' in parsed) {
      io.out(HELP_TEXT);
      return EXIT_CODES.ok;
    }
    options = parsed;
  } catch (error) {
    if (error instanceof CliUsageError) {
      io.err(`kcl: ${error.message}`);
      return EXIT_CODES.usage;
    }
    throw error;
  }
  let store: LeaseStoreAccess | undefined;
  try {
    store = options.store === 'redis' ? await openRedisStore(options) : await openDynamoStore(options);
    switch (options.command) {
      case 'leases':
        await leasesCommand(store, options, io);
        return EXIT_CODES.ok;
      case 'lag':
        return (await lagCommand(store, options, io)) ? EXIT_CODES.ok : EXIT_CODES.failed;
      case 'reset':
        await resetCommand(store, options, io);
        return EXIT_CODES.ok;
      case 'release':
        await releaseCommand(store, options, io);
        return EXIT_CODES.ok;
      default:
        return EXIT_CODES.usage;
    }
  } catch (error) {
    io.err(`kcl: ${describe(error)}`);
    return EXIT_CODES.failed;
  } finally {
    await store?.close().catch((error: unknown) => io.err(`kcl: closing the lease store failed: ${describe(error)}`));
  }
}

function describe(error: unknown): string {
  if (error instanceof CliError) return `${error.message} [${error.code}]`;
  if (isKclError(error)) return `${error.message} [${error.code}]`;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
