import { ConfigError } from '@kcl/core';
import { hasAwsConfiguration, resolveSettings } from '../src/settings';

const AWS = { KCL_STREAM_NAME: 'orders', AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE' };

describe('resolveSettings', () => {
  it('runs on the local test bed by default, in us-east-1, starting every stand-in', () => {
    expect(resolveSettings({}, 'dynamodb')).toEqual({
      mode: 'local',
      region: 'us-east-1',
      streamName: undefined,
      kinesisEndpoint: undefined,
      dynamoDBEndpoint: undefined,
      redisUrl: undefined,
      notes: [],
    });
  });

  it.each(['AWS_ACCESS_KEY_ID', 'AWS_PROFILE', 'AWS_WEB_IDENTITY_TOKEN_FILE'])(
    'switches to AWS with KCL_STREAM_NAME, AWS_REGION and %s',
    (credentials) => {
      const settings = resolveSettings({ KCL_STREAM_NAME: 'orders', AWS_REGION: 'eu-west-1', [credentials]: 'x' }, 'dynamodb');
      expect(settings).toMatchObject({ mode: 'aws', region: 'eu-west-1', streamName: 'orders', kinesisEndpoint: undefined });
    },
  );

  it.each([
    ['no region', { KCL_STREAM_NAME: 'orders', AWS_ACCESS_KEY_ID: 'x' }],
    ['no credentials', { KCL_STREAM_NAME: 'orders', AWS_REGION: 'eu-west-1' }],
    ['an empty credential', { KCL_STREAM_NAME: 'orders', AWS_REGION: 'eu-west-1', AWS_PROFILE: ' ' }],
  ])('stays local with KCL_STREAM_NAME but %s, and says the stream name was ignored', (_, env) => {
    const settings = resolveSettings(env, 'dynamodb');
    expect(settings.mode).toBe('local');
    expect(settings.streamName).toBeUndefined();
    expect(settings.notes).toEqual([expect.stringContaining('KCL_STREAM_NAME is ignored')]);
  });

  it('stays local with AWS variables but no KCL_STREAM_NAME (e.g. the output of pnpm local:up)', () => {
    expect(resolveSettings({ AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'x' }, 'dynamodb').mode).toBe('local');
  });

  it('takes endpoints of running servers in both modes, each only for the store that needs it', () => {
    const env = {
      KCL_KINESIS_ENDPOINT: 'http://127.0.0.1:4568',
      KCL_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      KCL_REDIS_URL: 'redis://127.0.0.1:6379',
    };
    expect(resolveSettings(env, 'dynamodb')).toMatchObject({
      kinesisEndpoint: env.KCL_KINESIS_ENDPOINT,
      dynamoDBEndpoint: env.KCL_DYNAMODB_ENDPOINT,
      redisUrl: undefined,
    });
    expect(resolveSettings({ ...env, ...AWS }, 'redis')).toMatchObject({ mode: 'aws', dynamoDBEndpoint: undefined, redisUrl: env.KCL_REDIS_URL });
    expect(resolveSettings({ KCL_REDIS_URL: '127.0.0.1:6379' }, 'redis').redisUrl).toBe('127.0.0.1:6379');
  });

  it('needs KCL_REDIS_URL for a Redis example on AWS', () => {
    expect(() => resolveSettings(AWS, 'redis')).toThrow(ConfigError);
    expect(() => resolveSettings(AWS, 'redis')).toThrow(/KCL_REDIS_URL/);
  });

  it('rejects malformed endpoints, and never echoes a Redis URL (it may hold a password)', () => {
    expect(() => resolveSettings({ KCL_KINESIS_ENDPOINT: '127.0.0.1:4567' }, 'dynamodb')).toThrow(/KCL_KINESIS_ENDPOINT/);
    expect(() => resolveSettings({ KCL_DYNAMODB_ENDPOINT: 'ftp://x' }, 'dynamodb')).toThrow(/KCL_DYNAMODB_ENDPOINT/);
    let caught: unknown;
    try {
      resolveSettings({ KCL_REDIS_URL: 'http://:s3cret@host' }, 'redis');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect(String((caught as Error).message)).not.toContain('s3cret');
  });
});

describe('hasAwsConfiguration', () => {
  it('needs a region and a source of credentials', () => {
    expect(hasAwsConfiguration({ AWS_REGION: 'us-west-2', AWS_PROFILE: 'dev' })).toBe(true);
    expect(hasAwsConfiguration({ AWS_REGION: 'us-west-2' })).toBe(false);
    expect(hasAwsConfiguration({ AWS_PROFILE: 'dev' })).toBe(false);
  });
});
