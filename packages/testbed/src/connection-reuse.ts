/**
 * The connection-reuse suite of an SDK client a package builds for https:// endpoints (core's Kinesis client, the
 * DynamoDB backend's client): the client runs in a child process (a fixture) that trusts the throwaway CA of a
 * {@link startTlsAnswerBed} through NODE_EXTRA_CA_CERTS, so it is measured exactly as the package builds it, and must
 * keep its TLS connections alive rather than pay a handshake per call. Both sides are here: the suite
 * ({@link describeConnectionReuse}) and what its fixture reads ({@link readClientCallSettings}).
 */
import { deepStrictEqual, match, ok } from 'node:assert/strict';
import { runJsonChild } from './json-child';
import { nodeEntryArgs } from './node-child';
import { startTlsAnswerBed, type TlsAnswerBed } from './tls-answer-bed';

/** What a connection-reuse fixture does: `calls` calls to `endpoint`, `concurrency` at a time. */
export interface ClientCallSettings {
  endpoint: string;
  calls: number;
  concurrency: number;
}

/** The fixture's settings, from KCL_CLIENT_ENDPOINT, KCL_CLIENT_CALLS (default 1) and KCL_CLIENT_CONCURRENCY (default 1). */
export function readClientCallSettings(env: NodeJS.ProcessEnv = process.env): ClientCallSettings {
  return {
    endpoint: env['KCL_CLIENT_ENDPOINT'] ?? '',
    calls: Number(env['KCL_CLIENT_CALLS'] ?? '1'),
    concurrency: Number(env['KCL_CLIENT_CONCURRENCY'] ?? '1'),
  };
}

/** The few test-framework functions the suite needs (jest's globals fit). */
export interface ConnectionReuseTestApi {
  describe(name: string, fn: () => void): unknown;
  it(name: string, fn: () => Promise<void>): unknown;
  beforeAll(fn: () => Promise<void>): unknown;
  afterAll(fn: () => Promise<void> | undefined): unknown;
}

/** Options of {@link describeConnectionReuse}. */
export interface ConnectionReuseOptions {
  /** The suite's name. */
  name: string;
  /**
   * The fixture's entry file (.ts, run through the ts preload): it builds the client, makes the calls of
   * {@link readClientCallSettings} (e.g. with callConcurrently) and prints with printJsonResult `{ answers }`, the
   * number of calls answered as expected.
   */
  fixture: string;
  /** The body the TLS bed answers every request with. */
  body: string;
  /** Its content type. @defaultValue the bed's default (application/x-amz-json-1.1) */
  contentType?: string;
}

interface ClientRun {
  ok: boolean;
  answers?: number;
  error?: string;
}

/**
 * Defines the suite: 20 sequential calls over at most 2 TLS connections, 40 calls from 4 concurrent callers over at
 * most 4, and a control case (without the CA the fixture fails with a certificate error, so the test really checks
 * certificates).
 */
export function describeConnectionReuse(options: ConnectionReuseOptions, test: ConnectionReuseTestApi): void {
  const run = (env: Record<string, string>): Promise<ClientRun> => runJsonChild(nodeEntryArgs(options.fixture), env);
  test.describe(options.name, () => {
    let bed: TlsAnswerBed | undefined;
    const started = (): TlsAnswerBed => {
      if (!bed) throw new Error('the TLS answer bed did not start');
      return bed;
    };
    test.beforeAll(async () => {
      bed = await startTlsAnswerBed({ body: options.body, ...(options.contentType === undefined ? {} : { contentType: options.contentType }) });
    });
    test.afterAll(() => bed?.stop());

    test.it('makes 20 sequential calls over at most 2 TLS connections (not one per call)', async () => {
      const b = started();
      const measured = await b.measure(() => run({ ...b.trustEnv, KCL_CLIENT_ENDPOINT: b.endpoint, KCL_CLIENT_CALLS: '20' }));
      deepStrictEqual(measured.result, { ok: true, answers: 20 });
      deepStrictEqual(measured.requests, 20);
      ok(measured.connections <= 2, `${measured.connections} TLS connections for 20 sequential calls`);
    });

    test.it('makes 40 calls from 4 concurrent callers over at most 4 TLS connections', async () => {
      const b = started();
      const env = { ...b.trustEnv, KCL_CLIENT_ENDPOINT: b.endpoint, KCL_CLIENT_CALLS: '40', KCL_CLIENT_CONCURRENCY: '4' };
      const measured = await b.measure(() => run(env));
      deepStrictEqual(measured.result, { ok: true, answers: 40 });
      ok(measured.connections <= 4, `${measured.connections} TLS connections for 4 concurrent callers`);
    });

    test.it('does not trust the server without the CA (the test really checks certificates)', async () => {
      const result = await run({ KCL_CLIENT_ENDPOINT: started().endpoint, KCL_CLIENT_CALLS: '1' });
      deepStrictEqual(result.ok, false);
      match(result.error ?? '', /certificate/i);
    });
  });
}
