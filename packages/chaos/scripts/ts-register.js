// Lets a plain `node` child process run this package's TypeScript sources directly (used when the coordinator itself
// runs from src/, e.g. under jest), so tests never run a stale build: each .ts file is transpiled on require, without
// type checking. Workspace packages (@kcl/*) still load from their built dist.
'use strict';
const { readFileSync } = require('node:fs');
const ts = require('typescript');

const compilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  esModuleInterop: true,
  inlineSourceMap: true,
};

require.extensions['.ts'] = (module, filename) => {
  const source = readFileSync(filename, 'utf8');
  const { outputText } = ts.transpileModule(source, { fileName: filename, compilerOptions });
  module._compile(outputText, filename);
};
