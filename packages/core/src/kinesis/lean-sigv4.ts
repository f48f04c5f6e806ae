/**
 * SigV4 for the lean GetRecords request, computed with `node:crypto` from what the client's own SigV4 signer (the
 * SDK's `SignatureV4`, made once per client by `config.signer()`) is configured with: its credential provider (the
 * client's memoized, refreshing credentials), service name, `uriEscapePath` and `applyChecksum`. The output is the
 * SDK signer's for the same request, header for header (`x-amz-date`, `x-amz-security-token`,
 * `x-amz-content-sha256`, `authorization`); the tests compare the two.
 *
 * Why not the SDK signer itself: per call it clones the request twice, sorts and regex-cleans every header, hashes the
 * secret for its signing-key cache key and converts every digest through its own hex and UTF-8 helpers - about a
 * third of the bytes a worker allocates per empty poll, which at 1,000 polls a second decides how often the young
 * generation is collected and how much of it is promoted. Here what is fixed per client is done once: the canonical
 * path, the canonical lines of the fixed headers, the sorted signed-header list and the signing key (derived again
 * only when the day, the key id or the secret changes). A call hashes the body, hashes the canonical request and
 * computes one HMAC.
 *
 * Only used when the client's signer is a plain `SignatureV4` (checked by {@link leanSigV4Of}); any other signer
 * (SigV4a, a custom `signer`) keeps the SDK signer.
 * @internal
 */
import * as crypto from 'node:crypto';
import { createHash, createHmac } from 'node:crypto';

const ALGORITHM = 'AWS4-HMAC-SHA256';
/** Headers the SDK never signs (its `ALWAYS_UNSIGNABLE_HEADERS`), plus its `proxy-` / `sec-` prefixes. */
const UNSIGNABLE = new Set([
  'authorization',
  'cache-control',
  'connection',
  'expect',
  'from',
  'keep-alive',
  'max-forwards',
  'pragma',
  'referer',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'user-agent',
  'x-amzn-trace-id',
]);
/** Headers the signer writes itself (and the SDK drops from the request before signing). */
const GENERATED = new Set(['authorization', 'x-amz-date', 'date', 'x-amz-security-token', 'x-amz-content-sha256']);

/** The fields of the SDK's `SignatureV4` the lean signer reads. */
interface SignatureV4Like {
  service: string;
  credentialProvider: () => Promise<unknown>;
  uriEscapePath: boolean;
  applyChecksum: boolean;
  getCanonicalPath(request: { path: string }): string;
}

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

function isSignatureV4Like(signer: unknown): signer is SignatureV4Like {
  const s = signer as Partial<SignatureV4Like> | null | undefined;
  return (
    typeof s === 'object' &&
    s !== null &&
    s.constructor?.name === 'SignatureV4' &&
    typeof s.service === 'string' &&
    typeof s.credentialProvider === 'function' &&
    typeof s.uriEscapePath === 'boolean' &&
    typeof s.applyChecksum === 'boolean' &&
    typeof s.getCanonicalPath === 'function'
  );
}

function validCredentials(credentials: unknown): Credentials {
  const c = credentials as Partial<Credentials> | null | undefined;
  if (typeof c !== 'object' || c === null || typeof c.accessKeyId !== 'string' || typeof c.secretAccessKey !== 'string') {
    // The SDK signer's own message for the same case.
    throw new Error('Resolved credential object is not valid');
  }
  return c as Credentials;
}

/** A header value as SigV4 canonicalizes it (line breaks and runs of blanks to one space, trimmed). */
function canonicalValue(value: string): string {
  return /[\r\n\t]| {2}|^ | $/.test(value)
    ? value
        .replace(/[\r\n]/g, ' ')
        .replace(/[ \t]+/g, ' ')
        .replace(/^ | $/g, '')
    : value;
}

function isSignable(name: string): boolean {
  return !UNSIGNABLE.has(name) && !name.startsWith('proxy-') && !name.startsWith('sec-');
}

/** `crypto.hash` (Node >= 20.12): a one-shot digest without a Hash object; `createHash` on older Node 20 releases. */
const oneShotHash = (crypto as { hash?: (algorithm: string, data: Uint8Array, encoding: 'hex') => string }).hash;

