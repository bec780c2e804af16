#!/usr/bin/env node
// `node bin/browsers.js demo|test|bench`: finds the browsers (and, for the tests, Xvfb, ImageMagick and the
// servers whose CORS snippets they prove) that the command needs and says which it will use; on Debian or
// Ubuntu as root installs what is missing, saying what first; elsewhere stops with the command to run.
// `npm test` runs it first (pretest), and so does `.ci/run` through `npm test`.
import { register } from 'tsx/esm/api';

register();
const { ensureBrowsers } = await import('../src/browsers/node-system.ts');
const purpose = process.argv[2] ?? 'test';
if (!['demo', 'test', 'bench'].includes(purpose)) {
  console.error('usage: node bin/browsers.js demo|test|bench');
  process.exit(2);
}
try {
  ensureBrowsers(purpose, (l) => console.log(l));
} catch (e) {
  console.error(`corscope: ${e instanceof Error ? e.message : e}`);
  process.exitCode = 1;
}
