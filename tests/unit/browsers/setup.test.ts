// What `npm start`, `npm test` and `npm run bench` do when the machine lacks a browser: install Debian's or
// Ubuntu's packages as root (saying what first), else stop with the exact command for that system.
import { describe, expect, it } from 'vitest';
import { SetupError } from '../../../src/browsers/find';
import {
  ensureSetup,
  missingMessage,
  needsOf,
  osReleaseFields,
  RS_CORS_SOURCE,
  type SetupIO,
  setupPlan,
} from '../../../src/browsers/setup';
import { ARCH, DEBIAN_12, FEDORA_42, fakeHost, ROCKY_9, UBUNTU_24, VOID } from './fake-host';

const PATH = '/usr/local/bin:/usr/bin:/bin';
const CHROMIUM = 'Chromium 156.0.8078.114 built on Debian GNU/Linux 12 (bookworm)\n';
const FIREFOX = 'Mozilla Firefox 153.8.0esr\n';

describe('what each command needs', () => {
  it.each([
    ['demo', 'linux', ['chromium']],
    ['test', 'linux', ['chromium', 'firefox', 'xvfb', 'imagemagick', 'nginx', 'apache', 'caddy', 'go']],
    ['test', 'darwin', ['chromium', 'firefox']],
    ['test', 'win32', ['chromium', 'firefox']],
    ['bench', 'linux', ['chromium', 'firefox']],
  ] as const)('%s on %s', (purpose, platform, needs) => {
    expect(needsOf(purpose, platform)).toEqual(needs);
  });
});

describe('os-release', () => {
  it('reads quoted and bare values', () => {
    expect(osReleaseFields(ROCKY_9)).toEqual({
      NAME: 'Rocky Linux',
      ID: 'rocky',
      ID_LIKE: 'rhel centos fedora',
      VERSION_ID: '9.5',
    });
  });
});

describe('the plan for each system', () => {
  const all = ['chromium', 'firefox', 'xvfb', 'imagemagick'] as const;
  const linux = (osRelease: string, isRoot = false) => fakeHost({ platform: 'linux', osRelease, isRoot });

  it('Debian as root: apt-get, run here', () => {
    expect(setupPlan([...all], linux(DEBIAN_12, true))).toEqual({
      packages: ['chromium', 'firefox-esr', 'xvfb', 'imagemagick'],
      commands: ['apt-get update && apt-get install -y chromium firefox-esr xvfb imagemagick'],
      install: [
        ['apt-get', 'update', '-qq'],
        ['apt-get', 'install', '-y', '-qq', 'chromium', 'firefox-esr', 'xvfb', 'imagemagick'],
      ],
    });
  });

  it('Debian as a user: the command with sudo, nothing run', () => {
    expect(setupPlan(['chromium'], linux(DEBIAN_12))).toEqual({
      packages: ['chromium'],
      commands: ['sudo apt-get update && sudo apt-get install -y chromium'],
      install: null,
    });
  });

  it("Ubuntu as root: Ubuntu's package names, run here", () => {
    expect(setupPlan(['chromium', 'firefox'], linux(UBUNTU_24, true))).toEqual({
      packages: ['chromium-browser', 'firefox'],
      commands: ['apt-get update && apt-get install -y chromium-browser firefox'],
      install: [
        ['apt-get', 'update', '-qq'],
        ['apt-get', 'install', '-y', '-qq', 'chromium-browser', 'firefox'],
      ],
    });
  });

  it('Fedora and its kin: dnf, never run here', () => {
    const fedora = {
      packages: ['chromium', 'firefox', 'xorg-x11-server-Xvfb', 'ImageMagick'],
      commands: ['sudo dnf install -y chromium firefox xorg-x11-server-Xvfb ImageMagick'],
      install: null,
    };
    expect(setupPlan([...all], linux(FEDORA_42))).toEqual(fedora);
    expect(setupPlan([...all], linux(ROCKY_9))).toEqual(fedora);
    expect(setupPlan(['chromium'], linux(FEDORA_42, true))).toEqual({
      packages: ['chromium'],
      commands: ['dnf install -y chromium'],
      install: null,
    });
  });

  it('Arch: pacman', () => {
    expect(setupPlan([...all], linux(ARCH))).toEqual({
      packages: ['chromium', 'firefox', 'xorg-server-xvfb', 'imagemagick'],
      commands: ['sudo pacman -S --needed chromium firefox xorg-server-xvfb imagemagick'],
      install: null,
    });
  });

  it('macOS: Homebrew casks', () => {
    expect(setupPlan(['chromium', 'firefox'], fakeHost({ platform: 'darwin' }))).toEqual({
      packages: ['google-chrome', 'firefox'],
      commands: ['brew install --cask google-chrome firefox'],
      install: null,
    });
  });

  it('Windows: winget, one line per package', () => {
    expect(setupPlan(['chromium', 'firefox'], fakeHost({ platform: 'win32' }))).toEqual({
      packages: ['Google.Chrome', 'Mozilla.Firefox'],
      commands: ['winget install -e --id Google.Chrome', 'winget install -e --id Mozilla.Firefox'],
      install: null,
    });
  });

  it('a system with no command known here: none', () => {
    expect(setupPlan(['chromium'], linux(VOID, true))).toEqual({ packages: [], commands: [], install: null });
    expect(setupPlan(['chromium'], fakeHost({ platform: 'freebsd' }))).toEqual({
      packages: [],
      commands: [],
      install: null,
    });
  });
});

