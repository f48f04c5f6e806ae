// Value checks shared by the KinesisClientLibConfig setters and its validate(). Each check throws a ConfigError that
// names the option, the rejected value and what is allowed, and returns the value typed when it is fine.
import { ConfigError } from '../errors';
import type { Logger } from '../logger/logger';
import type { MonitoringService } from '../metrics/monitoring-service';
import type { KclCredentialsSource } from './credentials';
import { redactEndpoint } from './redact-endpoint';
import { KCL_CONFIG_LIMITS } from './limits';
import { InitialPositionInStream } from './initial-position';
import type { ProcessorFailurePolicy } from './processor-failure-policy';

/** An integer in [min, max]. */
export function checkInteger(option: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(option, value, `an integer from ${min} to ${max}`);
  }
  return value;
}

/** A duration in milliseconds: an integer from `min` (default 1) to one day. */
export function checkMillis(option: string, value: unknown, min = 1): number {
  return checkInteger(option, value, min, KCL_CONFIG_LIMITS.maxMillis);
}

export function checkBoolean(option: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new ConfigError(option, value, 'true or false');
  return value;
}

interface NameRule {
  min: number;
  max: number;
  pattern: RegExp;
  describe: string;
}

// AWS naming rules (Kinesis CreateStream / RegisterStreamConsumer, DynamoDB CreateTable).
const AWS_NAME_CHARS = /^[a-zA-Z0-9_.-]+$/;
const AWS_NAME_CHARS_TEXT = 'letters, digits, "_", "." and "-"';
const STREAM_NAME: NameRule = { min: 1, max: 128, pattern: AWS_NAME_CHARS, describe: AWS_NAME_CHARS_TEXT };
const TABLE_NAME: NameRule = { min: 3, max: 255, pattern: AWS_NAME_CHARS, describe: AWS_NAME_CHARS_TEXT };
const CONSUMER_NAME: NameRule = { min: 1, max: 128, pattern: AWS_NAME_CHARS, describe: AWS_NAME_CHARS_TEXT };
// The application name is the default table and consumer name, so it uses their character set.
const APPLICATION_NAME: NameRule = { min: 1, max: 255, pattern: AWS_NAME_CHARS, describe: AWS_NAME_CHARS_TEXT };

function checkName(option: string, value: unknown, rule: NameRule, hint?: string): string {
  if (typeof value !== 'string' || value.length < rule.min || value.length > rule.max || !rule.pattern.test(value)) {
    throw new ConfigError(option, value, `${rule.min} to ${rule.max} characters of ${rule.describe}`, hint);
  }
  return value;
}

export function checkApplicationName(value: unknown): string {
  return checkName('applicationName', value, APPLICATION_NAME);
}

export function checkStreamName(value: unknown): string {
  return checkName('streamName', value, STREAM_NAME);
}

export function checkTableName(value: unknown, hint?: string): string {
  return checkName('tableName', value, TABLE_NAME, hint);
}

export function checkConsumerName(value: unknown, hint?: string): string {
  return checkName('enhancedFanOutConsumerName', value, CONSUMER_NAME, hint);
}

// us-east-1, eu-central-2, us-gov-west-1, cn-northwest-1, us-iso-east-1, ap-southeast-5 ...
const REGION = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;

export function checkRegion(value: unknown): string {
  if (typeof value !== 'string' || !REGION.test(value)) {
    throw new ConfigError('regionName', value, 'an AWS region name such as "us-east-1" or "eu-west-2"');
  }
  return value;
}

/** A worker id: any string of 1 to 256 characters that is not only whitespace and has no control characters. */
export function checkWorkerId(value: unknown): string {
  const max = KCL_CONFIG_LIMITS.maxWorkerIdLength;
  // eslint-disable-next-line no-control-regex
  if (typeof value !== 'string' || value.trim() === '' || value.length > max || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new ConfigError('workerId', value, `a string of 1 to ${max} characters without control characters`);
  }
  return value;
}

/**
 * An absolute http:// or https:// URL with a host. Error messages (and `ConfigError.value`) show the value through
 * {@link redactEndpoint}: user info and query strings may hold secrets.
 */
export function checkEndpoint(option: string, value: unknown): string {
  const allowed = 'an absolute http:// or https:// URL such as "http://127.0.0.1:4567"';
  const rejected = (why = allowed): ConfigError => new ConfigError(option, typeof value === 'string' ? redactEndpoint(value) : value, why);
  if (typeof value !== 'string' || value.trim() !== value || value === '') throw rejected();
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw rejected();
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') throw rejected();
  if (url.username !== '' || url.password !== '') throw rejected(`${allowed}, without user name or password`);
  return value;
}

/** The parts of an enhanced fan-out consumer ARN. */
export interface ConsumerArnParts {
  partition: string;
  region: string;
  accountId: string;
  streamName: string;
  consumerName: string;
  creationTimestamp: string;
}

// arn:aws:kinesis:us-east-1:123456789012:stream/my-stream/consumer/my-consumer:1525898737
const CONSUMER_ARN = /^arn:(aws[a-z-]*):kinesis:([a-z0-9-]+):(\d{12}):stream\/([a-zA-Z0-9_.-]{1,128})\/consumer\/([a-zA-Z0-9_.-]{1,128}):(\d+)$/;

