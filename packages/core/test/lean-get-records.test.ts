/** The lean GetRecords path's own serialization, answer parsing and error mapping (no server). */
import {
  AccessDeniedException,
  ExpiredIteratorException,
  KinesisClient,
  KinesisServiceException,
  KMSThrottlingException,
  ProvisionedThroughputExceededException,
  ResourceNotFoundException,
} from '@aws-sdk/client-kinesis';
import { Readable } from 'node:stream';
import { classifyKinesisError } from '../src/consumers/kinesis-error-kind';
import { KinesisError } from '../src/errors';
import { errorCodeOf, kinesisErrorFromResponse, sanitizeErrorCode } from '../src/kinesis/lean-errors';
import { LeanGetRecords, readBodyText, serializeGetRecordsInput } from '../src/kinesis/lean-get-records';
import { bytesFromBase64, parseGetRecordsOutput } from '../src/kinesis/lean-get-records-output';

const META = { httpStatusCode: 200, requestId: 'r-1' };

describe('serializeGetRecordsInput', () => {
  test('the JSON body the SDK sends: ShardIterator and Limit, undefined members left out', () => {
    expect(serializeGetRecordsInput({ ShardIterator: 'AAAA/+==', Limit: 10000 })).toBe('{"ShardIterator":"AAAA/+==","Limit":10000}');
    expect(serializeGetRecordsInput({ ShardIterator: 'it' })).toBe('{"ShardIterator":"it"}');
    expect(serializeGetRecordsInput({ ShardIterator: 'quote " and \\ back' })).toBe('{"ShardIterator":"quote \\" and \\\\ back"}');
    expect(serializeGetRecordsInput({ ShardIterator: undefined, Limit: 5 })).toBe('{"Limit":5}');
    expect(serializeGetRecordsInput({ ShardIterator: undefined })).toBe('{}');
    for (const input of [{ ShardIterator: 'a\u2028b\n', Limit: 1 }, { ShardIterator: 'x' }, { ShardIterator: undefined, Limit: 7 }]) {
      expect(serializeGetRecordsInput(input)).toBe(JSON.stringify(input));
    }
  });
});

