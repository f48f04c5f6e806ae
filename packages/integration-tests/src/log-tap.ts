/**
 * Observes what a worker logs about the leader role, for tests that must know which worker acts as leader and when:
 * the core emits no worker event for it, only these log lines (leader-election.ts, lease-assigner.ts). A test that
 * relies on them fails loudly if a message changes (no line is ever seen).
 */
import type { LogFields, Logger } from '@kcl/core';

/** What a leader-related log line says. */
export type LeaderLogEvent =
  | { event: 'elected' }
  /** `taken`: a renewal found another owner; `expired`: not renewed within its validity (a pause). */
  | { event: 'deposed'; reason: 'taken' | 'expired' }
  /** A leader round that assigned or claimed something (the counts of that round). */
  | { event: 'round'; assigned: number; claimed: number }
  /** The leader asked `from` to hand `shardId` over to `to`. */
  | { event: 'claim'; shardId: string; from: string; to: string };

function classify(message: string, fields: LogFields | undefined): LeaderLogEvent | undefined {
  const f = (fields ?? {}) as Record<string, unknown>;
  switch (message) {
    case 'this worker is now the leader':
      return { event: 'elected' };
    case 'leader role lost: another worker holds the coordinator lease':
      return { event: 'deposed', reason: 'taken' };
    case 'leader role not renewed within its validity: stepping down and giving every lease up':
      return { event: 'deposed', reason: 'expired' };
    case 'leader round':
      return { event: 'round', assigned: Number(f['assigned'] ?? 0), claimed: Number(f['claimed'] ?? 0) };
    case 'hand-off requested':
      return { event: 'claim', shardId: String(f['shardId']), from: String(f['from']), to: String(f['to']) };
    default:
      return undefined;
  }
}

/** `inner`, unchanged, except that every leader-related line (at any level, even if `inner` drops it) reaches `onEvent`. */
export function tapLeaderLog(inner: Logger, onEvent: (event: LeaderLogEvent) => void): Logger {
  const tap = (message: string, fields: LogFields | undefined): void => {
    const event = classify(message, fields);
    if (event) onEvent(event);
  };
  return {
    debug: (message, fields) => {
      tap(message, fields);
      inner.debug(message, fields);
    },
    info: (message, fields) => {
      tap(message, fields);
      inner.info(message, fields);
    },
    warn: (message, fields) => {
      tap(message, fields);
      inner.warn(message, fields);
    },
    error: (message, fields) => {
      tap(message, fields);
      inner.error(message, fields);
    },
    child: (fields) => tapLeaderLog(inner.child(fields), onEvent),
  };
}
