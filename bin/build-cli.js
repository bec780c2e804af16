#!/usr/bin/env node
// Builds the command line (src/cli, TypeScript) into one JavaScript file, dist/corscope.js, with esbuild: what
// bin/corscope.js runs, in the npm package and in a checkout. Everything it imports (tldts included) is in
// that file, so the package has no runtime dependency. Part of `npm run build` and `npm ci` (prepare).
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

const ROOT = join(import.meta.dirname, '..');
export const CLI_ENTRY = join(ROOT, 'src/cli/main.ts');
export const CLI_OUT = join(ROOT, 'dist/corscope.js');

/** Builds dist/corscope.js. Written whole, then renamed: a command line started meanwhile reads the old file or the new. */
export async function buildCli() {
  const result = await build({
    entryPoints: [CLI_ENTRY],
    bundle: true,
    platform: 'node',
    mainFields: ['module', 'main'],
    format: 'esm',
    target: 'node20',
    write: false,
    outfile: CLI_OUT,
    legalComments: 'eof',
    logLevel: 'warning',
  });
  const [out] = result.outputFiles;
  mkdirSync(dirname(CLI_OUT), { recursive: true });
  const tmp = `${CLI_OUT}.${process.pid}.tmp`;
  writeFileSync(tmp, out.contents);
  renameSync(tmp, CLI_OUT);
}

if (process.argv[1] === import.meta.filename) await buildCli();
