import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LeaseStoreError } from '@kcl/core';

/** The lease scripts, one file each in `lua/` (shipped in `dist/lua`). */
export type ScriptName =
  | 'take-lease'
  | 'renew-lease'
  | 'renew-leases'
  | 'checkpoint'
  | 'release-lease'
  | 'claim-shard'
  | 'remove-lease'
  | 'transfer-lease'
  | 'coordinator-lease';

/** Every script, e.g. for loading them all at init. */
export const SCRIPT_NAMES: readonly ScriptName[] = [
  'take-lease',
  'renew-lease',
  'renew-leases',
  'checkpoint',
  'release-lease',
  'claim-shard',
  'remove-lease',
  'transfer-lease',
  'coordinator-lease',
];

/** A script ready for EVALSHA / EVAL. */
export interface LuaScript {
  readonly name: ScriptName;
  /** Source with every `-- @include` expanded. */
  readonly source: string;
  /** SHA1 of {@link source}, as Redis computes it. */
  readonly sha1: string;
}

/** Directory of the .lua files: `src/lua` when run from sources (tests), `dist/lua` when built. */
export const LUA_DIR = join(__dirname, 'lua');

const INCLUDE = /^-- @include (\S+)\s*$/gm;
const cache = new Map<ScriptName, LuaScript>();

/** Loads (once per process) the script `name`, expanding `-- @include lib/x.lua` lines with the file's text. */
export function loadScript(name: ScriptName): LuaScript {
  let script = cache.get(name);
  if (!script) {
    const source = expand(read(`${name}.lua`), new Set([`${name}.lua`]));
    script = { name, source, sha1: createHash('sha1').update(source).digest('hex') };
    cache.set(name, script);
  }
  return script;
}

function expand(source: string, seen: Set<string>): string {
  return source.replace(INCLUDE, (_line, file: string) => {
    if (seen.has(file)) throw new LeaseStoreError(`Lua include cycle through ${file}`);
    return expand(read(file), new Set([...seen, file])).trimEnd();
  });
}

function read(file: string): string {
  try {
    return readFileSync(join(LUA_DIR, file), 'utf8');
  } catch (error) {
    throw new LeaseStoreError(`Lua script ${file} is missing from ${LUA_DIR}; the @kcl/checkpoint-redis install is incomplete`, {
      cause: error,
    });
  }
}