describe('the message when nothing is found', () => {
  it('npm test on Fedora, Apache and Go missing: dnf for what it packages, Debian for the rest', () => {
    const host = fakeHost({ platform: 'linux', osRelease: FEDORA_42 });
    expect(missingMessage('test', ['nginx', 'apache', 'go'], host)).toBe(
      [
        'npm test needs nginx (the tests prove its CORS snippet on a real server), Apache (the same, for its snippet) and Go and the rs/cors package (the same, for the Go snippet), and none of them was found.',
        'Install with:',
        '  sudo dnf install -y nginx',
        "Apache and Go with rs/cors: the tests use Debian's packages (apache2 golang-go golang-github-rs-cors-dev), with no equivalent packaged here: run the tests on Debian or Ubuntu.",
      ].join('\n'),
    );
  });

  it('npm start on macOS', () => {
    const host = fakeHost({ platform: 'darwin', env: { HOME: '/Users/ana' } });
    expect(missingMessage('demo', ['chromium'], host)).toBe(
      [
        'npm start needs a Chromium-family browser (Chromium, Google Chrome or Microsoft Edge), and none was found.',
        'Looked at: CORSCOPE_CHROMIUM, /Applications/Chromium.app/Contents/MacOS/Chromium, /Applications/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing, /Applications/Google Chrome.app/Contents/MacOS/Google Chrome, /Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge, /Users/ana/Applications/Chromium.app/Contents/MacOS/Chromium, /Users/ana/Applications/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing, /Users/ana/Applications/Google Chrome.app/Contents/MacOS/Google Chrome, /Users/ana/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge.',
        'Install with:',
        '  brew install --cask google-chrome',
        "or set CORSCOPE_CHROMIUM to the browser's executable.",
      ].join('\n'),
    );
  });

  it('npm test on Windows, Chromium and Firefox missing', () => {
    const host = fakeHost({ platform: 'win32', env: { ProgramFiles: 'C:\\Program Files' } });
    expect(missingMessage('test', ['chromium', 'firefox'], host)).toBe(
      [
        'npm test needs a Chromium-family browser (Chromium, Google Chrome or Microsoft Edge) and Firefox, and none of them was found.',
        'Looked at: CORSCOPE_CHROMIUM, C:\\Program Files\\Chromium\\Application\\chrome.exe, C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe, C:\\Program Files\\Microsoft\\Edge\\Application\\msedge.exe.',
        'Looked at: CORSCOPE_FIREFOX, C:\\Program Files\\Mozilla Firefox\\firefox.exe.',
        'Install with:',
        '  winget install -e --id Google.Chrome',
        '  winget install -e --id Mozilla.Firefox',
        "or set CORSCOPE_CHROMIUM / CORSCOPE_FIREFOX to the browser's executable.",
      ].join('\n'),
    );
  });

  it('npm test on Debian as a user, only the tools missing', () => {
    const host = fakeHost({ platform: 'linux', env: { PATH }, osRelease: DEBIAN_12 });
    expect(missingMessage('test', ['xvfb', 'imagemagick'], host)).toBe(
      [
        "npm test needs Xvfb (a virtual display for the test that opens DevTools in a window) and ImageMagick's import (it photographs that window), and none of them was found.",
        'Install with:',
        '  sudo apt-get update && sudo apt-get install -y xvfb imagemagick',
      ].join('\n'),
    );
  });

  it('a Linux without a command known here', () => {
    const host = fakeHost({ platform: 'linux', env: { PATH }, osRelease: VOID });
    expect(missingMessage('bench', ['firefox'], host)).toBe(
      [
        'npm run bench needs Firefox, and none was found.',
        'Looked at: CORSCOPE_FIREFOX, firefox-esr, firefox on PATH.',
        "Install it with this system's package manager.",
        "Or set CORSCOPE_FIREFOX to the browser's executable.",
      ].join('\n'),
    );
  });
});

