import { ConfigError } from '@kcl/core';

/** Billing mode of a lease table created by {@link DynamoCheckpoint}. */
export type BillingMode = 'PAY_PER_REQUEST' | 'PROVISIONED';

/** Options of {@link DynamoCheckpoint} (second constructor argument). Every field is optional. */
export interface DynamoCheckpointOptions {
  /**
   * Create the lease table at `init()` when it does not exist. When false, a missing table is an error.
   * @defaultValue true
   */
  createTable?: boolean;
  /**
   * Billing mode of a table created by `init()` (an existing table is used as it is).
   * @defaultValue 'PAY_PER_REQUEST' (on-demand)
   */
  billingMode?: BillingMode;
  /**
   * Read capacity units of a created table; only with `billingMode: 'PROVISIONED'`. Integer >= 1.
   * @defaultValue 10
   */
  readCapacityUnits?: number;
  /**
   * Write capacity units of a created table; only with `billingMode: 'PROVISIONED'`. Integer >= 1.
   * @defaultValue 10
   */
  writeCapacityUnits?: number;
  /**
   * How long `init()` waits for the table to become ACTIVE after creating it or finding it CREATING. (A table that is
   * UPDATING, e.g. while an index is added, is used at once: DynamoDB serves reads and writes then.)
   * @defaultValue 120000 (2 minutes)
   */
  tableActiveTimeoutMillis?: number;
  /**
   * Attempts per DynamoDB call, including the first, for a client this package creates (the SDK's standard retry
   * strategy with exponential back-off and jitter retries throttling, 5xx and network errors). An injected client
   * keeps its own setting. Integer 1-20.
   * @defaultValue 3
   */
  maxAttempts?: number;
  /**
   * TCP connect timeout of a client this package creates, in milliseconds (0 = none).
   * @defaultValue 3000
   */
  connectionTimeoutMillis?: number;
  /**
   * Per-request socket timeout of a client this package creates, in milliseconds (0 = none).
   * @defaultValue 10000
   */
  requestTimeoutMillis?: number;
  /**
   * Page size (Scan `Limit`) used when listing leases. Every page is read; a smaller page only means more requests.
   * Undefined lets DynamoDB fill pages up to 1 MB.
   * @defaultValue undefined
   */
  scanPageSize?: number;
  /**
   * Add the owner index (the global secondary index `AssignedTo-index`, see the README) with `UpdateTable` at `init()`
   * when an existing table lacks it (a table created by go-kcl or an older @kcl). Needs `dynamodb:UpdateTable`. Until
   * the index is ACTIVE, and always when this is false and the index is missing, `listOwnedLeases` reads the whole
   * table (a Scan) and one warning says so. Tables created by `init()` get the index at creation either way.
   * @defaultValue true
   */
  createOwnerIndex?: boolean;
  /**
   * While the owner index is missing or still being created, `listOwnedLeases` looks at the table again
   * (`DescribeTable`, and `UpdateTable` once more when the index is still missing and `createOwnerIndex` is set) at most
   * this often, in milliseconds. Integer 1 - 86400000.
   * @defaultValue 30000
   */
  ownerIndexCheckIntervalMillis?: number;
  /**
   * `listOwnedLeases` for the store's own worker id answers from the list it last read while no lease was assigned or
   * handed to the worker (the assignment epoch of its registry item has not moved, see the README), but reads the
   * owner index again once that list is this old, in milliseconds, signal or not: the safety net for lease writers
   * that send no signal (an older @kcl in the same fleet). 0 reads the owner index on every call. Integer 0 - 86400000.
   * @defaultValue 60000
   */
  ownedLeasesRefreshMillis?: number;
  /**
   * Ask DynamoDB for the consumed capacity of every data call (`ReturnConsumedCapacity: 'TOTAL'`) and add it up in
   * {@link DynamoCheckpoint.consumedCapacity}. Off by default: the figures are only for measuring (e.g. the bench).
   * @defaultValue false
   */
  reportConsumedCapacity?: boolean;
}

/** Options with defaults applied. */
export type ResolvedOptions = Required<Omit<DynamoCheckpointOptions, 'scanPageSize'>> & { scanPageSize: number | undefined };

/** Applies defaults and checks every value; throws {@link ConfigError} naming the option. */
export function resolveOptions(options: DynamoCheckpointOptions): ResolvedOptions {
  const billingMode = options.billingMode ?? 'PAY_PER_REQUEST';
  if (billingMode !== 'PAY_PER_REQUEST' && billingMode !== 'PROVISIONED') {
    throw new ConfigError('billingMode', billingMode, "'PAY_PER_REQUEST' or 'PROVISIONED'");
  }
  if (billingMode === 'PAY_PER_REQUEST') {
    for (const name of ['readCapacityUnits', 'writeCapacityUnits'] as const) {
      if (options[name] !== undefined) {
        throw new ConfigError(
          name,
          options[name],
          "unset with billingMode 'PAY_PER_REQUEST'",
          "Set billingMode: 'PROVISIONED' to use capacity units.",
        );
      }
    }
  }
  const createTable = options.createTable ?? true;
  if (typeof createTable !== 'boolean') throw new ConfigError('createTable', createTable, 'true or false');
  const createOwnerIndex = options.createOwnerIndex ?? true;
  if (typeof createOwnerIndex !== 'boolean') throw new ConfigError('createOwnerIndex', createOwnerIndex, 'true or false');
  const reportConsumedCapacity = options.reportConsumedCapacity ?? false;
  if (typeof reportConsumedCapacity !== 'boolean') {
    throw new ConfigError('reportConsumedCapacity', reportConsumedCapacity, 'true or false');
  }
  const scanPageSize = options.scanPageSize;
  if (scanPageSize !== undefined) integer('scanPageSize', scanPageSize, 1, 1_000_000);
  return {
    createTable,
    billingMode,
    readCapacityUnits: integer('readCapacityUnits', options.readCapacityUnits ?? 10, 1, 1_000_000),
    writeCapacityUnits: integer('writeCapacityUnits', options.writeCapacityUnits ?? 10, 1, 1_000_000),
    tableActiveTimeoutMillis: integer('tableActiveTimeoutMillis', options.tableActiveTimeoutMillis ?? 120_000, 1, 3_600_000),
    maxAttempts: integer('maxAttempts', options.maxAttempts ?? 3, 1, 20),
    connectionTimeoutMillis: integer('connectionTimeoutMillis', options.connectionTimeoutMillis ?? 3_000, 0, 600_000),
    requestTimeoutMillis: integer('requestTimeoutMillis', options.requestTimeoutMillis ?? 10_000, 0, 600_000),
    scanPageSize,
    createOwnerIndex,
    ownerIndexCheckIntervalMillis: integer('ownerIndexCheckIntervalMillis', options.ownerIndexCheckIntervalMillis ?? 30_000, 1, 86_400_000),
    ownedLeasesRefreshMillis: integer('ownedLeasesRefreshMillis', options.ownedLeasesRefreshMillis ?? 60_000, 0, 86_400_000),
    reportConsumedCapacity,
  };
}

function integer(option: string, value: number, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(option, value, `an integer from ${min} to ${max}`);
  }
  return value;
}
