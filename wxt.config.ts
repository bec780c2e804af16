import preact from '@preact/preset-vite';
import { defineConfig } from 'wxt';

// See ../shared/DESIGN.md: entrypoints live in extension/, everything else in src/.
export default defineConfig({
  entrypointsDir: 'extension',
  imports: false,
  modules: ['@wxt-dev/webextension-polyfill'],
  vite: () => ({ plugins: [preact()] }),
  manifest: {
    name: 'CORScope',
    description: 'Explains every cross-origin call a tab makes: allowed or blocked, why, and the exact fix.',
    permissions: ['webRequest', 'storage'],
    host_permissions: ['<all_urls>'],
  },
});