function sha256Hex(data: string | Uint8Array): string {
  if (oneShotHash !== undefined && typeof data !== 'string') return oneShotHash('sha256', data, 'hex');
  return typeof data === 'string' ? createHash('sha256').update(data, 'utf8').digest('hex') : createHash('sha256').update(data).digest('hex');
}

/** `YYYYMMDDTHHMMSSZ` of a date (SigV4's long date). */
function longDateOf(date: Date): string {
  const iso = date.toISOString(); // 2026-12-06T05:10:00.123Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

/**
 * A reusable byte buffer the canonical request and the string to sign are written into, so that hashing them needs
 * no concatenated string (per call they were about 1.5 KB of cons strings and their flattened copies). Only used
 * between two awaits, so one per signer is enough even with calls in flight together.
 */
class ScratchBytes {
  private bytes = Buffer.allocUnsafe(4096);
  length = 0;

  reset(): this {
    this.length = 0;
    return this;
  }

  /** Appends `text` as UTF-8 (what SigV4 hashes). */
  add(text: string): this {
    const needed = this.length + Buffer.byteLength(text, 'utf8');
    if (needed > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.bytes.length * 2));
      this.bytes.copy(grown, 0, 0, this.length);
      this.bytes = grown;
    }
    this.length += this.bytes.write(text, this.length, 'utf8');
    return this;
  }

  /** The bytes written since the last reset (a view: valid until the next write). */
  view(): Buffer {
    return this.bytes.subarray(0, this.length);
  }
}

/**
 * The canonical-header part of one header layout: the sorted signed names, with the text of every run of fixed
 * headers written once (`name:value\n` lines) and a slot for every header whose value changes per call.
 */
interface Layout {
  /** `;`-joined sorted signed names (SigV4's SignedHeaders). */
  list: string;
  /** In sorted order: fixed text, or the name of a per-call header (its canonical line is written per call). */
  parts: ReadonlyArray<{ fixed: string } | { perCall: string }>;
}

/** The signed headers whose values differ from call to call (the rest are the client's fixed headers). */
const PER_CALL = new Set([
  'content-length',
  'amz-sdk-invocation-id',
  'amz-sdk-request',
  'x-amz-date',
  'x-amz-security-token',
  'x-amz-content-sha256',
]);

/** The header set of one call: a class, not a literal (why: the note on per-poll objects in lean-http-transport.ts). */
class SignedHeaders {}

/** The headers of one call that change per call; the signer adds its own four. */
export interface PerCallHeaders {
  'content-length': string;
  'amz-sdk-invocation-id': string;
  'amz-sdk-request': string;
}

/** Signs lean GetRecords requests for one client (see the module comment). */
export class LeanSigV4 {
  private readonly canonicalPath: string;
  /** Lower-case name -> value of the headers every call carries (signable or not). */
  private readonly fixedHeaders: ReadonlyArray<readonly [string, string]>;
  /** The canonical-header layout with and without a session token. */
  private readonly layouts = new Map<boolean, Layout>();
  private key: { shortDate: string; accessKeyId: string; secret: string; key: Buffer } | undefined;
  /** The long date of the last call and the second it is for (calls in the same second share it). */
  private lastDate: { second: number; longDate: string; scope: string } | undefined;
  private readonly scratch = new ScratchBytes();

  constructor(
    private readonly signer: SignatureV4Like,
    path: string,
    fixedHeaders: Record<string, string>,
    private readonly region: string,
    private readonly service: string,
  ) {
    this.canonicalPath = signer.getCanonicalPath({ path });
    this.fixedHeaders = Object.entries(fixedHeaders)
      .map(([name, value]) => [name.toLowerCase(), value] as const)
      .filter(([name]) => !GENERATED.has(name));
  }

