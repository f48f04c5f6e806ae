/**
 * Core's folders are layers: `worker/` is the composition root that no other folder imports, `internal/` holds the
 * shared helpers, each contract lives beside what implements it, and no two folders import each other, directly or
 * through others. Reads the import statements of src/ (index.ts, the package entry, re-exports everything and is left
 * out).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';

const SRC = join(__dirname, '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The folder of a file under src/ (`(root)` for src/ itself). */
function folderOf(path: string): string {
  const parts = relative(SRC, path).split(sep);
  return parts.length === 1 ? '(root)' : (parts[0] as string);
}

/** folder -> folder it imports -> the importing files (relative to src/). */
function folderGraph(): Map<string, Map<string, string[]>> {
  const graph = new Map<string, Map<string, string[]>>();
  for (const file of sourceFiles(SRC)) {
    if (file === join(SRC, 'index.ts')) continue;
    const from = folderOf(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:from|import\(|require\()\s*'(\.[^']+)'/g)) {
      const to = folderOf(normalize(join(dirname(file), match[1] as string)));
      if (to === from) continue;
      const edges = graph.get(from) ?? new Map<string, string[]>();
      graph.set(from, edges);
      edges.set(to, [...(edges.get(to) ?? []), relative(SRC, file)]);
    }
  }
  return graph;
}

test('no folder of core imports worker/ (the composition root)', () => {
  const importers = [...folderGraph()].flatMap(([from, edges]) => (from !== 'worker' ? (edges.get('worker') ?? []) : []));
  expect(importers).toEqual([]);
});

test('internal/ imports no other folder of core (it is the bottom layer)', () => {
  expect([...(folderGraph().get('internal')?.keys() ?? [])]).toEqual([]);
});

test('there is no import cycle between the folders of core', () => {
  const graph = folderGraph();
  const cycles: string[] = [];
  const visit = (folder: string, path: string[]): void => {
    for (const next of graph.get(folder)?.keys() ?? []) {
      if (path.includes(next)) cycles.push([...path.slice(path.indexOf(next)), next].join(' -> '));
      else visit(next, [...path, next]);
    }
  };
  for (const folder of graph.keys()) visit(folder, [folder]);
  expect(cycles).toEqual([]);
});
