#!/usr/bin/env node
// `npm start`: the demo. --headless forces headless mode; --no-build reuses .output/chrome-mv3.
import { register } from 'tsx/esm/api';

register();
const { runDemo } = await import('../src/demo/main.ts');
const args = process.argv.slice(2);
const headless = args.includes('--headless') || !process.env.DISPLAY;
try {
  await runDemo({
    headless,
    build: !args.includes('--no-build'),
    outDir: process.cwd(),
    log: (l) => console.log(l),
  });
} catch (e) {
  console.error(`corscope demo: ${e instanceof Error ? e.message : e}`);
  process.exitCode = 1;
}
