#!/usr/bin/env node
// pnpm bench:drain - see USAGE in ./args.
// The pinned AWS SDK warns on every start that later releases need Node 22; known and not actionable here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { parseDrainArgs, USAGE, UsageError } from './args';
import { runDrainBench } from './drain-bench';
import { drainReportJson, formatDrainReport } from './report';

async function main(): Promise<number> {
  let options;
  try {
    options = parseDrainArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`bench:drain: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
  if (options === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const result = await runDrainBench(options, (line) => process.stderr.write(`${line}\n`));
  process.stdout.write(options.json ? `${drainReportJson(result)}\n` : formatDrainReport(result));
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench:drain failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
