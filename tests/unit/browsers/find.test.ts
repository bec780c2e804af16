// The browser finder on each platform's usual installs, with a fake file system: which browser it picks, in
// what order, the version it reads, and how the extension is to be loaded.
import { describe, expect, it } from 'vitest';
import {
  describeBrowser,
  extensionLoading,
  findBrowser,
  lookedAt,
  parseVersionOutput,
  SetupError,
} from '../../../src/browsers/find';
import { fakeHost } from './fake-host';

const DEBIAN_CHROMIUM = 'Chromium 156.0.8078.114 built on Debian GNU/Linux 12 (bookworm)\n';
const LINUX_PATH = '/usr/local/bin:/usr/bin:/bin';

describe('Linux: commands on PATH, then the vendors’ /opt folders', () => {
  it("finds Debian's chromium, reads its version, loads the extension by flag", () => {
    const host = fakeHost({
      platform: 'linux',
      env: { PATH: LINUX_PATH },
      executables: { '/usr/bin/chromium': DEBIAN_CHROMIUM },
    });
    expect(findBrowser('chromium', host)).toEqual({
      engine: 'chromium',
      product: 'Chromium',
      version: '156.0.8078.114',
      path: '/usr/bin/chromium',
      extensionLoading: 'flag',
    });
  });

  it('takes the first directory of PATH that has the command', () => {
    const host = fakeHost({
      platform: 'linux',
      env: { PATH: '/home/ana/bin::/usr/bin' },
      executables: {
        '/home/ana/bin/chromium': 'Chromium 157.0.8100.2\n',
        '/usr/bin/chromium': DEBIAN_CHROMIUM,
      },
    });
    expect(findBrowser('chromium', host)?.path).toBe('/home/ana/bin/chromium');
  });

  it('prefers Chromium to Chrome, and Chrome to Edge', () => {
    const edge = { '/usr/bin/microsoft-edge': 'Microsoft Edge 140.0.3485.54\n' };
    const chrome = { '/usr/bin/google-chrome': 'Google Chrome 140.0.7339.80 \n' };
    const chromium = { '/usr/bin/chromium-browser': 'Chromium 140.0.7339.80 snap\n' };
    const on = (executables: Record<string, string>) =>
      findBrowser('chromium', fakeHost({ platform: 'linux', env: { PATH: LINUX_PATH }, executables }))?.path;
    expect(on({ ...edge, ...chrome, ...chromium })).toBe('/usr/bin/chromium-browser');
    expect(on({ ...edge, ...chrome })).toBe('/usr/bin/google-chrome');
    expect(on(edge)).toBe('/usr/bin/microsoft-edge');
  });

  it('Google Chrome 137 and later: the extension goes in through the DevTools protocol', () => {
    const host = fakeHost({
      platform: 'linux',
      env: { PATH: LINUX_PATH },
      executables: { '/usr/bin/google-chrome-stable': 'Google Chrome 140.0.7339.80 \n' },
    });
    expect(findBrowser('chromium', host)).toEqual({
      engine: 'chromium',
      product: 'Google Chrome',
      version: '140.0.7339.80',
      path: '/usr/bin/google-chrome-stable',
      extensionLoading: 'pipe',
    });
  });

  it('Google Chrome 136: still by flag', () => {
    const host = fakeHost({
      platform: 'linux',
      env: { PATH: LINUX_PATH },
      executables: { '/usr/bin/google-chrome': 'Google Chrome 136.0.7103.113 \n' },
    });
    expect(findBrowser('chromium', host)?.extensionLoading).toBe('flag');
  });

  it('Chrome and Edge in /opt when their commands are not on PATH', () => {
    const chrome = fakeHost({
      platform: 'linux',
      env: { PATH: LINUX_PATH },
      executables: {
        '/opt/google/chrome/chrome': 'Google Chrome 140.0.7339.80 \n',
        '/opt/microsoft/msedge/msedge': 'Microsoft Edge 140.0.3485.54\n',
      },
    });
    expect(findBrowser('chromium', chrome)?.path).toBe('/opt/google/chrome/chrome');
    const edge = fakeHost({
      platform: 'linux',
      env: { PATH: LINUX_PATH },
      executables: { '/opt/microsoft/msedge/msedge': 'Microsoft Edge 140.0.3485.54\n' },
    });
    expect(findBrowser('chromium', edge)).toEqual({
      engine: 'chromium',
      product: 'Microsoft Edge',
      version: '140.0.3485.54',
      path: '/opt/microsoft/msedge/msedge',
      extensionLoading: 'flag',
    });
  });

  it('a browser that prints no version: the product from its path, the version unknown', () => {
    const host = fakeHost({
      platform: 'linux',
      env: { PATH: LINUX_PATH },
      executables: { '/usr/bin/google-chrome': null },
    });
    expect(findBrowser('chromium', host)).toEqual({
      engine: 'chromium',
      product: 'Google Chrome',
      version: null,
      path: '/usr/bin/google-chrome',
      extensionLoading: 'pipe',
    });
  });

  it('Firefox ESR before Firefox', () => {
    const host = fakeHost({
      platform: 'linux',
      env: { PATH: LINUX_PATH },
      executables: {
        '/usr/bin/firefox': 'Mozilla Firefox 141.0\n',
        '/usr/bin/firefox-esr': 'Mozilla Firefox 153.8.0esr\n',
      },
    });
    expect(findBrowser('firefox', host)).toEqual({
      engine: 'firefox',
      product: 'Firefox',
      version: '153.8.0esr',
      path: '/usr/bin/firefox-esr',
      extensionLoading: 'flag',
    });
  });

  it('nothing installed: null, and what it looked at', () => {
    const host = fakeHost({ platform: 'linux', env: { PATH: LINUX_PATH } });
    expect(findBrowser('chromium', host)).toBeNull();
    expect(findBrowser('firefox', host)).toBeNull();
    expect(lookedAt('chromium', host)).toBe(
      'CORSCOPE_CHROMIUM, chromium, chromium-browser, google-chrome-stable, google-chrome, microsoft-edge-stable, microsoft-edge on PATH, /opt/google/chrome/chrome, /opt/microsoft/msedge/msedge',
    );
    expect(lookedAt('firefox', host)).toBe('CORSCOPE_FIREFOX, firefox-esr, firefox on PATH');
  });

  it('no PATH at all: only the fixed paths', () => {
    const host = fakeHost({ platform: 'linux', executables: { '/opt/google/chrome/chrome': null } });
    expect(findBrowser('chromium', host)?.path).toBe('/opt/google/chrome/chrome');
  });
});

