import { DEFAULT_KINESIS_ENDPOINT, parseCommand } from '../src/cli-options';
import { exitCodeOf } from '../src/cli';
import { LocalError } from '../src';

const noEnv = {};

describe('kcl-local command line', () => {
  it('parses up with the default ports, port 0, --no-redis and --shard-limit', () => {
    expect(parseCommand(['up'], noEnv)).toEqual({
      name: 'up',
      kinesisPort: 4567,
      dynamodbPort: 8000,
      redisPort: 6379,
      redis: true,
      shardLimit: 1000,
    });
    expect(parseCommand(['up', '--kinesis-port', '0', '--dynamodb-port=0', '--redis-port', '0', '--no-redis', '--shard-limit', '20'], noEnv)).toEqual(
      {
        name: 'up',
        kinesisPort: 0,
        dynamodbPort: 0,
        redisPort: 0,
        redis: false,
        shardLimit: 20,
      },
    );
  });

  it('parses the stream and put commands; the endpoint comes from --endpoint, else KCL_KINESIS_ENDPOINT, else the default', () => {
    const env = { KCL_KINESIS_ENDPOINT: 'http://127.0.0.1:9999' };
    expect(parseCommand(['stream', 'create', 'orders', '--shards', '4'], env)).toEqual({
      name: 'stream-create',
      endpoint: 'http://127.0.0.1:9999',
      stream: 'orders',
      shards: 4,
    });
    expect(parseCommand(['stream', 'create', 'orders'], noEnv)).toMatchObject({ shards: 1, endpoint: DEFAULT_KINESIS_ENDPOINT });
    expect(parseCommand(['stream', 'delete', 'orders', '--endpoint', 'http://127.0.0.1:1'], env)).toEqual({
      name: 'stream-delete',
      endpoint: 'http://127.0.0.1:1',
      stream: 'orders',
    });
    expect(parseCommand(['stream', 'list'], noEnv)).toEqual({ name: 'stream-list', endpoint: 'http://127.0.0.1:4567' });
    expect(parseCommand(['put', 'orders', '--records', '1000'], env)).toEqual({
      name: 'put',
      endpoint: 'http://127.0.0.1:9999',
      stream: 'orders',
      records: 1000,
    });
    expect(parseCommand(['put', 'orders'], noEnv)).toMatchObject({ records: 1000 });
    expect(parseCommand(['--', 'stream', 'list'], noEnv)).toMatchObject({ name: 'stream-list' });
  });

  it('knows help', () => {
    for (const argv of [['--help'], ['-h'], ['help'], ['up', '--help'], ['stream', 'create', '-h'], ['put', '--help']]) {
      expect(parseCommand(argv, noEnv)).toEqual({ name: 'help' });
    }
  });

  it.each([
    [[], /a command is needed/],
    [['down'], /unknown command "down"/],
    [['up', '--kinesis-port', 'x'], /--kinesis-port must be an integer from 0 to 65535, got "x"/],
    [['up', '--redis-port', '70000'], /--redis-port must be an integer/],
    [['up', '--verbose'], /'--verbose'/],
    [['up', 'now'], /up: unexpected argument "now"/],
    [['stream'], /stream needs create, delete or list/],
    [['stream', 'rename'], /unknown stream command "rename"/],
    [['stream', 'create'], /stream create needs NAME/],
    [['stream', 'create', 'orders', '--shards', '0'], /--shards must be an integer from 1 to 10000, got "0"/],
    [['stream', 'create', 'orders', '--shards'], /'--shards/],
    [['stream', 'delete', 'a', 'b'], /unexpected argument "b"/],
    [['put', 'orders', '--records', '-5'], /--records/],
    [['put', 'orders', '--endpoint', 'localhost:4567'], /--endpoint must be an http:\/\/ or https:\/\/ URL/],
  ])('%j is bad usage (exit code 2): %s', (argv, message) => {
    let thrown: unknown;
    try {
      parseCommand(argv, noEnv);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(LocalError);
    expect(thrown).toMatchObject({ code: 'LOCAL_BAD_OPTION', message: expect.stringMatching(message) });
    expect(exitCodeOf(thrown)).toBe(2);
  });

  it('maps other failures to exit code 1', () => {
    expect(exitCodeOf(new LocalError('KINESIS_FAILED', 'kinesis', 'x'))).toBe(1);
    expect(exitCodeOf(new Error('boom'))).toBe(1);
  });
});
