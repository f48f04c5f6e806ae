#!/usr/bin/env node
// pnpm bench:transport - see TRANSPORT_USAGE in ./transport-args.
// The pinned AWS SDK warns on every start that later releases need Node 22; known and not actionable here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { parseTransportArgs, TRANSPORT_USAGE, UsageError } from './transport-args';
import { runTransportBench } from './transport-bench';
import { formatTransportReport, transportReportJson } from './transport-report';

async function main(): Promise<number> {
  let options;
  try {
    options = parseTransportArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`bench:transport: ${error.message}\n\n${TRANSPORT_USAGE}`);
      return 2;
    }
    throw error;
  }
  if (options === 'help') {
    process.stdout.write(TRANSPORT_USAGE);
    return 0;
  }
  const result = await runTransportBench(options, (line) => process.stderr.write(`${line}\n`));
  process.stdout.write(options.json ? `${transportReportJson(result)}\n` : formatTransportReport(result));
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench:transport failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
