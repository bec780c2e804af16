// Builds the extension once before the e2e project runs: `wxt zip` → .output/chrome-mv3 and the Chrome package
// (.output/*-chrome.zip), and `wxt zip -b firefox` → .output/firefox-mv2 and the Firefox package
// (.output/*-firefox.zip).
// Tests get the folders with inject('extensionDir') and inject('firefoxExtensionDir'); a failed build does
// not stop the tests that need only the raw recorder (tests/e2e/recorder): they read
// inject('extensionBuildError') (inject('firefoxBuildError')) instead.
// CORSCOPE_E2E_SKIP_BUILD=1 reuses the last build. It also says which browsers the tests run in (the finder's
// choice, src/browsers), and stops at once with the command to install one when there is none (`npm test`
// installs them first on Debian or Ubuntu as root: bin/browsers.js).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { describeBrowser } from '../../src/browsers/find';
import { requireBrowser } from '../../src/browsers/node-system';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The built extension (.output/chrome-mv3). */
    extensionDir: string;
    /** Why the build failed; "" when it worked. */
    extensionBuildError: string;
    /** The Chrome package wxt zip made (.output/<name>-<version>-chrome.zip); "" if none. */
    chromeZip: string;
    /** The raw webRequest recorder extension. */
    recorderDir: string;
    /** The built Firefox add-on (.output/firefox-mv2). */
    firefoxExtensionDir: string;
    /** The Firefox package wxt zip made (.output/<name>-<version>-firefox.zip); "" if none. */
    firefoxZip: string;
    /** Why the Firefox build or zip failed; "" when it worked. */
    firefoxBuildError: string;
  }
}

const ROOT = resolve(import.meta.dirname, '../..');
export const EXTENSION_DIR = resolve(ROOT, '.output/chrome-mv3');
export const RECORDER_DIR = resolve(ROOT, 'tests/e2e/recorder');
export const FIREFOX_DIR = resolve(ROOT, '.output/firefox-mv2');

function wxt(args: string[]): string {
  const started = Date.now();
  const run = spawnSync('npx', ['wxt', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  if (run.status !== 0) {
    const out = `${run.stdout ?? ''}\n${run.stderr ?? ''}`.trim().split('\n').slice(-30).join('\n');
    const error = `wxt ${args.join(' ')} failed (exit ${run.status ?? run.signal ?? run.error?.message}):\n${out}`;
    console.warn(`[e2e global-setup] ${error}`);
    return error;
  }
  console.log(`[e2e global-setup] wxt ${args.join(' ')}: ${Date.now() - started} ms`);
  return '';
}

/** The package wxt zip writes: .output/<name>-<version>-<browser>.zip (wxt's default artifact template). */
function packageZip(browser: 'chrome' | 'firefox'): string {
  const { name, version } = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
  };
  const zip = resolve(ROOT, '.output', `${name}-${version}-${browser}.zip`);
  return existsSync(zip) ? zip : '';
}

export default function setup(project: TestProject): void {
  for (const engine of ['chromium', 'firefox'] as const)
    console.log(`[e2e global-setup] ${describeBrowser(requireBrowser(engine))}`);
  let error = '';
  let firefoxError = '';
  if (process.env.CORSCOPE_E2E_SKIP_BUILD !== '1') {
    error = wxt(['zip']);
    firefoxError = wxt(['zip', '-b', 'firefox']);
  }
  if (!error && !existsSync(resolve(EXTENSION_DIR, 'manifest.json'))) {
    error = `no built extension at ${EXTENSION_DIR}`;
  }
  if (!firefoxError && !existsSync(resolve(FIREFOX_DIR, 'manifest.json'))) {
    firefoxError = `no built Firefox add-on at ${FIREFOX_DIR}`;
  }
  if (!error && !packageZip('chrome')) error = 'wxt zip left no .output/<name>-<version>-chrome.zip';
  if (!firefoxError && !packageZip('firefox'))
    firefoxError = 'wxt zip -b firefox left no .output/<name>-<version>-firefox.zip';
  project.provide('extensionDir', EXTENSION_DIR);
  project.provide('extensionBuildError', error);
  project.provide('chromeZip', packageZip('chrome'));
  project.provide('recorderDir', RECORDER_DIR);
  project.provide('firefoxExtensionDir', FIREFOX_DIR);
  project.provide('firefoxZip', packageZip('firefox'));
  project.provide('firefoxBuildError', firefoxError);
}
