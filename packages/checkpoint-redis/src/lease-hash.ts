import { LEASE_ROW_FIELDS, type StoredLease } from '@kcl/core';

/** A lease hash as Redis returns it (field -> value). */
export type LeaseHash = Record<string, string>;

/**
 * Hash field names: core's lease-row fields (the first six are go-kcl's, so go-kcl hashes are read and go-kcl tooling
 * reads ours; the others are @kcl additions that go-kcl ignores).
 */
export const FIELD = LEASE_ROW_FIELDS;

/** Decodes a lease hash (ours or go-kcl's). Empty or malformed optional fields read as absent. */
export function decodeLease(shardId: string, hash: LeaseHash): StoredLease {
  const text = (field: string): string | undefined => {
    const value = hash[field];
    return value === undefined || value.length === 0 ? undefined : value;
  };
  const parents = (text(FIELD.parentShardIds) ?? '').split(',').filter((p) => p.length > 0);
  const firstParent = text(FIELD.parentShardId);
  if (parents.length === 0 && firstParent !== undefined) parents.push(firstParent);
  return {
    id: shardId,
    parentShardId: firstParent ?? parents[0],
    parentShardIds: parents,
    checkpoint: text(FIELD.checkpoint),
    subSequenceNumber: nonNegativeInteger(text(FIELD.subSequenceNumber)),
    assignedTo: text(FIELD.assignedTo),
    leaseTimeout: parseRfc3339(text(FIELD.leaseTimeout)),
    leaseCounter: nonNegativeInteger(text(FIELD.leaseCounter)) ?? 0,
    leaseToken: text(FIELD.leaseToken),
    claimRequest: text(FIELD.claimRequest),
  };
}

function nonNegativeInteger(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** 0002-01-01T00:00:00Z: earlier dates are year 1 or 0, Go's zero time, read as undefined. */
const YEAR_2_MILLIS = Date.parse('0002-01-01T00:00:00.000Z');

/**
 * `YYYY-MM-DDTHH:MM:SS.mmmZ` with an hour below 24 (Date.parse would read `24:00` as the next midnight, the regex
 * path refuses it).
 */
function isOwnFormat(text: string): boolean {
  return (
    text.length === 24 &&
    text.charCodeAt(4) === 45 && // -
    text.charCodeAt(7) === 45 &&
    text.charCodeAt(10) === 84 && // T
    text.charCodeAt(13) === 58 && // :
    text.charCodeAt(16) === 58 &&
    text.charCodeAt(19) === 46 && // .
    text.charCodeAt(23) === 90 && // Z
    (text.charCodeAt(11) < 50 || (text.charCodeAt(11) === 50 && text.charCodeAt(12) < 52)) // hour < 24
  );
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/**
 * Parses RFC 3339 as go-kcl writes it (`time.RFC3339Nano`, e.g. `2024-05-01T10:00:00.123456789Z`) or as we write it
 * (milliseconds). Fractions beyond milliseconds are truncated. Go's zero time (year 1) and anything unparsable read
 * as undefined: the value is informational only.
 */
export function parseRfc3339(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  // Every renewal and table read decodes a LeaseTimeout: ours (`YYYY-MM-DDTHH:MM:SS.mmmZ`, from the scripts) goes
  // through Date.parse without the regex's match array; anything it does not take exactly the same way below.
  if (isOwnFormat(text)) {
    const millis = Date.parse(text);
    if (!Number.isNaN(millis)) return millis < YEAR_2_MILLIS ? undefined : new Date(millis);
  }
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (year <= 1 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  const millis = Number(((m[7] ?? '') + '000').slice(0, 3));
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  if (m[9] !== undefined) {
    const offsetMinutes = Number(m[10]) * 60 + Number(m[11]);
    date.setTime(date.getTime() - (m[9] === '+' ? 1 : -1) * offsetMinutes * 60_000);
  }
  return Number.isNaN(date.getTime()) ? undefined : date;
}