describe('macOS: the app bundles in /Applications, then ~/Applications', () => {
  const CHROME = '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome';

  it('Google Chrome, loaded through the DevTools protocol', () => {
    const host = fakeHost({
      platform: 'darwin',
      env: { HOME: '/Users/ana', PATH: '/opt/homebrew/bin:/usr/bin' },
      executables: { [CHROME]: 'Google Chrome 140.0.7339.133 \n' },
    });
    expect(findBrowser('chromium', host)).toEqual({
      engine: 'chromium',
      product: 'Google Chrome',
      version: '140.0.7339.133',
      path: CHROME,
      extensionLoading: 'pipe',
    });
  });

  it('Chromium, then Chrome for Testing, then Chrome, then Edge; /Applications before ~/Applications', () => {
    const chromium = { '/Applications/Chromium.app/Contents/MacOS/Chromium': 'Chromium 141.0.7390.0\n' };
    const cft = {
      '/Applications/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing':
        'Google Chrome for Testing 140.0.7339.82 \n',
    };
    const chrome = { [CHROME]: 'Google Chrome 140.0.7339.133 \n' };
    const edge = {
      '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge': 'Microsoft Edge 140.0.3485.54\n',
    };
    const mine = {
      '/Users/ana/Applications/Chromium.app/Contents/MacOS/Chromium': 'Chromium 142.0.7400.0\n',
    };
    const on = (executables: Record<string, string>) =>
      findBrowser('chromium', fakeHost({ platform: 'darwin', env: { HOME: '/Users/ana' }, executables }))
        ?.product;
    expect(on({ ...edge, ...chrome, ...cft, ...chromium })).toBe('Chromium');
    expect(on({ ...edge, ...chrome, ...cft })).toBe('Google Chrome for Testing');
    expect(on({ ...edge, ...chrome })).toBe('Google Chrome');
    expect(on(edge)).toBe('Microsoft Edge');
    expect(on({ ...mine, ...edge })).toBe('Microsoft Edge');
    expect(on(mine)).toBe('Chromium');
  });

  it('Microsoft Edge keeps the flag', () => {
    const host = fakeHost({
      platform: 'darwin',
      env: { HOME: '/Users/ana' },
      executables: {
        '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge': 'Microsoft Edge 140.0.3485.54\n',
      },
    });
    expect(findBrowser('chromium', host)?.extensionLoading).toBe('flag');
  });

  it('Firefox.app', () => {
    const host = fakeHost({
      platform: 'darwin',
      env: { HOME: '/Users/ana' },
      executables: { '/Applications/Firefox.app/Contents/MacOS/firefox': 'Mozilla Firefox 140.3.0esr\n' },
    });
    expect(findBrowser('firefox', host)).toEqual({
      engine: 'firefox',
      product: 'Firefox',
      version: '140.3.0esr',
      path: '/Applications/Firefox.app/Contents/MacOS/firefox',
      extensionLoading: 'flag',
    });
  });

  it('what it looked at', () => {
    const host = fakeHost({ platform: 'darwin', env: { HOME: '/Users/ana' } });
    expect(findBrowser('chromium', host)).toBeNull();
    expect(lookedAt('chromium', host)).toBe(
      [
        'CORSCOPE_CHROMIUM',
        '/Applications/Chromium.app/Contents/MacOS/Chromium',
        '/Applications/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing',
        '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
        '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
        '/Users/ana/Applications/Chromium.app/Contents/MacOS/Chromium',
        '/Users/ana/Applications/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing',
        '/Users/ana/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
        '/Users/ana/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
      ].join(', '),
    );
    expect(lookedAt('firefox', host)).toBe(
      'CORSCOPE_FIREFOX, /Applications/Firefox.app/Contents/MacOS/firefox, /Users/ana/Applications/Firefox.app/Contents/MacOS/firefox',
    );
  });
});

