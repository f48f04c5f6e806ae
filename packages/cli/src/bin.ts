#!/usr/bin/env node
// The `kcl` executable: runs the CLI on the process's arguments and exits with its code.
import { runCli } from './main';

void runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`kcl: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
