import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { createTestCertificates, startTlsAnswerServer, type TestCertificates, type TlsAnswerServer } from '../src';

function get(server: TlsAnswerServer, agent: Agent, ca: Buffer): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.endpoint}/`, { method: 'POST', agent, ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body: Buffer.concat(chunks).toString() }),
      );
    });
    req.on('error', reject);
    req.end('{}');
  });
}

describe('startTlsAnswerServer', () => {
  let certificates: TestCertificates;
  let server: TlsAnswerServer;
  beforeAll(async () => {
    certificates = await createTestCertificates();
    server = await startTlsAnswerServer({
      keyPath: certificates.keyPath,
      certPath: certificates.certPath,
      body: '{"ok":1}',
      contentType: 'application/x-amz-json-1.0',
    });
  });
  afterAll(async () => {
    await server?.stop();
    certificates?.remove();
  });

  it('answers every request with the body on 127.0.0.1 and counts requests and TLS connections', async () => {
    expect(server.endpoint).toBe(`https://127.0.0.1:${server.port}`);
    const ca = readFileSync(certificates.caCertPath);
    const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });
    const fresh = new Agent({ keepAlive: false });
    try {
      for (let i = 0; i < 3; i++) {
        await expect(get(server, keepAlive, ca)).resolves.toEqual({ status: 200, type: 'application/x-amz-json-1.0', body: '{"ok":1}' });
      }
      expect(server.requests()).toBe(3);
      expect(server.connections()).toBe(1);
      await get(server, fresh, ca);
      await get(server, fresh, ca);
      expect(server.requests()).toBe(5);
      expect(server.connections()).toBe(3);
    } finally {
      keepAlive.destroy();
      fresh.destroy();
    }
  });
});
