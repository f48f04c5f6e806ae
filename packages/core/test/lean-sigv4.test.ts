/**
 * The lean SigV4 signer against the SDK's own SignatureV4 (the one the Kinesis client makes with `config.signer()`):
 * for the same request and signing date both must produce the same headers, byte for byte - static and session
 * credentials, a custom endpoint path that needs normalizing and escaping, header values that need canonicalizing,
 * a new day (a new signing key) and rotated credentials.
 */
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { HttpRequest } from '@smithy/core/protocols';
import { LeanSigV4, leanSigV4Of, type PerCallHeaders } from '../src/kinesis/lean-sigv4';

interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

const FIXED = {
  'content-type': 'application/x-amz-json-1.1',
  'x-amz-target': 'Kinesis_20131202.GetRecords',
  'x-amz-user-agent': 'aws-sdk-js/3.0.0',
  'user-agent': 'aws-sdk-js/3.0.0 ua/2.1 os/linux',
  host: '127.0.0.1:4567',
  'x-custom': '  spaced \t  value  ',
};
const BODY = '{"ShardIterator":"AAAA/bbb+ccc==","Limit":10000}';

function perCall(attempt = 1): PerCallHeaders {
  return {
    'content-length': String(Buffer.byteLength(BODY)),
    'amz-sdk-invocation-id': '2a1f5a6e-0000-4000-8000-000000000001',
    'amz-sdk-request': `attempt=${attempt}; max=3`,
  };
}

/** A client whose credentials the test can rotate, and its SDK signer. */
async function clientWith(creds: { current: Creds }, endpoint = 'http://127.0.0.1:4567', region = 'us-east-1') {
  // Credentials that expire within the SDK's refresh window are asked for again on every call (rotation).
  const client = new KinesisClient({ region, endpoint, credentials: async () => ({ ...creds.current, expiration: new Date(Date.now() + 1000) }) });
  const sdkSigner = (await client.config.signer()) as unknown as {
    sign(request: HttpRequest, options: { signingDate: Date; signingRegion?: string; signingService?: string }): Promise<HttpRequest>;
  };
  return { client, sdkSigner };
}

async function sdkHeaders(
  sdkSigner: Awaited<ReturnType<typeof clientWith>>['sdkSigner'],
  path: string,
  headers: Record<string, string>,
  date: Date,
  region?: string,
): Promise<Record<string, string>> {
  const request = new HttpRequest({ protocol: 'http:', hostname: '127.0.0.1', port: 4567, path, method: 'POST', headers, body: BODY });
  const signed = await sdkSigner.sign(request, { signingDate: date, ...(region === undefined ? {} : { signingRegion: region }) });
  return signed.headers;
}

