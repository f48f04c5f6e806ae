/**
 * The one command-line parser of the private tools (testbed's local:up, bench, chaos, demo, the examples), on
 * `util.parseArgs`: `--flag value`, `--flag=value`, `-h`; a `--` separator (pnpm passes it through) is skipped.
 * Every value is checked against its spec; anything wrong is a UsageError naming the flag.
 */
import { parseArgs } from 'node:util';

/**
 * A bad command line: the tool prints the message and its usage, and exits with code 2. `flag` is the flag as given
 * (`--runs`, an environment variable's name, or `argument` for an unknown one), `value` what it got, `expected` what
 * it takes.
 */
export class UsageError extends Error {
  override name = 'UsageError';

  constructor(
    message: string,
    readonly flag = 'argument',
    readonly value: string | undefined = undefined,
    readonly expected = '',
  ) {
    super(message);
  }
}

/**
 * Parses `raw` as a decimal integer in [min, max]; `label` names it in the UsageError (`--runs`, `KCL_REDIS_PORT`)
 * when it is missing, empty, not plain digits or out of range.
 */
export function parseInteger(label: string, raw: string | undefined, min: number, max: number): number {
  const expected = `an integer from ${min} to ${max}`;
  if (raw === undefined) throw new UsageError(`${label} needs a value (${expected})`, label, raw, expected);
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`${label} must be ${expected}, got ${JSON.stringify(raw)}`, label, raw, expected);
  }
  return value;
}

/** What a flag takes. `aliases` are other names of the same flag (without `--`). */
export type FlagSpec = (
  | { kind: 'int'; min: number; max: number }
  | { kind: 'switch' }
  | { kind: 'choice'; choices: readonly string[] }
  /** A non-empty string; `needs` completes the message `--flag needs <needs>`. */
  | { kind: 'text'; needs: string }
) & { aliases?: readonly string[] };

type ValueOf<S extends FlagSpec> = S extends { kind: 'int' } ? number : S extends { kind: 'switch' } ? true : string;

/** The flags given (by their spec name), and whether -h/--help was among them. */
export interface ParsedFlags<S extends Record<string, FlagSpec>> {
  help: boolean;
  values: { [K in keyof S]?: ValueOf<S[K]> };
}

/**
 * Parses `argv` (without node and script) against `spec` (flag names without `--`). A flag given twice keeps its last
 * value. `-h`/`--help` is always known.
 * @throws UsageError for an unknown flag, a positional argument, a missing or bad value, or a value given to a switch
 */
export function parseFlags<S extends Record<string, FlagSpec>>(argv: readonly string[], spec: S): ParsedFlags<S> {
  const byName = new Map<string, keyof S & string>();
  for (const [name, flag] of Object.entries(spec)) for (const alias of [name, ...(flag.aliases ?? [])]) byName.set(alias, name);
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const [alias, name] of byName) options[alias] = { type: spec[name]!.kind === 'switch' ? 'boolean' : 'string' };
  const known = ['--help', ...byName.keys()].map((n) => (n.startsWith('--') ? n : `--${n}`)).join(', ');
  const { tokens } = parseArgs({ args: argv.filter((arg) => arg !== '--'), options, strict: false, allowPositionals: true, tokens: true });
  const parsed: ParsedFlags<S> = { help: false, values: {} };
  const values = parsed.values as Record<string, unknown>;
  for (const token of tokens) {
    if (token.kind !== 'option') {
      const raw = token.kind === 'positional' ? token.value : '--';
      throw new UsageError(`unknown option ${JSON.stringify(raw)}; see --help`, 'argument', raw, `one of ${known}`);
    }
    if (token.name === 'help') {
      parsed.help = true;
      continue;
    }
    const name = byName.get(token.name);
    if (name === undefined) {
      throw new UsageError(`unknown option ${JSON.stringify(token.rawName)}; see --help`, 'argument', token.rawName, `one of ${known}`);
    }
    const flag = spec[name]!;
    const label = token.rawName;
    if (flag.kind === 'switch') {
      if (token.inlineValue) throw new UsageError(`${label} takes no value`, label, token.value, 'no value');
      values[name] = true;
    } else if (flag.kind === 'int') {
      values[name] = parseInteger(label, token.value, flag.min, flag.max);
    } else if (flag.kind === 'choice') {
      if (token.value === undefined || !flag.choices.includes(token.value)) {
        const expected = `one of ${flag.choices.join(', ')}`;
        throw new UsageError(`${label} must be ${expected}, got ${JSON.stringify(token.value ?? '')}`, label, token.value, expected);
      }
      values[name] = token.value;
    } else {
      if (token.value === undefined || token.value === '') throw new UsageError(`${label} needs ${flag.needs}`, label, token.value, flag.needs);
      values[name] = token.value;
    }
  }
  return parsed;
}

/**
 * The frame of a tool's entry point: parses `argv` with `parse`; a UsageError prints `<tool>: <message>` and `usage`
 * to stderr (exit code 2), `'help'` prints `usage` to stdout (0); otherwise the process exits with the code `run`
 * resolves with. A failure of `run` prints `<tool> failed:` and its stack (1).
 */
export function runCommand<T>(
  tool: string,
  usage: string,
  argv: readonly string[],
  parse: (argv: readonly string[]) => T | 'help',
  run: (options: T) => Promise<number>,
): void {
  const main = async (): Promise<number> => {
    let options: T | 'help';
    try {
      options = parse(argv);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      process.stderr.write(`${tool}: ${error.message}\n\n${usage}`);
      return 2;
    }
    if (options === 'help') {
      process.stdout.write(usage);
      return 0;
    }
    return run(options);
  };
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${tool} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
