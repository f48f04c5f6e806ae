// Copies the Lua scripts next to the compiled code, where src/scripts.ts reads them at runtime (`join(__dirname,
// 'lua')`): dist/lua for the CommonJS build (dist/*.js) and dist/esm/lua for the ESM build (dist/esm/index.mjs, whose
// `__dirname` is dist/esm). Runs after tsup, which empties dist/esm.
import { cpSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const from = join(root, 'src', 'lua');
const count = (dir) => readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? count(join(dir, e.name)) : 1), 0);
for (const to of [join(root, 'dist', 'lua'), join(root, 'dist', 'esm', 'lua')]) {
  rmSync(to, { recursive: true, force: true });
  cpSync(from, to, { recursive: true, filter: (src) => !src.endsWith('~') });
  if (!existsSync(join(to, 'take-lease.lua'))) throw new Error(`copy-lua: take-lease.lua missing from ${to}`);
  console.log(`copy-lua: ${count(to)} file(s) -> ${to.slice(root.length + 1)}`);
}