describe('Windows: Program Files, Program Files (x86) and LOCALAPPDATA; the version from the install folder', () => {
  const env = {
    LOCALAPPDATA: 'C:\\Users\\ana\\AppData\\Local',
    ProgramFiles: 'C:\\Program Files',
    'ProgramFiles(x86)': 'C:\\Program Files (x86)',
    Path: 'C:\\Windows\\system32;C:\\Windows',
  };

  it('Google Chrome: the newest version folder beside chrome.exe; never runs it (it would open a window)', () => {
    const host = fakeHost({
      platform: 'win32',
      env,
      executables: { 'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe': 'never asked' },
      dirs: {
        'C:\\Program Files\\Google\\Chrome\\Application': [
          '139.0.7258.155',
          '140.0.7339.81',
          '99.0.4844.51',
          'chrome.exe',
          'chrome_proxy.exe',
          'SetupMetrics',
        ],
      },
    });
    expect(findBrowser('chromium', host)).toEqual({
      engine: 'chromium',
      product: 'Google Chrome',
      version: '140.0.7339.81',
      path: 'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
      extensionLoading: 'pipe',
    });
    expect(host.versionAsked).toEqual([]);
  });

  it('Microsoft Edge in Program Files (x86), by flag', () => {
    const host = fakeHost({
      platform: 'win32',
      env,
      executables: { 'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe': null },
      dirs: { 'C:\\Program Files (x86)\\Microsoft\\Edge\\Application': ['140.0.3485.54', 'msedge.exe'] },
    });
    expect(findBrowser('chromium', host)).toEqual({
      engine: 'chromium',
      product: 'Microsoft Edge',
      version: '140.0.3485.54',
      path: 'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe',
      extensionLoading: 'flag',
    });
  });

  it('Chromium in LOCALAPPDATA comes before Chrome and Edge', () => {
    const host = fakeHost({
      platform: 'win32',
      env,
      executables: {
        'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe': null,
        'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe': null,
        'C:\\Users\\ana\\AppData\\Local\\Chromium\\Application\\chrome.exe': null,
      },
    });
    expect(findBrowser('chromium', host)).toEqual({
      engine: 'chromium',
      product: 'Chromium',
      version: null,
      path: 'C:\\Users\\ana\\AppData\\Local\\Chromium\\Application\\chrome.exe',
      extensionLoading: 'flag',
    });
  });

  it('Firefox: the version from its application.ini; environment names in any case', () => {
    const host = fakeHost({
      platform: 'win32',
      env: { PROGRAMFILES: 'C:\\Program Files' },
      executables: { 'C:\\Program Files\\Mozilla Firefox\\firefox.exe': null },
      texts: {
        'C:\\Program Files\\Mozilla Firefox\\application.ini':
          '[App]\r\nVendor=Mozilla\r\nName=Firefox\r\nVersion=140.3.0\r\nBuildID=20250908131423\r\n',
      },
    });
    expect(findBrowser('firefox', host)).toEqual({
      engine: 'firefox',
      product: 'Firefox',
      version: '140.3.0',
      path: 'C:\\Program Files\\Mozilla Firefox\\firefox.exe',
      extensionLoading: 'flag',
    });
  });

  it('what it looked at', () => {
    const host = fakeHost({ platform: 'win32', env });
    expect(findBrowser('chromium', host)).toBeNull();
    expect(lookedAt('chromium', host)).toBe(
      [
        'CORSCOPE_CHROMIUM',
        'C:\\Users\\ana\\AppData\\Local\\Chromium\\Application\\chrome.exe',
        'C:\\Program Files\\Chromium\\Application\\chrome.exe',
        'C:\\Program Files (x86)\\Chromium\\Application\\chrome.exe',
        'C:\\Users\\ana\\AppData\\Local\\Google\\Chrome\\Application\\chrome.exe',
        'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
        'C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe',
        'C:\\Users\\ana\\AppData\\Local\\Microsoft\\Edge\\Application\\msedge.exe',
        'C:\\Program Files\\Microsoft\\Edge\\Application\\msedge.exe',
        'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe',
      ].join(', '),
    );
    expect(lookedAt('firefox', host)).toBe(
      'CORSCOPE_FIREFOX, C:\\Program Files\\Mozilla Firefox\\firefox.exe, C:\\Program Files (x86)\\Mozilla Firefox\\firefox.exe, C:\\Users\\ana\\AppData\\Local\\Mozilla Firefox\\firefox.exe',
    );
  });
});

