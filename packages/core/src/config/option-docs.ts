/**
 * Renders the options table of the core README from the option table, so the README cannot drift from the code.
 * `pnpm --filter @kcl/core docs:config` writes it between the README's `<!-- config-options:start -->` and
 * `<!-- config-options:end -->` markers; test/config-docs.test.ts fails when the README holds something else.
 * @internal
 */
import { OPTION_NAMES, OPTION_TABLE, type OptionSpec } from './option-table';

export const OPTIONS_TABLE_START = '<!-- config-options:start -->';
export const OPTIONS_TABLE_END = '<!-- config-options:end -->';

/** `withCredentials` sets two options, so it is a row of its own after them. */
const CREDENTIALS_ROW = '| `withCredentials(c)` | both fields above | - | same | the same credentials for Kinesis and DynamoDB |';

function row(name: string, spec: OptionSpec<unknown>): string {
  const defaultText = spec.defaultText ?? String(spec.default);
  return `| \`${spec.setter}(${spec.argument})\` | \`${name}\` | ${defaultText} | ${spec.allowed} | ${spec.summary} |`;
}

/** The markdown table (header, one row per option in table order, the `withCredentials` row). */
export function renderOptionsTable(): string {
  const lines = ['| setter | field | default | allowed | what it does |', '|---|---|---|---|---|'];
  for (const name of OPTION_NAMES) lines.push(row(name, OPTION_TABLE[name] as OptionSpec<unknown>));
  lines.push(CREDENTIALS_ROW);
  return lines.join('\n');
}

/** `readme` with the text between the markers replaced by the rendered table. Throws if a marker is missing. */
export function replaceOptionsTable(readme: string): string {
  const start = readme.indexOf(OPTIONS_TABLE_START);
  const end = readme.indexOf(OPTIONS_TABLE_END);
  if (start < 0 || end < start) throw new Error(`README: ${OPTIONS_TABLE_START} ... ${OPTIONS_TABLE_END} markers not found`);
  return `${readme.slice(0, start + OPTIONS_TABLE_START.length)}\n${renderOptionsTable()}\n${readme.slice(end)}`;
}
