import type { RunModel } from './run-model';

/**
 * When each shard was known to be checkpointed at SHARD_END: the earliest successful SHARD_END checkpoint logged by a
 * processor (when its call returned), or the worker's shardEnded event (emitted after SHARD_END was written). The
 * write was applied at or before this time: use it to say "certainly ended by then".
 */
export function shardEndTimes(model: RunModel): Map<string, number> {
  const ends = new Map<string, number>();
  const note = (shard: string, at: number): void => {
    const known = ends.get(shard);
    if (known === undefined || at < known) ends.set(shard, at);
  };
  for (const tenure of model.tenures) {
    for (const cp of tenure.checkpoints) if (cp.ok && cp.pos === 'SHARD_END') note(tenure.shard, cp.at);
  }
  for (const e of model.events) if (e.name === 'shardEnded' && e.shard !== undefined) note(e.shard, e.at);
  return ends;
}

/**
 * When the SHARD_END write that succeeded was started: the shutdown(TERMINATE) call of the tenure that wrote it
 * (the processor checkpoints SHARD_END there, or the consumer right after it). The store cannot have applied it
 * earlier: use it to say "certainly not ended before then". A slow store (added latency) can put the confirmation
 * ({@link shardEndTimes}) well after the moment other workers already see the shard at SHARD_END.
 */
export function shardEndWriteStarts(model: RunModel): Map<string, number> {
  const starts = new Map<string, number>();
  const confirmed = new Set<string>();
  for (const tenure of model.tenures) {
    const ok = tenure.checkpoints.some((cp) => cp.ok && cp.pos === 'SHARD_END');
    const event = model.events.some((e) => e.name === 'shardEnded' && e.inc === tenure.inc && e.shard === tenure.shard && e.at >= tenure.start);
    if (!ok && !event) continue;
    confirmed.add(tenure.shard);
    const at = tenure.shutdown?.reason === 'TERMINATE' ? tenure.shutdown.at : undefined;
    if (at === undefined) continue;
    const known = starts.get(tenure.shard);
    if (known === undefined || at < known) starts.set(tenure.shard, at);
  }
  return starts;
}
