import { LeaseStoreError } from '@kcl/core';
import type { LeaseHash } from './lease-hash';
import type { ScriptStatus } from './script-status';

/**
 * Decoding of raw replies. Commands are sent with `sendCommand`, so the shape depends on the connection: RESP2 gives
 * flat arrays, RESP3 maps (as objects or Map), and an injected client may map strings to Buffers. Everything is
 * normalised here.
 */

/** A bulk string (string, Buffer or number) as a string; null/undefined stay undefined. */
export function replyString(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  throw new LeaseStoreError(`Unexpected reply from Redis: expected a string, got ${describe(value)}`);
}

/** A HGETALL-like reply (flat array of field, value, ... / Map / object) as a record. */
export function replyHash(value: unknown): LeaseHash {
  const out: LeaseHash = {};
  if (Array.isArray(value)) {
    for (let i = 0; i + 1 < value.length; i += 2) out[replyString(value[i]) as string] = replyString(value[i + 1]) ?? '';
    return out;
  }
  if (value instanceof Map) {
    for (const [k, v] of value) out[replyString(k) as string] = replyString(v) ?? '';
    return out;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) out[k] = replyString(v) ?? '';
    return out;
  }
  if (value === null || value === undefined) return out;
  throw new LeaseStoreError(`Unexpected reply from Redis: expected a hash, got ${describe(value)}`);
}

/** A lease script reply `{ code, field, value, ... }`. */
export function replyScript(value: unknown): { status: ScriptStatus; hash: LeaseHash } {
  if (!Array.isArray(value) || value.length === 0) {
    throw new LeaseStoreError(`Unexpected reply from a lease script: ${describe(value)}`);
  }
  const status = Number(value[0]);
  if (!Number.isInteger(status)) throw new LeaseStoreError(`Unexpected status from a lease script: ${describe(value[0])}`);
  // A code the scripts do not return is reported by statusError as an unexpected status.
  return { status, hash: replyHash(value.slice(1)) };
}

/** A SSCAN reply `[cursor, [member, ...]]`. */
export function replyScan(value: unknown): { cursor: string; members: string[] } {
  if (!Array.isArray(value) || value.length !== 2 || !Array.isArray(value[1])) {
    throw new LeaseStoreError(`Unexpected reply from SSCAN: ${describe(value)}`);
  }
  return {
    cursor: replyString(value[0]) ?? '0',
    members: (value[1] as unknown[]).map((m) => replyString(m) as string),
  };
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null) return 'null';
  return typeof value;
}
