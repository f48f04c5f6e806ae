// Packing public packages exactly as `pnpm publish` would, for tests that install them from their tarballs into a
// fresh project outside the workspace (not a test file itself).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { PublicPackage } from './public-packages';

export const repoRoot = join(__dirname, '..', '..', '..');

/** Workspace packages whose node_modules hold the third-party packages the public packages depend on. */
const dependencyHomes = ['core', 'checkpoint-dynamodb', 'metrics-cloudwatch', 'metrics-opentelemetry'].map((pkg) => join(repoRoot, 'packages', pkg));

/**
 * Version of `name` installed in this workspace (what the lock file pins), read from its package.json in the
 * node_modules of a workspace package (not through `require.resolve`: some packages do not export `./package.json`).
 */
export function installedVersion(name: string): string {
  for (const home of [...dependencyHomes, repoRoot]) {
    const manifest = join(home, 'node_modules', ...name.split('/'), 'package.json');
    if (existsSync(manifest)) return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
  }
  throw new Error(`${name} is not installed in any of ${dependencyHomes.join(', ')} or the root`);
}

/** The AWS SDK versions this repository's lock file tests, to pin in a fresh project (the packages declare carets). */
export function pinnedSdkVersions(): Record<string, string> {
  return Object.fromEntries(
    ['@aws-sdk/client-kinesis', '@aws-sdk/client-dynamodb', '@aws-sdk/client-cloudwatch'].map((name) => [name, installedVersion(name)]),
  );
}

/**
 * Packs each package into `destination` with `pnpm pack` (workspace: ranges become versions, `files` applies) and
 * returns package name -> tarball file name.
 */
export function packPackages(packages: readonly PublicPackage[], destination: string): Record<string, string> {
  for (const pkg of packages) execFileSync('pnpm', ['pack', '--pack-destination', destination], { cwd: pkg.dir, stdio: 'pipe' });
  const files = readdirSync(destination);
  return Object.fromEntries(
    packages.map((pkg) => {
      const prefix = `${pkg.name.replace('@', '').replace('/', '-')}-`;
      const file = files.find((f) => f.startsWith(prefix) && /^\d/.test(f.slice(prefix.length)) && f.endsWith('.tgz'));
      if (!file) throw new Error(`no tarball for ${pkg.name} in ${files.join(', ')}`);
      return [pkg.name, file];
    }),
  );
}
