#!/usr/bin/env node
// Runs the TypeScript command line directly (tsx), so `npx corscope` works right after `npm ci`.
import { register } from 'tsx/esm/api';

register();
// A closed pipe (`corscope evaluate big.jsonl | head`) ends the output, not the program with a stack trace.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
