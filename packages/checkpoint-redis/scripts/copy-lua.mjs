// Copies the Lua scripts next to the compiled code (dist/lua), where src/scripts.ts reads them at runtime.
import { cpSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const from = join(root, 'src', 'lua');
const to = join(root, 'dist', 'lua');
rmSync(to, { recursive: true, force: true });
cpSync(from, to, { recursive: true, filter: (src) => !src.endsWith('~') });
const count = (dir) => readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? count(join(dir, e.name)) : 1), 0);
if (!existsSync(join(to, 'take-lease.lua'))) throw new Error('copy-lua: take-lease.lua missing from dist/lua');
console.log(`copy-lua: ${count(to)} file(s) -> dist/lua`);
