import { InvalidRecordProcessorError } from '../errors';
import type { RecordProcessor, RecordProcessorFactory } from '../processor/record-processor';
import { primitiveText } from '../internal/primitive-text';

/** A processor whose optional hooks are filled in: what the per-shard consumers call. */
export type CompleteRecordProcessor = Required<RecordProcessor>;

/**
 * Calls `factory.createProcessor()` and checks what it returned: an object with a `processRecords` method, and
 * `initialize` / `shutdown` either absent or functions.
 * @throws InvalidRecordProcessorError when createProcessor() throws or returns something else (the thrown error is
 *   the `cause`)
 */
export function createCheckedProcessor(factory: RecordProcessorFactory): RecordProcessor {
  let processor: unknown;
  try {
    processor = factory.createProcessor();
  } catch (error) {
    throw new InvalidRecordProcessorError(`RecordProcessorFactory.createProcessor() threw: ${describe(error)}`, { cause: error });
  }
  assertRecordProcessor(processor);
  return processor;
}

/**
 * Checks the shape of a processor.
 * @throws InvalidRecordProcessorError naming what is missing or wrong
 */
export function assertRecordProcessor(value: unknown): asserts value is RecordProcessor {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) {
    throw new InvalidRecordProcessorError(
      `RecordProcessorFactory.createProcessor() returned ${describeValue(value)}; it must return a RecordProcessor: ` +
        'an object with a processRecords(input) method (initialize and shutdown are optional)',
    );
  }
  const candidate = value as Record<string, unknown>;
  if (typeof candidate['processRecords'] !== 'function') {
    throw new InvalidRecordProcessorError(
      `The RecordProcessor returned by createProcessor() has no processRecords(input) method ` +
        `(processRecords is ${describeValue(candidate['processRecords'])}); add one: it receives every batch of records`,
    );
  }
  for (const hook of ['initialize', 'shutdown'] as const) {
    const member = candidate[hook];
    if (member !== undefined && member !== null && typeof member !== 'function') {
      throw new InvalidRecordProcessorError(
        `The RecordProcessor returned by createProcessor() has a ${hook} that is ${describeValue(member)}; ` +
          `${hook} must be a method or left out (it is optional)`,
      );
    }
  }
}

/**
 * The processor itself when it has both optional hooks; otherwise a wrapper that calls its methods (as methods, so
 * `this` is the processor) and does nothing for a missing `initialize` or `shutdown`.
 */
export function withOptionalHooks(processor: RecordProcessor): CompleteRecordProcessor {
  if (typeof processor.initialize === 'function' && typeof processor.shutdown === 'function') {
    return processor as CompleteRecordProcessor;
  }
  return {
    initialize: (input) => (typeof processor.initialize === 'function' ? processor.initialize(input) : undefined),
    processRecords: (input) => processor.processRecords(input),
    shutdown: (input) => (typeof processor.shutdown === 'function' ? processor.shutdown(input) : undefined),
  };
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  return `a ${typeof value} (${primitiveText(value)})`;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
