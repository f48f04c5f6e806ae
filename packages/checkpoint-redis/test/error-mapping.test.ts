import {
  LeaseLostError,
  LeaseNotAcquiredError,
  LeaseStoreAuthError,
  LeaseStoreError,
  LeaseStoreUnavailableError,
  ShardClaimedError,
} from '@kcl/core';
import { ConnectionTimeoutError, ErrorReply, ReconnectStrategyError, SocketClosedUnexpectedlyError } from 'redis';
import { Redactor } from '../src/redactor';
import { toLeaseStoreError } from '../src/redis-errors';
import { ScriptStatus, statusError } from '../src/script-status';

// Error mapping for replies a local server cannot be made to produce on demand (LOADING, MASTERDOWN, ...): the
// node-redis error objects are built directly. Everything a real server produces is covered by the integration tests.

const ctx = { operation: 'getLease(shardId-1)', display: '10.0.0.5:6380', redactor: new Redactor(['hunter2']) };

function sysError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

it.each<[string, unknown, unknown]>([
  ['LOADING', new ErrorReply('LOADING Redis is loading the dataset in memory'), LeaseStoreUnavailableError],
  ['MASTERDOWN', new ErrorReply('MASTERDOWN Link with MASTER is down'), LeaseStoreUnavailableError],
  ['CLUSTERDOWN', new ErrorReply('CLUSTERDOWN The cluster is down'), LeaseStoreUnavailableError],
  ['READONLY', new ErrorReply("READONLY You can't write against a read only replica."), LeaseStoreUnavailableError],
  ['BUSY', new ErrorReply('BUSY Redis is busy running a script.'), LeaseStoreUnavailableError],
  ['WRONGPASS', new ErrorReply('WRONGPASS invalid username-password pair or user is disabled.'), LeaseStoreAuthError],
  ['NOAUTH', new ErrorReply('NOAUTH Authentication required.'), LeaseStoreAuthError],
  ['NOPERM', new ErrorReply("NOPERM this user has no permissions to run the 'evalsha' command"), LeaseStoreAuthError],
  ['old ERR invalid password', new ErrorReply('ERR invalid password'), LeaseStoreAuthError],
  ['OOM', new ErrorReply('OOM command not allowed when used memory > maxmemory'), LeaseStoreError],
  ['ECONNRESET', sysError('ECONNRESET', 'read ECONNRESET'), LeaseStoreUnavailableError],
  [
    'AggregateError of ECONNREFUSED',
    Object.assign(new AggregateError([sysError('ECONNREFUSED', 'connect ECONNREFUSED ::1:6379')]), { code: 'ECONNREFUSED' }),
    LeaseStoreUnavailableError,
  ],
  ['connection timeout', new ConnectionTimeoutError(), LeaseStoreUnavailableError],
  ['socket closed', new SocketClosedUnexpectedlyError(), LeaseStoreUnavailableError],
  ['reconnect gave up', new ReconnectStrategyError(new Error('stop'), sysError('EHOSTUNREACH', 'connect EHOSTUNREACH')), LeaseStoreUnavailableError],
  ['TLS certificate', sysError('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'), LeaseStoreError],
  ['anything else', new TypeError('boom'), LeaseStoreError],
])('%s', (_name, error, type) => {
  const mapped = toLeaseStoreError(error, ctx);
  expect(mapped).toBeInstanceOf(type as new () => Error);
  expect(mapped.message).toContain('10.0.0.5:6380');
  expect(mapped.cause).toBe(error);
});

it('CROSSSLOT says how to fix it', () => {
  const mapped = toLeaseStoreError(new ErrorReply("CROSSSLOT Keys in request don't hash to the same slot"), ctx);
  expect(mapped).toBeInstanceOf(LeaseStoreError);
  expect(mapped.message).toMatch(/hashTag/);
});

it('secrets in a foreign error message are redacted', () => {
  const mapped = toLeaseStoreError(new Error('failed for redis://u:pw1@h:1 with hunter2'), ctx);
  expect(mapped.message).not.toContain('hunter2');
  expect(mapped.message).not.toContain('pw1');
});

it('KclErrors pass through unchanged', () => {
  const original = new LeaseLostError('s');
  expect(toLeaseStoreError(original, ctx)).toBe(original);
});

describe('script return codes map through one enum', () => {
  const base = { shardId: 'shardId-1', workerId: 'w1', observedCounter: 3, stored: { AssignedTo: 'w2', LeaseCounter: '5', ClaimRequest: 'w3' } };
  it.each<[ScriptStatus, unknown]>([
    [ScriptStatus.CounterMoved, LeaseNotAcquiredError],
    [ScriptStatus.ShardEnded, LeaseNotAcquiredError],
    [ScriptStatus.NotHeld, LeaseLostError],
    [ScriptStatus.OwnerChanged, LeaseNotAcquiredError],
    [ScriptStatus.ClaimPending, ShardClaimedError],
    [ScriptStatus.ClaimShardEnded, ShardClaimedError],
    [99 as ScriptStatus, LeaseStoreError],
  ])('status %d', (status, type) => {
    const error = statusError(status, base);
    expect(error).toBeInstanceOf(type as new () => Error);
  });

  it('OK and UNCHANGED are not errors; messages carry the stored state', () => {
    expect(statusError(ScriptStatus.Ok, base)).toBeUndefined();
    expect(statusError(ScriptStatus.Unchanged, base)).toBeUndefined();
    expect(statusError(ScriptStatus.CounterMoved, base)?.message).toContain('counter is 5, caller observed 3 (held by w2)');
    expect(statusError(ScriptStatus.ClaimPending, base)?.message).toContain('pending claim by w3');
  });
});
