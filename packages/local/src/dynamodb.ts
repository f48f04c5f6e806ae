import type { Server } from 'node:http';
import { checkRange } from './errors';
import { listenOnLoopback, type LocalServer } from './listen';

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

type TableStandIn = (options: Record<string, unknown>) => Server;

/**
 * Starts a DynamoDB stand-in (dynalite, in this process, in memory) on 127.0.0.1: tables, conditional writes and
 * global secondary indexes as @kcl/checkpoint-dynamodb uses them; no transactions or TTL.
 * @throws LocalError LOCAL_BAD_OPTION, PORT_IN_USE or START_FAILED
 */
export async function startLocalDynamoDB(options: LocalDynamoDBOptions = {}): Promise<LocalServer> {
  checkRange('dynamodb', 'port', options.port, 0, 65535);
  checkRange('dynamodb', 'createTableMs', options.createTableMs, 0, 600_000);
  checkRange('dynamodb', 'deleteTableMs', options.deleteTableMs, 0, 600_000);
  checkRange('dynamodb', 'updateTableMs', options.updateTableMs, 0, 600_000);
  // dynalite ships no types; loaded on first use.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const dynalite = require('dynalite') as TableStandIn;
  const tables = dynalite({
    createTableMs: options.createTableMs ?? 0,
    deleteTableMs: options.deleteTableMs ?? 0,
    updateTableMs: options.updateTableMs ?? 0,
  });
  return listenOnLoopback('dynamodb', tables, options.port ?? 0);
}
