/**
 * A lean GetRecords for the Kinesis client the worker builds itself (`createKinesisClient`): the request goes out
 * without the SDK's middleware chain, but through the client's own parts, so it is signed, sent, retried and mapped
 * to errors as `client.send(new GetRecordsCommand(...))` would:
 *
 * - endpoint: the client's endpoint resolution (`getEndpointFromInstructions` with GetRecordsCommand's endpoint
 *   parameters: region, FIPS / dual-stack, a custom `endpoint`), resolved once per client (GetRecords without
 *   `StreamARN` has no per-call endpoint parameter);
 * - credentials and signing: the client's SigV4 auth scheme (`httpAuthSchemeProvider`, `httpAuthSchemes`): its
 *   credentials (`config.credentials`, memoized and refreshed by the SDK, asked by the signer on every call) and the
 *   client's SigV4 request signer (`config.signer`), with the SDK's clock-skew correction: each request is signed at
 *   `now + config.systemClockOffset` (unless `disableClockSkewCorrection`), and the auth scheme's own success and
 *   error handlers update `systemClockOffset` from the answer's Date header. The signer instance is made once per
 *   client (the SDK makes one per call, copying the whole client config and deriving the signing key again each
 *   time: about a quarter of the lean path's CPU);
 * - transport: for a client `createKinesisClient` built, its lean HTTP/1.1 transport (lean-http-transport.ts: sockets
 *   made by the handler's agents, the handler's timeouts); for any other, the client's `requestHandler`; both with
 *   the caller's AbortSignal;
 * - retries: the client's retry strategy (`retryStrategy`, standard mode with `maxAttempts = maxRetryCount + 1`):
 *   throttling, transient and 5xx errors are retried with its back-off and retry quota, exactly as the SDK's retry
 *   middleware classifies them;
 * - errors: the SDK's exception classes (`lean-errors.ts`), answers: the SDK's output shape
 *   (`lean-get-records-output.ts`).
 *
 * What it skips is what costs CPU on every empty poll and does nothing for GetRecords: the middleware chain (about a
 * dozen async closures), the schema-driven serializer and deserializer, the user-agent and logger middleware. The
 * polling consumer uses it only for a client the worker built (never for one injected with `Worker.withKinesis`,
 * whose middleware would be bypassed) and never for a call with `StreamARN`.
 * @internal
 */
