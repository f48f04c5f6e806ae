/**
 * Where a polling consumer starts reading a shard, and the GetShardIterator call for it.
 * @internal
 */
import { GetShardIteratorCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient, ShardIteratorType } from '@aws-sdk/client-kinesis';
import type { ExtendedSequenceNumber, ShardStatus } from '../checkpoint/shard-status';
import { InitialPositionInStream } from '../config/initial-position';
import { KinesisError } from '../errors';
import type { Logger } from '../logger/logger';
import { isValidSequenceNumber } from '../sequence-number';
import { formatPosition } from './extended-sequence-number';

/** A position to get a shard iterator for. */
export type StartPosition =
  /** Resume inside a KPL aggregate: read AT the record, then drop the user records up to `skipThrough`. */
  | { type: 'AT_SEQUENCE_NUMBER'; sequenceNumber: string; skipThrough: ExtendedSequenceNumber }
  | { type: 'AFTER_SEQUENCE_NUMBER'; sequenceNumber: string }
  | { type: 'TRIM_HORIZON' }
  | { type: 'LATEST' }
  | { type: 'AT_TIMESTAMP'; timestamp: Date };

/** The config fields the start position depends on. */
export interface StartPositionConfig {
  initialPositionInStream: InitialPositionInStream;
  timestampAtInitialPositionInStream?: Date | undefined;
}

/** Checkpoint values the Java KCL writes for leases that have not been checkpointed yet. */
const SENTINELS: Record<string, 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP'> = {
  TRIM_HORIZON: 'TRIM_HORIZON',
  LATEST: 'LATEST',
  AT_TIMESTAMP: 'AT_TIMESTAMP',
};

/**
 * The position to start reading a lease from (not for leases at SHARD_END, which are never read):
 * - a checkpoint with a sub-sequence number (inside a KPL aggregate): AT_SEQUENCE_NUMBER plus skipping of the user
 *   records already checkpointed;
 * - a checkpoint without one: AFTER_SEQUENCE_NUMBER;
 * - no checkpoint and the shard has parents (a child of a reshard, whose parents were read to their end):
 *   TRIM_HORIZON, so none of its records is missed;
 * - no checkpoint otherwise: the configured initial position.
 * A Java KCL sentinel checkpoint (`TRIM_HORIZON`, `LATEST`, `AT_TIMESTAMP`) means that position. Any other value
 * that is not a sequence number is logged and read from TRIM_HORIZON (never skip records).
 */
export function startPositionForLease(shard: ShardStatus, config: StartPositionConfig, logger: Logger): StartPosition {
  const checkpoint = shard.checkpoint;
  if (checkpoint !== undefined) {
    if (isValidSequenceNumber(checkpoint)) {
      if (shard.subSequenceNumber !== undefined) {
        return {
          type: 'AT_SEQUENCE_NUMBER',
          sequenceNumber: checkpoint,
          skipThrough: { sequenceNumber: checkpoint, subSequenceNumber: shard.subSequenceNumber },
        };
      }
      return { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: checkpoint };
    }
    const sentinel = SENTINELS[checkpoint];
    if (sentinel === 'TRIM_HORIZON' || sentinel === 'LATEST') return { type: sentinel };
    if (sentinel === 'AT_TIMESTAMP') return atTimestamp(config, logger, shard.id);
    logger.warn('Stored checkpoint is not a sequence number: reading the shard from TRIM_HORIZON', {
      shardId: shard.id,
      checkpoint,
    });
    return { type: 'TRIM_HORIZON' };
  }
  if (shard.parentShardIds.length > 0 || shard.parentShardId !== undefined) return { type: 'TRIM_HORIZON' };
  switch (config.initialPositionInStream) {
    case InitialPositionInStream.TRIM_HORIZON:
      return { type: 'TRIM_HORIZON' };
    case InitialPositionInStream.AT_TIMESTAMP:
      return atTimestamp(config, logger, shard.id);
    default:
      return { type: 'LATEST' };
  }
}

function atTimestamp(config: StartPositionConfig, logger: Logger, shardId: string): StartPosition {
  const timestamp = config.timestampAtInitialPositionInStream;
  if (timestamp instanceof Date && !Number.isNaN(timestamp.getTime())) return { type: 'AT_TIMESTAMP', timestamp };
  logger.warn('AT_TIMESTAMP without timestampAtInitialPositionInStream: reading the shard from TRIM_HORIZON', { shardId });
  return { type: 'TRIM_HORIZON' };
}

/** For log lines: `AFTER_SEQUENCE_NUMBER 4959...`. */
export function describeStartPosition(position: StartPosition): string {
  switch (position.type) {
    case 'AT_SEQUENCE_NUMBER':
      return `AT_SEQUENCE_NUMBER ${formatPosition(position.skipThrough)}`;
    case 'AFTER_SEQUENCE_NUMBER':
      return `AFTER_SEQUENCE_NUMBER ${position.sequenceNumber}`;
    case 'AT_TIMESTAMP':
      return `AT_TIMESTAMP ${position.timestamp.toISOString()}`;
    default:
      return position.type;
  }
}

/** Calls GetShardIterator for `position`. SDK errors propagate unchanged (the caller classifies them). */
export async function getShardIterator(
  kinesis: KinesisClient,
  request: { streamName: string; shardId: string; position: StartPosition },
  abortSignal: AbortSignal,
): Promise<string> {
  const { position } = request;
  const type: ShardIteratorType = position.type;
  const response = await kinesis.send(
    new GetShardIteratorCommand({
      StreamName: request.streamName,
      ShardId: request.shardId,
      ShardIteratorType: type,
      StartingSequenceNumber:
        position.type === 'AT_SEQUENCE_NUMBER' || position.type === 'AFTER_SEQUENCE_NUMBER' ? position.sequenceNumber : undefined,
      Timestamp: position.type === 'AT_TIMESTAMP' ? position.timestamp : undefined,
    }),
    { abortSignal },
  );
  if (typeof response.ShardIterator !== 'string' || response.ShardIterator.length === 0) {
    throw new KinesisError(`GetShardIterator returned no iterator for shard ${request.shardId} (${describeStartPosition(position)})`);
  }
  return response.ShardIterator;
}
