/**
 * Reads the worker logs while the run goes on (new bytes every few hundred ms) and keeps every line for the checker,
 * plus the live view the coordinator needs: which records were delivered, and which shards each incarnation is
 * processing right now.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import type { WorkerLine } from './log-lines';

export class LogTail {
  readonly lines: WorkerLine[] = [];
  /** Record ids delivered in accepted (not failed) batches. */
  readonly delivered = new Set<number>();
  /** Shards whose processor is between init and shutdown, per incarnation. */
  readonly processing = new Map<string, Set<string>>();
  deliveries = 0;
  private readonly offsets = new Map<string, number>();
  private readonly partial = new Map<string, string>();

  constructor(private readonly files: string[]) {}

  /** Reads whatever was appended since the last call. */
  poll(): void {
    for (const file of this.files) this.readFile(file);
  }

  private readFile(file: string): void {
    if (!existsSync(file)) return;
    const size = statSync(file).size;
    const offset = this.offsets.get(file) ?? 0;
    if (size <= offset) return;
    const fd = openSync(file, 'r');
    const buffer = Buffer.alloc(size - offset);
    try {
      readSync(fd, buffer, 0, buffer.length, offset);
    } finally {
      closeSync(fd);
    }
    this.offsets.set(file, size);
    const text = (this.partial.get(file) ?? '') + buffer.toString('utf8');
    const parts = text.split('\n');
    this.partial.set(file, parts.pop() ?? '');
    for (const part of parts) {
      if (part.trim() === '') continue;
      let line: WorkerLine;
      try {
        line = JSON.parse(part) as WorkerLine;
      } catch {
        continue; // a line torn by a SIGKILL mid-write cannot happen with writeSync, but never crash on one
      }
      this.apply(line);
    }
  }

  private apply(line: WorkerLine): void {
    this.lines.push(line);
    switch (line.t) {
      case 'batch':
        if (line.fail) break;
        this.deliveries += line.recs.length;
        for (const [id] of line.recs) this.delivered.add(id);
        break;
      case 'init': {
        const set = this.processing.get(line.inc) ?? new Set<string>();
        set.add(line.shard);
        this.processing.set(line.inc, set);
        break;
      }
      case 'shutdown':
        this.processing.get(line.inc)?.delete(line.shard);
        break;
      default:
        break;
    }
  }

  /** Shards incarnation `inc` is processing now. */
  shardsOf(inc: string | undefined): string[] {
    return inc === undefined ? [] : [...(this.processing.get(inc) ?? [])];
  }
}
