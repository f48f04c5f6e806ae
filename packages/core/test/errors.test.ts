import { ConfigError, KclError, LeaseLostError, RetryExhaustedError, isKclError } from '../src/errors';

describe('error hierarchy', () => {
  it('carries code, retryable, name and cause', () => {
    const cause = new Error('boom');
    const err = new LeaseLostError('shardId-1', undefined, { cause });
    expect(err).toBeInstanceOf(KclError);
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe('LEASE_LOST');
    expect(err.name).toBe('LeaseLostError');
    expect(err.retryable).toBe(false);
    expect(err.cause).toBe(cause);
    expect(err.shardId).toBe('shardId-1');
    expect(isKclError(err)).toBe(true);
    expect(isKclError(new Error('x'))).toBe(false);
  });

  it('ConfigError names option, value and allowed range', () => {
    const err = new ConfigError('maxRecords', 0, 'an integer from 1 to 10000');
    expect(err.message).toContain('maxRecords');
    expect(err.message).toContain('0');
    expect(err.message).toContain('1 to 10000');
    expect(err.option).toBe('maxRecords');
  });

  it('RetryExhaustedError lists every attempt and keeps the last as cause', () => {
    const a = new Error('first');
    const b = new Error('second');
    const err = new RetryExhaustedError('GetRecords', [a, b]);
    expect(err.message).toContain('#1 Error: first');
    expect(err.message).toContain('#2 Error: second');
    expect(err.cause).toBe(b);
    expect(err.attempts).toHaveLength(2);
  });
});
