import type { Ledger } from './ledger';

export interface DashboardState {
  ledger: Ledger;
  target: number;
  backend: string;
  workers: { id: string; running: boolean }[];
  note: string;
  startedAt: number;
}

const BAR_WIDTH = 40;

function bar(fraction: number): string {
  const filled = Math.max(0, Math.min(BAR_WIDTH, Math.round(fraction * BAR_WIDTH)));
  return `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
}

/** Renders the live view as lines of text. */
export function renderDashboard(state: DashboardState): string[] {
  const { ledger } = state;
  const seconds = (Date.now() - state.startedAt) / 1000;
  const lines = [
    `@kcl demo - ${state.workers.length} workers, ${ledger.shardViews().length} shards, lease store: ${state.backend}   (${seconds.toFixed(1)} s)`,
    '',
    `  ${'shard'.padEnd(24)}${'owner'.padEnd(12)}${'records'.padStart(10)}${'lag ms'.padStart(10)}`,
  ];
  for (const view of ledger.shardViews()) {
    const owner = view.ended ? '(ended)' : (view.owner ?? '-');
    const lag = view.millisBehindLatest === undefined ? '-' : String(view.millisBehindLatest);
    lines.push(`  ${view.shardId.padEnd(24)}${owner.padEnd(12)}${String(view.delivered).padStart(10)}${lag.padStart(10)}`);
  }
  const workers = state.workers.map((w) => `${w.id}${w.running ? '' : ' (stopped)'}`).join(', ');
  const fraction = state.target > 0 ? ledger.consumed / state.target : 0;
  lines.push(
    '',
    `  workers:   ${workers}`,
    `  produced:  ${ledger.produced} / ${state.target}`,
    `  consumed:  ${ledger.consumed} distinct, ${ledger.deliveries - ledger.consumed} duplicate deliveries, ${ledger.leaseMoves} lease moves`,
    `  ${bar(fraction)} ${(fraction * 100).toFixed(1)}%`,
    `  ${state.note}`,
  );
  return lines;
}

/** Redraws the dashboard in place on a TTY; prints a compact line every few seconds otherwise. */
export class DashboardPrinter {
  private drawn = 0;
  private lastPlain = 0;

  constructor(private readonly out: NodeJS.WriteStream) {}

  draw(state: DashboardState): void {
    const lines = renderDashboard(state);
    if (this.out.isTTY) {
      const up = this.drawn > 0 ? `\x1b[${this.drawn}F` : '';
      this.out.write(`${up}${lines.map((l) => `\x1b[2K${l}`).join('\n')}\n`);
      this.drawn = lines.length;
      return;
    }
    const now = Date.now();
    if (now - this.lastPlain < 2000) return;
    this.lastPlain = now;
    const { ledger } = state;
    this.out.write(
      `produced ${ledger.produced}/${state.target}, consumed ${ledger.consumed}, duplicates ${ledger.deliveries - ledger.consumed} - ${state.note}\n`,
    );
  }
}
