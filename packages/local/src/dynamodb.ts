import { startInProcess } from './in-process';
import type { LocalServer } from './listen';

export interface LocalDynamoDBOptions {
  /**
   * Port on 127.0.0.1; 0 picks a free one.
   * @defaultValue 0
   */
  port?: number;
  /**
   * How long a new table stays CREATING, in ms.
   * @defaultValue 0
   */
  createTableMs?: number;
  /**
   * How long a deleted table stays DELETING, in ms.
   * @defaultValue 0
   */
  deleteTableMs?: number;
  /**
   * How long an updated table stays UPDATING, in ms.
   * @defaultValue 0
   */
  updateTableMs?: number;
}

/**
 * Starts a DynamoDB stand-in (dynalite, in this process, in memory) on 127.0.0.1: tables, conditional writes and
 * global secondary indexes as @kcl/checkpoint-dynamodb uses them; no transactions or TTL.
 * @throws LocalError LOCAL_BAD_OPTION, PORT_IN_USE or START_FAILED
 */
export async function startLocalDynamoDB(options: LocalDynamoDBOptions = {}): Promise<LocalServer> {
  const { createTableMs, deleteTableMs, updateTableMs } = options;
  return startInProcess('dynamodb', 'dynalite', options.port, { createTableMs, deleteTableMs, updateTableMs });
}
