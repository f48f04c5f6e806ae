/**
 * The child side of a worker-in-a-child fixture (core's failover test, the integration tests' worker processes, the
 * chaos workers, the scale benchmark's workers): its settings as JSON in one environment variable, reports to the
 * parent as stamped JSON lines on stdout or as IPC messages, a graceful stop on SIGTERM that runs once and exits with
 * 0, and a main that exits with 1 when it fails. Each fixture keeps only its own part: how it builds its Worker (this
 * package depends on no backend nor on core) and what it reports.
 */
import { writeSync } from 'node:fs';

/**
 * The JSON value of the environment variable `name` (a fixture's settings, put there by its parent).
 * @throws Error when the variable is not set
 */
export function readChildSettings<T>(name: string, env: NodeJS.ProcessEnv = process.env): T {
  const raw = env[name];
  if (!raw) throw new Error(`${name} is not set`);
  return JSON.parse(raw) as T;
}

/**
 * A writer of one JSON line per call to stdout, written synchronously (so a line written before a SIGKILL is never
 * lost), with `fields` added to every line and `t`, its write time in epoch milliseconds with sub-millisecond precision
 * (`performance.timeOrigin + performance.now()`, comparable across processes).
 */
export function jsonLineWriter<L extends object>(fields: object = {}): (line: L) => void {
  return (line) => {
    writeSync(1, `${JSON.stringify({ ...line, ...fields, t: performance.timeOrigin + performance.now() })}\n`);
  };
}

/**
 * Sends `message` to the parent over IPC; resolves once it is handed over.
 * @throws Error when this process was not started with fork(), or the send failed (the parent is gone)
 */
export function sendToParent(message: object): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) return reject(new Error('this process must be started with fork() to talk to its parent'));
    process.send(message, (error: Error | null) => (error ? reject(error) : resolve()));
  });
}

/**
 * Runs `stop` (at most once, however often it is called or signalled) on each of `signals`, then exits with 0.
 * Returns the once-only stop-and-exit, for a fixture that also stops by itself.
 * @param signals @defaultValue ['SIGTERM']
 */
export function exitOnStopSignals(stop: () => Promise<void>, signals: readonly NodeJS.Signals[] = ['SIGTERM']): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  const stopAndExit = (): Promise<void> =>
    (stopping ??= (async () => {
      await stop();
      process.exit(0);
    })());
  for (const signal of signals) process.on(signal, () => void stopAndExit()); // a repeated signal does not cut the stop short
  return stopAndExit;
}

/** Runs a fixture's `main`; when it fails, prints why (under the fixture's `name`) on stderr and exits with 1. */
export function runChildMain(name: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    process.stderr.write(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}

/** A delivered record as a fixture reports it: its data as UTF-8 text and its sequence number. */
export interface TextRecord {
  data: string;
  sequenceNumber: string;
}

/** The records of a batch as {@link TextRecord}s. */
export function textRecords(records: ReadonlyArray<{ data: Uint8Array; sequenceNumber: string }>): TextRecord[] {
  return records.map((r) => ({ data: Buffer.from(r.data).toString('utf8'), sequenceNumber: r.sequenceNumber }));
}
