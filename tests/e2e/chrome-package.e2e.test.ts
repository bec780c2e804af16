// The Chrome package (`wxt zip` → .output/<name>-<version>-chrome.zip) as the Chrome Web Store takes it: the
// checks the store makes on upload that can be made offline. A manifest that parses with a version of one to
// four numbers, a name of at most 75 characters and a description of at most 132, the icons it names present
// as PNGs of their size (128 px for the store's listing), the files it names in the package, and no permission
// that the code does not use (the store's review rejects a package that asks for more than it needs).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { unzip } from './harness/zip';

interface Manifest {
  manifest_version: number;
  name: string;
  version: string;
  description: string;
  icons: Record<string, string>;
  permissions: string[];
  host_permissions: string[];
  action: { default_icon: Record<string, string>; default_popup: string };
  background: { service_worker: string };
  devtools_page: string;
  content_scripts?: unknown[];
}

/** What each permission unlocks, as the code reaches it (`browser.webRequest`, `browser.storage.session`). */
const USED_BY: Record<string, RegExp> = {
  webRequest: /\.webRequest\b/,
  storage: /\.storage\.(?:local|session|sync)\b/,
};

/** A PNG's width and height, from its header (IHDR); null when the bytes are not a PNG. */
function pngSize(bytes: Buffer): { width: number; height: number } | null {
  const signature = '89504e470d0a1a0a';
  if (bytes.subarray(0, 8).toString('hex') !== signature || bytes.toString('latin1', 12, 16) !== 'IHDR')
    return null;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('the Chrome package (wxt zip)', () => {
  let dir = '';
  let files: string[] = [];
  let m: Manifest;
  beforeAll(() => {
    const error = inject('extensionBuildError');
    if (error) throw new Error(error);
    dir = mkdtempSync(join(tmpdir(), 'corscope-crx-'));
    files = unzip(inject('chromeZip'), dir);
    m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('has a manifest the store reads: MV3, a version, a name of at most 75 and a description of at most 132 characters', () => {
    expect(m.manifest_version).toBe(3);
    expect(m.version).toMatch(/^\d+(\.\d+){0,3}$/);
    expect(m.name).toBe('CORScope');
    expect(m.description.length).toBeGreaterThan(0);
    expect(m.description.length).toBeLessThanOrEqual(132);
  });

  it('holds its icons, 16, 32, 48 and 128 px, as PNGs of their size, for the extension and the toolbar button', () => {
    const expected = { 16: 'icons/16.png', 32: 'icons/32.png', 48: 'icons/48.png', 128: 'icons/128.png' };
    expect(m.icons).toEqual(expected);
    expect(m.action.default_icon).toEqual(expected);
    for (const [size, path] of Object.entries(m.icons)) {
      expect(files).toContain(path);
      expect(pngSize(readFileSync(join(dir, path))), path).toEqual({
        width: Number(size),
        height: Number(size),
      });
    }
  });

  it('holds every file the manifest names', () => {
    for (const f of [m.background.service_worker, m.devtools_page, m.action.default_popup])
      expect(files).toContain(f);
  });

  it('asks for no permission its code does not use', () => {
    const code = readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('\n');
    expect([...m.permissions].sort()).toEqual(['storage', 'webRequest']);
    for (const p of m.permissions) {
      expect(USED_BY[p], `no known use for the permission "${p}": say which API needs it`).toBeDefined();
      expect(USED_BY[p]!.test(code), `the permission "${p}" is not used`).toBe(true);
    }
    // The host permission is what webRequest needs to see every site's calls: there is no content script.
    expect(m.host_permissions).toEqual(['<all_urls>']);
    expect(m.content_scripts).toBeUndefined();
  });
});