describe('parseGetRecordsOutput', () => {
  test('records: Data base64 -> Uint8Array (not a Buffer), arrival epoch seconds -> Date, other fields as sent', () => {
    const body = JSON.stringify({
      Records: [
        {
          SequenceNumber: '49590338271490256608559692538361571095921575989136588898',
          ApproximateArrivalTimestamp: 1733450000.123,
          Data: Buffer.from('hello').toString('base64'),
          PartitionKey: 'pk-1',
          EncryptionType: 'KMS',
        },
        { SequenceNumber: '2', Data: '', PartitionKey: 'pk-2' },
      ],
      NextShardIterator: 'next-it',
      MillisBehindLatest: 1234,
    });
    const out = parseGetRecordsOutput(body, META);
    expect(out.$metadata).toBe(META);
    expect(out.NextShardIterator).toBe('next-it');
    expect(out.MillisBehindLatest).toBe(1234);
    expect(out.ChildShards).toBeUndefined();
    const [first, second] = out.Records!;
    expect(first!.Data!.constructor).toBe(Uint8Array);
    expect(Buffer.from(first!.Data!).toString()).toBe('hello');
    expect(first!.ApproximateArrivalTimestamp).toEqual(new Date(1733450000123));
    expect(first).toMatchObject({
      SequenceNumber: '49590338271490256608559692538361571095921575989136588898',
      PartitionKey: 'pk-1',
      EncryptionType: 'KMS',
    });
    expect(second!.Data).toEqual(new Uint8Array(0));
    expect(second!.ApproximateArrivalTimestamp).toBeUndefined();
    expect(second!.EncryptionType).toBeUndefined();
  });

  test('shard end: no NextShardIterator, ChildShards with their parents and hash key ranges', () => {
    const out = parseGetRecordsOutput(
      JSON.stringify({
        Records: [],
        MillisBehindLatest: 0,
        ChildShards: [
          {
            ShardId: 'shardId-000000000002',
            ParentShards: ['shardId-000000000000', 'shardId-000000000001'],
            HashKeyRange: { StartingHashKey: '0', EndingHashKey: '99' },
          },
        ],
      }),
      META,
    );
    expect(out.NextShardIterator).toBeUndefined();
    expect(out.Records).toEqual([]);
    expect(out.ChildShards).toEqual([
      {
        ShardId: 'shardId-000000000002',
        ParentShards: ['shardId-000000000000', 'shardId-000000000001'],
        HashKeyRange: { StartingHashKey: '0', EndingHashKey: '99' },
      },
    ]);
  });

  test('null fields read as absent; an answer that is not a JSON object is a retryable KinesisError', () => {
    const out = parseGetRecordsOutput('{"Records":[],"NextShardIterator":null,"MillisBehindLatest":null}', META);
    expect(out.NextShardIterator).toBeUndefined();
    expect(out.MillisBehindLatest).toBeUndefined();
    for (const bad of ['<html>', '[]', 'null']) {
      let caught: unknown;
      try {
        parseGetRecordsOutput(bad, META);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(KinesisError);
      expect((caught as KinesisError).retryable).toBe(true);
    }
  });

  test('bytesFromBase64 views the decoded bytes', () => {
    expect(Array.from(bytesFromBase64('AAEC/w=='))).toEqual([0, 1, 2, 255]);
  });
});

describe('error mapping', () => {
  const answer = (statusCode: number, headers: Record<string, string> = {}) => ({ statusCode, headers });

  test('error codes cleaned as the SDK does', () => {
    expect(sanitizeErrorCode('com.amazonaws.kinesis#ExpiredIteratorException')).toBe('ExpiredIteratorException');
    expect(sanitizeErrorCode('ExpiredIteratorException:http://internal.amazon.com/')).toBe('ExpiredIteratorException');
    expect(sanitizeErrorCode('ThrottlingException,Other')).toBe('ThrottlingException');
    expect(errorCodeOf(answer(400), { __type: 'A', code: 'B' })).toBe('A');
    expect(errorCodeOf(answer(400), { code: 'B' })).toBe('B');
    expect(errorCodeOf(answer(400, { 'x-amzn-errortype': 'C:extra' }), {})).toBe('C');
    expect(errorCodeOf(answer(400), {})).toBeUndefined();
  });

  test.each([
    ['ExpiredIteratorException', ExpiredIteratorException, 'expired-iterator'],
    ['ProvisionedThroughputExceededException', ProvisionedThroughputExceededException, 'throttled'],
    ['KMSThrottlingException', KMSThrottlingException, 'throttled'],
    ['ResourceNotFoundException', ResourceNotFoundException, 'not-found'],
    ['AccessDeniedException', AccessDeniedException, 'other'],
  ] as const)('%s -> the SDK class, name, fault, message and metadata', (type, Class, kind) => {
    const raw = answer(400, { 'x-amzn-requestid': 'req-9' });
    const error = kinesisErrorFromResponse(raw, { __type: `com.amazonaws.kinesis#${type}`, message: 'it went wrong' }, raw);
    expect(error).toBeInstanceOf(Class);
    expect(error).toBeInstanceOf(KinesisServiceException);
    expect(error.name).toBe(type);
    expect(error.message).toBe('it went wrong');
    expect((error as KinesisServiceException).$fault).toBe('client');
    expect((error as KinesisServiceException).$metadata).toMatchObject({ httpStatusCode: 400, requestId: 'req-9' });
    expect((error as unknown as { $response: unknown }).$response).toBe(raw);
    expect(Object.keys(error)).not.toContain('$response');
    expect(classifyKinesisError(error)).toBe(kind);
  });

  test('an unmodeled code: KinesisServiceException named after it, server fault on 5xx; no body: Unknown', () => {
    const internal = kinesisErrorFromResponse(answer(500), { __type: 'InternalFailure', Message: 'boom' }, undefined);
    expect(internal).toBeInstanceOf(KinesisServiceException);
    expect(internal.name).toBe('InternalFailure');
    expect(internal.message).toBe('boom');
    expect((internal as KinesisServiceException).$fault).toBe('server');
    expect(classifyKinesisError(internal)).toBe('transient');
    const gateway = kinesisErrorFromResponse(answer(503), {}, undefined);
    expect(gateway.name).toBe('Unknown');
    expect(gateway.message).toBe('UnknownError');
    expect(classifyKinesisError(gateway)).toBe('transient');
    const signature = kinesisErrorFromResponse(answer(403), { __type: 'InvalidSignatureException', message: 'Signature expired' }, undefined);
    expect((signature as KinesisServiceException).$fault).toBe('client');
    expect(signature.name).toBe('InvalidSignatureException');
  });
});

describe('readBodyText', () => {
  test('a stream in chunks, bytes, a string, nothing', async () => {
    expect(await readBodyText(Readable.from([Buffer.from('{"a":'), Buffer.from('1}')]))).toBe('{"a":1}');
    expect(await readBodyText(new TextEncoder().encode('{}'))).toBe('{}');
    expect(await readBodyText('x')).toBe('x');
    expect(await readBodyText(undefined)).toBe('');
  });
});

describe('LeanGetRecords request for an AWS region (no custom endpoint)', () => {
  test("the region's endpoint, SigV4 for kinesis in that region, the SDK's headers; answered by the handler", async () => {
    // Nothing may leave the machine: a handler that records the request and answers it stands in for AWS.
    const seen: { protocol: string; hostname: string; path: string; method: string; headers: Record<string, string>; body: unknown }[] = [];
    const client = new KinesisClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      requestHandler: {
        handle: async (request: (typeof seen)[number]) => {
          seen.push(request);
          return {
            response: {
              statusCode: 200,
              headers: {},
              body: Readable.from([Buffer.from('{"Records":[],"NextShardIterator":"n","MillisBehindLatest":0}')]),
            },
          };
        },
      } as never,
    });
    try {
      const out = await new LeanGetRecords(client).send({ ShardIterator: 'it', Limit: 5 }, new AbortController().signal);
      expect(out).toMatchObject({ Records: [], NextShardIterator: 'n', MillisBehindLatest: 0, $metadata: { httpStatusCode: 200, attempts: 1 } });
      const [request] = seen;
      expect(request).toMatchObject({
        protocol: 'https:',
        hostname: 'kinesis.eu-west-1.amazonaws.com',
        path: '/',
        method: 'POST',
        body: '{"ShardIterator":"it","Limit":5}',
      });
      expect(request!.headers).toMatchObject({
        host: 'kinesis.eu-west-1.amazonaws.com',
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'Kinesis_20131202.GetRecords',
        'content-length': '32',
        'amz-sdk-request': 'attempt=1; max=3',
      });
      expect(request!.headers['authorization']).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/kinesis\/aws4_request, SignedHeaders=/,
      );
      expect(request!.headers['user-agent']).toMatch(/^aws-sdk-js\/\S+ /);
    } finally {
      client.destroy();
    }
  });
});
