import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Checkpointer } from '../checkpoint/checkpointer';
import type { KinesisClientLibConfig } from '../config/kcl-config';
import { BackendNotInstalledError } from '../errors';

/** Package of the default lease store. Core never imports it statically; it is looked up when needed. */
export const DYNAMODB_BACKEND_PACKAGE = '@kcl/checkpoint-dynamodb';

/** Builds the checkpointer a worker uses when none was given with `withCheckpointer`. */
export type CheckpointerLoader = (config: KinesisClientLibConfig) => Checkpointer | Promise<Checkpointer>;

/** A `require` function (what `createRequire` returns): called to load, `.resolve` to look a package up. */
export interface ModuleRequire {
  (id: string): unknown;
  resolve(id: string): string;
}

/**
 * Where the backend is looked up, in order: the application (a require rooted at `process.cwd()`, so a backend
 * installed next to the application is found even when core is installed elsewhere), then core's own location.
 */
export function defaultModuleRequires(): ModuleRequire[] {
  return [createRequire(join(process.cwd(), 'noop.js')), createRequire(__filename)];
}

/**
 * The default checkpointer loader: finds `@kcl/checkpoint-dynamodb` with the given require functions and returns
 * `new DynamoCheckpoint(config)`.
 * @throws BackendNotInstalledError when the package cannot be found (or does not export DynamoCheckpoint)
 */
export function createDynamoCheckpointerLoader(requires: ModuleRequire[] = defaultModuleRequires()): CheckpointerLoader {
  return (config) => {
    for (const req of requires) {
      try {
        req.resolve(DYNAMODB_BACKEND_PACKAGE);
      } catch (error) {
        if (isModuleNotFound(error)) continue;
        throw error;
      }
      const mod = req(DYNAMODB_BACKEND_PACKAGE) as { DynamoCheckpoint?: unknown };
      const Ctor = mod.DynamoCheckpoint;
      if (typeof Ctor !== 'function') {
        throw new BackendNotInstalledError(
          DYNAMODB_BACKEND_PACKAGE,
          `${DYNAMODB_BACKEND_PACKAGE} was found but does not export DynamoCheckpoint; install a version that ` +
            'matches @kcl/core, or pass a Checkpointer with worker.withCheckpointer(...).',
        );
      }
      return new (Ctor as new (c: KinesisClientLibConfig) => Checkpointer)(config);
    }
    throw new BackendNotInstalledError(
      DYNAMODB_BACKEND_PACKAGE,
      `No lease store: the default one needs ${DYNAMODB_BACKEND_PACKAGE}, which is not installed. Install it ` +
        `(npm install ${DYNAMODB_BACKEND_PACKAGE}) or pass a Checkpointer with worker.withCheckpointer(...), e.g. ` +
        'RedisCheckpoint from @kcl/checkpoint-redis.',
    );
  };
}

function isModuleNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'MODULE_NOT_FOUND';
}
