import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publicPackages } from './public-packages';

/** Version of `name` installed in this workspace (what the lock file pins). */
function installedVersion(name: string): string {
  const manifest = require.resolve(`${name}/package.json`, { paths: [join(__dirname, '..', '..', 'core'), join(__dirname, '..', '..', 'checkpoint-dynamodb')] });
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

// Packs every public package exactly as `pnpm publish` would, installs the tarballs into a fresh project outside the
// workspace, and loads each entry point with both `require` (CommonJS) and `import` (ESM) on this Node version.
describe('pack, install and load every public package', () => {
  let project: string;

  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), 'kcl-pack-'));
    const tarballs = join(project, 'tarballs');
    for (const pkg of publicPackages) {
      execFileSync('pnpm', ['pack', '--pack-destination', tarballs], { cwd: pkg.dir, stdio: 'pipe' });
    }
    const files = readdirSync(tarballs);
    const dependencies: Record<string, string> = {};
    for (const pkg of publicPackages) {
      const prefix = `${pkg.name.replace('@', '').replace('/', '-')}-`;
      const file = files.find((f) => f.startsWith(prefix) && f.endsWith('.tgz'));
      if (!file) throw new Error(`no tarball for ${pkg.name} in ${files.join(', ')}`);
      dependencies[pkg.name] = `file:./tarballs/${file}`;
    }
    // The public packages declare the AWS SDK as caret ranges (a user's own SDK copy is shared); install the versions
    // this repository's lock file tests, so the check does not drift with each SDK release.
    const overrides = Object.fromEntries(
      ['@aws-sdk/client-kinesis', '@aws-sdk/client-dynamodb'].map((name) => [name, installedVersion(name)]),
    );
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'kcl-consumer-app', version: '1.0.0', private: true, dependencies, pnpm: { overrides } }, null, 2),
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

  it.each(entries)('$specifier loads with require()', ({ specifier, exports }) => {
    const script = `const m = require(${JSON.stringify(specifier)}); const missing = ${JSON.stringify(exports)}.filter((n) => !(n in m)); if (missing.length) { console.error('missing: ' + missing.join(',')); process.exit(1); } console.log(Object.keys(m).length);`;
    const out = execFileSync('node', ['-e', script], { cwd: project, encoding: 'utf8' });
    expect(Number(out.trim())).toBeGreaterThanOrEqual(exports.length);
  });

  it.each(entries)('$specifier loads with import', ({ specifier, exports }) => {
    const names = exports.length ? `{ ${exports.join(', ')} }` : '* as m';
    const check = exports.map((n) => `if (${n} === undefined) { console.error('undefined: ${n}'); process.exit(1); }`).join(' ');
    const script = `import ${names} from ${JSON.stringify(specifier)}; ${check} console.log('ok');`;
    const out = execFileSync('node', ['--input-type=module', '-e', script], { cwd: project, encoding: 'utf8' });
    expect(out.trim()).toBe('ok');
  });

  it('ships only built files and docs', () => {
    for (const pkg of publicPackages) {
      const listing = execFileSync('pnpm', ['pack', '--dry-run', '--json'], { cwd: pkg.dir, encoding: 'utf8' });
      const parsed = JSON.parse(listing) as { files: { path: string }[] };
      const paths = parsed.files.map((f) => f.path);
      expect(paths).toContain('package.json');
      expect(paths).toContain('README.md');
      expect(paths).toContain('LICENSE');
      for (const p of paths) {
        expect(p).toMatch(/^(dist\/|package\.json$|README\.md$|LICENSE$)/);
        expect(p).not.toMatch(/\.test\.|tsbuildinfo/);
      }
    }
  });
});