export function checkConsumerArn(value: unknown): ConsumerArnParts {
  const match = typeof value === 'string' ? CONSUMER_ARN.exec(value) : null;
  if (!match) {
    throw new ConfigError(
      'enhancedFanOutConsumerARN',
      value,
      'a Kinesis stream consumer ARN: arn:aws:kinesis:<region>:<12-digit account>:stream/<stream>/consumer/<name>:<timestamp>',
    );
  }
  const [, partition = '', region = '', accountId = '', streamName = '', consumerName = '', creationTimestamp = ''] = match;
  return { partition, region, accountId, streamName, consumerName, creationTimestamp };
}

export function checkInitialPosition(value: unknown): InitialPositionInStream {
  const allowed = [InitialPositionInStream.LATEST, InitialPositionInStream.TRIM_HORIZON, InitialPositionInStream.AT_TIMESTAMP];
  if (!allowed.includes(value as InitialPositionInStream)) {
    throw new ConfigError(
      'initialPositionInStream',
      value,
      'InitialPositionInStream.LATEST (1), InitialPositionInStream.TRIM_HORIZON (2) or InitialPositionInStream.AT_TIMESTAMP (3)',
    );
  }
  return value as InitialPositionInStream;
}

export function checkTimestamp(value: unknown): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new ConfigError('timestampAtInitialPositionInStream', value, 'a valid Date');
  }
  return value;
}

function hasMethods(value: unknown, methods: readonly string[]): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return methods.every((m) => typeof record[m] === 'function');
}

const LOGGER_METHODS = ['debug', 'info', 'warn', 'error', 'child'] as const;

export function checkLogger(value: unknown): Logger {
  if (!hasMethods(value, LOGGER_METHODS)) {
    throw new ConfigError('logger', describeObject(value), `an object with the methods ${LOGGER_METHODS.join(', ')}`);
  }
  return value as Logger;
}

const MONITORING_METHODS = [
  'init',
  'start',
  'incrRecordsProcessed',
  'incrBytesProcessed',
  'millisBehindLatest',
  'leaseGained',
  'leaseLost',
  'leaseRenewed',
  'recordGetRecordsTime',
  'recordProcessRecordsTime',
  'shutdown',
] as const;

export function checkMonitoringService(value: unknown): MonitoringService {
  if (!hasMethods(value, MONITORING_METHODS)) {
    throw new ConfigError(
      'monitoringService',
      describeObject(value),
      `an object implementing MonitoringService (methods ${MONITORING_METHODS.join(', ')})`,
    );
  }
  return value as MonitoringService;
}

/** Static credentials with non-empty keys, or a provider function. Secrets never appear in the error. */
export function checkCredentials(option: string, value: unknown): KclCredentialsSource {
  if (typeof value === 'function') return value as KclCredentialsSource;
  const allowed = 'a function returning a Promise of credentials, or { accessKeyId, secretAccessKey, sessionToken? } with non-empty strings';
  if (typeof value !== 'object' || value === null) throw new ConfigError(option, describeObject(value), allowed);
  const record = value as Record<string, unknown>;
  const nonEmpty = (v: unknown): boolean => typeof v === 'string' && v !== '';
  const tokenOk = record['sessionToken'] === undefined || nonEmpty(record['sessionToken']);
  if (!nonEmpty(record['accessKeyId']) || !nonEmpty(record['secretAccessKey']) || !tokenOk) {
    throw new ConfigError(option, '<credentials object>', allowed);
  }
  return value as KclCredentialsSource;
}

function describeObject(value: unknown): unknown {
  if (typeof value === 'object' && value !== null) return `<${value.constructor?.name ?? 'object'} without the required methods>`;
  return value;
}

const FAILURE_ACTIONS = ['retry', 'skip', 'releaseLease'] as const;

/**
 * `{ action: 'retry' }`, or `{ action: 'skip' | 'releaseLease', maxAttempts }` with maxAttempts an integer from 1 to
 * 1000000. Returns a frozen copy.
 */
export function checkProcessorFailurePolicy(value: unknown): Readonly<ProcessorFailurePolicy> {
  const option = 'processorFailurePolicy';
  const allowed = `{ action: 'retry' }, or { action: 'skip' | 'releaseLease', maxAttempts: 1 to ${KCL_CONFIG_LIMITS.maxCount} }`;
  if (typeof value !== 'object' || value === null) throw new ConfigError(option, value, allowed);
  const { action, maxAttempts } = value as Record<string, unknown>;
  if (!FAILURE_ACTIONS.includes(action as (typeof FAILURE_ACTIONS)[number])) {
    throw new ConfigError(`${option}.action`, action, `one of ${FAILURE_ACTIONS.map((a) => `'${a}'`).join(', ')}`);
  }
  if (action === 'retry') {
    if (maxAttempts !== undefined) {
      throw new ConfigError(
        `${option}.maxAttempts`,
        maxAttempts,
        'no value with action "retry"',
        'retry never gives up; use action "skip" or "releaseLease" to act after maxAttempts.',
      );
    }
    return Object.freeze({ action: 'retry' });
  }
  const attempts = checkInteger(`${option}.maxAttempts`, maxAttempts, 1, KCL_CONFIG_LIMITS.maxCount);
  return Object.freeze({ action: action as ProcessorFailurePolicy['action'], maxAttempts: attempts });
}
