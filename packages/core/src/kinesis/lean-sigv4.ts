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

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** `YYYYMMDDTHHMMSSZ` of a date (SigV4's long date). */
function longDateOf(date: Date): string {
  const iso = date.toISOString(); // 2026-12-06T05:10:00.123Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

/** The header set of one call: a class, not a literal (why: above RequestOptionsOf in lean-http-transport.ts). */
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
  /** Sorted signed names and the canonical line of each fixed one, with and without a session token. */
  private readonly layouts = new Map<boolean, { names: string[]; list: string; fixedLines: Map<string, string> }>();
  private key: { shortDate: string; accessKeyId: string; secret: string; key: Buffer } | undefined;

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
    const longDate = longDateOf(signingDate);
    const shortDate = longDate.slice(0, 8);
    const scope = `${shortDate}/${this.region}/${this.service}/aws4_request`;
    const payloadHash = sha256Hex(body);
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
    let lines = '';
    for (const name of layout.names) {
      const line = layout.fixedLines.get(name) ?? `${name}:${canonicalValue(headers[name]!)}`;
      lines = lines.length === 0 ? line : `${lines}\n${line}`;
    }
    const canonicalRequest = `POST\n${this.canonicalPath}\n\n${lines}\n\n${layout.list}\n${payloadHash}`;
    const stringToSign = `${ALGORITHM}\n${longDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
    const signature = createHmac('sha256', this.signingKey(credentials, shortDate)).update(stringToSign, 'utf8').digest('hex');
    headers['authorization'] = `${ALGORITHM} Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${layout.list}, Signature=${signature}`;
    return headers;
  }

  /** The signed-header layout for this header set (the names are the same on every call, given the token). */
  private layoutFor(withToken: boolean, headers: Record<string, string>): { names: string[]; list: string; fixedLines: Map<string, string> } {
    let layout = this.layouts.get(withToken);
    if (layout === undefined) {
      const names = Object.keys(headers).filter(isSignable).sort();
      const fixedLines = new Map<string, string>();
      for (const [name, value] of this.fixedHeaders) if (isSignable(name)) fixedLines.set(name, `${name}:${canonicalValue(value)}`);
      layout = { names, list: names.join(';'), fixedLines };
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
