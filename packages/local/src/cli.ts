#!/usr/bin/env node
// `kcl-local`: the command line of @kcl/local (see USAGE in cli-options.ts and the package README).
// The AWS SDK warns on every start on Node 20 that later releases need Node 22; that is not actionable here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { USAGE, parseCommand } from './cli-options';
import { runCli, type CliOutput } from './cli-run';
import { isLocalError } from './errors';

const io: CliOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** 2 for bad usage (LOCAL_BAD_OPTION), 1 for any other failure. */
export function exitCodeOf(error: unknown): number {
  return isLocalError(error) && error.code === 'LOCAL_BAD_OPTION' ? 2 : 1;
}

async function main(): Promise<number> {
  try {
    return await runCli(parseCommand(process.argv.slice(2)), io, USAGE);
  } catch (error) {
    const code = exitCodeOf(error);
    io.err(`kcl-local: ${error instanceof Error ? error.message : String(error)}`);
    if (code === 2) io.err('see kcl-local --help');
    return code;
  }
}

if (require.main === module) {
  void main().then((code) => process.exit(code));
}