/** Commands run, lines said; `onRun` plays the command's effect on the fake machine. */
function recorder(
  onRun: (argv: string[]) => { ok: boolean; output: string } = () => ({ ok: true, output: '' }),
) {
  const ran: string[][] = [];
  const said: string[] = [];
  const io: SetupIO = {
    log: (l) => said.push(l),
    run: (argv) => {
      ran.push(argv);
      return onRun(argv);
    },
  };
  return { io, ran, said };
}

describe('ensureSetup', () => {
  const debianRoot = (executables: Record<string, string | null>, dirs: Record<string, string[]> = {}) =>
    fakeHost({ platform: 'linux', env: { PATH }, osRelease: DEBIAN_12, isRoot: true, executables, dirs });
  // Debian's nginx and Apache are in /usr/sbin; rs/cors is a source folder in Go's Debian GOPATH.
  const SERVERS = {
    '/usr/sbin/nginx': null,
    '/usr/sbin/apache2': null,
    '/usr/bin/caddy': null,
    '/usr/bin/go': null,
  };
  const RS_CORS = { [RS_CORS_SOURCE]: ['cors.go'] };

  it('everything there: says which browsers run, installs nothing', () => {
    const host = debianRoot(
      {
        '/usr/bin/chromium': CHROMIUM,
        '/usr/bin/firefox-esr': FIREFOX,
        '/usr/bin/Xvfb': null,
        '/usr/bin/import': null,
        ...SERVERS,
      },
      RS_CORS,
    );
    const { io, ran, said } = recorder();
    const found = ensureSetup('test', host, io, { install: true });
    expect(found.chromium?.path).toBe('/usr/bin/chromium');
    expect(found.firefox?.path).toBe('/usr/bin/firefox-esr');
    expect(ran).toEqual([]);
    expect(said).toEqual([
      'Browser: Chromium 156.0.8078.114 at /usr/bin/chromium',
      'Browser: Firefox 153.8.0esr at /usr/bin/firefox-esr',
    ]);
  });

  it('Debian as root, nothing there: says what it installs, installs it, then runs what it installed', () => {
    const host = debianRoot({});
    const { io, ran, said } = recorder((argv) => {
      if (argv[1] === 'install') {
        host.add('/usr/bin/chromium', CHROMIUM);
        host.add('/usr/bin/firefox-esr', FIREFOX);
        host.add('/usr/bin/Xvfb', null);
        host.add('/usr/bin/import', null);
        for (const path of Object.keys(SERVERS)) host.add(path, null);
        host.addDir(RS_CORS_SOURCE, ['cors.go']);
      }
      return { ok: true, output: '' };
    });
    const found = ensureSetup('test', host, io, { install: true });
    const packages =
      'chromium firefox-esr xvfb imagemagick nginx apache2 caddy golang-go golang-github-rs-cors-dev';
    expect(ran).toEqual([
      ['apt-get', 'update', '-qq'],
      ['apt-get', 'install', '-y', '-qq', ...packages.split(' ')],
    ]);
    expect(said).toEqual([
      `Not found: a Chromium-family browser, Firefox, Xvfb, ImageMagick's import, nginx, Apache, Caddy and Go with rs/cors. Installing as root: apt-get update && apt-get install -y ${packages}`,
      'Browser: Chromium 156.0.8078.114 at /usr/bin/chromium',
      'Browser: Firefox 153.8.0esr at /usr/bin/firefox-esr',
    ]);
    expect(found.chromium?.product).toBe('Chromium');
  });

  it('under systemd, the services Debian starts for the servers it installed are stopped and disabled again', () => {
    const host = debianRoot(
      {
        '/usr/bin/chromium': CHROMIUM,
        '/usr/bin/firefox-esr': FIREFOX,
        '/usr/bin/systemctl': null,
        '/usr/bin/go': null,
      },
      { ...RS_CORS, '/run/systemd': ['system', 'journal'] },
    );
    const { io, ran, said } = recorder((argv) => {
      if (argv[1] === 'install')
        for (const path of [
          '/usr/bin/Xvfb',
          '/usr/bin/import',
          '/usr/sbin/nginx',
          '/usr/sbin/apache2',
          '/usr/bin/caddy',
        ])
          host.add(path, null);
      return { ok: true, output: '' };
    });
    ensureSetup('test', host, io, { install: true });
    expect(ran.slice(1)).toEqual([
      ['apt-get', 'install', '-y', '-qq', 'xvfb', 'imagemagick', 'nginx', 'apache2', 'caddy'],
      ['/usr/bin/systemctl', 'disable', '--now', 'nginx', 'apache2', 'caddy'],
    ]);
    expect(said[1]).toBe(
      'Then stopping the services those servers start: the tests run them as child processes.',
    );
  });

  it('installs only what is missing', () => {
    const host = debianRoot(
      { '/usr/bin/chromium': CHROMIUM, '/usr/bin/firefox-esr': FIREFOX, ...SERVERS },
      RS_CORS,
    );
    const { io, ran } = recorder((argv) => {
      if (argv[1] === 'install') {
        host.add('/usr/bin/Xvfb', null);
        host.add('/usr/bin/import', null);
      }
      return { ok: true, output: '' };
    });
    ensureSetup('test', host, io, { install: true });
    expect(ran.at(-1)).toEqual(['apt-get', 'install', '-y', '-qq', 'xvfb', 'imagemagick']);
  });

  it('Go without rs/cors is not enough: both of its packages are installed', () => {
    const host = debianRoot({
      '/usr/bin/chromium': CHROMIUM,
      '/usr/bin/firefox-esr': FIREFOX,
      '/usr/bin/Xvfb': null,
      '/usr/bin/import': null,
      ...SERVERS,
    });
    const { io, ran } = recorder((argv) => {
      if (argv[1] === 'install') host.addDir(RS_CORS_SOURCE, ['cors.go']);
      return { ok: true, output: '' };
    });
    ensureSetup('test', host, io, { install: true });
    expect(ran.at(-1)).toEqual(['apt-get', 'install', '-y', '-qq', 'golang-go', 'golang-github-rs-cors-dev']);
  });

  it('a failed install: what apt-get said, and the command to run by hand', () => {
    const host = debianRoot({});
    const output = 'Reading package lists...\nE: Unable to locate package chromium\n';
    const { io, ran } = recorder((argv) => ({
      ok: argv[1] !== 'install',
      output: argv[1] === 'install' ? output : '',
    }));
    expect(() => ensureSetup('demo', host, io, { install: true })).toThrow(
      new SetupError(
        [
          'apt-get install -y -qq chromium failed:',
          'Reading package lists...',
          'E: Unable to locate package chromium',
          'Install by hand with:',
          '  apt-get update && apt-get install -y chromium',
        ].join('\n'),
      ),
    );
    expect(ran).toHaveLength(2);
  });

  it('installed, yet still not found', () => {
    const host = debianRoot({});
    const { io } = recorder();
    expect(() => ensureSetup('demo', host, io, { install: true })).toThrow(
      new SetupError(
        [
          'Installed chromium, yet a Chromium-family browser is still not found.',
          'npm start needs a Chromium-family browser (Chromium, Google Chrome or Microsoft Edge), and none was found.',
          'Looked at: CORSCOPE_CHROMIUM, chromium, chromium-browser, google-chrome-stable, google-chrome, microsoft-edge-stable, microsoft-edge on PATH, /opt/google/chrome/chrome, /opt/microsoft/msedge/msedge.',
          'Install with:',
          '  apt-get update && apt-get install -y chromium',
          "or set CORSCOPE_CHROMIUM to the browser's executable.",
        ].join('\n'),
      ),
    );
  });

  it('Debian as a user: stops with the sudo command, runs nothing', () => {
    const host = fakeHost({ platform: 'linux', env: { PATH }, osRelease: DEBIAN_12 });
    const { io, ran, said } = recorder();
    expect(() => ensureSetup('demo', host, io, { install: true })).toThrow(
      /^npm start needs a Chromium-family browser .*\n.*\nInstall with:\n {2}sudo apt-get update && sudo apt-get install -y chromium\n/,
    );
    expect(ran).toEqual([]);
    expect(said).toEqual([]);
  });

  it('root, but installing not asked for: the message, nothing run', () => {
    const { io, ran } = recorder();
    expect(() => ensureSetup('demo', debianRoot({}), io, { install: false })).toThrow(SetupError);
    expect(ran).toEqual([]);
  });

  it('macOS without a browser: stops with the brew command', () => {
    const host = fakeHost({ platform: 'darwin', env: { HOME: '/Users/ana' } });
    const { io, ran } = recorder();
    expect(() => ensureSetup('demo', host, io, { install: true })).toThrow(
      /\nInstall with:\n {2}brew install --cask google-chrome\n/,
    );
    expect(ran).toEqual([]);
  });

  it('a CORSCOPE_CHROMIUM naming nothing: that error, even as root on Debian, nothing installed', () => {
    const host = fakeHost({
      platform: 'linux',
      env: { PATH, CORSCOPE_CHROMIUM: '/home/ana/chrome' },
      osRelease: DEBIAN_12,
      isRoot: true,
    });
    const { io, ran } = recorder();
    expect(() => ensureSetup('demo', host, io, { install: true })).toThrow(
      new SetupError('CORSCOPE_CHROMIUM is set to /home/ana/chrome, which is not an executable file.'),
    );
    expect(ran).toEqual([]);
  });

  it('Google Chrome 140 already there: says the extension goes in through the DevTools protocol', () => {
    const host = fakeHost({
      platform: 'linux',
      env: { PATH },
      executables: { '/usr/bin/google-chrome': 'Google Chrome 140.0.7339.80 \n' },
    });
    const { io, said } = recorder();
    ensureSetup('demo', host, io, { install: true });
    expect(said).toEqual([
      'Browser: Google Chrome 140.0.7339.80 at /usr/bin/google-chrome; CORScope is loaded through the DevTools protocol (Google Chrome ignores --load-extension since 137)',
    ]);
  });
});
