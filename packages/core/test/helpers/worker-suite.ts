/**
 * The hooks every worker / lease-engine test file registers: one kinesalite per file, and after each test the
 * producers stopped, the workers healed and shut down, extra cleanups run, and no unhandled rejection left over.
 */
import { useServerFixture } from './kinesis-fixture';
import { startKinesaliteFixture, trackUnhandledRejections, type KinesaliteFixture, type TestWorker } from './worker-harness';

export interface WorkerSuite {
  /** The file's kinesalite; its fields may be read from `beforeAll` on. */
  readonly fx: Pick<KinesaliteFixture, 'server' | 'kinesis'>;
  /** Shut down after each test, after their stores are healed and hung calls released. */
  readonly workers: TestWorker[];
  /** Stopped after each test, before the workers. */
  readonly producers: Array<{ stop(): Promise<void> }>;
  /** Run after each test, last pushed first, after the workers. */
  readonly cleanup: Array<() => Promise<void> | void>;
}

/** Registers beforeAll/afterEach/afterAll hooks in the calling test file (or describe block). */
export function useWorkerSuite(): WorkerSuite {
  const rejections = trackUnhandledRejections();
  const suite: WorkerSuite = { fx: useServerFixture(startKinesaliteFixture), workers: [], producers: [], cleanup: [] };
  afterEach(async () => {
    for (const p of suite.producers.splice(0)) await p.stop();
    for (const w of suite.workers.splice(0)) {
      w.store.heal();
      w.store.releaseHung();
      await w.worker.shutdown();
    }
    for (const fn of suite.cleanup.splice(0).reverse()) await fn();
    expect(rejections.errors).toEqual([]);
  });
  afterAll(() => {
    rejections.dispose();
  });
  return suite;
}
