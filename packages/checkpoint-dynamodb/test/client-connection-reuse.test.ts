import { join } from 'node:path';
import { nodeEntryArgs, runJsonChild, startTlsAnswerBed, type TlsAnswerBed } from '@kcl/testbed';

// The DynamoDB client the backend builds for an https:// endpoint (AWS) must keep its TLS connections alive, not pay
// a handshake per call. It runs in a child process that trusts the throwaway CA through NODE_EXTRA_CA_CERTS, so it
// is measured exactly as createDynamoClient builds it.

const FIXTURES = join(__dirname, 'fixtures');
const DESCRIBE_TABLE = JSON.stringify({ Table: { TableName: 'leases', TableStatus: 'ACTIVE' } });

function runClientChild(env: Record<string, string>): Promise<{ ok: boolean; tables?: number; error?: string }> {
  return runJsonChild(nodeEntryArgs(join(FIXTURES, 'dynamo-client-child.ts')), env);
}

describe('createDynamoClient connection reuse (https:// endpoints)', () => {
  let bed: TlsAnswerBed;
  beforeAll(async () => {
    bed = await startTlsAnswerBed({ body: DESCRIBE_TABLE, contentType: 'application/x-amz-json-1.0' });
  });
  afterAll(() => bed?.stop());

  it('makes 20 sequential calls over at most 2 TLS connections', async () => {
    const run = await bed.measure(() => runClientChild({ ...bed.trustEnv, KCL_DDB_ENDPOINT: bed.endpoint, KCL_DDB_CALLS: '20' }));
    expect(run.result).toEqual({ ok: true, tables: 20 });
    expect(run.requests).toBe(20);
    expect(run.connections).toBeLessThanOrEqual(2);
  });

  it('makes 40 concurrent calls (4 callers) over at most 4 TLS connections', async () => {
    const env = { ...bed.trustEnv, KCL_DDB_ENDPOINT: bed.endpoint, KCL_DDB_CALLS: '40', KCL_DDB_CONCURRENCY: '4' };
    const run = await bed.measure(() => runClientChild(env));
    expect(run.result).toEqual({ ok: true, tables: 40 });
    expect(run.connections).toBeLessThanOrEqual(4);
  });

  it('does not trust the server without the CA (the test really checks certificates)', async () => {
    const result = await runClientChild({ KCL_DDB_ENDPOINT: bed.endpoint, KCL_DDB_CALLS: '1' });
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/certificate/i);
  });
});
