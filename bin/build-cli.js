#!/usr/bin/env node
// Builds the command line (src/cli, TypeScript) into JavaScript with esbuild: dist/corscope.js, and dist/net.js,
// the commands that call servers, which corscope.js loads only for them (so `corscope evaluate` and `har` start
// without their code). What bin/corscope.js runs, in the npm package and in a checkout. Everything they import
// (tldts included) is in those files, so the package has no runtime dependency. Part of `npm run build` and
// of `npm ci` and `npm pack` (prepare).
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const ROOT = join(import.meta.dirname, '..');
const DIST = join(ROOT, 'dist');
/** The files the build writes, the one bin/corscope.js starts last. */
export const CLI_FILES = ['net.js', 'corscope.js'];

/** main.ts's `import('./net')` stays an import, of the separately built dist/net.js. */
const netApart = {
  name: 'net-apart',
  setup(b) {
    b.onResolve({ filter: /^\.\/net$/ }, (args) =>
      args.importer.endsWith(join('src', 'cli', 'main.ts'))
        ? { path: './net.js', external: true }
        : undefined,
    );
  },
};

/** Builds dist/. Each file is written whole, then renamed: a command line started meanwhile reads the old or the new. */
export async function buildCli() {
  const result = await build({
    entryPoints: { corscope: join(ROOT, 'src/cli/main.ts'), net: join(ROOT, 'src/cli/net.ts') },
    bundle: true,
    platform: 'node',
    mainFields: ['module', 'main'],
    format: 'esm',
    target: 'node20',
    write: false,
    outdir: DIST,
    plugins: [netApart],
    legalComments: 'eof',
    logLevel: 'warning',
  });
  mkdirSync(DIST, { recursive: true });
  for (const name of CLI_FILES) {
    const out = result.outputFiles.find((f) => f.path === join(DIST, name));
    const tmp = join(DIST, `.${name}.${process.pid}.tmp`);
    writeFileSync(tmp, out.contents);
    renameSync(tmp, join(DIST, name));
  }
}

if (process.argv[1] === import.meta.filename) await buildCli();
