// The first run on a machine without the browsers: `npm start` (bin/demo.js) and `npm test`'s first step
// (bin/browsers.js test) with PATH holding only node, so the finder sees no Chromium, Firefox, Xvfb,
// ImageMagick or the servers whose snippets the tests prove. Run as a user other than root, they stop with the
// command to run; run as root, they install Debian's packages with apt-get, here a stand-in on that PATH that
// "installs" a package by putting the machine's own browser (or tool) on the PATH, and the demo then prints
// its table. The commands expected are Debian's, this project's machines' system (tests/unit/browsers covers
// the others with a fake machine).
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { onPath } from '../../src/browsers/find';
import { nodeHost, requireBrowser } from '../../src/browsers/node-system';

const ROOT = resolve(import.meta.dirname, '../..');

let dir: string;
/** The only directory on PATH: node, and the stand-in apt-get where a test puts one. */
let bin: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'corscope-first-run-'));
  bin = join(dir, 'bin');
  mkdirSync(bin);
  symlinkSync(process.execPath, join(bin, 'node'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a script of bin/ with PATH=bin, as root or as another user: the one fact of the machine a test cannot
 * change without privileges is stated by a preload that sets process.getuid (uid 0, or 1000).
 */
function run(script: string, args: string[], as: 'root' | 'user'): Run {
  const uid = as === 'root' ? 0 : 1000;
  const r = spawnSync(
    join(bin, 'node'),
    [`--import=data:text/javascript,process.getuid=()=>${uid}`, join(ROOT, 'bin', script), ...args],
    { cwd: dir, env: { PATH: bin, HOME: dir }, encoding: 'utf8', timeout: 150_000 },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A stand-in apt-get: logs its arguments; `install` puts each package's command on PATH, as a script that
 * runs this machine's own (Debian's chromium is itself such a script, and needs the usual PATH).
 */
function fakeAptGet(fails = false): void {
  const real = {
    chromium: requireBrowser('chromium').path,
    'firefox-esr': requireBrowser('firefox').path,
    Xvfb: onPath('Xvfb', nodeHost())!,
    import: onPath('import', nodeHost())!,
    nginx: '/usr/sbin/nginx',
    apache2: '/usr/sbin/apache2',
    caddy: onPath('caddy', nodeHost())!,
    go: onPath('go', nodeHost())!,
  };
  const pkgs = join(dir, 'pkgs');
  mkdirSync(pkgs);
  for (const [command, path] of Object.entries(real)) {
    writeFileSync(join(pkgs, command), `#!/bin/sh\nPATH='${process.env.PATH}' exec '${path}' "$@"\n`);
    chmodSync(join(pkgs, command), 0o755);
  }
  const script = fails
    ? `#!/bin/sh\necho "$*" >> "${dir}/apt-get.log"\necho 'E: Could not open lock file /var/lib/apt/lists/lock - open (13: Permission denied)' >&2\nexit 100\n`
    : `#!/bin/sh
echo "$*" >> "${dir}/apt-get.log"
[ "$1" = install ] || exit 0
for p in "$@"; do
  case "$p" in
    chromium) /bin/ln -s "${pkgs}/chromium" "${bin}/chromium" ;;
    firefox-esr) /bin/ln -s "${pkgs}/firefox-esr" "${bin}/firefox-esr" ;;
    xvfb) /bin/ln -s "${pkgs}/Xvfb" "${bin}/Xvfb" ;;
    imagemagick) /bin/ln -s "${pkgs}/import" "${bin}/import" ;;
    nginx) /bin/ln -s "${pkgs}/nginx" "${bin}/nginx" ;;
    apache2) /bin/ln -s "${pkgs}/apache2" "${bin}/apache2" ;;
    caddy) /bin/ln -s "${pkgs}/caddy" "${bin}/caddy" ;;
    golang-go) /bin/ln -s "${pkgs}/go" "${bin}/go" ;;
  esac
done
`;
  writeFileSync(join(bin, 'apt-get'), script);
  chmodSync(join(bin, 'apt-get'), 0o755);
}

const aptLog = () => readFileSync(join(dir, 'apt-get.log'), 'utf8');

describe('no browser in sight, not root: the command to run, no stack trace', () => {
  it('npm start', () => {
    const r = run('demo.js', ['--headless', '--no-build'], 'user');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      [
        'corscope demo: npm start needs a Chromium-family browser (Chromium, Google Chrome or Microsoft Edge), and none was found.',
        'Looked at: CORSCOPE_CHROMIUM, chromium, chromium-browser, google-chrome-stable, google-chrome, microsoft-edge-stable, microsoft-edge on PATH, /opt/google/chrome/chrome, /opt/microsoft/msedge/msedge.',
        'Install with:',
        '  sudo apt-get update && sudo apt-get install -y chromium',
        "or set CORSCOPE_CHROMIUM to the browser's executable.",
        '',
      ].join('\n'),
    );
  });

  it("npm test's first step", () => {
    const r = run('browsers.js', ['test'], 'user');
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      [
        "corscope: npm test needs a Chromium-family browser (Chromium, Google Chrome or Microsoft Edge), Firefox, Xvfb (a virtual display for the test that opens DevTools in a window), ImageMagick's import (it photographs that window), nginx (the tests prove its CORS snippet on a real server), Apache (the same, for its snippet), Caddy (the same, for its snippet) and Go and the rs/cors package (the same, for the Go snippet), and none of them was found.",
        'Looked at: CORSCOPE_CHROMIUM, chromium, chromium-browser, google-chrome-stable, google-chrome, microsoft-edge-stable, microsoft-edge on PATH, /opt/google/chrome/chrome, /opt/microsoft/msedge/msedge.',
        'Looked at: CORSCOPE_FIREFOX, firefox-esr, firefox on PATH.',
        'Install with:',
        '  sudo apt-get update && sudo apt-get install -y chromium firefox-esr xvfb imagemagick nginx apache2 caddy golang-go golang-github-rs-cors-dev',
        "or set CORSCOPE_CHROMIUM / CORSCOPE_FIREFOX to the browser's executable.",
        '',
      ].join('\n'),
    );
  });
});

describe('no browser in sight, as root on Debian: installs, says what, then runs', () => {
  it('npm start -- --headless installs chromium and prints the demo table', () => {
    expect(inject('extensionBuildError')).toBe('');
    fakeAptGet();
    const r = run('demo.js', ['--headless', '--no-build'], 'root');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(aptLog()).toBe('update -qq\ninstall -y -qq chromium\n');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(
      'Not found: a Chromium-family browser. Installing as root: apt-get update && apt-get install -y chromium',
    );
    expect(lines[1]).toMatch(new RegExp(`^Browser: Chromium \\d+\\.\\d+\\.\\d+\\.\\d+ at ${bin}/chromium$`));
    expect(lines[2]).toMatch(/^Demo page: http:\/\/127\.0\.0\.1:\d+\/ calling /);
    expect(lines[3]).toMatch(/^\d+ cross-origin calls: \d+ allowed, \d+ blocked, 1 network-error$/);
    expect(lines[5]).toMatch(/^METHOD +URL +VERDICT +PREFLIGHT +WHY$/);
    expect(r.stdout).toContain(`Report: ${dir}/corscope-demo-report.jsonl`);
  });

  it("npm test's first step installs all eight, then names the browsers", () => {
    fakeAptGet();
    const r = run('browsers.js', ['test'], 'root');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const packages =
      'chromium firefox-esr xvfb imagemagick nginx apache2 caddy golang-go golang-github-rs-cors-dev';
    expect(aptLog()).toBe(`update -qq\ninstall -y -qq ${packages}\n`);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(
      `Not found: a Chromium-family browser, Firefox, Xvfb, ImageMagick's import, nginx, Apache, Caddy and Go with rs/cors. Installing as root: apt-get update && apt-get install -y ${packages}`,
    );
    expect(lines[1]).toMatch(new RegExp(`^Browser: Chromium \\d+\\.\\d+\\.\\d+\\.\\d+ at ${bin}/chromium$`));
    expect(lines[2]).toMatch(
      new RegExp(`^Browser: Firefox \\d+\\.\\d+(\\.\\d+)?(esr)? at ${bin}/firefox-esr$`),
    );
  });

  it("an install that fails says so in apt-get's words, with the command, no stack trace", () => {
    fakeAptGet(true);
    const r = run('demo.js', ['--headless', '--no-build'], 'root');
    expect(r.status).toBe(1);
    expect(aptLog()).toBe('update -qq\n');
    expect(r.stderr).toBe(
      [
        'corscope demo: apt-get update -qq failed:',
        'E: Could not open lock file /var/lib/apt/lists/lock - open (13: Permission denied)',
        'Install by hand with:',
        '  apt-get update && apt-get install -y chromium',
        '',
      ].join('\n'),
    );
  });
});
