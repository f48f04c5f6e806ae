#!/usr/bin/env node
// pnpm bench:scale - see USAGE in ./scale-args.
// The pinned AWS SDK warns on every start that later releases need Node 22; known and not actionable here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { runCommand } from '@kcl/testbed';
import { parseScaleArgs, USAGE } from './scale-args';
import { runScaleBench } from './scale-bench';
import { formatScaleReport, scaleReportJson } from './scale-report';

/** Past the run's own bound, this much more for clean-up before the process exits regardless. */
const HARD_EXIT_GRACE_MS = 90_000;

runCommand('bench:scale', USAGE, process.argv.slice(2), parseScaleArgs, async (options) => {
  const maxSeconds = options.maxSeconds;
  setTimeout(
    () => {
      process.stderr.write(`bench:scale: still running ${HARD_EXIT_GRACE_MS / 1000} s past --max-seconds ${maxSeconds}; exiting\n`);
      process.exit(1);
    },
    maxSeconds * 1000 + HARD_EXIT_GRACE_MS,
  ).unref();
  const result = await runScaleBench(options, (line) => process.stderr.write(`${line}\n`));
  process.stdout.write(options.json ? `${scaleReportJson(result)}\n` : formatScaleReport(result));
  return result.aborted === null ? 0 : 1;
});
