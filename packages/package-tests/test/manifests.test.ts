import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { publicPackages } from './public-packages';

// What every published manifest promises users: the Node versions it supports and AWS SDK ranges that let a user's own
// SDK copy be shared instead of duplicated.
interface Manifest {
  engines?: { node?: string };
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const manifests = publicPackages.map((pkg) => ({
  name: pkg.name,
  manifest: JSON.parse(readFileSync(join(pkg.dir, 'package.json'), 'utf8')) as Manifest,
}));

/** The lower bound a `^x.y.z` / `>=x.y.z` alternative of an engines range allows, per alternative. */
function allowsMajor(range: string, major: number): boolean {
  return range.split('||').some((alternative) => {
    const caret = /^\s*\^(\d+)\.\d+\.\d+\s*$/.exec(alternative);
    if (caret) return Number(caret[1]) === major;
    const atLeast = /^\s*>=\s*(\d+)(?:\.\d+){0,2}\s*$/.exec(alternative);
    if (atLeast) return major >= Number(atLeast[1]);
    throw new Error(`unexpected engines alternative '${alternative}' in '${range}'`);
  });
}

describe('published manifests', () => {
  it.each(manifests)('$name supports the Node 22 and 24 LTS lines (and Node 20)', ({ manifest }) => {
    const range = manifest.engines?.node;
    expect(range).toBeDefined();
    for (const major of [20, 22, 24]) expect(allowsMajor(range!, major)).toBe(true);
    expect(allowsMajor(range!, 18)).toBe(false);
  });

  it.each(manifests)('$name declares AWS SDK dependencies as caret ranges', ({ manifest }) => {
    const sdk = Object.entries({ ...manifest.dependencies, ...manifest.peerDependencies }).filter(
      ([name]) => name.startsWith('@aws-sdk/') || name.startsWith('@smithy/'),
    );
    for (const [name, range] of sdk) expect(`${name}@${range}`).toMatch(/@\^\d+\.\d+\.\d+$/);
  });
});
