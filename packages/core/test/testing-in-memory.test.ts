import { InMemoryCheckpointer, InMemoryLeaseTable, runCheckpointerConformance } from '../src/testing';

/** Runs the conformance suite against the in-memory reference store, with and without simulated latency. */
function register(name: string, latency: () => number) {
  const tables = new Map<string, InMemoryLeaseTable>();
  runCheckpointerConformance({
    name,
    create: async ({ tableName, workerId, failoverTimeMillis }) => {
      let table = tables.get(tableName);
      if (!table) {
        table = new InMemoryLeaseTable(tableName);
        table.setLatency(latency);
        tables.set(tableName, table);
      }
      return new InMemoryCheckpointer(table, { workerId, failoverTimeMillis });
    },
    cleanup: async () => {
      tables.clear();
    },
  });
}

register('InMemoryCheckpointer', () => 0);
// Random per-call latency interleaves concurrent calls the way a network store does.
register('InMemoryCheckpointer (latency 0-3 ms)', () => Math.floor(Math.random() * 4));
