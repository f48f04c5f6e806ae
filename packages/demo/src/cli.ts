#!/usr/bin/env node
// The pinned AWS SDK warns on every start that later releases need Node 22; known and not actionable for the demo.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { runCommand } from '@kcl/testbed';
import { parseArgs, USAGE } from './args';
import { runDemo } from './run-demo';

runCommand('demo', USAGE, process.argv.slice(2), parseArgs, async (options) => {
  const summary = await runDemo(options);
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
});
