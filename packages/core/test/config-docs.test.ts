/**
 * The JSDoc of the config options (what IDEs show users) states what the code does. Reads the comments with the
 * TypeScript compiler API; each expectation names the fact the option's comment must carry (and claims it must not
 * make), so a change of behaviour or a stale comment fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';

/** property name -> JSDoc text (comment plus tags) of the members of `className` / `interfaceName` in `file`. */
function memberDocs(file: string, typeName: string): Map<string, string> {
  const path = join(__dirname, '..', 'src', file);
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true);
  const docs = new Map<string, string>();
  const visit = (node: ts.Node): void => {
    if ((ts.isClassDeclaration(node) || ts.isInterfaceDeclaration(node)) && node.name?.text === typeName) {
      for (const member of node.members) {
        if (!member.name || !ts.isIdentifier(member.name)) continue;
        const text = ts
          .getJSDocCommentsAndTags(member)
          .map((doc) => doc.getText(source))
          .join('\n')
          .replace(/^\s*\/?\*+\/?/gm, '')
          .replace(/\s+/g, ' ');
        docs.set(member.name.text, text);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return docs;
}

const config = memberDocs('config/config-fields.ts', 'KclConfigFields');
const doc = (name: string): string => {
  const text = config.get(name);
  if (text === undefined) throw new Error(`no member ${name}`);
  return text;
};

describe('KinesisClientLibConfig JSDoc', () => {
  test('every option field has a comment with a @defaultValue', () => {
    const required = ['applicationName', 'streamName', 'regionName'];
    let fields = 0;
    for (const [name, text] of config) {
      if (name.startsWith('with') || name.startsWith('validate')) continue;
      fields += 1;
      expect(`${name}: ${text.length > 20 ? 'documented' : 'missing'}`).toBe(`${name}: documented`);
      if (!required.includes(name)) expect(`${name}: ${/@defaultValue/.test(text)}`).toBe(`${name}: true`);
    }
    expect(fields).toBeGreaterThanOrEqual(29);
  });

  test('taskBackoffTimeMillis: processor retries and the start-up ListShards, not Kinesis or lease-store failures', () => {
    const text = doc('taskBackoffTimeMillis');
    for (const fact of ['`initialize`', '`processRecords`', 'ListShards', '200 ms', '10 s', 'quarter of the renewal interval']) {
      expect(text).toContain(fact);
    }
    expect(text).not.toMatch(/failed lease-store or Kinesis call\) before it is retried/);
  });

  test('maxRetryCount: Kinesis attempts = n + 1 and checkpoint retries on LeaseStoreUnavailableError, not DynamoDB', () => {
    const text = doc('maxRetryCount');
    for (const fact of ['`maxRetryCount + 1`', 'LeaseStoreUnavailableError', 'checkpoint write', '`maxAttempts`']) {
      expect(text).toContain(fact);
    }
    expect(text).not.toMatch(/Maximum retries of a failed AWS call/);
  });

  test('idleTimeBetweenReadsInMillis: empty or partial batch at MillisBehindLatest 0; not under fan-out', () => {
    const text = doc('idleTimeBetweenReadsInMillis');
    for (const fact of ['no records', 'fewer than', 'MillisBehindLatest 0', 'Not used under enhanced fan-out']) {
      expect(text).toContain(fact);
    }
  });

  test('maxRecords: not used under fan-out', () => {
    expect(doc('maxRecords')).toContain('not used under enhanced fan-out');
  });

  test('leaseSyncingTimeIntervalMillis: no effect since fleet coordination (only the leader reads the table)', () => {
    const text = doc('leaseSyncingTimeIntervalMillis');
    expect(text).toContain('No effect since fleet coordination');
    expect(text).toContain('leader reads the lease table');
    expect(text).not.toMatch(/maximum age of the lease-table read/);
  });

  test('enableLeaseStealing / leaseStealingIntervalMillis: balancing by the leader, on by default, hand-offs by transfer', () => {
    const stealing = doc('enableLeaseStealing');
    for (const fact of ['leader', 'transferLease', 'new, unowned and expired leases are still assigned', '@defaultValue `true`']) {
      expect(stealing).toContain(fact);
    }
    const interval = doc('leaseStealingIntervalMillis');
    expect(interval).toContain('balancing rounds of the leader');
    expect(interval).not.toMatch(/at most one lease/);
  });

  test('shardSyncIntervalMillis: what the lease cleanup removes and never removes', () => {
    const text = doc('shardSyncIntervalMillis');
    for (const fact of ['SHARD_END', 'children all have leases', 'never removed', 'empty ListShards']) {
      expect(text).toContain(fact);
    }
  });
});

describe('failing and stuck processor options JSDoc', () => {
  test('maxTaskBackoffTimeMillis: doubling from taskBackoffTimeMillis, never below it', () => {
    const text = doc('maxTaskBackoffTimeMillis');
    for (const fact of ['doubling', '{@link taskBackoffTimeMillis}', 'never less than', '@defaultValue `30000`']) expect(text).toContain(fact);
  });

  test('processorFailurePolicy: retry forever by default, skip reports the batch, releaseLease releases', () => {
    const text = doc('processorFailurePolicy');
    for (const fact of ["{ action: 'retry' }", 'forever', '`batchSkipped`', 'a later `checkpoint()` covers it', 'REQUESTED', 'reason `failing`']) {
      expect(text).toContain(fact);
    }
  });

  test('maxProcessingTimeMillis: off by default; lease given up, checkpoints refused, ZOMBIE once the call returns', () => {
    const text = doc('maxProcessingTimeMillis');
    for (const fact of ['0 = never', 'reason `stuck`', '`LeaseLostError`', '{@link failoverTimeMillis}', '`shutdown(ZOMBIE)`', '@defaultValue `0`']) {
      expect(text).toContain(fact);
    }
  });

  test('warnAfterBatchesWithoutCheckpoint: once per lease', () => {
    expect(doc('warnAfterBatchesWithoutCheckpoint')).toContain('once per lease');
  });
});

describe('ShardStatus JSDoc', () => {
  test('leaseTimeout: written from the Redis server’s clock for Redis', () => {
    const text = memberDocs('checkpoint/shard-status.ts', 'ShardStatus').get('leaseTimeout') ?? '';
    expect(text).toContain("Redis server's clock");
    expect(text).not.toMatch(/\(local clock of the writer\)/);
  });
});
