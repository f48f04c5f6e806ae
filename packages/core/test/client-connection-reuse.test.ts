import { join } from 'node:path';
import { nodeEntryArgs, runJsonChild, startTlsAnswerBed, type TlsAnswerBed } from '@kcl/testbed';

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
  let bed: TlsAnswerBed;
  beforeAll(async () => {
    bed = await startTlsAnswerBed({ body: LIST_SHARDS });
  });
  afterAll(() => bed?.stop());

  it('makes 20 sequential calls over at most 2 TLS connections (not one per call)', async () => {
    const run = await bed.measure(() => runClientChild({ ...bed.trustEnv, KCL_CLIENT_ENDPOINT: bed.endpoint, KCL_CLIENT_CALLS: '20' }));
    expect(run.result).toEqual({ ok: true, shards: 20 });
    expect(run.requests).toBe(20);
    expect(run.connections).toBeLessThanOrEqual(2);
  });

  it('makes 40 calls from 4 concurrent callers over at most 4 TLS connections', async () => {
    const env = { ...bed.trustEnv, KCL_CLIENT_ENDPOINT: bed.endpoint, KCL_CLIENT_CALLS: '40', KCL_CLIENT_CONCURRENCY: '4' };
    const run = await bed.measure(() => runClientChild(env));
    expect(run.result).toEqual({ ok: true, shards: 40 });
    expect(run.connections).toBeLessThanOrEqual(4);
  });

  it('does not trust the server without the CA (the test really checks certificates)', async () => {
    const result = await runClientChild({ KCL_CLIENT_ENDPOINT: bed.endpoint, KCL_CLIENT_CALLS: '1' });
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/certificate/i);
  });
});
