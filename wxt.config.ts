import { join } from 'node:path';
import preact from '@preact/preset-vite';
import { defineConfig, type UserManifest } from 'wxt';
import { ICON_SIZES, ICONS, renderIcons } from './assets/icons';

/** The add-on's id in Firefox (browser_specific_settings.gecko.id); the Firefox e2e tests pin its UUID by it. */
export const GECKO_ID = 'corscope@corscope.dev';

// Entrypoints live in extension/, everything else in src/ (README.md, "Layout").
export default defineConfig({
  entrypointsDir: 'extension',
  imports: false,
  modules: ['@wxt-dev/webextension-polyfill'],
  vite: () => ({ plugins: [preact()] }),
  // Firefox's sources zip (what AMO reviewers rebuild the add-on from): the code and the build, not the tests.
  zip: { excludeSources: ['tests/**', 'docs/**', 'dist/**', 'bench-results.json'] },
  manifest: ({ browser, manifestVersion }) => ({
    name: 'CORScope',
    description: 'Explains every cross-origin call a tab makes: allowed or blocked, why, and the exact fix.',
    permissions: ['webRequest', 'storage'],
    host_permissions: ['<all_urls>'],
    icons: ICONS,
    // The toolbar button (the popup's): `action` in MV3, `browser_action` in Firefox's MV2.
    [manifestVersion === 3 ? 'action' : 'browser_action']: { default_icon: ICONS },
    ...(browser === 'firefox' ? firefoxManifest() : {}),
  }),
  hooks: {
    // The icons are drawn from assets/icon.svg at each build, into .wxt/icons, and copied as icons/SIZE.png.
    'build:publicAssets': async (wxt, files) => {
      const drawn = await renderIcons(wxt.config.root, join(wxt.config.wxtDir, 'icons'));
      for (const size of ICON_SIZES) files.push({ absoluteSrc: drawn[size], relativeDest: ICONS[size] });
    },
  },
});

/**
 * Firefox: a fixed add-on id, and the data-collection declaration AMO asks for. CORScope collects nothing:
 * what it captures stays in the browser's IndexedDB and leaves only in files the user exports.
 * 140 is the first ESR that knows data_collection_permissions (and has storage.session in MV2).
 */
function firefoxManifest(): UserManifest {
  const gecko = {
    id: GECKO_ID,
    strict_min_version: '140.0',
    data_collection_permissions: { required: ['none'] },
  };
  // data_collection_permissions is not in WXT's manifest type yet.
  return { browser_specific_settings: { gecko } as UserManifest['browser_specific_settings'] };
}
