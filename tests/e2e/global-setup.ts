// Builds the extension once before the e2e project runs: `wxt build` → .output/chrome-mv3.
// Tests get the folder with inject('extensionDir'); a failed build does not stop the tests that
// need only the raw recorder (tests/e2e/recorder): they read inject('extensionBuildError') instead.
// CORSCOPE_E2E_SKIP_BUILD=1 reuses the last build.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The built extension (.output/chrome-mv3). */
    extensionDir: string;
    /** Why the build failed; "" when it worked. */
    extensionBuildError: string;
    /** The raw webRequest recorder extension. */
    recorderDir: string;
  }
}

const ROOT = resolve(import.meta.dirname, '../..');
export const EXTENSION_DIR = resolve(ROOT, '.output/chrome-mv3');
export const RECORDER_DIR = resolve(ROOT, 'tests/e2e/recorder');

export default function setup(project: TestProject): void {
  let error = '';
  if (process.env.CORSCOPE_E2E_SKIP_BUILD !== '1') {
    const started = Date.now();
    const run = spawnSync('npx', ['wxt', 'build'], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
    if (run.status !== 0) {
      const out = `${run.stdout ?? ''}\n${run.stderr ?? ''}`.trim().split('\n').slice(-30).join('\n');
      error = `wxt build failed (exit ${run.status ?? run.signal ?? run.error?.message}):\n${out}`;
      console.warn(`[e2e global-setup] ${error}`);
    } else {
      console.log(`[e2e global-setup] wxt build: ${Date.now() - started} ms`);
    }
  }
  if (!error && !existsSync(resolve(EXTENSION_DIR, 'manifest.json'))) {
    error = `no built extension at ${EXTENSION_DIR}`;
  }
  project.provide('extensionDir', EXTENSION_DIR);
  project.provide('extensionBuildError', error);
  project.provide('recorderDir', RECORDER_DIR);
}
