// Shared by the metrics examples (prometheus-metrics, cloudwatch-metrics, opentelemetry-metrics), whose point is the
// MonitoringService set-up: the record processor and the run-until-stopped loop are the same in each, so they live here.
import {
  ShutdownReason,
  type ProcessRecordsInput,
  type RecordProcessor,
  type RecordProcessorFactory,
  type ShutdownInput,
  type Worker,
} from '@kcl/core';
import type { ExampleEnvironment } from './environment';
import type { ConsumptionTally } from './tally';

/** Counts each batch into `tally` and checkpoints after it; checkpoints at shard end and on a requested shutdown. */
export class CheckpointingProcessor implements RecordProcessor {
  constructor(private readonly tally: ConsumptionTally) {}

  initialize(): void {}

  async processRecords({ records, checkpointer }: ProcessRecordsInput): Promise<void> {
    if (records.length === 0) return;
    this.tally.add(records);
    await checkpointer.checkpoint();
  }

  async shutdown({ shutdownReason, checkpointer }: ShutdownInput): Promise<void> {
    if (shutdownReason !== ShutdownReason.ZOMBIE) await checkpointer.checkpoint();
  }
}

/** A factory of {@link CheckpointingProcessor}s counting into `tally`. */
export function checkpointingProcessors(tally: ConsumptionTally): RecordProcessorFactory {
  return { createProcessor: () => new CheckpointingProcessor(tally) };
}

/** Options of {@link runUntilStopped}. */
export interface RunUntilStoppedOptions {
  /** Runs after the stop signal and before `worker.shutdown()` (e.g. a last metrics export). @defaultValue none */
  beforeShutdown?: () => Promise<void> | void;
  /** Prints `processed N records so far` at this period, in ms. @defaultValue no progress lines */
  progressEveryMillis?: number;
  /** Where lines go. @defaultValue `console.log` */
  print?: (line: string) => void;
}

/**
 * Starts `worker` and runs it until Ctrl-C or SIGTERM (on the local test bed without --forever: until every sample
 * record was consumed), then shuts it down. Prints the lines the examples' tests read.
 */
export async function runUntilStopped(
  worker: Worker,
  env: ExampleEnvironment,
  tally: ConsumptionTally,
  options: RunUntilStoppedOptions = {},
): Promise<void> {
  const print = options.print ?? ((line: string) => console.log(line));
  const progress =
    options.progressEveryMillis === undefined
      ? undefined
      : setInterval(() => print(`processed ${tally.deliveries} records so far`), options.progressEveryMillis).unref();
  const signalled = new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  try {
    await worker.start();
    print(`worker ${worker.workerId} is consuming ${env.streamName}`);
    print(`stopping: ${await Promise.race([signalled, env.sampleConsumed()])}`);
    await options.beforeShutdown?.();
  } finally {
    clearInterval(progress);
    await worker.shutdown();
  }
}
