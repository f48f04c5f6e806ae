import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { checkRange } from './errors';
import { listenOnLoopback, type LocalServer } from './listen';

/** The longest state delay (CREATING, DELETING, UPDATING) a stand-in accepts, in ms. */
const MAX_DELAY_MS = 600_000;

/**
 * Checks the port and the state delays (each 0 to 600000 ms, default 0), loads the stand-in module (kinesalite or
 * dynalite: they ship no types and load on first use), creates its server with the delays and `settings`, and binds
 * it to 127.0.0.1.
 */
export async function startInProcess(
  service: string,
  module: 'kinesalite' | 'dynalite',
  port: number | undefined,
  delays: Record<string, number | undefined>,
  settings: Record<string, unknown> = {},
): Promise<LocalServer> {
  checkRange(service, 'port', port, 0, 65535);
  const resolved: Record<string, number> = {};
  for (const [name, value] of Object.entries(delays)) {
    checkRange(service, name, value, 0, MAX_DELAY_MS);
    resolved[name] = value ?? 0;
  }
  // createRequire works in both builds (the ESM build gets `__filename` from import.meta.url).
  const create = createRequire(__filename)(module) as (options: Record<string, unknown>) => Server;
  return listenOnLoopback(service, create({ ...resolved, ...settings }), port ?? 0);
}
