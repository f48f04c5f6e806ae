import type { RunModel } from './run-model';

/**
 * When each shard was known to be checkpointed at SHARD_END: the earliest successful SHARD_END checkpoint of a
 * processor, or the worker's shardEnded event (emitted after SHARD_END was written), whichever came first.
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
