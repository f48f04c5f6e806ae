/**
 * A tiny Kinesis stand-in for `pnpm bench:scale --engine-only`: an HTTP server on 127.0.0.1 speaking the Kinesis JSON
 * 1.1 protocol for one stream of N shards of any name. It answers ListShards (paged), GetShardIterator, GetRecords
 * (always empty, with a NextShardIterator and MillisBehindLatest 0) and DescribeStreamSummary, with no storage, so the
 * cost measured is the lease engine's and the workers' own.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const TARGET_PREFIX = 'Kinesis_20131202.';
/** ListShards: Kinesis's default and maximum page size. */
const DEFAULT_PAGE = 1_000;
const MAX_PAGE = 10_000;
const MAX_BODY_BYTES = 1_048_576;
const HASH_SPACE = 2n ** 128n;
/** The starting sequence number of every shard. */
const STARTING_SEQUENCE = '49000000000000000000000000000000000000000000000000000000';

export interface KinesisStandIn {
  endpoint: string;
  /** Requests answered so far, per operation. */
  requests(): Record<string, number>;
  close(): Promise<void>;
}

/** Shard id of shard `index`, as Kinesis names them. */
export function standInShardId(index: number): string {
  return `shardId-${String(index).padStart(12, '0')}`;
}

interface ShardJson {
  ShardId: string;
  HashKeyRange: { StartingHashKey: string; EndingHashKey: string };
  SequenceNumberRange: { StartingSequenceNumber: string };
}

/** The shards of the stand-in's stream: equal hash-key ranges covering 0 .. 2^128 - 1. */
export function standInShards(count: number): ShardJson[] {
  const shards: ShardJson[] = [];
  const size = HASH_SPACE / BigInt(count);
  for (let i = 0; i < count; i++) {
    const start = size * BigInt(i);
    const end = i === count - 1 ? HASH_SPACE - 1n : start + size - 1n;
    shards.push({
      ShardId: standInShardId(i),
      HashKeyRange: { StartingHashKey: start.toString(), EndingHashKey: end.toString() },
      SequenceNumberRange: { StartingSequenceNumber: STARTING_SEQUENCE },
    });
  }
  return shards;
}

class StandInError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** Answers one operation; throws StandInError for a client error. */
function answer(operation: string, input: Record<string, unknown>, shards: ShardJson[], index: Map<string, number>): unknown {
  switch (operation) {
    case 'ListShards': {
      const offset = typeof input.NextToken === 'string' ? Number(Buffer.from(input.NextToken, 'base64url').toString()) : 0;
      if (!Number.isInteger(offset) || offset < 0 || offset > shards.length) throw new StandInError('InvalidArgumentException', 'bad NextToken');
      const max = typeof input.MaxResults === 'number' ? Math.min(Math.max(1, input.MaxResults), MAX_PAGE) : DEFAULT_PAGE;
      const page = shards.slice(offset, offset + max);
      const next = offset + page.length;
      return next < shards.length ? { Shards: page, NextToken: Buffer.from(String(next)).toString('base64url') } : { Shards: page };
    }
    case 'GetShardIterator': {
      const shardId = String(input.ShardId);
      if (!index.has(shardId)) throw new StandInError('ResourceNotFoundException', `shard ${shardId} not found`);
      return { ShardIterator: Buffer.from(shardId).toString('base64url') };
    }
    case 'GetRecords': {
      const iterator = String(input.ShardIterator);
      if (!index.has(Buffer.from(iterator, 'base64url').toString())) throw new StandInError('InvalidArgumentException', 'bad ShardIterator');
      return { Records: [], NextShardIterator: iterator, MillisBehindLatest: 0 };
    }
    case 'DescribeStreamSummary':
      return {
        StreamDescriptionSummary: {
          StreamName: String(input.StreamName),
          StreamARN: `arn:aws:kinesis:us-east-1:000000000000:stream/${String(input.StreamName)}`,
          StreamStatus: 'ACTIVE',
          RetentionPeriodHours: 24,
          StreamCreationTimestamp: 0,
          EnhancedMonitoring: [],
          OpenShardCount: shards.length,
          ConsumerCount: 0,
        },
      };
    default:
      throw new StandInError('UnknownOperationException', `the stand-in does not implement ${operation}`);
  }
}

/** Starts the stand-in on 127.0.0.1 (port 0 picks a free one). */
export async function startKinesisStandIn(shardCount: number, port = 0): Promise<KinesisStandIn> {
  const shards = standInShards(shardCount);
  const index = new Map(shards.map((s, i) => [s.ShardId, i]));
  const counts: Record<string, number> = {};
  const send = (res: ServerResponse, status: number, body: unknown): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': '00000000-0000-0000-0000-000000000000',
    });
    res.end(text);
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
      counts[operation || '(none)'] = (counts[operation || '(none)'] ?? 0) + 1;
      try {
        if (size > MAX_BODY_BYTES) throw new StandInError('SerializationException', 'request body too large');
        let input: Record<string, unknown>;
        try {
          input = chunks.length === 0 ? {} : (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
        } catch {
          throw new StandInError('SerializationException', 'request body is not JSON');
        }
        send(res, 200, answer(operation, input, shards, index));
      } catch (error) {
        if (error instanceof StandInError) send(res, 400, { __type: error.type, message: error.message });
        else send(res, 500, { __type: 'InternalFailure', message: String(error) });
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    requests: () => ({ ...counts }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
