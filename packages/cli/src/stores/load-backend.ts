/**
 * Loads a backend package (`@kcl/checkpoint-dynamodb`, `@kcl/checkpoint-redis`: optional peer dependencies of the CLI)
 * and the client library it depends on (`@aws-sdk/client-dynamodb`, `redis`), resolved from the backend's own location
 * so the CLI uses the very copy the backend uses and needs no dependency of its own on them.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { BackendMissingError } from '../errors';

export interface LoadedBackend<B, C> {
  backend: B;
  /** The client library the backend depends on. */
  client: C;
}

/** Looks `packageName` up from the working directory first (an application's install), then from the CLI itself. */
export function loadBackend<B, C>(packageName: string, clientPackage: string): LoadedBackend<B, C> {
  for (const req of [createRequire(join(process.cwd(), 'noop.js')), createRequire(__filename)]) {
    let resolved: string;
    try {
      resolved = req.resolve(packageName);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'MODULE_NOT_FOUND') continue;
      throw error;
    }
    const fromBackend = createRequire(resolved);
    return { backend: req(packageName) as B, client: fromBackend(clientPackage) as C };
  }
  throw new BackendMissingError(packageName);
}
