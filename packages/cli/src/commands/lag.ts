/**
 * `kcl lag`: the lease table plus, per unfinished shard, how far its checkpoint is behind the tip of the shard:
 * GetShardIterator at the checkpoint (AFTER_SEQUENCE_NUMBER; AT_SEQUENCE_NUMBER for a checkpoint inside a KPL
 * aggregate; TRIM_HORIZON without a checkpoint or at the TRIM_HORIZON sentinel; LATEST at the LATEST sentinel) and
 * one GetRecords with Limit 1, whose MillisBehindLatest is the lag. Nothing is consumed or written.
 */
import { GetRecordsCommand, GetShardIteratorCommand, type GetShardIteratorCommandInput, type KinesisClient } from '@aws-sdk/client-kinesis';
import { createKinesisClient } from '@kcl/core';
import type { CliOptions } from '../args';
import { renderTable, type CliIo } from '../output';
import type { LeaseStoreAccess } from '../stores/lease-store';
import { storeConfig } from '../stores/store-config';
import { LEASE_HEADERS, leaseCells, type LeaseRow } from './lease-rows';
import { readLeaseRows } from './leases';

/** A row of `kcl lag` (also the `--json` shape). */
export interface LagRow extends LeaseRow {
  /** MillisBehindLatest at the checkpoint; null for a finished shard or when Kinesis refused (see {@link lagError}). */
  millisBehindLatest: number | null;
  /** Why there is no lag figure (e.g. the checkpoint was trimmed from the stream), or null. */
  lagError: string | null;
}

type IteratorPosition = { ShardIteratorType: GetShardIteratorCommandInput['ShardIteratorType']; StartingSequenceNumber?: string };

function positionOf(row: LeaseRow): IteratorPosition {
  if (row.checkpoint === null || row.checkpoint === 'TRIM_HORIZON') return { ShardIteratorType: 'TRIM_HORIZON' };
  if (row.checkpoint === 'LATEST') return { ShardIteratorType: 'LATEST' };
  if (row.subSequenceNumber !== null) return { ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: row.checkpoint };
  return { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: row.checkpoint };
}

async function lagOf(kinesis: KinesisClient, stream: string, row: LeaseRow): Promise<Pick<LagRow, 'millisBehindLatest' | 'lagError'>> {
  if (row.shardEnd) return { millisBehindLatest: null, lagError: null };
  try {
    const iterator = await kinesis.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: row.shardId, ...positionOf(row) }));
    if (!iterator.ShardIterator) return { millisBehindLatest: null, lagError: 'no shard iterator (closed shard)' };
    const records = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator.ShardIterator, Limit: 1 }));
    return { millisBehindLatest: records.MillisBehindLatest ?? null, lagError: null };
  } catch (error) {
    return { millisBehindLatest: null, lagError: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

export async function lagCommand(store: LeaseStoreAccess, options: CliOptions, io: CliIo): Promise<boolean> {
  const leases = await readLeaseRows(store, options);
  const kinesis = createKinesisClient(storeConfig(options));
  const rows: LagRow[] = [];
  try {
    for (const row of leases) rows.push({ ...row, ...(await lagOf(kinesis, options.stream, row)) });
  } finally {
    kinesis.destroy();
  }
  if (options.json) io.out(JSON.stringify(rows));
  else if (rows.length === 0) io.out(`no leases in table ${options.table}`);
  else {
    const cells = rows.map((r) => [...leaseCells(r), r.millisBehindLatest !== null ? `${r.millisBehindLatest} ms` : r.lagError ? 'error' : '-']);
    io.out(renderTable([...LEASE_HEADERS, 'LAG'], cells));
    for (const r of rows) if (r.lagError) io.err(`${r.shardId}: ${r.lagError}`);
  }
  return rows.every((r) => r.lagError === null);
}
