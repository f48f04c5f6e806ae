import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createServer } from 'node:net';
import { createDynamoDBClient, createKinesisClient, isLocalError, LocalError, pingRedis, startLocalStack } from '../src';

/** True if nothing accepts connections on 127.0.0.1:port. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

describe('startLocalStack', () => {
  it('starts Kinesis, DynamoDB and Redis on free ports (port 0), answers, and frees every port on stop()', async () => {
    const stack = await startLocalStack({ kinesisPort: 0, dynamodbPort: 0, redisPort: 0 });
    const kinesis = createKinesisClient(stack.kinesis.endpoint);
    const dynamodb = createDynamoDBClient(stack.dynamodb.endpoint);
    try {
      expect(stack.env).toEqual({
        KCL_KINESIS_ENDPOINT: stack.kinesis.endpoint,
        KCL_DYNAMODB_ENDPOINT: stack.dynamodb.endpoint,
        KCL_REDIS_URL: `redis://127.0.0.1:${stack.redis!.port}`,
      });
      expect(await kinesis.send(new ListStreamsCommand({}))).toMatchObject({ StreamNames: [] });
      expect(await dynamodb.send(new ListTablesCommand({}))).toMatchObject({ TableNames: [] });
      expect(await pingRedis(stack.redis!.port)).toBe('+PONG');
    } finally {
      kinesis.destroy();
      dynamodb.destroy();
      await stack.stop();
    }
    await stack.stop(); // twice is fine
    for (const port of [stack.kinesis.port, stack.dynamodb.port, stack.redis!.port]) expect(await refused(port)).toBe(true);
  });

  it('starts without Redis when told so, or when Redis is absent (saying why)', async () => {
    const without = await startLocalStack({ kinesisPort: 0, dynamodbPort: 0, redis: false });
    await without.stop();
    expect(without.redis).toBeUndefined();
    expect(without.redisAbsent).toBeUndefined();
    expect(without.env.KCL_REDIS_URL).toBeUndefined();
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const absent = await startLocalStack({ kinesisPort: 0, dynamodbPort: 0, redisPort: 0 });
      await absent.stop();
      expect(absent.redis).toBeUndefined();
      expect(absent.redisAbsent).toMatch(/redis-server is not on the PATH/);
    } finally {
      process.env.PATH = path;
    }
  });

  it('stops what it started and throws PORT_IN_USE when a fixed port is taken', async () => {
    const first = await startLocalStack({ kinesisPort: 0, dynamodbPort: 0, redis: false });
    try {
      const failure = await startLocalStack({ kinesisPort: 0, dynamodbPort: first.dynamodb.port, redis: false }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(LocalError);
      expect(isLocalError(failure)).toBe(true);
      expect(failure).toMatchObject({ code: 'PORT_IN_USE', service: 'dynamodb' });
    } finally {
      await first.stop();
    }
  });

  it('rejects a bad port with LOCAL_BAD_OPTION naming the option', async () => {
    await expect(startLocalStack({ kinesisPort: 65536 })).rejects.toMatchObject({
      code: 'LOCAL_BAD_OPTION',
      message: expect.stringMatching(/kinesisPort/),
    });
  });
});
