// Shared setup for this package's tests: one dynalite per test file, a fresh table name per test.
import { KinesisClientLibConfig } from '@kcl/core';
import type { Logger, LogFields } from '@kcl/core';
import { LOCAL_CREDENTIALS, randomName } from '@kcl/testbed';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoCheckpoint } from '../src';
import type { DynamoCheckpointOptions } from '../src';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields: LogFields;
}

/** A logger that records every line (tests stay quiet and can assert on logs). */
export function recordingLogger(lines: LogLine[] = [], base: LogFields = {}): Logger {
  const at =
    (level: LogLine['level']) =>
    (message: string, fields: LogFields = {}): void => {
      lines.push({ level, message, fields: { ...base, ...fields } });
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (fields) => recordingLogger(lines, { ...base, ...fields }),
  };
}

export interface ConfigOverrides {
  tableName?: string;
  workerId?: string;
  failoverTimeMillis?: number;
  endpoint?: string;
  logger?: Logger;
}

/** A config pointing at `endpoint` with the testbed's dummy credentials. */
export function testConfig(endpoint: string, overrides: ConfigOverrides = {}): KinesisClientLibConfig {
  return new KinesisClientLibConfig('kcl-ddb-test', 'unused-stream', 'us-east-1', overrides.workerId ?? 'worker-a')
    .withTableName(overrides.tableName ?? randomName('ddb'))
    .withDynamoDBEndpoint(overrides.endpoint ?? endpoint)
    .withDynamoDBCredentials(LOCAL_CREDENTIALS)
    .withFailoverTimeMillis(overrides.failoverTimeMillis ?? 1_000)
    .withLeaseRefreshPeriodMillis(200)
    .withLogger(overrides.logger ?? recordingLogger());
}

/** Creates and initialises a checkpointer; remembers it so {@link closeAll} can close it. */
export async function openCheckpointer(
  endpoint: string,
  overrides: ConfigOverrides = {},
  options: DynamoCheckpointOptions = {},
): Promise<DynamoCheckpoint> {
  const checkpointer = new DynamoCheckpoint(testConfig(endpoint, overrides), options);
  opened.push(checkpointer);
  await checkpointer.init();
  return checkpointer;
}

const opened: DynamoCheckpoint[] = [];

export async function closeAll(): Promise<void> {
  await Promise.all(opened.splice(0).map((c) => c.close()));
}

/** Counts the commands sent through `client`, by command name (e.g. `QueryCommand`). */
export function countCommands(client: DynamoDBClient): Map<string, number> {
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName as string;
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'countCommandsHelper' },
  );
  return counts;
}

/** An error shaped like the SDK's for a service error named `name` (e.g. AccessDeniedException), to inject faults. */
export function serviceError(name: string, message: string, httpStatusCode = 400): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode, attempts: 1 } });
}
