import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestStream, listAllShards, localKinesisClient, startKinesaliteProcess, TestbedError } from '../src';
import { processAlive, waitForProcessExit } from './support';

describe('startKinesaliteProcess', () => {
  it('serves kinesalite from a child process with the given options, and stop() ends the child', async () => {
    const server = await startKinesaliteProcess({ shardLimit: 12, nodeOptions: ['--max-semi-space-size=16'] });
    const client = localKinesisClient(server.endpoint);
    try {
      expect(server.pid).not.toBe(process.pid);
      expect(server.endpoint).toBe(`http://127.0.0.1:${server.port}`);
      const stream = await createTestStream(client, { shardCount: 12 });
      expect(await listAllShards(client, stream)).toHaveLength(12);
      await expect(createTestStream(client, { shardCount: 1 })).rejects.toThrow(/limit/i);
    } finally {
      client.destroy();
      await server.stop();
    }
    await waitForProcessExit(server.pid);
    expect(processAlive(server.pid)).toBe(false);
  });

  it('fails with a TestbedError when the child cannot start, its stderr going to the file given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kcl-kinesalite-process-'));
    const stderrFile = join(dir, 'stderr.log');
    try {
      await expect(startKinesaliteProcess({ shardLimit: 0, stderrFile })).rejects.toThrow(TestbedError);
      expect(existsSync(stderrFile)).toBe(true);
      expect(readFileSync(stderrFile, 'utf8')).toMatch(/shardLimit must be an integer/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
