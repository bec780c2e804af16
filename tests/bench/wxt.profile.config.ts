// `wxt build -c tests/bench/wxt.profile.config.ts`: the same extension, not minified, into a scratch folder,
// so a CPU profile of its service worker names CORScope's own functions. Only the capture bench uses it.
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { defineConfig } from 'wxt';
import base from '../../wxt.config';

const PROFILE_OUT_DIR =
  process.env.CORSCOPE_PROFILE_OUT_DIR ?? join(tmpdir(), 'corscope-bench-profile-build');

export default defineConfig({
  ...base,
  root: resolve(import.meta.dirname, '../..'),
  outDir: PROFILE_OUT_DIR,
  vite: async (env) => {
    const config = (await base.vite?.(env)) ?? {};
    return { ...config, build: { ...config.build, minify: false } };
  },
});
