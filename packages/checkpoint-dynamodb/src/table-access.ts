/**
 * The data calls of one connected {@link DynamoCheckpoint} on its lease table: error mapping (every failure becomes a
 * KclError naming endpoint and table), conflict classification of conditional writes, paging, and metering.
 */
import { DeleteItemCommand, GetItemCommand, QueryCommand, ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { DeleteItemCommandInput, DynamoDBClient, QueryCommandInput, ScanCommandInput, UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import type { KclError, ShardStatus } from '@kcl/core';
import type { CapacityMeter } from './capacity-meter';
import { errorName, toKclError } from './dynamo-errors';
import { itemToShardStatus, LeaseAttributes } from './lease-item';
import type { LeaseItem } from './lease-item';

/** Picks the error for a failed condition from the stored row (undefined = absent); undefined means "nothing to do". */
export type ConflictMapper = (current: ShardStatus | undefined, cause: unknown) => KclError | undefined;

/** Scan or Query parameters besides the table (and, for a Scan, the page size). */
export type ReadParameters = Omit<ScanCommandInput, 'TableName' | 'ExclusiveStartKey' | 'ReturnConsumedCapacity'>;

export class TableAccess {
  constructor(
    readonly client: DynamoDBClient,
    readonly tableName: string,
    /** The address shown in messages. */
    readonly endpoint: string,
    private readonly meter: CapacityMeter,
    private readonly scanPageSize: number | undefined,
  ) {}

  /** Runs `fn`, mapping any failure to a KclError for `operation`. */
  async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw toKclError(error, { operation, endpoint: this.endpoint, tableName: this.tableName });
    }
  }

  /** Read of the row with key `key` (strongly consistent unless `consistent` is false: half the cost); undefined when absent. */
  async getItem(key: string, operation: string, consistent = true): Promise<LeaseItem | undefined> {
    const input = { TableName: this.tableName, Key: { [LeaseAttributes.shardId]: { S: key } }, ConsistentRead: consistent, ...this.meter.request };
    const out = await this.call(operation, () => this.meter.measure('GetItem', () => this.client.send(new GetItemCommand(input))));
    return out.Item;
  }

  /** An unconditional UpdateItem (its condition, if any, is not expected to fail). */
  async update(operation: string, input: UpdateItemCommandInput): Promise<LeaseItem> {
    const out = await this.call(operation, () =>
      this.meter.measure('UpdateItem', () => this.client.send(new UpdateItemCommand({ ...input, ...this.meter.request }))),
    );
    return out.Attributes ?? {};
  }

  /** An unconditional DeleteItem. */
  async delete(operation: string, input: DeleteItemCommandInput): Promise<void> {
    await this.call(operation, () =>
      this.meter.measure('DeleteItem', () => this.client.send(new DeleteItemCommand({ ...input, ...this.meter.request }))),
    );
  }

  /**
   * Runs one conditional UpdateItem, or (input without UpdateExpression) DeleteItem. On a failed condition, `conflict`
   * gets the stored row (from the error's ALL_OLD item, or read afterwards where the server does not return it) and
   * returns the error to throw, or undefined for "nothing to do" (then this returns an empty item).
   */
  async conditionalWrite(
    operation: string,
    key: string,
    input: UpdateItemCommandInput | DeleteItemCommandInput,
    conflict: ConflictMapper,
  ): Promise<LeaseItem> {
    let failure: unknown;
    try {
      if ('UpdateExpression' in input && input.UpdateExpression !== undefined) {
        const update = { ...input, ...this.meter.request };
        const out = await this.meter.measure('UpdateItem', () => this.client.send(new UpdateItemCommand(update)));
        return out.Attributes ?? {};
      }
      const remove = { ...input, ...this.meter.request };
      await this.meter.measure('DeleteItem', () => this.client.send(new DeleteItemCommand(remove)));
      return {};
    } catch (error) {
      if (errorName(error) !== 'ConditionalCheckFailedException') {
        throw toKclError(error, { operation, endpoint: this.endpoint, tableName: this.tableName });
      }
      failure = error;
    }
    const old = (failure as { Item?: LeaseItem }).Item;
    const current = old !== undefined && Object.keys(old).length > 0 ? old : await this.getItem(key, `${operation} (reading the conflict)`);
    const mapped = conflict(current === undefined ? undefined : itemToShardStatus(current), failure);
    if (mapped !== undefined) throw mapped;
    return {};
  }

  /** Every row a Scan with `parameters` returns, page by page (`scanPageSize` rows per page when set). */
  async *scan(operation: string, parameters: ReadParameters = {}): AsyncGenerator<LeaseItem> {
    const base: ScanCommandInput = {
      TableName: this.tableName,
      ...(this.scanPageSize === undefined ? {} : { Limit: this.scanPageSize }),
      ...parameters,
      ...this.meter.request,
    };
    let start: ScanCommandInput['ExclusiveStartKey'];
    do {
      const input = start === undefined ? base : { ...base, ExclusiveStartKey: start };
      const page = await this.call(operation, () => this.meter.measure('Scan', () => this.client.send(new ScanCommand(input))));
      yield* page.Items ?? [];
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
  }

  /** Every row a Query with `parameters` returns, page by page. */
  async *query(operation: string, parameters: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): AsyncGenerator<LeaseItem> {
    const base: QueryCommandInput = { TableName: this.tableName, ...parameters, ...this.meter.request };
    let start: QueryCommandInput['ExclusiveStartKey'];
    do {
      const input = start === undefined ? base : { ...base, ExclusiveStartKey: start };
      const page = await this.call(operation, () => this.meter.measure('Query', () => this.client.send(new QueryCommand(input))));
      yield* page.Items ?? [];
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
  }
}