import { randomUUID } from 'node:crypto';
import { GetRecordsCommand } from '@aws-sdk/client-kinesis';
import type { GetRecordsCommandOutput, KinesisClient } from '@aws-sdk/client-kinesis';
import { getEndpointFromInstructions } from '@smithy/core/endpoints';
import { HttpRequest } from '@smithy/core/protocols';
import { getRetryAfterHint, isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import { KinesisError } from '../errors';
import { kinesisErrorFromResponse, responseMetadata, type LeanHttpResponse } from './lean-errors';
import { parseGetRecordsOutput } from './lean-get-records-output';
import { leanHttpTransportOf, type LeanHttpRequest, type LeanHttpTransport } from './lean-http-transport';
import { leanSigV4Of, type LeanSigV4, type PerCallHeaders } from './lean-sigv4';

/** The input the lean path serializes (GetRecords without StreamARN). */
export interface LeanGetRecordsInput {
  ShardIterator: string | undefined;
  Limit?: number | undefined;
}

type Provider<T> = (options?: Record<string, unknown>) => Promise<T>;

/** The auth scheme's signer (the SDK's AwsSdkSigV4Signer): its handlers do the clock-skew correction. */
interface Signer {
  errorHandler?(signingProperties: Record<string, unknown>): (error: unknown) => never;
  successHandler?(response: unknown, signingProperties: Record<string, unknown>): void;
}

interface AuthScheme {
  schemeId: string;
  signer: Signer;
}

/** The SigV4 request signer `config.signer()` makes (the SDK's SignatureV4). */
interface RequestSigner {
  sign(request: HttpRequest, options: { signingDate: Date; signingRegion?: unknown; signingService?: unknown }): Promise<HttpRequest>;
}

interface AuthOption {
  schemeId: string;
  identityProperties?: Record<string, unknown>;
  signingProperties?: Record<string, unknown>;
}

interface RetryToken {
  getRetryCount(): number;
  getRetryDelay(): number;
}

interface RetryStrategyV2 {
  acquireInitialRetryToken(scope: string): Promise<RetryToken>;
  refreshRetryTokenForRetry(token: RetryToken, errorInfo: Record<string, unknown>): Promise<RetryToken>;
  recordSuccess(token: RetryToken): void;
}

interface HttpResponseLike extends LeanHttpResponse {
  body?: unknown;
}

interface RequestHandler {
  handle(request: HttpRequest, options: { abortSignal?: AbortSignal }): Promise<{ response: HttpResponseLike }>;
}

/** The resolved config fields of a KinesisClient the lean path reads. */
interface ClientConfigFields {
  region: Provider<string>;
  credentials: Provider<unknown>;
  signer(authScheme?: Record<string, unknown>): Promise<RequestSigner>;
  systemClockOffset: number;
  disableClockSkewCorrection?: Provider<boolean>;
  httpAuthSchemes: AuthScheme[];
  httpAuthSchemeProvider(parameters: { operation: string; region: string }): AuthOption[];
  retryStrategy: Provider<RetryStrategyV2 | object>;
  maxAttempts: Provider<number>;
  requestHandler: RequestHandler;
  defaultUserAgentProvider?: Provider<[string, string | undefined][]>;
}

/** Everything resolved once per client. */
interface Prepared {
  url: URL;
  scheme: AuthScheme;
  requestSigner: RequestSigner;
  /** The lean SigV4 signer (`lean-sigv4.ts`) when the client's signer is the SDK's plain SignatureV4. */
  leanSigner: LeanSigV4 | undefined;
  disableClockSkewCorrection: boolean;
  /** The signing region and name the SDK's auth scheme would pass to the signer (the endpoint's overrides). */
  signingRegion: string | undefined;
  signingName: string | undefined;
  retryStrategy: RetryStrategyV2;
  maxAttempts: number;
  /** The headers every call carries (endpoint headers, content type, target, user agents, host). */
  fixedHeaders: Record<string, string>;
  /** The request path (the endpoint's, ending with `/`). */
  path: string;
  /** Sends on the keep-alive agent of the handler `createKinesisClient` built; absent for any other handler. */
  transport: LeanHttpTransport | undefined;
}

/**
 * What the auth scheme's success and error handlers read for the clock-skew correction (the SDK's signing
 * properties for these handlers: the client config and when the request was signed).
 */
interface ClockSkewProperties extends Record<string, unknown> {
  config: unknown;
  _disableClockSkewCorrection: boolean;
  _skipClockSkewSampling: boolean;
  _preRequestSystemClockOffset?: number;
  _requestSentAt?: number;
}

const SIGV4 = 'aws.auth#sigv4';
const TARGET = 'Kinesis_20131202.GetRecords';

/** The SDK's user-agent pairs as one header value (`name/version`, `prefix/name#version`). */
function userAgentOf(pairs: [string, string | undefined][]): string {
  return pairs.map(([name, version]) => (version === undefined ? name : `${name}${name.includes('/') ? '#' : '/'}${version}`)).join(' ');
}

function isRetryStrategyV2(strategy: unknown): strategy is RetryStrategyV2 {
  const s = strategy as Partial<RetryStrategyV2> | undefined;
  return (
    typeof s?.acquireInitialRetryToken === 'function' && typeof s.refreshRetryTokenForRetry === 'function' && typeof s.recordSuccess === 'function'
  );
}

/** The SDK retry middleware's classification of a failed attempt. */
function retryErrorType(caught: Error): 'THROTTLING' | 'TRANSIENT' | 'SERVER_ERROR' | 'CLIENT_ERROR' {
  const error = caught as Parameters<typeof isThrottlingError>[0];
  if (isThrottlingError(error)) return 'THROTTLING';
  if (isTransientError(error)) return 'TRANSIENT';
  if (isServerError(error)) return 'SERVER_ERROR';
  return 'CLIENT_ERROR';
}

/** Reads a response body (a Node stream, bytes, a string or nothing) as UTF-8 text. */
export async function readBodyText(body: unknown): Promise<string> {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  const stream = body as NodeJS.ReadableStream;
  if (typeof stream.on !== 'function') throw new KinesisError('GetRecords answer has a body of an unknown kind', { retryable: true });
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer | string) => chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
    stream.once('end', () => resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    stream.once('error', reject);
  });
}

