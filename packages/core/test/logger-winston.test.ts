import { PassThrough } from 'node:stream';
import winston from 'winston';
import { ConfigError, LeaseLostError } from '../src/errors';
import { createWinstonLogger, getDefaultLogger, LOG_LEVEL_ENV } from '../src/logger/winston-logger';
import type { KclLogLevel } from '../src/logger/winston-logger';

function capture(): { stream: PassThrough; lines: () => Record<string, unknown>[]; text: () => string } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  const text = (): string => chunks.join('');
  const lines = (): Record<string, unknown>[] =>
    text()
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { stream, lines, text };
}

// Winston writes through a stream pipeline; give it a turn of the event loop.
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('createWinstonLogger', () => {
  const savedEnv = process.env[LOG_LEVEL_ENV];
  afterEach(() => {
    if (savedEnv === undefined) delete process.env[LOG_LEVEL_ENV];
    else process.env[LOG_LEVEL_ENV] = savedEnv;
  });

  it('writes JSON lines at level info by default, with fields and a timestamp', async () => {
    delete process.env[LOG_LEVEL_ENV];
    const out = capture();
    const logger = createWinstonLogger({ stream: out.stream });
    logger.debug('hidden');
    logger.info('lease taken', { shardId: 'shardId-000000000001' });
    logger.warn('slow');
    logger.error('failed', { attempt: 2 });
    await flush();
    const lines = out.lines();
    expect(lines.map((l) => [l['level'], l['message']])).toEqual([
      ['info', 'lease taken'],
      ['warn', 'slow'],
      ['error', 'failed'],
    ]);
    expect(lines[0]).toMatchObject({ shardId: 'shardId-000000000001' });
    expect(lines[2]).toMatchObject({ attempt: 2 });
    expect(typeof lines[0]?.['timestamp']).toBe('string');
  });

  it('child loggers add their fields to every line, also nested', async () => {
    const out = capture();
    const logger = createWinstonLogger({ stream: out.stream, level: 'debug' });
    const child = logger.child({ workerId: 'w1' }).child({ shardId: 's1' });
    child.debug('tick', { n: 1 });
    logger.info('parent');
    await flush();
    const [first, second] = out.lines();
    expect(first).toMatchObject({ level: 'debug', message: 'tick', workerId: 'w1', shardId: 's1', n: 1 });
    expect(second).not.toHaveProperty('workerId');
  });

  it('serialises Error fields with name, message, code, stack and cause', async () => {
    const out = capture();
    const logger = createWinstonLogger({ stream: out.stream });
    const cause = new Error('conditional check failed');
    logger.error('checkpoint failed', { error: new LeaseLostError('shardId-1', undefined, { cause }) });
    await flush();
    const error = out.lines()[0]?.['error'] as Record<string, unknown>;
    expect(error).toMatchObject({ name: 'LeaseLostError', code: 'LEASE_LOST', cause: { name: 'Error', message: 'conditional check failed' } });
    expect(String(error['message'])).toContain('shardId-1');
    expect(String(error['stack'])).toContain('LeaseLostError');
  });

  it('keeps user fields named level or message from overwriting the line', async () => {
    const out = capture();
    createWinstonLogger({ stream: out.stream }).info('real', { level: 'x', message: 'y' });
    await flush();
    expect(out.lines()[0]).toMatchObject({ level: 'info', message: 'real', _level: 'x', _message: 'y' });
  });

  it('KCL_LOG_LEVEL overrides the default level; an explicit level wins over it', async () => {
    process.env[LOG_LEVEL_ENV] = 'WARN';
    const env = capture();
    const fromEnv = createWinstonLogger({ stream: env.stream });
    fromEnv.info('dropped');
    fromEnv.warn('kept');
    const explicit = capture();
    createWinstonLogger({ stream: explicit.stream, level: 'debug' }).debug('kept too');
    await flush();
    expect(env.lines().map((l) => l['message'])).toEqual(['kept']);
    expect(explicit.lines().map((l) => l['message'])).toEqual(['kept too']);
  });

  it('rejects an unknown level from the environment or the options', () => {
    process.env[LOG_LEVEL_ENV] = 'chatty';
    expect(() => createWinstonLogger()).toThrow(ConfigError);
    expect(() => createWinstonLogger()).toThrow(/KCL_LOG_LEVEL/);
    delete process.env[LOG_LEVEL_ENV];
    expect(() => createWinstonLogger({ level: 'verbose' as KclLogLevel })).toThrow(/error, warn, info, debug, silent/);
  });

  it('silent writes nothing; simple format writes plain text', async () => {
    const silent = capture();
    createWinstonLogger({ stream: silent.stream, level: 'silent' }).error('nothing');
    const simple = capture();
    createWinstonLogger({ stream: simple.stream, format: 'simple' }).info('hello', { shard: 's1' });
    await flush();
    expect(silent.text()).toBe('');
    expect(simple.text()).toContain('info: hello');
    expect(simple.text()).toContain('"shard":"s1"');
  });

  it('wraps an existing winston logger, and refuses level/format/stream next to it', async () => {
    const seen: Record<string, unknown>[] = [];
    const objects = new PassThrough({ objectMode: true });
    objects.on('data', (info: Record<string, unknown>) => seen.push(info));
    const inner = winston.createLogger({ level: 'debug', transports: [new winston.transports.Stream({ stream: objects })] });
    const logger = createWinstonLogger({ winston: inner });
    logger.child({ workerId: 'w9' }).debug('via user logger', { a: 1 });
    await flush();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ level: 'debug', message: 'via user logger', workerId: 'w9', a: 1 });
    expect(() => createWinstonLogger({ winston: inner, level: 'info' })).toThrow(ConfigError);
  });

  it('a child logger makes its winston child only when it first writes a line; nested fields merge, the innermost wins', async () => {
    const seen: Record<string, unknown>[] = [];
    const objects = new PassThrough({ objectMode: true });
    objects.on('data', (info: Record<string, unknown>) => seen.push(info));
    const inner = winston.createLogger({ level: 'info', transports: [new winston.transports.Stream({ stream: objects })] });
    const makeChild = jest.spyOn(inner, 'child');
    const logger = createWinstonLogger({ winston: inner });
    // One per shard consumer: most never write at the level in force.
    const children = Array.from({ length: 100 }, (_, i) => logger.child({ shardId: `s${i}`, workerId: 'w1', role: 'outer' }));
    for (const child of children) child.debug('off');
    expect(makeChild).not.toHaveBeenCalled();
    children[7]!.child({ role: 'inner' }).info('written', { n: 1 });
    children[7]!.child({ role: 'inner' }).info('line fields win', { role: 'line' });
    await flush();
    expect(makeChild).toHaveBeenCalledTimes(2);
    expect(seen).toHaveLength(2);
    expect(seen[0]).toMatchObject({ message: 'written', shardId: 's7', workerId: 'w1', role: 'inner', n: 1 });
    expect(seen[1]).toMatchObject({ message: 'line fields win', shardId: 's7', role: 'line' });
  });

  it('a level that is off neither reads the fields nor reaches winston (also on child loggers and silent)', async () => {
    const out = capture();
    const inner = winston.createLogger({ level: 'warn', transports: [new winston.transports.Stream({ stream: out.stream })] });
    const write = jest.spyOn(inner, 'write');
    let reads = 0;
    const fields = {
      get shardId(): string {
        reads++;
        return 'shardId-000000000001';
      },
    };
    const logger = createWinstonLogger({ winston: inner });
    logger.debug('off', fields);
    logger.info('off', fields);
    logger.child({ workerId: 'w' }).debug('off', fields);
    expect(reads).toBe(0);
    expect(write).not.toHaveBeenCalled();
    logger.warn('on', fields);
    expect(reads).toBe(1);
    // The level is read on every call: a level raised at run time applies at once.
    inner.level = 'debug';
    logger.debug('now on', fields);
    await flush();
    expect(out.lines().map((l) => l['message'])).toEqual(['on', 'now on']);
    const silent = createWinstonLogger({ level: 'silent' });
    silent.error('off', fields);
    expect(reads).toBe(2);
  });

  it('getDefaultLogger returns one shared logger', () => {
    expect(getDefaultLogger()).toBe(getDefaultLogger());
  });
});
