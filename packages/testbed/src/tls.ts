import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TestbedError } from './errors';

const run = promisify(execFile);

/** A throwaway CA and a server certificate it signed, as files in `dir`. */
export interface TestCertificates {
  dir: string;
  caCertPath: string;
  certPath: string;
  keyPath: string;
  /** PEM of the CA certificate (give it to clients as `ca`). */
  caPem: string;
  /** Deletes `dir`. */
  remove(): void;
}

const SERVER_EXTENSIONS = [
  'basicConstraints = critical, CA:FALSE',
  'keyUsage = critical, digitalSignature, keyEncipherment',
  'extendedKeyUsage = serverAuth',
  'subjectAltName = IP:127.0.0.1, DNS:localhost',
  '',
].join('\n');

/**
 * Generates a throwaway CA and a server certificate for 127.0.0.1 and localhost (P-256 keys, valid 2 days) with the
 * openssl CLI, in a new temp dir (or `dir`).
 */
export async function createTestCertificates(dir?: string): Promise<TestCertificates> {
  const target = dir ?? mkdtempSync(join(tmpdir(), 'kcl-tls-'));
  const file = (name: string): string => join(target, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  writeFileSync(file('server.ext'), SERVER_EXTENSIONS);
  try {
    await run('openssl', [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      file('ca.key'),
      '-out',
      file('ca.crt'),
      '-days',
      '2',
      '-subj',
      '/CN=kcl-testbed throwaway CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    await run('openssl', ['req', ...ec, '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=localhost']);
    await run('openssl', [
      'x509',
      '-req',
      '-in',
      file('server.csr'),
      '-CA',
      file('ca.crt'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-out',
      file('server.crt'),
      '-days',
      '2',
      '-extfile',
      file('server.ext'),
    ]);
  } catch (error) {
    if (dir === undefined) rmSync(target, { recursive: true, force: true });
    const missing = (error as { code?: unknown }).code === 'ENOENT';
    throw new TestbedError(
      'openssl',
      missing ? 'the openssl CLI is not installed (apt-get install openssl)' : `certificate generation failed: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return {
    dir: target,
    caCertPath: file('ca.crt'),
    certPath: file('server.crt'),
    keyPath: file('server.key'),
    caPem: readFileSync(file('ca.crt'), 'utf8'),
    remove: () => rmSync(target, { recursive: true, force: true }),
  };
}
