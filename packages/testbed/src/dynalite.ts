import type { Server } from 'node:http';
import { checkIntegerOption } from './errors';
import { listenLocal } from './http-server';
import type { LocalServer } from './types';

export interface DynaliteOptions {
  /**
   * Port on 127.0.0.1; 0 picks a free one.
   * @defaultValue 0
   */
  port?: number;
  /**
   * Time a new table stays CREATING, in ms (to test code that waits for ACTIVE).
   * @defaultValue 0
   */
  createTableMs?: number;
  /**
   * Time a deleted table stays DELETING, in ms.
   * @defaultValue 0
   */
  deleteTableMs?: number;
  /**
   * Time an updated table stays UPDATING, in ms.
   * @defaultValue 0
   */
  updateTableMs?: number;
}

type DynaliteFactory = (options: Record<string, unknown>) => Server;

/**
 * Starts dynalite (in-process, in-memory DynamoDB stand-in) on 127.0.0.1. By default tables are ACTIVE at once.
 * Conditional writes behave like DynamoDB; there are no transactions or TTL.
 */
export async function startDynalite(options: DynaliteOptions = {}): Promise<LocalServer> {
  checkIntegerOption('dynalite', 'port', options.port, 0, 65535);
  checkIntegerOption('dynalite', 'createTableMs', options.createTableMs, 0, 600_000);
  checkIntegerOption('dynalite', 'deleteTableMs', options.deleteTableMs, 0, 600_000);
  checkIntegerOption('dynalite', 'updateTableMs', options.updateTableMs, 0, 600_000);
  // dynalite ships no types; loaded on first use.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const dynalite = require('dynalite') as DynaliteFactory;
  const server = dynalite({
    createTableMs: options.createTableMs ?? 0,
    deleteTableMs: options.deleteTableMs ?? 0,
    updateTableMs: options.updateTableMs ?? 0,
  });
  return listenLocal('dynalite', server, options.port ?? 0);
}
