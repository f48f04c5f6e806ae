// The ESM build of every public package, shared by their tsup.config.mjs files. The CommonJS build and its .d.ts types
// come from `tsc -b` (dist/*.js, unchanged); tsup (esbuild for the code, rollup-plugin-dts for the types) adds
// dist/esm/*.mjs and *.d.mts. Entries of one package share chunks, so `@kcl/core` and `@kcl/core/testing` imported as
// ESM use one copy of every class. Dependencies and peer dependencies stay external (tsup reads them from the
// package.json), so a backend's ESM build imports '@kcl/core' and gets core's ESM build.
import { defineConfig } from 'tsup';

/** @param {Record<string, string>} entry output name (under dist/esm) -> source file */
export function esmBuild(entry) {
  return defineConfig({
    entry,
    outDir: 'dist/esm',
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    splitting: true,
    // Class names stay as written (errors set `name` from `new.target.name`; bundling may otherwise rename them).
    keepNames: true,
    // `__dirname` / `__filename` in sources get their ESM equivalents (from import.meta.url).
    shims: true,
    sourcemap: true,
    dts: { compilerOptions: { composite: false, incremental: false } },
    clean: true,
  });
}
