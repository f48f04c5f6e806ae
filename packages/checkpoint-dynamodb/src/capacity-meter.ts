/**
 * Counts the data calls of one {@link DynamoCheckpoint} and, with `reportConsumedCapacity`, adds up the capacity
 * units DynamoDB reports for them (`ReturnConsumedCapacity: 'TOTAL'`). Nothing is estimated: what the server does not
 * report is not in the totals (see {@link ConsumedCapacityReport.refusedWrites}).
 */
import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { errorName } from './dynamo-errors';

/** The data operations this store sends; each Scan or Query page is one request. */
export type DataOperation = 'GetItem' | 'UpdateItem' | 'DeleteItem' | 'Scan' | 'Query';

const READS: ReadonlySet<DataOperation> = new Set(['GetItem', 'Scan', 'Query']);

/** Totals since the checkpointer was constructed (see `DynamoCheckpoint.consumedCapacity()`). */
export interface ConsumedCapacityReport {
  /**
   * Read capacity units DynamoDB reported (GetItem, Scan and Query pages). 0 unless `reportConsumedCapacity` is set.
   */
  read: number;
  /**
   * Write capacity units DynamoDB reported for applied writes (UpdateItem, DeleteItem), including the writes to the
   * owner index where the server counts them (DynamoDB does; dynalite reports the table only). 0 unless
   * `reportConsumedCapacity` is set.
   */
  write: number;
  /** Requests sent per data operation (every page of a Scan or Query counts), whether they succeeded or not. Always counted. */
  requests: Record<DataOperation, number>;
  /**
   * Conditional writes DynamoDB refused (ConditionalCheckFailedException). DynamoDB charges them (at least one write
   * unit each) but reports no consumed capacity with the error, so they are not in {@link write}. Always counted.
   */
  refusedWrites: number;
}

export class CapacityMeter {
  private read = 0;
  private write = 0;
  private refused = 0;
  private readonly requests: Record<DataOperation, number> = { GetItem: 0, UpdateItem: 0, DeleteItem: 0, Scan: 0, Query: 0 };
  /** Spread into every data request: asks for the consumed capacity when reporting is on. */
  readonly request: { ReturnConsumedCapacity?: 'TOTAL' };

  constructor(enabled: boolean) {
    this.request = enabled ? { ReturnConsumedCapacity: 'TOTAL' } : {};
  }

  /** Runs one request of `operation`, counting it and adding the capacity its answer reports. */
  async measure<T extends { ConsumedCapacity?: ConsumedCapacity | undefined }>(operation: DataOperation, send: () => Promise<T>): Promise<T> {
    this.requests[operation] += 1;
    let out: T;
    try {
      out = await send();
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') this.refused += 1;
      throw error;
    }
    const used = out.ConsumedCapacity;
    if (used !== undefined) {
      // DynamoDB splits TOTAL into read and write units; emulators may only give CapacityUnits (then the operation decides).
      if (used.ReadCapacityUnits !== undefined || used.WriteCapacityUnits !== undefined) {
        this.read += used.ReadCapacityUnits ?? 0;
        this.write += used.WriteCapacityUnits ?? 0;
      } else if (READS.has(operation)) {
        this.read += used.CapacityUnits ?? 0;
      } else {
        this.write += used.CapacityUnits ?? 0;
      }
    }
    return out;
  }

  /** A copy of the totals. */
  report(): ConsumedCapacityReport {
    return { read: this.read, write: this.write, requests: { ...this.requests }, refusedWrites: this.refused };
  }
}
