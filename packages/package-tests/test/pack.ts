// Packing public packages exactly as `pnpm publish` would, for tests that install them from their tarballs into a
// fresh project outside the workspace (not a test file itself).
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { PublicPackage } from './public-packages';

export const repoRoot = join(__dirname, '..', '..', '..');

/** Version of `name` installed in this workspace (what the lock file pins). */
export function installedVersion(name: string): string {
  const manifest = require.resolve(`${name}/package.json`, {
    paths: [join(repoRoot, 'packages', 'core'), join(repoRoot, 'packages', 'checkpoint-dynamodb'), repoRoot],
  });
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

/** The AWS SDK versions this repository's lock file tests, to pin in a fresh project (the packages declare carets). */
export function pinnedSdkVersions(): Record<string, string> {
  return Object.fromEntries(['@aws-sdk/client-kinesis', '@aws-sdk/client-dynamodb'].map((name) => [name, installedVersion(name)]));
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
