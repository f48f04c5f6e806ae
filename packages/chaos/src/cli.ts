#!/usr/bin/env node
// `pnpm chaos`: see USAGE in args.ts. The pinned AWS SDK warns on every start that later releases need Node 22.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { runCommand } from '@kcl/testbed';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs, USAGE } from './args';
import { checkInvariants } from './invariants';
import { loadRunData } from './load-run';
import { newSeed } from './prng';
import { renderMarkdown } from './report';
import { runChaos } from './run-chaos';

runCommand('chaos', USAGE, process.argv.slice(2), parseArgs, async (options) => {
  if (options.check !== undefined) {
    const results = checkInvariants(loadRunData(options.check));
    if (options.json) process.stdout.write(`${JSON.stringify(results)}\n`);
    else
      for (const r of results)
        process.stdout.write(`${r.passed ? 'pass' : 'FAIL'}  ${r.name} (${r.checked} checked)${r.violations.map((v) => `\n      ${v}`).join('')}\n`);
    return results.every((r) => r.passed) ? 0 : 1;
  }
  const seed = options.seed ?? newSeed();
  // The seed first, so a run that crashes or hangs can still be replayed.
  (options.json ? process.stderr : process.stdout).write(`chaos seed ${seed} (replay: --seed ${seed})\n`);
  const report = await runChaos(options, seed, options.json ? {} : { progress: (line) => process.stdout.write(`${line}\n`) });
  const markdown = renderMarkdown(report);
  mkdirSync(options.reportDir, { recursive: true });
  const name = basename(report.logDir);
  writeFileSync(join(options.reportDir, `${name}.json`), `${JSON.stringify(report, null, 1)}\n`);
  writeFileSync(join(options.reportDir, `${name}.md`), markdown);
  if (options.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else process.stdout.write(`\n${markdown}\nreport: ${join(options.reportDir, `${name}.md`)} (JSON beside it; logs in ${report.logDir})\n`);
  return report.passed ? 0 : 1;
});
