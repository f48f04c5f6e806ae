import { LeaseStoreUnavailableError } from '@kcl/core';
import type { RedisClientLike, RedisClusterLike } from './options';
import type { ScriptLoader } from './script-loader';
import type { LuaScript } from './scripts';

/**
 * Sends raw commands to a node-redis client or cluster. Raw commands keep our key names exact (a client's own
 * `keyPrefix` does not apply) and work the same for both; replies are normalised by `reply.ts`.
 */
export interface RedisExecutor {
  /**
   * Runs `args`; on a cluster it is routed by `key` (every key of one application shares a slot) to the slot's
   * master, also for reads (a replica may lag behind the last checkpoint).
   */
  send(key: string, args: string[]): Promise<unknown>;
}

/** Default decoding regardless of the client's own `typeMapping` (strings, not Buffers). */
const COMMAND_OPTIONS = { typeMapping: {} };

/**
 * For the client this package opens itself: also no node-redis command timeout. node-redis 6 gives every command a
 * 5 s `AbortSignal.timeout` by default, a timer that is not cleared when the answer comes and later fires and builds a
 * DOMException for nothing (thousands a second from a worker renewing 1,000 leases). The executor's own timeout
 * (`commandTimeoutMillis`) is the one that applies, and 0 then really means no limit, as documented. An injected
 * client keeps whatever command timeout its owner configured.
 */
const OWN_CLIENT_COMMAND_OPTIONS = { typeMapping: {}, timeout: 0 };

/**
 * An executor over a single-server client; each call fails after `timeoutMillis` (0 = never). `ownClient`: the client
 * was opened by this package (its node-redis command timeout is switched off, see OWN_CLIENT_COMMAND_OPTIONS).
 */
export function clientExecutor(client: RedisClientLike, timeoutMillis: number, display: string, ownClient = false): RedisExecutor {
  const options = ownClient ? OWN_CLIENT_COMMAND_OPTIONS : COMMAND_OPTIONS;
  return {
    send: (_key, args) => withTimeout(client.sendCommand(args, options), timeoutMillis, args, display),
  };
}

/** An executor over a cluster client; each call fails after `timeoutMillis` (0 = never). */
export function clusterExecutor(cluster: RedisClusterLike, timeoutMillis: number, display: string): RedisExecutor {
  return {
    send: (key, args) => withTimeout(cluster.sendCommand(key, false, args, COMMAND_OPTIONS), timeoutMillis, args, display),
  };
}

/** An executor that also runs the Lua scripts (EVALSHA, loaded once per server: see {@link ScriptLoader}). */
export interface ScriptingExecutor extends RedisExecutor {
  readonly scripts: ScriptLoader;
}

/** Runs a Lua script through the executor's {@link ScriptLoader}. Values only travel as ARGV. */
export function runScript(executor: ScriptingExecutor, script: LuaScript, keys: string[], args: string[]): Promise<unknown> {
  return executor.scripts.run(script, keys, args);
}

function withTimeout<T>(promise: Promise<T>, timeoutMillis: number, args: string[], display: string): Promise<T> {
  if (timeoutMillis <= 0) return promise;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      const command = args[0] === 'EVALSHA' || args[0] === 'EVAL' ? 'a lease script' : args[0];
      reject(
        new LeaseStoreUnavailableError(
          `Redis lease store at ${display} did not answer ${command} within ${timeoutMillis} ms (commandTimeoutMillis); a write may still have been applied`,
        ),
      );
    }, timeoutMillis);
    timer.unref?.();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * Wraps `executor` so that every command it sends is counted in `counts` by name (upper case; EVALSHA and EVAL as
 * sent, so a script retried after NOSCRIPT counts twice). One map update per command.
 */
export function countingExecutor(executor: RedisExecutor, counts: Map<string, number>): RedisExecutor {
  return {
    send: (key, args) => {
      const name = (args[0] ?? '').toUpperCase();
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return executor.send(key, args);
    },
  };
}
