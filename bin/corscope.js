#!/usr/bin/env node
// The command line: runs dist/corscope.js, the JavaScript bin/build-cli.js makes from src/cli. In a checkout
// (src/ beside bin/) it first builds dist/ when a file is missing or older than a source file, so `npx
// corscope` runs the code as it is right after `npm ci` and after an edit; the npm package ships the built files.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUILT = ['dist/net.js', 'dist/corscope.js'].map((f) => join(ROOT, f));

/** Whether a checkout's dist/ is missing a file or older than src/ or package.json. */
function stale() {
  if (!BUILT.every((f) => existsSync(f))) return true;
  const built = Math.min(...BUILT.map((f) => statSync(f).mtimeMs));
  if (statSync(join(ROOT, 'package.json')).mtimeMs > built) return true;
  const src = join(ROOT, 'src');
  for (const f of readdirSync(src, { recursive: true }))
    if (statSync(join(src, f)).mtimeMs > built) return true;
  return false;
}

if (existsSync(join(ROOT, 'src/cli/main.ts')) && stale()) await (await import('./build-cli.js')).buildCli();

// A closed pipe (`corscope evaluate big.jsonl | head`) ends the output, not the program with a stack trace.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});
const { main } = await import('../dist/corscope.js');
process.exitCode = await main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
