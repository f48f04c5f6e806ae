/** The text of `kcl --help`. Every option with its default (the README documents the same). */
export const HELP_TEXT = `kcl - look at and repair the lease table of a @kcl application

Usage:
  kcl leases  --app A --stream S [store options] [--observe-ms N] [--json]
  kcl lag     --app A --stream S [store options] [--kinesis-endpoint URL] [--observe-ms N] [--json]
  kcl reset   --app A --stream S [store options] --shard ID --to TRIM_HORIZON|LATEST|<seq> [--failover-ms N] [--force] [--json]
  kcl release --app A --stream S [store options] --shard ID [--failover-ms N] [--force] [--json]

Store options:
  --store dynamodb|redis   lease store (default dynamodb; needs @kcl/checkpoint-dynamodb or @kcl/checkpoint-redis)
  --table T                lease table (default: the application name)
  --region R               AWS region (default AWS_REGION / AWS_DEFAULT_REGION; required for dynamodb and lag)
  --endpoint URL           DynamoDB endpoint (default: the SDK's for the region)
  --redis-url URL          redis:// or rediss:// URL (default redis://127.0.0.1:6379)
  --key-prefix P           Redis key prefix (default kcl)

Other options:
  --kinesis-endpoint URL   Kinesis endpoint for lag (default: the SDK's for the region)
  --observe-ms N           watch lease counters this long to show their age (default 0: one read)
  --failover-ms N          how long an owner's counter must stand still to count as dead (default 10000)
  --force                  reset / release even while a live worker holds the lease
  --json                   print JSON instead of a table
  -h, --help               this text

Exit codes: 0 ok, 1 refused or failed, 2 bad usage.`;
