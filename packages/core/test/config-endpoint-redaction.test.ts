// Endpoints may carry secrets (user info, a pre-signed token in the query string): ConfigError messages and values
// must never show them.
import { ConfigError } from '../src/errors';
import { KinesisClientLibConfig } from '../src/config/kcl-config';
import { redactEndpoint } from '../src/config/redact-endpoint';
import { createKinesisClient } from '../src/kinesis/client-factory';

const SECRET = 'S3cr3tValue';
const base = (): KinesisClientLibConfig => new KinesisClientLibConfig('app', 'stream', 'us-east-1', 'w1');

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

function expectNoSecret(error: ConfigError): void {
  expect(error.message).not.toContain(SECRET);
  expect(JSON.stringify(error.value)).not.toContain(SECRET);
  expect(error.message).toContain('***');
}

// Each is rejected, for a different reason, and holds the secret in its user info or query string.
const REJECTED: Array<[string, string]> = [
  ['a scheme other than http(s), with user info', `ftp://admin:${SECRET}@kinesis.example.com`],
  ['user info (otherwise valid)', `https://admin:${SECRET}@kinesis.example.com`],
  ['user info without a user name separator (a token)', `https://${SECRET}@kinesis.example.com`],
  ['a password containing @ and / that does not parse', `http://admin:${SECRET}@x/y@kinesis example.com`],
  ['no scheme, a query string', `kinesis.example.com:443?X-Amz-Security-Token=${SECRET}`],
  ['an unparseable URL with a query string', `http://kinesis example.com/?token=${SECRET}`],
  ['an unparseable URL with a fragment', `http://kinesis example.com/#${SECRET}`],
  ['no host, a query string', `http://?X-Amz-Security-Token=${SECRET}`],
];

describe('endpoint redaction in ConfigError', () => {
  it.each(REJECTED)('withKinesisEndpoint / withDynamoDBEndpoint: %s', (_why, endpoint) => {
    expectNoSecret(configError(() => base().withKinesisEndpoint(endpoint)));
    const dynamo = configError(() => base().withDynamoDBEndpoint(endpoint));
    expectNoSecret(dynamo);
    expect(dynamo.option).toBe('dynamoDBEndpoint');
  });

  it.each(REJECTED)('validate() and createKinesisClient on a field assigned directly: %s', (_why, endpoint) => {
    const config = base();
    config.kinesisEndpoint = endpoint;
    expectNoSecret(configError(() => config.validate()));
    expectNoSecret(configError(() => createKinesisClient(config)));
    const dynamo = base();
    dynamo.dynamoDBEndpoint = endpoint;
    expectNoSecret(configError(() => dynamo.validate()));
  });

  it('keeps what helps: scheme, user name, host and path', () => {
    const error = configError(() => base().withKinesisEndpoint(`ftp://admin:${SECRET}@kinesis.example.com/path?token=${SECRET}`));
    expect(error.message).toContain('"ftp://admin:***@kinesis.example.com/path?***"');
    expect(error.value).toBe('ftp://admin:***@kinesis.example.com/path?***');
  });

  it('leaves values without user info or query alone', () => {
    expect(redactEndpoint('localhost:4567')).toBe('localhost:4567');
    expect(redactEndpoint('http://127.0.0.1:4567/')).toBe('http://127.0.0.1:4567/');
    expect(configError(() => base().withKinesisEndpoint('localhost:4567')).message).toContain('"localhost:4567"');
  });
});
