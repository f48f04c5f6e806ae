import { closeSync, openSync, writeSync } from 'node:fs';
import type { WorkerLine } from './log-lines';

/**
 * Appends JSON lines with synchronous writes: a line is in the kernel's hands when `write` returns, so it survives
 * a SIGKILL of the process right after.
 */
export class LogWriter {
  private fd: number | undefined;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'a');
  }

  write(line: WorkerLine): void {
    if (this.fd === undefined) return;
    writeSync(this.fd, `${JSON.stringify(line)}\n`);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