  /**
   * The complete header set of one call: the fixed headers, `perCall`, and `x-amz-date`, `x-amz-security-token`
   * (with session credentials), `x-amz-content-sha256` (when the client's signer applies the checksum) and
   * `authorization`, signed at `signingDate`.
   */
  async headers(perCall: PerCallHeaders, body: string, signingDate: Date): Promise<Record<string, string>> {
    const credentials = validCredentials(await this.signer.credentialProvider());
    // From here on nothing awaits: the shared scratch buffer belongs to this call until it returns.
    const { longDate, scope } = this.dateOf(signingDate);
    const payloadHash = sha256Hex(this.scratch.reset().add(body).view());
    const headers = new SignedHeaders() as unknown as Record<string, string>;
    for (const [name, value] of this.fixedHeaders) headers[name] = value;
    headers['content-length'] = perCall['content-length'];
    headers['amz-sdk-invocation-id'] = perCall['amz-sdk-invocation-id'];
    headers['amz-sdk-request'] = perCall['amz-sdk-request'];
    headers['x-amz-date'] = longDate;
    const token = credentials.sessionToken;
    const withToken = typeof token === 'string' && token.length > 0;
    if (withToken) headers['x-amz-security-token'] = token;
    if (this.signer.applyChecksum) headers['x-amz-content-sha256'] = payloadHash;

    const layout = this.layoutFor(withToken, headers);
    const scratch = this.scratch.reset().add('POST\n').add(this.canonicalPath).add('\n\n');
    for (const part of layout.parts) {
      if ('fixed' in part) scratch.add(part.fixed);
      else scratch.add(part.perCall).add(':').add(canonicalValue(headers[part.perCall]!)).add('\n');
    }
    const canonicalHash = sha256Hex(scratch.add('\n').add(layout.list).add('\n').add(payloadHash).view());
    const toSign = this.scratch.reset().add(ALGORITHM).add('\n').add(longDate).add('\n').add(scope).add('\n').add(canonicalHash).view();
    const signature = createHmac('sha256', this.signingKey(credentials, longDate.slice(0, 8)))
      .update(toSign)
      .digest('hex');
    headers['authorization'] = `${ALGORITHM} Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${layout.list}, Signature=${signature}`;
    return headers;
  }

  /** The long date and credential scope of a signing date (the same for every call within one second). */
  private dateOf(signingDate: Date): { longDate: string; scope: string } {
    const second = Math.floor(signingDate.getTime() / 1000);
    let last = this.lastDate;
    if (last === undefined || last.second !== second) {
      const longDate = longDateOf(signingDate);
      last = { second, longDate, scope: `${longDate.slice(0, 8)}/${this.region}/${this.service}/aws4_request` };
      this.lastDate = last;
    }
    return last;
  }

  /** The signed-header layout for this header set (the names are the same on every call, given the token). */
  private layoutFor(withToken: boolean, headers: Record<string, string>): Layout {
    let layout = this.layouts.get(withToken);
    if (layout === undefined) {
      const names = Object.keys(headers).filter(isSignable).sort();
      const parts: Array<{ fixed: string } | { perCall: string }> = [];
      for (const name of names) {
        if (PER_CALL.has(name)) {
          parts.push({ perCall: name });
          continue;
        }
        const line = `${name}:${canonicalValue(headers[name]!)}\n`;
        const previous = parts[parts.length - 1];
        if (previous !== undefined && 'fixed' in previous) previous.fixed += line;
        else parts.push({ fixed: line });
      }
      layout = { list: names.join(';'), parts };
      this.layouts.set(withToken, layout);
    }
    return layout;
  }

  /** kSigning = HMAC chain over the date, region, service and `aws4_request`; kept until one of them changes. */
  private signingKey(credentials: Credentials, shortDate: string): Buffer {
    const cached = this.key;
    if (
      cached !== undefined &&
      cached.shortDate === shortDate &&
      cached.accessKeyId === credentials.accessKeyId &&
      cached.secret === credentials.secretAccessKey
    ) {
      return cached.key;
    }
    let key: Buffer = createHmac('sha256', `AWS4${credentials.secretAccessKey}`).update(shortDate, 'utf8').digest();
    for (const part of [this.region, this.service, 'aws4_request']) key = createHmac('sha256', key).update(part, 'utf8').digest();
    this.key = { shortDate, accessKeyId: credentials.accessKeyId, secret: credentials.secretAccessKey, key };
    return key;
  }
}

/**
 * A lean signer for requests to `path` with `fixedHeaders`, when `requestSigner` (what `config.signer()` made) is the
 * SDK's plain SignatureV4; undefined otherwise (the caller keeps the SDK signer). `region` / `service`: the signing
 * region and name the SDK would use (the endpoint's auth scheme's, else the client's region and the signer's service).
 */
export function leanSigV4Of(
  requestSigner: unknown,
  path: string,
  fixedHeaders: Record<string, string>,
  region: string,
  service: string | undefined,
): LeanSigV4 | undefined {
  if (!isSignatureV4Like(requestSigner)) return undefined;
  return new LeanSigV4(requestSigner, path, fixedHeaders, region, service ?? requestSigner.service);
}
