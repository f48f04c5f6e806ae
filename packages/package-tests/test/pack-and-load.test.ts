import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startDynalite, startRedis, type LocalServer, type RedisServerHandle } from '@kcl/testbed';
import { installedVersion, packPackages, pinnedSdkVersions } from './pack';
import { publicPackages } from './public-packages';

const fixtures = join(__dirname, '..', 'fixtures');

// Packs every public package exactly as `pnpm publish` would, installs the tarballs into a fresh project outside the
// workspace, and loads each entry point with `require` (the CommonJS build) and `import()` (the ESM build) on this
// Node version; then runs an ES module application using all of them, and type-checks a consumer as ESM and as CJS.
describe('pack, install and load every public package', () => {
  let project: string;

  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), 'kcl-pack-'));
    const tarballs = packPackages(publicPackages, join(project, 'tarballs'));
    const dependencies = Object.fromEntries(Object.entries(tarballs).map(([name, file]) => [name, `file:./tarballs/${file}`]));
    // The public packages declare the AWS SDK as caret ranges (a user's own SDK copy is shared); install the versions
    // this repository's lock file tests, so the check does not drift with each SDK release.
    const overrides = pinnedSdkVersions();
    // Peer dependency of @kcl/metrics-opentelemetry: the application brings its own @opentelemetry/api.
    dependencies['@opentelemetry/api'] = installedVersion('@opentelemetry/api');
    const devDependencies = Object.fromEntries(['typescript', '@types/node'].map((name) => [name, installedVersion(name)]));
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'kcl-consumer-app', version: '1.0.0', private: true, dependencies, devDependencies, pnpm: { overrides } }, null, 2),
    );
    execFileSync('pnpm', ['install', '--prefer-offline', '--ignore-workspace', '--config.strict-peer-dependencies=false'], {
      cwd: project,
      stdio: 'pipe',
    });
  });

  afterAll(() => {
    if (project) rmSync(project, { recursive: true, force: true });
  });

  const entries = publicPackages.flatMap((pkg) => [
    { specifier: pkg.name, exports: pkg.exports },
    ...(pkg.subpaths ?? []).map((s) => ({ specifier: s.path, exports: s.exports })),
  ]);

  it.each(entries)('$specifier loads with require() from the CommonJS build', ({ specifier, exports }) => {
    const script = `const m = require(${JSON.stringify(specifier)}); const missing = ${JSON.stringify(exports)}.filter((n) => m[n] === undefined); if (missing.length) { console.error('missing: ' + missing.join(',')); process.exit(1); } console.log(JSON.stringify({ resolved: require.resolve(${JSON.stringify(specifier)}), count: Object.keys(m).length }));`;
    const out = JSON.parse(execFileSync('node', ['-e', script], { cwd: project, encoding: 'utf8' })) as { resolved: string; count: number };
    expect(out.resolved).toMatch(/[/\\]dist[/\\](?!esm[/\\]).*\.js$/);
    expect(out.count).toBeGreaterThanOrEqual(exports.length);
  });

  it.each(entries)('$specifier loads with import() from the ESM build', ({ specifier, exports }) => {
    const file = `load-${specifier.replace(/[@/]/g, '_')}.mjs`;
    writeFileSync(
      join(project, file),
      `const m = await import(${JSON.stringify(specifier)});\n` +
        `const missing = ${JSON.stringify(exports)}.filter((n) => m[n] === undefined);\n` +
        `if (missing.length) { console.error('missing: ' + missing.join(',')); process.exit(1); }\n` +
        `console.log(JSON.stringify({ resolved: import.meta.resolve(${JSON.stringify(specifier)}), count: Object.keys(m).length }));\n`,
    );
    const out = JSON.parse(execFileSync('node', [file], { cwd: project, encoding: 'utf8' })) as { resolved: string; count: number };
    expect(out.resolved).toMatch(/\/dist\/esm\/.*\.mjs$/);
    expect(out.count).toBeGreaterThanOrEqual(exports.length);
  });

  describe('an ES module application', () => {
    let redis: RedisServerHandle | undefined;
    let dynalite: LocalServer | undefined;

    beforeAll(async () => {
      redis = await startRedis();
      dynalite = await startDynalite();
    });

    afterAll(async () => {
      await redis?.stop();
      await dynalite?.stop();
    });

    it('uses every package through import, with one copy of core', async () => {
      copyFileSync(join(fixtures, 'esm-app.mjs'), join(project, 'esm-app.mjs'));
      // Asynchronously: dynalite answers from this process.
      const { stdout } = await promisify(execFile)('node', ['esm-app.mjs'], {
        cwd: project,
        encoding: 'utf8',
        env: { ...process.env, KCL_REDIS_ADDRESS: redis!.address, KCL_DYNAMODB_ENDPOINT: dynalite!.endpoint },
      });
      const found = JSON.parse(stdout) as Record<string, unknown>;
      expect(found.config).toEqual({ isConfig: true, tableName: expect.stringMatching(/^esm_app_\d+$/) });
      const configError = {
        name: 'ConfigError',
        code: 'INVALID_CONFIG',
        instanceofKclError: true,
        instanceofConfigError: true,
        instanceofInvalidArgumentError: false,
      };
      expect(found.coreError).toEqual(configError);
      expect(found.redisError).toEqual(configError);
      expect(found.dynamoError).toEqual(configError);
      expect(found.prometheusError).toEqual(configError);
      expect(found.testingError).toEqual({
        name: 'InvalidArgumentError',
        code: 'INVALID_ARGUMENT',
        instanceofKclError: true,
        instanceofConfigError: false,
        instanceofInvalidArgumentError: true,
      });
      expect(found.redisLeaseOwner).toBe('worker-1');
      expect(found.dynamoLeaseOwner).toBe('worker-1');
      expect(found.memoryLeaseOwner).toBe('worker-1');
      expect(found.metricsLine).toMatch(/^kcl_processed_records_total\{.*shard="shardId-000000000000".*\} 3$/);
      // Documented in packages/core/README.md ("Module formats"): require and import give two copies of core.
      expect(found.mixed).toEqual({
        sameKclErrorClass: false,
        cjsErrorInstanceofEsmKclError: false,
        isKclError: true,
        cjsIsKclErrorOfEsmError: true,
      });
    });
  });

  it('type-checks a consumer against the ESM (.d.mts) and the CommonJS (.d.ts) types', () => {
    const source = readFileSync(join(fixtures, 'consumer-types.ts'), 'utf8');
    writeFileSync(join(project, 'consumer.mts'), source);
    writeFileSync(join(project, 'consumer.cts'), source);
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'node16', moduleResolution: 'node16', target: 'es2022', strict: true, noEmit: true, types: ['node'] },
        files: ['consumer.mts', 'consumer.cts'],
      }),
    );
    // tsc prints its diagnostics on stdout and exits non-zero on any error (execFileSync then throws with them).
    const tsc = join(project, 'node_modules', 'typescript', 'bin', 'tsc');
    let out: string;
    try {
      out = execFileSync('node', [tsc, '-p', 'tsconfig.json', '--listFiles'], { cwd: project, encoding: 'utf8' });
    } catch (error) {
      throw new Error(`tsc failed:\n${(error as { stdout?: string }).stdout ?? String(error)}`, { cause: error });
    }
    const listed = out.split('\n');
    // Each consumer saw its own format's declarations of every package.
    for (const pkg of ['core', 'checkpoint-dynamodb', 'checkpoint-redis', 'metrics-prometheus', 'metrics-cloudwatch', 'metrics-opentelemetry']) {
      expect(listed.some((f) => f.includes(`/@kcl/${pkg}/dist/esm/index.d.mts`))).toBe(true);
      expect(listed.some((f) => f.includes(`/@kcl/${pkg}/dist/index.d.ts`))).toBe(true);
    }
  });

  it('ships only built files and docs, both builds', () => {
    for (const pkg of publicPackages) {
      const listing = execFileSync('pnpm', ['pack', '--dry-run', '--json'], { cwd: pkg.dir, encoding: 'utf8' });
      const parsed = JSON.parse(listing) as { files: { path: string }[] };
      const paths = parsed.files.map((f) => f.path);
      expect(paths).toContain('package.json');
      expect(paths).toContain('README.md');
      expect(paths).toContain('LICENSE');
      expect(paths).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'dist/esm/index.mjs', 'dist/esm/index.d.mts']));
      // checkpoint-redis reads its Lua scripts next to the code of each build.
      if (pkg.name === '@kcl/checkpoint-redis')
        expect(paths).toEqual(expect.arrayContaining(['dist/lua/take-lease.lua', 'dist/esm/lua/take-lease.lua']));
      for (const p of paths) {
        expect(p).toMatch(/^(dist\/|package\.json$|README\.md$|LICENSE$)/);
        expect(p).not.toMatch(/\.test\.|tsbuildinfo/);
      }
    }
  });
});