describe('CORSCOPE_CHROMIUM and CORSCOPE_FIREFOX', () => {
  const installed = {
    '/usr/bin/chromium': DEBIAN_CHROMIUM,
    '/usr/bin/firefox-esr': 'Mozilla Firefox 153.8.0esr\n',
  };

  it('a path: taken before any usual install', () => {
    const host = fakeHost({
      platform: 'linux',
      env: { PATH: LINUX_PATH, CORSCOPE_CHROMIUM: '/srv/cft/chrome-linux64/chrome' },
      executables: {
        ...installed,
        '/srv/cft/chrome-linux64/chrome': 'Google Chrome for Testing 140.0.7339.82 \n',
      },
    });
    expect(findBrowser('chromium', host)).toEqual({
      engine: 'chromium',
      product: 'Google Chrome for Testing',
      version: '140.0.7339.82',
      path: '/srv/cft/chrome-linux64/chrome',
      extensionLoading: 'flag',
    });
  });

  it('a command name: looked up on PATH', () => {
    const host = fakeHost({
      platform: 'linux',
      env: { PATH: LINUX_PATH, CORSCOPE_FIREFOX: 'firefox' },
      executables: { ...installed, '/usr/local/bin/firefox': 'Mozilla Firefox 141.0\n' },
    });
    expect(findBrowser('firefox', host)?.path).toBe('/usr/local/bin/firefox');
  });

  it('naming nothing: an error that says so, not another browser', () => {
    const host = fakeHost({
      platform: 'linux',
      env: { PATH: LINUX_PATH, CORSCOPE_CHROMIUM: '/opt/chrome-dev/chrome' },
      executables: installed,
    });
    expect(() => findBrowser('chromium', host)).toThrow(
      new SetupError('CORSCOPE_CHROMIUM is set to /opt/chrome-dev/chrome, which is not an executable file.'),
    );
  });

  it('empty: as if unset', () => {
    const host = fakeHost({
      platform: 'linux',
      env: { PATH: LINUX_PATH, CORSCOPE_CHROMIUM: '' },
      executables: installed,
    });
    expect(findBrowser('chromium', host)?.path).toBe('/usr/bin/chromium');
  });

  it('on Windows, chrome.exe by name on PATH', () => {
    const host = fakeHost({
      platform: 'win32',
      env: { Path: 'C:\\Windows;D:\\tools\\chrome-win64', CORSCOPE_CHROMIUM: 'chrome' },
      executables: { 'D:\\tools\\chrome-win64\\chrome.exe': null },
      dirs: { 'D:\\tools\\chrome-win64': ['chrome.exe', '140.0.7339.82'] },
    });
    expect(findBrowser('chromium', host)).toEqual({
      engine: 'chromium',
      product: 'Chromium',
      version: '140.0.7339.82',
      path: 'D:\\tools\\chrome-win64\\chrome.exe',
      extensionLoading: 'flag',
    });
  });
});

