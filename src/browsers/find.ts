// Finds the browsers that the demo (`npm start`), the end-to-end tests and the benchmarks run in:
// CORSCOPE_CHROMIUM / CORSCOPE_FIREFOX when set, else the usual installs of each platform. Pure: all it
// learns about the machine comes through a BrowserSystem (./node-system.ts is the real one; the unit tests
// pass a fake), so every platform's paths are tested on any machine.
import { posix, win32 } from 'node:path';

export type Engine = 'chromium' | 'firefox';

/** What the finder may ask of the machine. */
export interface BrowserSystem {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  /** An executable regular file (symbolic links followed). */
  isExecutable(path: string): boolean;
  /**
   * What `path --version` printed, or null when it failed. Never asked on Windows, where Chrome and Edge
   * open a window instead of printing.
   */
  versionOutput(path: string): string | null;
  /** The names in a directory; [] when there is none. */
  listDir(path: string): string[];
  /** A file's text, or null. */
  readText(path: string): string | null;
}

/**
 * How the extension gets into a Chromium-family browser: `--load-extension` on its command line, or the
 * DevTools protocol's Extensions.loadUnpacked over `--remote-debugging-pipe` (branded Google Chrome ignores
 * the flag since version 137; Chromium, Edge and Chrome for Testing still honour it).
 */
export type ExtensionLoading = 'flag' | 'pipe';

export interface Browser {
  engine: Engine;
  /** "Chromium", "Google Chrome", "Google Chrome for Testing", "Microsoft Edge" or "Firefox". */
  product: string;
  /** As the browser reports it ("156.0.8078.114", "153.8.0esr"); null when it could not be told. */
  version: string | null;
  path: string;
  extensionLoading: ExtensionLoading;
}

/** A problem the person at the terminal can fix; its message is all they need (no stack trace). */
export class SetupError extends Error {
  override name = 'SetupError';
}

export const ENV_VAR: Record<Engine, string> = { chromium: 'CORSCOPE_CHROMIUM', firefox: 'CORSCOPE_FIREFOX' };

/** The first major version of branded Google Chrome that ignores --load-extension. */
const CHROME_IGNORES_LOAD_EXTENSION = 137;

/** Where to look, in order: names on PATH, then fixed paths. */
interface SearchList {
  names: string[];
  paths: string[];
}

const MAC_APPS: Record<Engine, string[]> = {
  chromium: [
    'Chromium.app/Contents/MacOS/Chromium',
    'Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing',
    'Google Chrome.app/Contents/MacOS/Google Chrome',
    'Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
  ],
  firefox: ['Firefox.app/Contents/MacOS/firefox'],
};

/** Below %LOCALAPPDATA%, %ProgramFiles% and %ProgramFiles(x86)%. */
const WINDOWS_INSTALLS: Record<Engine, string[]> = {
  chromium: [
    'Chromium\\Application\\chrome.exe',
    'Google\\Chrome\\Application\\chrome.exe',
    'Microsoft\\Edge\\Application\\msedge.exe',
  ],
  firefox: ['Mozilla Firefox\\firefox.exe'],
};

/** Chromium first (what the tests are written against), then Chrome, then Edge. */
const UNIX_NAMES: Record<Engine, string[]> = {
  chromium: [
    'chromium',
    'chromium-browser',
    'google-chrome-stable',
    'google-chrome',
    'microsoft-edge-stable',
    'microsoft-edge',
  ],
  firefox: ['firefox-esr', 'firefox'],
};

/** Where the vendors' Linux packages put the browser when its command is not on PATH. */
const LINUX_PATHS: Record<Engine, string[]> = {
  chromium: ['/opt/google/chrome/chrome', '/opt/microsoft/msedge/msedge'],
  firefox: [],
};

/** An environment variable; on Windows its name is case-insensitive (Path, ProgramFiles). */
export function envValue(sys: Pick<BrowserSystem, 'platform' | 'env'>, name: string): string | undefined {
  if (sys.platform !== 'win32') return sys.env[name] || undefined;
  const key = Object.keys(sys.env).find((k) => k.toUpperCase() === name.toUpperCase());
  return (key && sys.env[key]) || undefined;
}

function searchList(engine: Engine, sys: BrowserSystem): SearchList {
  if (sys.platform === 'darwin') {
    const home = envValue(sys, 'HOME');
    const roots = ['/Applications', ...(home ? [posix.join(home, 'Applications')] : [])];
    return { names: [], paths: roots.flatMap((r) => MAC_APPS[engine].map((app) => posix.join(r, app))) };
  }
  if (sys.platform === 'win32') {
    const roots = (
      engine === 'firefox'
        ? ['ProgramFiles', 'ProgramFiles(x86)', 'LOCALAPPDATA']
        : ['LOCALAPPDATA', 'ProgramFiles', 'ProgramFiles(x86)']
    )
      .map((v) => envValue(sys, v))
      .filter((v): v is string => !!v);
    return {
      names: [],
      paths: WINDOWS_INSTALLS[engine].flatMap((install) => roots.map((r) => win32.join(r, install))),
    };
  }
  return { names: UNIX_NAMES[engine], paths: sys.platform === 'linux' ? LINUX_PATHS[engine] : [] };
}

