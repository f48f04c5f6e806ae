#!/usr/bin/env node
// pnpm bench:drain - see USAGE in ./args.
// The pinned AWS SDK warns on every start that later releases need Node 22; known and not actionable here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { runCommand } from '@kcl/testbed';
import { parseDrainArgs, USAGE } from './args';
import { runDrainBench } from './drain-bench';
import { drainReportJson, formatDrainReport } from './report';

runCommand('bench:drain', USAGE, process.argv.slice(2), parseDrainArgs, async (options) => {
  const result = await runDrainBench(options, (line) => process.stderr.write(`${line}\n`));
  process.stdout.write(options.json ? `${drainReportJson(result)}\n` : formatDrainReport(result));
  return 0;
});