describe('how the extension is loaded', () => {
  it.each([
    ['Google Chrome', '136.0.7103.113', 'flag'],
    ['Google Chrome', '137.0.7151.55', 'pipe'],
    ['Google Chrome', '140.0.7339.80', 'pipe'],
    ['Google Chrome', null, 'pipe'],
    ['Google Chrome for Testing', '140.0.7339.82', 'flag'],
    ['Chromium', '156.0.8078.114', 'flag'],
    ['Microsoft Edge', '140.0.3485.54', 'flag'],
  ] as const)('%s %s: %s', (product, version, loading) => {
    expect(extensionLoading(product, version)).toBe(loading);
  });
});

describe('what --version prints', () => {
  it.each([
    [DEBIAN_CHROMIUM, 'Chromium', '156.0.8078.114'],
    ['Google Chrome 140.0.7339.80 \n', 'Google Chrome', '140.0.7339.80'],
    ['Google Chrome 141.0.7390.7 beta\n', 'Google Chrome', '141.0.7390.7'],
    ['Google Chrome for Testing 140.0.7339.82 \n', 'Google Chrome for Testing', '140.0.7339.82'],
    ['Microsoft Edge 140.0.3485.54\n', 'Microsoft Edge', '140.0.3485.54'],
    ['Mozilla Firefox 153.8.0esr\n', 'Firefox', '153.8.0esr'],
    ['Brave Browser 140.1.82.166\n', null, '140.1.82.166'],
  ] as const)('%j', (text, product, version) => {
    expect(parseVersionOutput(text)).toEqual({ product, version });
  });
});

describe('the line that says which browser runs', () => {
  it('by flag', () => {
    expect(
      describeBrowser({
        engine: 'chromium',
        product: 'Chromium',
        version: '156.0.8078.114',
        path: '/usr/bin/chromium',
        extensionLoading: 'flag',
      }),
    ).toBe('Chromium 156.0.8078.114 at /usr/bin/chromium');
  });

  it('through the DevTools protocol', () => {
    expect(
      describeBrowser({
        engine: 'chromium',
        product: 'Google Chrome',
        version: '140.0.7339.80',
        path: '/opt/google/chrome/chrome',
        extensionLoading: 'pipe',
      }),
    ).toBe(
      'Google Chrome 140.0.7339.80 at /opt/google/chrome/chrome; CORScope is loaded through the DevTools protocol (Google Chrome ignores --load-extension since 137)',
    );
  });

  it('version unknown', () => {
    expect(
      describeBrowser({
        engine: 'firefox',
        product: 'Firefox',
        version: null,
        path: 'C:\\Program Files\\Mozilla Firefox\\firefox.exe',
        extensionLoading: 'flag',
      }),
    ).toBe('Firefox (version unknown) at C:\\Program Files\\Mozilla Firefox\\firefox.exe');
  });
});
