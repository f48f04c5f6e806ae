#!/usr/bin/env node
// The pinned AWS SDK warns on every start that later releases need Node 22; known and not actionable for the demo.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { DEFAULT_OPTIONS, parseArgs, USAGE, UsageError } from './args';
import { runDemo } from './run-demo';

async function main(): Promise<number> {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`demo: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
  if (options === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const summary = await runDemo(options ?? DEFAULT_OPTIONS);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } else {
    process.stdout.write(
      [
        '',
        'Summary',
        `  produced:    ${summary.produced}`,
        `  consumed:    ${summary.consumed}`,
        `  duplicates:  ${summary.duplicates}`,
        `  lost:        ${summary.lost}${summary.lost === 0 ? '' : '   <-- records were lost!'}`,
        `  lease moves: ${summary.leaseMoves}${summary.stoppedWorker ? ` (${summary.stoppedWorker} left midway)` : ''}`,
        `  first record ${summary.firstRecordMillis ?? '-'} ms after start(); ${summary.recordsPerSecond} records/s`,
        '',
      ].join('\n'),
    );
  }
  return summary.lost === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