/** Where a command name is on PATH, as a shell would find it; null when it is not. */
export function onPath(name: string, sys: BrowserSystem): string | null {
  const path = sys.platform === 'win32' ? win32 : posix;
  const dirs = (envValue(sys, 'PATH') ?? '').split(path.delimiter).filter(Boolean);
  const names = sys.platform === 'win32' && !/\.exe$/i.test(name) ? [name, `${name}.exe`] : [name];
  for (const dir of dirs) {
    for (const n of names) {
      const candidate = path.join(dir, n);
      if (sys.isExecutable(candidate)) return candidate;
    }
  }
  return null;
}

/** What the finder looks at for an engine, in order, as a person reads it. */
export function lookedAt(engine: Engine, sys: BrowserSystem): string {
  const { names, paths } = searchList(engine, sys);
  return [ENV_VAR[engine], ...(names.length ? [`${names.join(', ')} on PATH`] : []), ...paths].join(', ');
}

/**
 * The browser of this engine to run: the one the environment variable names (a path, or a command on PATH),
 * else the first usual install found; null when there is none. A variable naming nothing is an error,
 * never a reason to take another browser.
 */
export function findBrowser(engine: Engine, sys: BrowserSystem): Browser | null {
  const variable = ENV_VAR[engine];
  const wanted = envValue(sys, variable);
  if (wanted) {
    const path = /[\\/]/.test(wanted) ? (sys.isExecutable(wanted) ? wanted : null) : onPath(wanted, sys);
    if (!path) throw new SetupError(`${variable} is set to ${wanted}, which is not an executable file.`);
    return identify(engine, path, sys);
  }
  const { names, paths } = searchList(engine, sys);
  for (const name of names) {
    const path = onPath(name, sys);
    if (path) return identify(engine, path, sys);
  }
  const path = paths.find((p) => sys.isExecutable(p));
  return path ? identify(engine, path, sys) : null;
}

const PRODUCTS = [
  'Google Chrome for Testing',
  'Google Chrome',
  'Chromium',
  'Microsoft Edge',
  'Mozilla Firefox',
];

/**
 * Product and version from what `--version` printed: "Chromium 156.0.8078.114 built on Debian GNU/Linux 12
 * (bookworm)", "Google Chrome 140.0.7339.80", "Mozilla Firefox 153.8.0esr".
 */
export function parseVersionOutput(text: string): { product: string | null; version: string | null } {
  for (const product of PRODUCTS) {
    const m = new RegExp(`\\b${product}\\s+(\\d+(?:\\.\\d+)*[a-z]*)`).exec(text);
    if (m) return { product: product === 'Mozilla Firefox' ? 'Firefox' : product, version: m[1]! };
  }
  return { product: null, version: /\b\d+(?:\.\d+)+[a-z]*/.exec(text)?.[0] ?? null };
}

/** The product an install path belongs to, for when the browser cannot say (Windows), or says no name. */
function productFromPath(engine: Engine, path: string): string {
  if (engine === 'firefox') return 'Firefox';
  const p = path.toLowerCase();
  if (p.includes('chrome for testing')) return 'Google Chrome for Testing';
  if (/google[\\/]chrome[\\/]|google chrome\.app|google-chrome|[\\/]opt[\\/]google[\\/]chrome[\\/]/.test(p))
    return 'Google Chrome';
  if (/edge|msedge/.test(p)) return 'Microsoft Edge';
  return 'Chromium';
}

/** The highest of the version-named folders beside chrome.exe / msedge.exe ("140.0.7339.81"). */
function versionFromFolders(names: string[]): string | null {
  const versions = names.filter((n) => /^\d+(\.\d+){3}$/.test(n));
  const key = (v: string) => v.split('.').map(Number);
  versions.sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    for (let i = 0; i < 4; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
    return 0;
  });
  return versions.at(-1) ?? null;
}

export function extensionLoading(product: string, version: string | null): ExtensionLoading {
  if (product !== 'Google Chrome') return 'flag';
  const major = version ? Number.parseInt(version, 10) : Number.NaN;
  // A branded Chrome whose version cannot be told is taken to be a current one.
  return Number.isNaN(major) || major >= CHROME_IGNORES_LOAD_EXTENSION ? 'pipe' : 'flag';
}

function identify(engine: Engine, path: string, sys: BrowserSystem): Browser {
  let product: string | null = null;
  let version: string | null = null;
  if (sys.platform === 'win32') {
    const dir = win32.dirname(path);
    version =
      engine === 'firefox'
        ? (/^Version=(.+)$/m.exec(sys.readText(win32.join(dir, 'application.ini')) ?? '')?.[1]?.trim() ??
          null)
        : versionFromFolders(sys.listDir(dir));
  } else {
    const out = sys.versionOutput(path);
    if (out) ({ product, version } = parseVersionOutput(out));
  }
  product ??= productFromPath(engine, path);
  return { engine, product, version, path, extensionLoading: extensionLoading(product, version) };
}

/** The one line saying which browser runs. */
export function describeBrowser(b: Browser): string {
  const line = `${b.product} ${b.version ?? '(version unknown)'} at ${b.path}`;
  return b.extensionLoading === 'pipe'
    ? `${line}; CORScope is loaded through the DevTools protocol (${b.product} ignores --load-extension since ${CHROME_IGNORES_LOAD_EXTENSION})`
    : line;
}
