import type { RunModel } from './run-model';

/** What one invariant found. */
export interface InvariantResult {
  /** Stable name (kebab-case), e.g. `no-loss`. */
  name: string;
  /** What it checks, in one line. */
  title: string;
  passed: boolean;
  /** How many things were checked (records, tenures, shards...), to show the check was not vacuous. */
  checked: number;
  violationCount: number;
  /** The first violations, described. */
  violations: string[];
}

export interface Invariant {
  name: string;
  title: string;
  check(model: RunModel): InvariantResult;
}

/** Violations kept in a result (the count is always exact). */
export const MAX_LISTED_VIOLATIONS = 20;

/** Collects violations for one invariant. */
export class Findings {
  checked = 0;
  private count = 0;
  private readonly listed: string[] = [];

  constructor(
    private readonly name: string,
    private readonly title: string,
  ) {}

  violation(message: string): void {
    this.count++;
    if (this.listed.length < MAX_LISTED_VIOLATIONS) this.listed.push(message);
  }

  result(): InvariantResult {
    return {
      name: this.name,
      title: this.title,
      passed: this.count === 0,
      checked: this.checked,
      violationCount: this.count,
      violations: this.listed,
    };
  }
}

/** Formats a time of the run as seconds since its start. */
export function rel(model: RunModel, at: number): string {
  return `t+${((at - model.data.startedAt) / 1000).toFixed(3)}s`;
}
