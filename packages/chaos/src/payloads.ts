/**
 * Record payloads of a chaos run: `kcl-chaos:<id>:` followed by filler up to a size drawn from the run's PRNG
 * (mostly small records, some medium, a few large). The id tells every user record apart, also inside KPL aggregates.
 */
import type { Prng } from './prng';

const PREFIX = 'kcl-chaos:';

/** The payload of record `id` with `size` bytes in total (at least the prefix and id). */
export function encodePayload(id: number, size: number): Buffer {
  const head = `${PREFIX}${id}:`;
  const filler = Math.max(0, size - head.length);
  return Buffer.concat([Buffer.from(head, 'ascii'), Buffer.alloc(filler, 0x2e)]);
}

/** The record id in a payload, or undefined if it is not a chaos payload. */
export function decodePayloadId(data: Uint8Array): number | undefined {
  const head = Buffer.from(data.buffer, data.byteOffset, Math.min(data.byteLength, 32)).toString('ascii');
  if (!head.startsWith(PREFIX)) return undefined;
  const end = head.indexOf(':', PREFIX.length);
  if (end < 0) return undefined;
  const id = Number(head.slice(PREFIX.length, end));
  return Number.isInteger(id) && id >= 0 ? id : undefined;
}

/** A payload size: 70 % 40-200 B, 25 % 200 B-1.5 KB, 5 % 1.5-8 KB. */
export function drawPayloadSize(prng: Prng): number {
  const roll = prng.next();
  if (roll < 0.7) return prng.int(40, 200);
  if (roll < 0.95) return prng.int(200, 1_500);
  return prng.int(1_500, 8_000);
}

/**
 * A partition key that is never integer-like (aws-kinesis-agg 4.2.8 mis-encodes keys such as "12", which sort first
 * in its key table).
 */
export function partitionKeyFor(prng: Prng): string {
  return `pk-${prng.int(0, 0xffffff).toString(36)}-x`;
}
