import { join } from 'node:path';

export interface PublicPackage {
  name: string;
  dir: string;
  /** Named exports that must be reachable through both `require` (the CommonJS build) and `import` (the ESM build). */
  exports: string[];
  /** Extra subpaths that must load (e.g. `@kcl/core/testing`). */
  subpaths?: { path: string; exports: string[] }[];
}

const packagesDir = join(__dirname, '..', '..');

export const publicPackages: PublicPackage[] = [
  {
    name: '@kcl/core',
    dir: join(packagesDir, 'core'),
    exports: ['KinesisClientLibConfig', 'InitialPositionInStream', 'ShutdownReason', 'KclError', 'ConfigError', 'isKclError', 'SHARD_END'],
    subpaths: [{ path: '@kcl/core/testing', exports: ['InMemoryCheckpointer', 'InMemoryLeaseTable', 'runCheckpointerConformance'] }],
  },
  { name: '@kcl/checkpoint-dynamodb', dir: join(packagesDir, 'checkpoint-dynamodb'), exports: ['DynamoCheckpoint', 'OWNER_INDEX_NAME'] },
  { name: '@kcl/checkpoint-redis', dir: join(packagesDir, 'checkpoint-redis'), exports: ['RedisCheckpoint', 'DEFAULT_KEY_PREFIX'] },
  { name: '@kcl/metrics-prometheus', dir: join(packagesDir, 'metrics-prometheus'), exports: ['PrometheusMonitoringService', 'METRIC_NAMES'] },
  { name: '@kcl/metrics-cloudwatch', dir: join(packagesDir, 'metrics-cloudwatch'), exports: ['CloudWatchMonitoringService', 'CLOUDWATCH_METRICS'] },
  {
    name: '@kcl/metrics-opentelemetry',
    dir: join(packagesDir, 'metrics-opentelemetry'),
    exports: ['OpenTelemetryMonitoringService', 'INSTRUMENT_NAMES'],
  },
  {
    name: '@kcl/local',
    dir: join(packagesDir, 'local'),
    exports: ['startLocalStack', 'startLocalKinesis', 'startLocalDynamoDB', 'startLocalRedis', 'createKinesisClient', 'putRecords', 'LocalError'],
  },
  { name: '@kcl/cli', dir: join(packagesDir, 'cli'), exports: ['runCli', 'parseCommandLine', 'CliUsageError', 'EXIT_CODES'] },
];

/** The public package named `name`. */
export function publicPackage(name: string): PublicPackage {
  const found = publicPackages.find((pkg) => pkg.name === name);
  if (!found) throw new Error(`${name} is not in publicPackages`);
  return found;
}
