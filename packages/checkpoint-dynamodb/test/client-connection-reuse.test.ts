import { join } from 'node:path';
import { createTestCertificates, nodeEntryArgs, runJsonChild, startTlsAnswerServer } from '@kcl/testbed';
import type { TestCertificates, TlsAnswerServer } from '@kcl/testbed';

// The DynamoDB client the backend builds for an https:// endpoint (AWS) must keep its TLS connections alive, not pay
// a handshake per call. It runs in a child process that trusts the throwaway CA through NODE_EXTRA_CA_CERTS, so it
// is measured exactly as createDynamoClient builds it.

const FIXTURES = join(__dirname, 'fixtures');
const DESCRIBE_TABLE = JSON.stringify({ Table: { TableName: 'leases', TableStatus: 'ACTIVE' } });

function runClientChild(env: Record<string, string>): Promise<{ ok: boolean; tables?: number; error?: string }> {
  return runJsonChild(nodeEntryArgs(join(FIXTURES, 'dynamo-client-child.ts')), env);
}

describe('createDynamoClient connection reuse (https:// endpoints)', () => {
  let certificates: TestCertificates;
  let server: TlsAnswerServer;
  beforeAll(async () => {
    certificates = await createTestCertificates();
    server = await startTlsAnswerServer({
      keyPath: certificates.keyPath,
      certPath: certificates.certPath,
      body: DESCRIBE_TABLE,
      contentType: 'application/x-amz-json-1.0',
    });
  });
  afterAll(async () => {
    await server?.stop();
    certificates?.remove();
  });

  it('makes 20 sequential calls over at most 2 TLS connections', async () => {
    const connectionsBefore = server.connections();
    const requestsBefore = server.requests();
    const result = await runClientChild({ NODE_EXTRA_CA_CERTS: certificates.caCertPath, KCL_DDB_ENDPOINT: server.endpoint, KCL_DDB_CALLS: '20' });
    expect(result).toEqual({ ok: true, tables: 20 });
    expect(server.requests() - requestsBefore).toBe(20);
    expect(server.connections() - connectionsBefore).toBeLessThanOrEqual(2);
  });

  it('makes 40 calls from 4 concurrent callers over at most 4 TLS connections', async () => {
    const connectionsBefore = server.connections();
    const result = await runClientChild({
      NODE_EXTRA_CA_CERTS: certificates.caCertPath,
      KCL_DDB_ENDPOINT: server.endpoint,
      KCL_DDB_CALLS: '40',
      KCL_DDB_CONCURRENCY: '4',
    });
    expect(result).toEqual({ ok: true, tables: 40 });
    expect(server.connections() - connectionsBefore).toBeLessThanOrEqual(4);
  });

  it('does not trust the server without the CA (the test really checks certificates)', async () => {
    const result = await runClientChild({ KCL_DDB_ENDPOINT: server.endpoint, KCL_DDB_CALLS: '1' });
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/certificate/i);
  });
});
