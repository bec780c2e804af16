#!/usr/bin/env node
// `npm start`: the demo. --headless forces headless mode; --no-build reuses .output/chrome-mv3.
import { register } from 'tsx/esm/api';

register();
const { ensureBrowsers } = await import('../src/browsers/node-system.ts');
const { runDemo } = await import('../src/demo/main.ts');
const args = process.argv.slice(2);
// A Linux or BSD desktop says where its display is; macOS and Windows always have one.
const hasDisplay =
  process.platform === 'darwin' ||
  process.platform === 'win32' ||
  !!(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
const log = (l) => console.log(l);
try {
  const { chromium } = ensureBrowsers('demo', log);
  await runDemo({
    browser: chromium,
    headless: args.includes('--headless') || !hasDisplay,
    build: !args.includes('--no-build'),
    outDir: process.cwd(),
    log,
  });
} catch (e) {
  console.error(`corscope demo: ${e instanceof Error ? e.message : e}`);
  process.exitCode = 1;
}
