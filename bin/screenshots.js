#!/usr/bin/env node
// `npm run screenshots`: takes the README's pictures again, into docs/screenshots, by running the two demo tests
// that take them (tests/e2e/demo.e2e.test.ts and demo-headed.e2e.test.ts) with CORSCOPE_SCREENSHOTS set; `npm
// test` runs the same tests and writes the pictures to a temporary folder.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const run = spawnSync(
  process.execPath,
  [
    join(ROOT, 'node_modules/vitest/vitest.mjs'),
    'run',
    '--project',
    'e2e',
    'tests/e2e/demo.e2e.test.ts',
    'tests/e2e/demo-headed.e2e.test.ts',
  ],
  {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, CORSCOPE_SCREENSHOTS: join(ROOT, 'docs/screenshots') },
  },
);
process.exitCode = run.status ?? 1;
