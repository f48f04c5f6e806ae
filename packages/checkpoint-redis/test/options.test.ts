import { takeOrRenewLease } from '@kcl/core';
import { ConfigError, createShardStatus, InvalidArgumentError } from '@kcl/core';
import { createClient } from 'redis';
import { RedisCheckpoint, type RedisCheckpointOptions } from '../src';
import { parseAddress } from '../src/address';
import { Redactor, redactAddress } from '../src/redactor';
import { resolveOptions } from '../src/resolve-options';
import { errorText, testConfig } from './helpers';

// Construction-time validation: no server needed. Every bad value is a ConfigError naming the option.

function configError(options: RedisCheckpointOptions): ConfigError {
  try {
    new RedisCheckpoint(testConfig('orders'), options);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(options)}`);
}

describe('address forms (go-kcl rules)', () => {
  it.each([
    ['127.0.0.1:6379', { host: '127.0.0.1', port: 6379, tls: false }],
    ['localhost:7000', { host: 'localhost', port: 7000, tls: false }],
    ['redis.internal.example.com:6380', { host: 'redis.internal.example.com', port: 6380, tls: false }],
    ['[::1]:6379', { host: '::1', port: 6379, tls: false }],
    ['redis://127.0.0.1', { host: '127.0.0.1', port: 6379, tls: false }],
    ['redis://127.0.0.1:6390/3', { host: '127.0.0.1', port: 6390, tls: false, db: 3 }],
    ['rediss://cache.example.com:6380/', { host: 'cache.example.com', port: 6380, tls: true }],
    ['redis://:s%40cret@10.0.0.1:6379/15', { host: '10.0.0.1', port: 6379, tls: false, password: 's@cret', db: 15 }],
    ['redis://app:pw@[::1]:6379', { host: '::1', port: 6379, tls: false, username: 'app', password: 'pw' }],
    ['REDIS://Host:1', { host: 'Host', port: 1, tls: false }],
  ])('%s', (address, expected) => {
    expect(parseAddress(address)).toEqual(expect.objectContaining(expected));
  });

  it.each([
    ['', 'empty'],
    ['localhost', 'no port'],
    ['localhost:', 'empty port'],
    [':6379', 'no host'],
    ['host:abc', 'port not a number'],
    ['host:0', 'port 0'],
    ['host:70000', 'port too large'],
    ['::1:6379', 'IPv6 without brackets'],
    ['[nothost]:6379', 'brackets around a name'],
    ['bad_host!:6379', 'invalid host name'],
    [' 127.0.0.1:6379', 'surrounding whitespace'],
    ['http://127.0.0.1:6379', 'other scheme'],
    ['unix:///tmp/redis.sock', 'unix socket'],
    ['redis:127.0.0.1:6379', 'URL without //'],
    ['redis://', 'URL without host'],
    ['redis://host:99999', 'URL port too large'],
    ['redis://host:1/abc', 'URL path not a db'],
    ['redis://host:1/3/4', 'URL path with two parts'],
    ['redis://host:1?db=2', 'URL query'],
    ['redis://host:1#x', 'URL fragment'],
  ])('rejects %j (%s) with a ConfigError naming address', (address) => {
    const error = configError({ address });
    expect(error.option).toBe('address');
    expect(error.message).toMatch(/^Invalid value for address/);
    expect(error.message).toContain('host:port');
  });

  it('rejects a missing address unless a client is injected', () => {
    expect(configError({}).option).toBe('address');
  });
});

describe('db, password and TLS options', () => {
  it.each([16, -1, 1.5, Number.NaN, '3' as unknown as number])('db %p is rejected at construction', (db) => {
    const error = configError({ address: '127.0.0.1:6379', db });
    expect(error.option).toBe('db');
    expect(error.allowed).toBe('an integer from 0 to 15');
  });

  it('a database in the URL outside 0-15 is rejected as address', () => {
    expect(configError({ address: 'redis://127.0.0.1:6379/16' }).option).toBe('address');
  });

  it('password and db options override the URL', () => {
    const resolved = resolveOptions({ address: 'redis://u:urlpw@127.0.0.1:6379/2', password: 'optpw', db: 5, username: 'other' });
    expect(resolved.connection).toEqual(
      expect.objectContaining({ kind: 'own', host: '127.0.0.1', port: 6379, password: 'optpw', db: 5, username: 'other', tls: false }),
    );
    expect(resolved.secrets).toEqual(expect.arrayContaining(['optpw', 'urlpw']));
  });

  it('the URL gives password and db when the options do not', () => {
    const resolved = resolveOptions({ address: 'redis://:urlpw@127.0.0.1:6379/2' });
    expect(resolved.connection).toEqual(expect.objectContaining({ password: 'urlpw', db: 2 }));
  });

  it('rediss:// implies TLS with minimum version 1.2; tls: true does too; tls settings are kept', () => {
    expect(resolveOptions({ address: 'rediss://h:1' }).connection).toEqual(expect.objectContaining({ tls: { minVersion: 'TLSv1.2' } }));
    expect(resolveOptions({ address: 'h:1', tls: true }).connection).toEqual(expect.objectContaining({ tls: { minVersion: 'TLSv1.2' } }));
    expect(resolveOptions({ address: 'h:1', tls: { ca: 'PEM', servername: 'x', rejectUnauthorized: false } }).connection).toEqual(
      expect.objectContaining({ tls: { minVersion: 'TLSv1.2', ca: 'PEM', servername: 'x', rejectUnauthorized: false } }),
    );
    expect(resolveOptions({ address: 'h:1' }).connection).toEqual(expect.objectContaining({ tls: false }));
  });

  it('tls: false contradicts rediss://, and TLS older than 1.2 is refused', () => {
    expect(configError({ address: 'rediss://h:1', tls: false }).option).toBe('tls');
    expect(configError({ address: 'h:1', tls: { minVersion: 'TLSv1.1' as 'TLSv1.2' } }).option).toBe('tls.minVersion');
  });

  it('keyPrefix defaults to kcl; an empty one is refused', () => {
    expect(resolveOptions({ address: 'h:1' }).keyPrefix).toBe('kcl');
    expect(configError({ address: 'h:1', keyPrefix: '' }).option).toBe('keyPrefix');
  });

  it.each([
    [{ connectTimeoutMillis: 0 }, 'connectTimeoutMillis'],
    [{ commandTimeoutMillis: -1 }, 'commandTimeoutMillis'],
    [{ scanCount: 0 }, 'scanCount'],
    [{ hashTag: 'yes' as unknown as boolean }, 'hashTag'],
  ])('%j is refused', (extra, option) => {
    expect(configError({ address: 'h:1', ...extra }).option).toBe(option);
  });

  it('connection options cannot be combined with an injected client', () => {
    const client = createClient();
    expect(configError({ client, address: 'h:1' }).option).toBe('address');
    const withPassword = configError({ client, password: 'topsecret' });
    expect(withPassword.option).toBe('password');
    expect(errorText(withPassword)).not.toContain('topsecret');
    expect(configError({ client: {} as never }).option).toBe('client');
  });

  it('the config is checked: table name, worker id, failover time', () => {
    const bad = testConfig('orders');
    bad.tableName = '';
    expect(() => new RedisCheckpoint(bad, { address: 'h:1' })).toThrow(ConfigError);
  });
});

describe('names that become part of keys are validated (no two applications can share keys)', () => {
  function configFor(table: string, workerId = 'worker-1'): ConfigError {
    const config = testConfig('orders');
    // set after construction: the checkpointer must not rely on the config having checked them
    config.tableName = table;
    (config as { workerId: string }).workerId = workerId;
    try {
      new RedisCheckpoint(config, { address: 'h:1' });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return error as ConfigError;
    }
    throw new Error(`expected a ConfigError for table ${JSON.stringify(table)} / worker ${JSON.stringify(workerId)}`);
  }

  it.each([
    ['a:shard', 'would share keys with table "shard" under prefix "kcl:a"'],
    ['{orders}', 'braces change the cluster hash tag'],
    ['ord}ers', 'a closing brace'],
    ['my table', 'whitespace'],
    ['tab\u0000le', 'a control character'],
    ['x'.repeat(256), 'longer than 255'],
  ])('table name %j is refused (%s) with the option, the value and the rule', (table) => {
    const error = configFor(table);
    expect(error.option).toBe('tableName');
    expect(error.value).toBe(table);
    expect(error.allowed).toContain('without ":", "{", "}"');
    expect(error.message).toContain('Invalid value for tableName');
  });

  it('the colliding pair of the issue cannot both be built', () => {
    expect(configFor('a:shard').option).toBe('tableName');
    expect(() => new RedisCheckpoint(testConfig('shard'), { address: 'h:1', keyPrefix: 'kcl:a' })).not.toThrow();
  });

  it.each([
    ['{kcl}', 'braces would become the hash tag of every application'],
    ['kc}l', 'a closing brace'],
    [':kcl', 'a leading ":"'],
    ['kcl:', 'a trailing ":"'],
    ['k cl', 'whitespace'],
    ['', 'empty'],
  ])('keyPrefix %j is refused (%s)', (keyPrefix) => {
    const error = configError({ address: 'h:1', keyPrefix });
    expect(error.option).toBe('keyPrefix');
    expect(error.value).toBe(keyPrefix);
    expect(error.allowed).toContain('not starting or ending with ":"');
  });

  it('keyPrefix may be a namespace with ":" (e.g. prod:kcl); go-kcl table names with "-", "_" and "." are fine', () => {
    expect(resolveOptions({ address: 'h:1', keyPrefix: 'prod:kcl' }).keyPrefix).toBe('prod:kcl');
    const cp = new RedisCheckpoint(testConfig('my-app_v2.orders'), { address: 'h:1', keyPrefix: 'prod:kcl' });
    expect(cp.keys.shard('shardId-000000000001')).toBe('prod:kcl:my-app_v2.orders:shard:shardId-000000000001');
  });

  it.each([
    ['worker\nid', 'a control character'],
    ['w'.repeat(257), 'longer than 256'],
    ['   ', 'blank'],
  ])('worker id %j is refused (%s)', (workerId) => {
    const error = configFor('orders', workerId);
    expect(error.option).toBe('workerId');
    expect(error.allowed).toContain('without control characters');
  });

  it('worker ids passed to takeLease / renewLease / claimShard and shard ids are checked too (InvalidArgumentError)', async () => {
    const cp = new RedisCheckpoint(testConfig('orders'), { address: 'h:1' });
    await expect(takeOrRenewLease(cp, createShardStatus('shardId-1'), 'bad\u0007id')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(cp.claimShard(createShardStatus('shardId-1', { assignedTo: 'a' }), '')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(takeOrRenewLease(cp, createShardStatus('app:shard:x'), 'w')).rejects.toThrow(/Invalid shard id "app:shard:x"/);
    await expect(cp.removeLeaseOwner('shardId-1', '')).rejects.toBeInstanceOf(InvalidArgumentError);
    await cp.close();
  });
});

describe('passwords never appear in configuration errors', () => {
  it.each([
    'redis://user:S3cretPw@127.0.0.1:99999',
    'redis://:S3cretPw@host:1/99',
    'redis://:S3cretPw@host:1?x=1',
    'rediss://user:S3cretPw@/0',
    'redis://:S3cretPw@@host:99999',
    'redis://:pa/S3cretPw@host:1',
    'redis://:S3cretPw#frag@host:1',
  ])('%s', (address) => {
    const error = configError({ address });
    expect(error.option).toBe('address');
    expect(errorText(error)).not.toContain('S3cretPw');
    expect(error.message).toContain('***');
  });

  it('with a password option too', () => {
    const error = configError({ address: 'redis://host:1/abc', password: 'S3cretPw', db: 3 });
    expect(errorText(error)).not.toContain('S3cretPw');
  });
});

describe('redaction helpers', () => {
  it('redactAddress hides everything between user: and the last @', () => {
    expect(redactAddress('redis://u:p@ss@h:1/0')).toBe('redis://u:***@h:1/0');
    expect(redactAddress('redis://h:1')).toBe('redis://h:1');
    expect(redactAddress('h:1')).toBe('h:1');
  });

  it('Redactor removes known secrets, their URL-encoded form and URL passwords', () => {
    const r = new Redactor(['p@ss word', undefined, '']);
    expect(r.redact('auth p@ss word failed; url redis://x:p%40ss%20word@h:1 and rediss://a:other@h:2')).toBe(
      'auth *** failed; url redis://x:***@h:1 and rediss://a:***@h:2',
    );
  });
});
