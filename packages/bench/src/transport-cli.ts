#!/usr/bin/env node
// pnpm bench:transport - see TRANSPORT_USAGE in ./transport-args.
// The pinned AWS SDK warns on every start that later releases need Node 22; known and not actionable here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { runCommand } from '@kcl/testbed';
import { parseTransportArgs, TRANSPORT_USAGE } from './transport-args';
import { runTransportBench } from './transport-bench';
import { formatTransportReport, transportReportJson } from './transport-report';

runCommand('bench:transport', TRANSPORT_USAGE, process.argv.slice(2), parseTransportArgs, async (options) => {
  const result = await runTransportBench(options, (line) => process.stderr.write(`${line}\n`));
  process.stdout.write(options.json ? `${transportReportJson(result)}\n` : formatTransportReport(result));
  return 0;
});
