import { isKclError, type KclError, LeaseStoreAuthError, LeaseStoreError, LeaseStoreUnavailableError } from '@kcl/core';
import {
  ClientClosedError,
  ClientOfflineError,
  ConnectionTimeoutError,
  DisconnectsClientError,
  ErrorReply,
  ReconnectStrategyError,
  RootNodesUnavailableError,
  SocketClosedUnexpectedlyError,
  SocketTimeoutError,
  TimeoutError,
} from 'redis';
import type { Redactor } from './redactor';

/** Where an error happened, for its message. */
export interface ErrorContext {
  /** e.g. `init`, `takeLease(shardId-000000000001)`. */
  operation: string;
  /** `host:port` or a description of the injected client. Never contains credentials. */
  display: string;
  redactor: Redactor;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EADDRNOTAVAIL',
]);
const TLS_CODES = /^(ERR_SSL_|ERR_TLS_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|CERT_)/;
/** Server replies meaning "try again later". */
const TRANSIENT_REPLIES = new Set(['LOADING', 'BUSY', 'MASTERDOWN', 'CLUSTERDOWN', 'TRYAGAIN', 'READONLY', 'MOVED', 'ASK']);
const AUTH_REPLIES = new Set(['WRONGPASS', 'NOAUTH', 'NOPERM']);

/** The first word of a server error reply (`WRONGPASS`, `NOSCRIPT`, `ERR`, ...). */
export function replyCode(error: unknown): string | undefined {
  if (!(error instanceof ErrorReply)) return undefined;
  return /^([A-Z][A-Z_-]*)\b/.exec(error.message)?.[1];
}

/**
 * Maps anything a node-redis call can throw to a typed {@link KclError}: LeaseStoreAuthError for credentials,
 * LeaseStoreUnavailableError (retryable) for connection problems and transient server states, LeaseStoreError
 * otherwise. KclErrors pass through. Messages name the address and never contain a password.
 */
export function toLeaseStoreError(error: unknown, ctx: ErrorContext): KclError {
  if (isKclError(error)) return error;
  const where = `Redis lease store at ${ctx.display}`;
  const detail = ctx.redactor.redact(describe(error));
  const code = replyCode(error);
  if (code !== undefined) {
    const message = (error as Error).message;
    if (AUTH_REPLIES.has(code) || (code === 'ERR' && /\bAUTH\b|password/i.test(message))) {
      return new LeaseStoreAuthError(`${where} rejected the credentials during ${ctx.operation}: ${detail}`, { cause: error });
    }
    if (TRANSIENT_REPLIES.has(code)) {
      return new LeaseStoreUnavailableError(`${where} is temporarily unavailable during ${ctx.operation}: ${detail}`, { cause: error });
    }
    if (code === 'CROSSSLOT') {
      return new LeaseStoreError(
        `${where}: ${ctx.operation} touched keys in different cluster slots (${detail}). Use a cluster client with hashTag 'auto' or true.`,
        { cause: error },
      );
    }
    if (code === 'ERR' && /DB index/i.test(message)) {
      return new LeaseStoreError(`${where} does not have the requested database (option db): ${detail}`, { cause: error });
    }
    return new LeaseStoreError(`${where}: ${ctx.operation} failed: ${detail}`, { cause: error });
  }
  const root = rootCause(error);
  const sysCode = errorCode(root);
  if (sysCode !== undefined && TLS_CODES.test(sysCode)) {
    return new LeaseStoreError(`${where}: TLS handshake failed during ${ctx.operation}: ${detail}`, { cause: error });
  }
  if (
    (sysCode !== undefined && NETWORK_CODES.has(sysCode)) ||
    root instanceof ConnectionTimeoutError ||
    root instanceof SocketTimeoutError ||
    root instanceof SocketClosedUnexpectedlyError ||
    root instanceof ClientOfflineError ||
    root instanceof ClientClosedError ||
    root instanceof DisconnectsClientError ||
    root instanceof RootNodesUnavailableError ||
    root instanceof TimeoutError
  ) {
    return new LeaseStoreUnavailableError(`${where} is unavailable during ${ctx.operation}: ${detail}`, { cause: error });
  }
  return new LeaseStoreError(`${where}: ${ctx.operation} failed: ${detail}`, { cause: error });
}

function rootCause(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 5; depth++) {
    if (current instanceof ReconnectStrategyError) current = current.socketError ?? current.originalError;
    else if (current instanceof AggregateError && current.errors.length > 0) current = current.errors[0];
    else break;
  }
  return current;
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function describe(error: unknown): string {
  const root = rootCause(error);
  if (error instanceof AggregateError) {
    const parts = error.errors.map((e: unknown) => (e instanceof Error ? e.message : String(e)));
    return parts.length > 0 ? parts.join('; ') : error.message || 'AggregateError';
  }
  if (root instanceof Error) return root.message || root.name;
  return String(root);
}
