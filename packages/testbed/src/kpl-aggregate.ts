/**
 * KPL aggregates for test producers (the chaos producer, bad-input tests), encoded by an independent implementation (aws-kinesis-agg 4.2.8, protobufjs), so
 * the engine's de-aggregation is tested against someone else's encoder. Every user record of one aggregate shares its
 * partition key, so they all hash into the shard the aggregate lands on (none is dropped as out of range after a
 * reshard). Keys must not look like integers (see `partitionKeyFor`).
 */
interface AggUserRecord {
  partitionKey: string;
  data: Buffer;
}

interface AggLib {
  RecordAggregator: new () => {
    addUserRecord(record: AggUserRecord): void;
    build(): { partitionKey: string; data: Buffer } | undefined;
  };
}

// aws-kinesis-agg's typings do not declare RecordAggregator; type the part used here.
// aws-kinesis-agg ships no types: loaded untyped and described by AggLib.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const agg = require('aws-kinesis-agg') as AggLib;

/** Encodes user records (all with `partitionKey`) into one KPL aggregate record payload. */
export function encodeAggregate(partitionKey: string, payloads: readonly Buffer[]): Buffer {
  if (/^(0|[1-9][0-9]*)$/.test(partitionKey)) throw new RangeError(`integer-like partition key ${partitionKey} is mis-encoded by aws-kinesis-agg`);
  const aggregator = new agg.RecordAggregator();
  for (const data of payloads) aggregator.addUserRecord({ partitionKey, data });
  const built = aggregator.build();
  if (!built) throw new Error('aws-kinesis-agg produced no aggregate');
  return built.data;
}
