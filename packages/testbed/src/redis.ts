import { TestbedError, checkIntegerOption } from './errors';
import { LOOPBACK } from './free-port';
import { launchRedis } from './redis-process';
import { createTestCertificates, type TestCertificates } from './tls';
import type { RedisServerHandle } from './types';

export interface StartRedisOptions {
  /**
   * Require this password (`--requirepass`); clients must AUTH.
   * @defaultValue none (no AUTH)
   */
  password?: string;
  /**
   * Serve TLS only, with a throwaway CA and server certificate (SANs 127.0.0.1 and localhost); the handle's url is
   * rediss:// and `tlsCa` holds the CA PEM. Clients are not asked for certificates.
   * @defaultValue false
   */
  tls?: boolean;
  /**
   * Port on 127.0.0.1; 0 picks a free one.
   * @defaultValue 0
   */
  port?: number;
}

/**
 * Starts a plain redis-server (no persistence) on 127.0.0.1, optionally with AUTH and/or TLS. Needs redis-server
 * installed (apt-get install redis-server).
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisServerHandle> {
  checkIntegerOption('redis-server', 'port', options.port, 0, 65535);
  if (options.password !== undefined && (options.password === '' || /[\s"']/.test(options.password))) {
    throw new TestbedError('redis-server', 'option password must be non-empty and contain no whitespace or quotes');
  }
  let certificates: TestCertificates | undefined;
  if (options.tls === true) certificates = await createTestCertificates();
  try {
    const server = await launchRedis({
      port: options.port,
      password: options.password,
      tls: certificates,
      name: options.tls === true ? 'redis-server (tls)' : 'redis-server',
    });
    const scheme = certificates ? 'rediss' : 'redis';
    const address = `${LOOPBACK}:${server.port}`;
    const auth = options.password !== undefined ? `:${encodeURIComponent(options.password)}@` : '';
    let stopping: Promise<void> | undefined;
    return {
      host: LOOPBACK,
      port: server.port,
      address,
      endpoint: `${scheme}://${address}`,
      url: `${scheme}://${auth}${address}`,
      password: options.password,
      tlsCa: certificates?.caPem,
      stop: () =>
        (stopping ??= (async () => {
          await server.stop();
          certificates?.remove();
        })()),
    };
  } catch (error) {
    certificates?.remove();
    throw error;
  }
}
