import { join } from 'node:path';
import { describeConnectionReuse } from '@kcl/testbed';

// The DynamoDB client the backend builds for an https:// endpoint (AWS) must keep its TLS connections alive, not pay
// a handshake per call. It runs in a child process that trusts the throwaway CA through NODE_EXTRA_CA_CERTS, so it
// is measured exactly as createDynamoClient builds it.

const DESCRIBE_TABLE = JSON.stringify({ Table: { TableName: 'leases', TableStatus: 'ACTIVE' } });

describeConnectionReuse(
  {
    name: 'createDynamoClient connection reuse (https:// endpoints)',
    fixture: join(__dirname, 'fixtures', 'dynamo-client-child.ts'),
    body: DESCRIBE_TABLE,
    contentType: 'application/x-amz-json-1.0',
  },
  { describe, it, beforeAll, afterAll },
);