function parseErrorBody(text: string): Record<string, unknown> {
  if (text.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const error = new Error('The operation was aborted');
  error.name = 'AbortError';
  return error;
}

function sleep(millis: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, millis);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Serializes a GetRecords input as the SDK does (JSON 1.1 body, undefined members left out). */
export function serializeGetRecordsInput(input: LeanGetRecordsInput): string {
  // Written as text (no intermediate object): this runs on every poll.
  const { ShardIterator: iterator, Limit: limit } = input;
  const limitText = limit === undefined ? '' : `"Limit":${JSON.stringify(limit)}`;
  if (iterator === undefined) return `{${limitText}}`;
  return `{"ShardIterator":${JSON.stringify(iterator)}${limitText === '' ? '' : `,${limitText}`}}`;
}

// Per-call objects: classes, not literals (why: the note on per-poll objects in lean-http-transport.ts).
class PerCallHeadersOf implements PerCallHeaders {
  readonly 'content-length': string;
  readonly 'amz-sdk-invocation-id': string;
  readonly 'amz-sdk-request': string;
  constructor(contentLength: string, invocationId: string, request: string) {
    this['content-length'] = contentLength;
    this['amz-sdk-invocation-id'] = invocationId;
    this['amz-sdk-request'] = request;
  }
}

class LeanRequestOf implements LeanHttpRequest {
  constructor(
    readonly protocol: string,
    readonly hostname: string,
    readonly port: number | undefined,
    readonly path: string,
    readonly headers: Record<string, string>,
    readonly body: string,
  ) {}
}

/**
 * GetRecords through the parts of one KinesisClient (see the module comment). One instance per client; calls may run
 * concurrently.
 */
export class LeanGetRecords {
  private prepared: Promise<Prepared> | undefined;
  /** What `prepared` resolved to, once it has (calls then use it without awaiting). */
  private ready: Prepared | undefined;

  constructor(private readonly client: KinesisClient) {}

  /**
   * Resolves what is fixed per client (endpoint, auth scheme, retry strategy). Rejects with a KinesisError when the
   * client is not one the lean path can drive (no SigV4 scheme, a legacy retry strategy): callers then use `send`.
   */
  async prepare(): Promise<void> {
    await this.resolved();
  }

  private resolved(): Promise<Prepared> {
    if (this.prepared === undefined) {
      const resolving = this.resolve();
      this.prepared = resolving;
      resolving.then(
        (prepared) => {
          if (this.prepared === resolving) this.ready = prepared;
        },
        // A failed resolution (e.g. a region provider that failed once) is tried again on the next call.
        () => {
          if (this.prepared === resolving) this.prepared = undefined;
        },
      );
    }
    return this.prepared;
  }

  private async resolve(): Promise<Prepared> {
    const config = this.client.config as unknown as ClientConfigFields;
    const endpoint = await getEndpointFromInstructions({ ShardIterator: '' }, GetRecordsCommand, config as never);
    const region = await config.region();
    const option = config.httpAuthSchemeProvider({ operation: 'GetRecords', region }).find((o) => o.schemeId === SIGV4);
    const scheme = config.httpAuthSchemes.find((s) => s.schemeId === SIGV4);
    if (option === undefined || scheme === undefined) throw new KinesisError('the Kinesis client has no SigV4 auth scheme for GetRecords');
    const retryStrategy = await config.retryStrategy();
    if (!isRetryStrategyV2(retryStrategy)) throw new KinesisError('the Kinesis client uses a legacy retry strategy');
    const authScheme = (endpoint.properties?.['authSchemes'] as Record<string, unknown>[] | undefined)?.[0];
    // As the SDK merges them into the signing properties: the scheme's own properties win over its fields.
    const schemeProperties = (authScheme?.['properties'] ?? {}) as Record<string, unknown>;
    const signingRegion = (schemeProperties['signingRegion'] ?? authScheme?.['signingRegion']) as string | undefined;
    const signingName = (schemeProperties['signingName'] ?? authScheme?.['signingName']) as string | undefined;
    const pairs = (await config.defaultUserAgentProvider?.()) ?? [];
    const fixedHeaders: Record<string, string> = {};
    for (const [name, values] of Object.entries(endpoint.headers ?? {})) fixedHeaders[name] = values.join(',');
    Object.assign(fixedHeaders, {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': TARGET,
      'x-amz-user-agent': pairs.length > 0 ? userAgentOf(pairs.slice(0, 1)) : 'aws-sdk-js',
      'user-agent': userAgentOf(pairs),
      host: endpoint.url.port === '' ? endpoint.url.hostname : `${endpoint.url.hostname}:${endpoint.url.port}`,
    });
    const path = endpoint.url.pathname.endsWith('/') ? endpoint.url.pathname : `${endpoint.url.pathname}/`;
    const requestSigner = await config.signer(authScheme);
    return {
      url: endpoint.url,
      scheme,
      requestSigner,
      leanSigner: leanSigV4Of(requestSigner, path, fixedHeaders, signingRegion ?? region, signingName),
      disableClockSkewCorrection: (await config.disableClockSkewCorrection?.()) === true,
      signingRegion,
      signingName,
      retryStrategy,
      maxAttempts: await config.maxAttempts(),
      fixedHeaders,
      path,
      transport: leanHttpTransportOf(this.client),
    };
  }

  /**
   * One GetRecords call, retried by the client's retry strategy. Rejects with the SDK's exception for an error
   * answer (after the retries), or the transport's error; with an abort error once `abortSignal` fires.
   */
  async send(input: LeanGetRecordsInput, abortSignal: AbortSignal): Promise<GetRecordsCommandOutput> {
    const prepared = this.ready ?? (await this.resolved());
    const body = serializeGetRecordsInput(input);
    const { retryStrategy } = prepared;
    let token = await retryStrategy.acquireInitialRetryToken('');
    const invocationId = randomUUID();
    let attempts = 0;
    let totalRetryDelay = 0;
    for (;;) {
      try {
        const output = await this.attempt(prepared, body, invocationId, attempts + 1, abortSignal);
        retryStrategy.recordSuccess(token);
        output.$metadata.attempts = attempts + 1;
        output.$metadata.totalRetryDelay = totalRetryDelay;
        return output;
      } catch (caught) {
        const error = caught instanceof Error ? caught : new Error(String(caught));
        const errorInfo: Record<string, unknown> = { error, errorType: retryErrorType(error) };
        const retryAfterHint = getRetryAfterHint((error as { $response?: unknown }).$response);
        if (retryAfterHint !== undefined) errorInfo['retryAfterHint'] = retryAfterHint;
        try {
          if (abortSignal.aborted) throw error;
          token = await retryStrategy.refreshRetryTokenForRetry(token, errorInfo);
        } catch {
          const withMetadata = error as { $metadata?: Record<string, unknown> };
          withMetadata.$metadata ??= {};
          withMetadata.$metadata['attempts'] = attempts + 1;
          withMetadata.$metadata['totalRetryDelay'] = totalRetryDelay;
          throw error;
        }
        attempts = token.getRetryCount();
        const delay = token.getRetryDelay();
        totalRetryDelay += delay;
        if (delay > 0) await sleep(delay, abortSignal);
      }
    }
  }

  /**
   * The clock-skew state of one call, as the SDK's AwsSdkSigV4Signer leaves it in the signing properties for its
   * success and error handlers, and the date to sign at (`now + config.systemClockOffset`, unless disabled).
   */
  private clockSkew(prepared: Prepared): { properties: ClockSkewProperties; signingDate: Date } {
    const config = this.client.config as unknown as ClientConfigFields;
    const off = prepared.disableClockSkewCorrection;
    const properties: ClockSkewProperties = { config, _disableClockSkewCorrection: off, _skipClockSkewSampling: off };
    if (off) return { properties, signingDate: new Date() };
    const now = Date.now();
    properties._preRequestSystemClockOffset = config.systemClockOffset;
    properties._requestSentAt = now;
    return { properties, signingDate: new Date(now + config.systemClockOffset) };
  }

  /** The signed headers of one attempt: the lean signer's, or the SDK signer's on an `HttpRequest`. */
  private signedHeaders(prepared: Prepared, body: string, perCall: PerCallHeaders, signingDate: Date): Promise<Record<string, string>> {
    // Not async itself: the lean signer's promise is handed on as it is (no second promise per call).
    if (prepared.leanSigner !== undefined) return prepared.leanSigner.headers(perCall, body, signingDate);
    return this.sdkSignedHeaders(prepared, body, perCall, signingDate);
  }

  private async sdkSignedHeaders(prepared: Prepared, body: string, perCall: PerCallHeaders, signingDate: Date): Promise<Record<string, string>> {
    const { url, path } = prepared;
    const request = new HttpRequest({
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port === '' ? {} : { port: Number(url.port) }),
      path,
      method: 'POST',
      headers: { ...prepared.fixedHeaders, ...perCall },
      body,
    });
    const signed = await prepared.requestSigner.sign(request, {
      signingDate,
      signingRegion: prepared.signingRegion,
      signingService: prepared.signingName,
    });
    return signed.headers;
  }

  /** One signed request and its answer. */
  private async attempt(
    prepared: Prepared,
    body: string,
    invocationId: string,
    attempt: number,
    abortSignal: AbortSignal,
  ): Promise<GetRecordsCommandOutput> {
    const perCall = new PerCallHeadersOf(String(Buffer.byteLength(body)), invocationId, `attempt=${attempt}; max=${prepared.maxAttempts}`);
    const { properties, signingDate } = this.clockSkew(prepared);
    const headers = await this.signedHeaders(prepared, body, perCall, signingDate);
    const signer = prepared.scheme.signer;
    const { url, path } = prepared;
    const port = url.port === '' ? undefined : Number(url.port);
    try {
      let response: HttpResponseLike;
      let text: string;
      if (prepared.transport !== undefined) {
        const answer = await prepared.transport.send(new LeanRequestOf(url.protocol, url.hostname, port, path, headers, body), abortSignal);
        response = answer;
        text = answer.body;
      } else {
        const request = new HttpRequest({
          protocol: url.protocol,
          hostname: url.hostname,
          ...(port === undefined ? {} : { port }),
          path,
          method: 'POST',
          headers,
          body,
        });
        response = (await (this.client.config.requestHandler as unknown as RequestHandler).handle(request, { abortSignal })).response;
        text = await readBodyText(response.body);
      }
      if (response.statusCode >= 300) throw kinesisErrorFromResponse(response, parseErrorBody(text), response);
      signer.successHandler?.(response, properties);
      return parseGetRecordsOutput(text, responseMetadata(response));
    } catch (error) {
      if (signer.errorHandler !== undefined) signer.errorHandler(properties)(error);
      throw error;
    }
  }
}
