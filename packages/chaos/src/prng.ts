/**
 * A small seeded PRNG (mulberry32): the same seed gives the same sequence on every machine, so a chaos run's
 * schedule and payloads replay exactly with `--seed N`. Not for cryptography.
 */
export class Prng {
  private state: number;

  /** @param seed any 32-bit unsigned integer */
  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max] (both included). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** A float in [min, max). */
  range(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Prng.pick: empty array');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** A fresh generator for a named sub-stream, so adding draws to one part never shifts another. */
  derive(label: string): Prng {
    return new Prng(deriveSeed(this.seed, label));
  }
}

/** Mixes `seed` with `label` (FNV-1a over the label, then a murmur3 finalizer). */
export function deriveSeed(seed: number, label: string): number {
  let h = (seed ^ 0x811c9dc5) >>> 0;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** A random seed for a new run (printed, so the run can be replayed). */
export function newSeed(): number {
  return Math.floor(Math.random() * 0xffffffff) >>> 0;
}
