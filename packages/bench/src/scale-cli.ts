#!/usr/bin/env node
// pnpm bench:scale - see USAGE in ./scale-args.
// The pinned AWS SDK warns on every start that later releases need Node 22; known and not actionable here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { parseScaleArgs, USAGE, UsageError } from './scale-args';
import { runScaleBench } from './scale-bench';
import { formatScaleReport, scaleReportJson } from './scale-report';

/** Past the run's own bound, this much more for clean-up before the process exits regardless. */
const HARD_EXIT_GRACE_MS = 90_000;

async function main(): Promise<number> {
  let options;
  try {
    options = parseScaleArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`bench:scale: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
  if (options === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const maxSeconds = options.maxSeconds;
  setTimeout(() => {
    process.stderr.write(`bench:scale: still running ${HARD_EXIT_GRACE_MS / 1000} s past --max-seconds ${maxSeconds}; exiting\n`);
    process.exit(1);
  }, maxSeconds * 1000 + HARD_EXIT_GRACE_MS).unref();
  const result = await runScaleBench(options, (line) => process.stderr.write(`${line}\n`));
  process.stdout.write(options.json ? `${scaleReportJson(result)}\n` : formatScaleReport(result));
  return result.aborted === null ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench:scale failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
