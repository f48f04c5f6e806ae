/** `kcl leases`: the lease table, one row per shard. */
import type { CliOptions } from '../args';
import { watchLeaseCounters } from '../liveness';
import { renderTable, type CliIo } from '../output';
import type { LeaseStoreAccess } from '../stores/lease-store';
import { byShardId, LEASE_HEADERS, leaseCells, leaseRow, type LeaseRow } from './lease-rows';

/** Reads the leases (watching their counters for `--observe-ms`). */
export async function readLeaseRows(store: LeaseStoreAccess, options: CliOptions): Promise<LeaseRow[]> {
  const watch = await watchLeaseCounters(() => store.listLeases(), { millis: options.observeMillis });
  return watch.leases.map((lease) => leaseRow(lease, options.observeMillis > 0 ? watch.observations.get(lease.id) : undefined)).sort(byShardId);
}

export async function leasesCommand(store: LeaseStoreAccess, options: CliOptions, io: CliIo): Promise<void> {
  const rows = await readLeaseRows(store, options);
  if (options.json) {
    io.out(JSON.stringify(rows));
    return;
  }
  io.out(rows.length === 0 ? `no leases in table ${options.table}` : renderTable(LEASE_HEADERS, rows.map(leaseCells)));
}