describe('lean SigV4 signer', () => {
  const creds = { current: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' } as Creds };
  const date = new Date(Date.UTC(2026, 11, 6, 5, 10, 42, 123));

  test('the same headers as the SDK signer: static credentials, canonicalized header values', async () => {
    const { client, sdkSigner } = await clientWith(creds);
    try {
      const lean = leanSigV4Of(sdkSigner, '/', FIXED, 'us-east-1', undefined)!;
      expect(lean).toBeInstanceOf(LeanSigV4);
      const ours = await lean.headers(perCall(), BODY, date);
      expect(ours).toEqual(await sdkHeaders(sdkSigner, '/', { ...FIXED, ...perCall() }, date));
      expect(ours['authorization']).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20261206\/us-east-1\/kinesis\/aws4_request, SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target;x-amz-user-agent;x-custom, Signature=[0-9a-f]{64}$/,
      );
      expect(ours['x-amz-date']).toBe('20261206T051042Z');
      // A later attempt of the same call signs its own amz-sdk-request.
      const retry = await lean.headers(perCall(2), BODY, date);
      expect(retry).toEqual(await sdkHeaders(sdkSigner, '/', { ...FIXED, ...perCall(2) }, date));
      expect(retry['authorization']).not.toBe(ours['authorization']);
    } finally {
      client.destroy();
    }
  });

  test('session credentials, a path that needs normalizing and escaping, another signing region', async () => {
    const session = { current: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'FwoGZXIvYXdzE+token/with=chars' } as Creds };
    const { client, sdkSigner } = await clientWith(session, 'http://127.0.0.1:4567/proxy/./a b/../kinesis/', 'eu-west-1');
    try {
      const path = '/proxy/./a b/../kinesis/';
      const lean = leanSigV4Of(sdkSigner, path, FIXED, 'eu-central-1', undefined)!;
      const ours = await lean.headers(perCall(), BODY, date);
      expect(ours).toEqual(await sdkHeaders(sdkSigner, path, { ...FIXED, ...perCall() }, date, 'eu-central-1'));
      expect(ours['x-amz-security-token']).toBe('FwoGZXIvYXdzE+token/with=chars');
      expect(ours['authorization']).toContain('/20261206/eu-central-1/kinesis/aws4_request');
    } finally {
      client.destroy();
    }
  });

  test('a new day and rotated credentials: a new signing key, still the SDK signature', async () => {
    const rotating = { current: { accessKeyId: 'AKID1', secretAccessKey: 'first-secret' } as Creds };
    const { client, sdkSigner } = await clientWith(rotating);
    try {
      const lean = leanSigV4Of(sdkSigner, '/', FIXED, 'us-east-1', undefined)!;
      const first = await lean.headers(perCall(), BODY, date);
      expect(first).toEqual(await sdkHeaders(sdkSigner, '/', { ...FIXED, ...perCall() }, date));

      const nextDay = new Date(date.getTime() + 24 * 3600_000);
      const second = await lean.headers(perCall(), BODY, nextDay);
      expect(second).toEqual(await sdkHeaders(sdkSigner, '/', { ...FIXED, ...perCall() }, nextDay));
      expect(second['authorization']).toContain('/20261207/');

      rotating.current = { accessKeyId: 'AKID2', secretAccessKey: 'second-secret', sessionToken: 'tok' };
      const third = await lean.headers(perCall(), BODY, nextDay);
      expect(third).toEqual(await sdkHeaders(sdkSigner, '/', { ...FIXED, ...perCall() }, nextDay));
      expect(third['authorization']).toMatch(/^AWS4-HMAC-SHA256 Credential=AKID2\//);
      expect(third['x-amz-security-token']).toBe('tok');

      // Same key id, new secret (a rotated secret under the same id): the key is derived again.
      rotating.current = { accessKeyId: 'AKID2', secretAccessKey: 'third-secret', sessionToken: 'tok' };
      const fourth = await lean.headers(perCall(), BODY, nextDay);
      expect(fourth).toEqual(await sdkHeaders(sdkSigner, '/', { ...FIXED, ...perCall() }, nextDay));
      expect(fourth['authorization']).not.toBe(third['authorization']);
    } finally {
      client.destroy();
    }
  });

  test('UTF-8 header values and body, a header larger than the signer scratch buffer, dates within and across a second', async () => {
    const { client, sdkSigner } = await clientWith(creds);
    try {
      const fixed = { ...FIXED, 'x-app': 'caf\u00e9 \u65e5\u672c \u{1F600}', 'x-long': 'v'.repeat(10_000) };
      const body = '{"ShardIterator":"\u00e9t\u00e9","Limit":10}';
      const calls = { ...perCall(), 'content-length': String(Buffer.byteLength(body)) };
      const lean = leanSigV4Of(sdkSigner, '/', fixed, 'us-east-1', undefined)!;
      for (const at of [date, new Date(date.getTime() + 876), new Date(date.getTime() + 877), new Date(date.getTime() + 60_000)]) {
        const ours = await lean.headers(calls, body, at);
        const request = new HttpRequest({
          protocol: 'http:',
          hostname: '127.0.0.1',
          port: 4567,
          path: '/',
          method: 'POST',
          headers: { ...fixed, ...calls },
          body,
        });
        expect(ours).toEqual((await sdkSigner.sign(request, { signingDate: at })).headers);
      }
      // Back to a short header set on the same signer: nothing of the long one is left in what is hashed.
      const short = leanSigV4Of(sdkSigner, '/', FIXED, 'us-east-1', undefined)!;
      await lean.headers(calls, body, date);
      expect(await short.headers(perCall(), BODY, date)).toEqual(await sdkHeaders(sdkSigner, '/', { ...FIXED, ...perCall() }, date));
    } finally {
      client.destroy();
    }
  });

  test('credentials that resolve to something else fail as the SDK signer fails', async () => {
    const broken = { current: { accessKeyId: 'AKID' } as unknown as Creds };
    const { client, sdkSigner } = await clientWith(broken);
    try {
      const lean = leanSigV4Of(sdkSigner, '/', FIXED, 'us-east-1', undefined)!;
      const sdkError = await sdkHeaders(sdkSigner, '/', { ...FIXED, ...perCall() }, date).catch((error: Error) => error);
      await expect(lean.headers(perCall(), BODY, date)).rejects.toThrow((sdkError as Error).message);
    } finally {
      client.destroy();
    }
  });

  test('a signer that is not the SDK SignatureV4 is not replaced', () => {
    expect(leanSigV4Of({ sign: async (r: unknown) => r }, '/', FIXED, 'us-east-1', undefined)).toBeUndefined();
    expect(leanSigV4Of(undefined, '/', FIXED, 'us-east-1', undefined)).toBeUndefined();
  });
});
