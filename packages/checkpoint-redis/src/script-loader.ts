import type { Logger } from '@kcl/core';
import { replyCode } from './redis-errors';
import type { RedisExecutor } from './redis-executor';
import { replyString } from './reply';
import type { LuaScript } from './scripts';

/**
 * Runs the Lua scripts by EVALSHA and keeps them loaded on the server with as few full-source commands as possible:
 *
 * - {@link preload}: SCRIPT LOAD of every script once at init, so the first calls do not all miss.
 * - NOSCRIPT (the server lost its script cache: restart, failover, SCRIPT FLUSH): ONE SCRIPT LOAD per script,
 *   single-flight - every call that got NOSCRIPT meanwhile waits for that load and then sends its EVALSHA again.
 *   Without this, 1,000 concurrent renewals after a restart would send 1,000 EVALs of the full script.
 * - A server that refuses SCRIPT LOAD (an ACL without it) or still answers NOSCRIPT after a load: EVAL, as before.
 *
 * One loader per checkpointer connection; scripts are loaded on the node that owns the routing key (on a cluster every
 * key of one application is in one slot).
 */
export class ScriptLoader {
  private readonly executor: RedisExecutor;
  private readonly logger: Logger;
  /** Loads in flight, by SHA1. */
  private readonly loading = new Map<string, Promise<boolean>>();
  /** SCRIPT LOAD was refused (not a transient failure): fall back to EVAL from now on. */
  private loadRefused = false;

  constructor(executor: RedisExecutor, logger: Logger) {
    this.executor = executor;
    this.logger = logger;
  }

  /** SCRIPT LOAD of `scripts` (in parallel). Never rejects: a script that is not loaded is loaded at its first use. */
  async preload(routingKey: string, scripts: readonly LuaScript[]): Promise<void> {
    await Promise.all(scripts.map((script) => this.load(routingKey, script)));
  }

  /** Runs `script` (EVALSHA; after NOSCRIPT one shared SCRIPT LOAD and EVALSHA again; EVAL as the last resort). */
  async run(script: LuaScript, keys: string[], args: string[]): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args];
    const routingKey = keys[0] as string;
    try {
      return await this.executor.send(routingKey, ['EVALSHA', script.sha1, ...tail]);
    } catch (error) {
      if (replyCode(error) !== 'NOSCRIPT') throw error;
    }
    if (await this.load(routingKey, script)) {
      try {
        return await this.executor.send(routingKey, ['EVALSHA', script.sha1, ...tail]);
      } catch (error) {
        if (replyCode(error) !== 'NOSCRIPT') throw error; // flushed again right after the load
      }
    }
    return this.executor.send(routingKey, ['EVAL', script.source, ...tail]);
  }

  /** One SCRIPT LOAD of `script` shared by every concurrent caller. True if the server now has it. */
  private load(routingKey: string, script: LuaScript): Promise<boolean> {
    if (this.loadRefused) return Promise.resolve(false);
    const inFlight = this.loading.get(script.sha1);
    if (inFlight) return inFlight;
    const attempt = this.executor.send(routingKey, ['SCRIPT', 'LOAD', script.source]).then(
      (reply) => {
        const sha = replyString(reply);
        if (sha !== script.sha1) this.logger.warn('SCRIPT LOAD answered another SHA1 than computed', { script: script.name });
        return sha === script.sha1;
      },
      (error: unknown) => {
        const code = replyCode(error);
        if (code === 'NOPERM' || code === 'ERR') this.loadRefused = true;
        this.logger.debug('SCRIPT LOAD failed; the script is sent by EVAL', { script: script.name, code, error });
        return false;
      },
    );
    this.loading.set(script.sha1, attempt);
    void attempt.then(() => this.loading.delete(script.sha1));
    return attempt;
  }
}
