/**
 * A {@link startTlsAnswerServer} together with its throwaway CA, for tests that count the TLS connections a client in
 * a child process opens (the client trusts the CA through NODE_EXTRA_CA_CERTS, so it runs exactly as built).
 */
import { createTestCertificates, type TestCertificates } from './tls';
import { startTlsAnswerServer, type TlsAnswerServer, type TlsAnswerServerOptions } from './tls-answer-server';

/** What a measured run reached the server with. */
export interface TlsAnswerMeasurement<T> {
  /** What the run resolved with (e.g. the child's JSON result). */
  result: T;
  /** TLS connections the run opened. */
  connections: number;
  /** Requests the run made. */
  requests: number;
}

/** A running TLS answer server and its CA. */
export interface TlsAnswerBed {
  readonly server: TlsAnswerServer;
  readonly certificates: TestCertificates;
  /** `https://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** `{ NODE_EXTRA_CA_CERTS: <ca> }`: the environment a child needs to trust the server. */
  readonly trustEnv: Record<string, string>;
  /** Runs `run` and counts the connections and requests that reached the server meanwhile. */
  measure<T>(run: () => Promise<T>): Promise<TlsAnswerMeasurement<T>>;
  /** Stops the server and removes the certificates. */
  stop(): Promise<void>;
}

/** Creates throwaway certificates and starts a TLS answer server with them (`options` as for startTlsAnswerServer). */
export async function startTlsAnswerBed(options: Omit<TlsAnswerServerOptions, 'keyPath' | 'certPath'>): Promise<TlsAnswerBed> {
  const certificates = await createTestCertificates();
  let server: TlsAnswerServer;
  try {
    server = await startTlsAnswerServer({ ...options, keyPath: certificates.keyPath, certPath: certificates.certPath });
  } catch (error) {
    certificates.remove();
    throw error;
  }
  return {
    server,
    certificates,
    endpoint: server.endpoint,
    trustEnv: { NODE_EXTRA_CA_CERTS: certificates.caCertPath },
    async measure(run) {
      const connections = server.connections();
      const requests = server.requests();
      const result = await run();
      return { result, connections: server.connections() - connections, requests: server.requests() - requests };
    },
    async stop() {
      await server.stop();
      certificates.remove();
    },
  };
}
