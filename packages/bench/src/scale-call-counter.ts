/**
 * Counts the AWS SDK calls a client makes, per operation, with one middleware (in the worker processes of
 * `pnpm bench:scale`). For DynamoDB it also asks for and sums ConsumedCapacity.
 */

/** The part of an AWS SDK v3 client the counter needs. */
export interface MiddlewareClient {
  middlewareStack: {
    add(
      middleware: (
        next: (args: { input: object }) => Promise<{ output: object }>,
        context: { commandName?: string },
      ) => (args: { input: object }) => Promise<{ output: object }>,
      options: { step: 'initialize'; name: string },
    ): void;
  };
}

export interface CallCounts {
  /** Calls per operation (logical calls; SDK retries of one call are not counted again). */
  calls: Record<string, number>;
  /** Failed calls per operation (after the SDK's retries). */
  failures: Record<string, number>;
  /** Sum of ConsumedCapacity.CapacityUnits of the answers (DynamoDB with `askConsumedCapacity`); 0 otherwise. */
  capacityUnits: number;
  /** Answers that carried ConsumedCapacity. */
  answersWithCapacity: number;
  /** The part of `capacityUnits` consumed by reads (Scan, Query, GetItem, BatchGetItem, TransactGetItems). */
  readCapacityUnits: number;
}

/** DynamoDB operations that read (their ConsumedCapacity is read capacity). */
const READ_OPERATIONS = new Set(['GetItemCommand', 'ScanCommand', 'QueryCommand', 'BatchGetItemCommand', 'TransactGetItemsCommand']);

/** An empty count. */
export function noCalls(): CallCounts {
  return { calls: {}, failures: {}, capacityUnits: 0, answersWithCapacity: 0, readCapacityUnits: 0 };
}

/** `a` + `b`, per operation and in total. */
export function addCallCounts(a: CallCounts, b: CallCounts): CallCounts {
  const add = (x: Record<string, number>, y: Record<string, number>): Record<string, number> => {
    const sum = { ...x };
    for (const [operation, calls] of Object.entries(y)) sum[operation] = (sum[operation] ?? 0) + calls;
    return sum;
  };
  return {
    calls: add(a.calls, b.calls),
    failures: add(a.failures, b.failures),
    capacityUnits: a.capacityUnits + b.capacityUnits,
    answersWithCapacity: a.answersWithCapacity + b.answersWithCapacity,
    readCapacityUnits: a.readCapacityUnits + b.readCapacityUnits,
  };
}

/** DynamoDB operations that accept ReturnConsumedCapacity (the ones the lease store uses, and their kin). */
const CAPACITY_OPERATIONS = new Set([
  'GetItemCommand',
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'ScanCommand',
  'QueryCommand',
  'BatchGetItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
  'TransactGetItemsCommand',
]);

function capacityOf(output: object): number | undefined {
  const consumed = (output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
  const units = (entry: unknown): number => {
    const value = (entry as { CapacityUnits?: unknown } | undefined)?.CapacityUnits;
    return typeof value === 'number' ? value : 0;
  };
  if (Array.isArray(consumed)) return consumed.reduce((sum: number, entry) => sum + units(entry), 0);
  if (consumed && typeof consumed === 'object') return units(consumed);
  return undefined;
}

/** Adds the counting middleware to `client`; returns a function that hands out the counts since the previous call. */
export function countCalls(client: MiddlewareClient, options: { askConsumedCapacity?: boolean } = {}): () => CallCounts {
  let current: CallCounts = noCalls();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = (context.commandName ?? 'unknown').replace(/Command$/, '');
      current.calls[operation] = (current.calls[operation] ?? 0) + 1;
      const input = args.input as Record<string, unknown>;
      const ask =
        options.askConsumedCapacity === true && CAPACITY_OPERATIONS.has(context.commandName ?? '') && input.ReturnConsumedCapacity === undefined;
      const counts = current;
      try {
        const result = await next(ask ? { ...args, input: { ...input, ReturnConsumedCapacity: 'TOTAL' } } : args);
        const units = capacityOf(result.output);
        if (units !== undefined) {
          counts.capacityUnits += units;
          counts.answersWithCapacity++;
          if (READ_OPERATIONS.has(context.commandName ?? '')) counts.readCapacityUnits += units;
        }
        return result;
      } catch (error) {
        counts.failures[operation] = (counts.failures[operation] ?? 0) + 1;
        throw error;
      }
    },
    { step: 'initialize', name: 'kclBenchScaleCallCounter' },
  );
  return () => {
    const taken = current;
    current = noCalls();
    return taken;
  };
}

/**
 * Counts from a store that counts its own commands (RedisCheckpoint.commandCounts(): totals since it was created):
 * returns a function that hands out the commands sent since the previous call.
 */
export function countStoreCommands(totals: () => Record<string, number>): () => CallCounts {
  let previous: Record<string, number> = {};
  return () => {
    const now = totals();
    const calls: Record<string, number> = {};
    for (const [command, total] of Object.entries(now)) {
      const delta = total - (previous[command] ?? 0);
      if (delta > 0) calls[command] = delta;
    }
    previous = now;
    return { ...noCalls(), calls };
  };
}

/** Commands and operations that read the lease store (Redis commands as RedisCheckpoint sends them; DynamoDB calls). */
export const STORE_READS = new Set([
  'HGETALL',
  'HGET',
  'HMGET',
  'SMEMBERS',
  'SSCAN',
  'EXISTS',
  'GetItem',
  'Scan',
  'Query',
  'BatchGetItem',
  'DescribeTable',
]);

/** The read requests among `calls`. */
export function storeReads(calls: Record<string, number> | undefined): number {
  let reads = 0;
  for (const [operation, count] of Object.entries(calls ?? {})) if (STORE_READS.has(operation)) reads += count;
  return reads;
}
