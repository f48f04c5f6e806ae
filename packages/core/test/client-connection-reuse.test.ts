import { join } from 'node:path';
import { createTestCertificates, nodeEntryArgs, runJsonChild, startTlsAnswerServer } from '@kcl/testbed';
import type { TestCertificates, TlsAnswerServer } from '@kcl/testbed';

// The worker's default Kinesis client for an https:// endpoint (AWS) must reuse its TLS connections: with the SDK's
// Kinesis default (one HTTP/2 session per request), every call paid a TLS handshake (and two round trips against
// AWS). The client runs in a child process that trusts the throwaway CA through NODE_EXTRA_CA_CERTS, so it is
// measured exactly as `createKinesisClient` builds it, with no test-only option.

const FIXTURES = join(__dirname, 'fixtures');
const LIST_SHARDS = JSON.stringify({
  Shards: [
    {
      ShardId: 'shardId-000000000000',
      HashKeyRange: { StartingHashKey: '0', EndingHashKey: '340282366920938463463374607431768211455' },
      SequenceNumberRange: { StartingSequenceNumber: '49600000000000000000000000000000000000000000000000000000' },
    },
  ],
});

function runClientChild(env: Record<string, string>): Promise<{ ok: boolean; shards?: number; error?: string }> {
  return runJsonChild(nodeEntryArgs(join(FIXTURES, 'kinesis-client-child.ts')), env);
}

describe('createKinesisClient connection reuse (https:// endpoints)', () => {
  let certificates: TestCertificates;
  let server: TlsAnswerServer;
  beforeAll(async () => {
    certificates = await createTestCertificates();
    server = await startTlsAnswerServer({ keyPath: certificates.keyPath, certPath: certificates.certPath, body: LIST_SHARDS });
  });
  afterAll(async () => {
    await server?.stop();
    certificates?.remove();
  });

  it('makes 20 sequential calls over at most 2 TLS connections (not one per call)', async () => {
    const connectionsBefore = server.connections();
    const requestsBefore = server.requests();
    const result = await runClientChild({
      NODE_EXTRA_CA_CERTS: certificates.caCertPath,
      KCL_CLIENT_ENDPOINT: server.endpoint,
      KCL_CLIENT_CALLS: '20',
    });
    expect(result).toEqual({ ok: true, shards: 20 });
    expect(server.requests() - requestsBefore).toBe(20);
    expect(server.connections() - connectionsBefore).toBeLessThanOrEqual(2);
  });

  it('makes 40 calls from 4 concurrent callers over at most 4 TLS connections', async () => {
    const connectionsBefore = server.connections();
    const result = await runClientChild({
      NODE_EXTRA_CA_CERTS: certificates.caCertPath,
      KCL_CLIENT_ENDPOINT: server.endpoint,
      KCL_CLIENT_CALLS: '40',
      KCL_CLIENT_CONCURRENCY: '4',
    });
    expect(result).toEqual({ ok: true, shards: 40 });
    expect(server.connections() - connectionsBefore).toBeLessThanOrEqual(4);
  });

  it('does not trust the server without the CA (the test really checks certificates)', async () => {
    const result = await runClientChild({ KCL_CLIENT_ENDPOINT: server.endpoint, KCL_CLIENT_CALLS: '1' });
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/certificate/i);
  });
});
