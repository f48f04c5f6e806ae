// Writes the options table of README.md from the option table (src/config/option-table.ts). Run after a build:
// pnpm --filter @kcl/core docs:config
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { replaceOptionsTable } = require('../dist/config/option-docs.js');

const path = join(__dirname, '..', 'README.md');
const before = readFileSync(path, 'utf8');
const after = replaceOptionsTable(before);
writeFileSync(path, after);
console.log(before === after ? 'README options table already up to date' : 'README options table written');
