import { join } from 'node:path';
import { describeConnectionReuse } from '@kcl/testbed';

// The worker's default Kinesis client for an https:// endpoint (AWS) must reuse its TLS connections: with the SDK's
// Kinesis default (one HTTP/2 session per request), every call paid a TLS handshake (and two round trips against
// AWS). The client runs in a child process that trusts the throwaway CA through NODE_EXTRA_CA_CERTS, so it is
// measured exactly as `createKinesisClient` builds it, with no test-only option.

const LIST_SHARDS = JSON.stringify({
  Shards: [
    {
      ShardId: 'shardId-000000000000',
      HashKeyRange: { StartingHashKey: '0', EndingHashKey: '340282366920938463463374607431768211455' },
      SequenceNumberRange: { StartingSequenceNumber: '49600000000000000000000000000000000000000000000000000000' },
    },
  ],
});

describeConnectionReuse(
  {
    name: 'createKinesisClient connection reuse (https:// endpoints)',
    fixture: join(__dirname, 'fixtures', 'kinesis-client-child.ts'),
    body: LIST_SHARDS,
  },
  { describe, it, beforeAll, afterAll },
);
