// What `npm start`, `npm test` and `npm run bench` need from the machine, and what to do when it lacks some
// of it: on Debian or Ubuntu as root, install the system's packages (saying what first); anywhere else,
// stop with the command to run there. Pure: the machine comes in as a Host, commands run through `run`.
import {
  type Browser,
  type BrowserSystem,
  describeBrowser,
  ENV_VAR,
  type Engine,
  envValue,
  findBrowser,
  lookedAt,
  onPath,
  SetupError,
} from './find';

export type Purpose = 'demo' | 'test' | 'bench';
export type Need = Engine | Tool;
type Tool = 'xvfb' | 'imagemagick' | 'nginx' | 'apache' | 'caddy' | 'go';

export interface Host extends BrowserSystem {
  /** The text of /etc/os-release (null where there is none: macOS, Windows). */
  osRelease: string | null;
  isRoot: boolean;
}

export interface Found {
  chromium?: Browser;
  firefox?: Browser;
}

export interface SetupIO {
  log(line: string): void;
  /** Runs a command (argv) to its end; `output` is what it printed. */
  run(argv: string[]): { ok: boolean; output: string };
}

/**
 * The demo needs a Chromium-family browser; the tests also Firefox and, on Linux, a virtual display (Xvfb)
 * and ImageMagick's `import` for the test that photographs DevTools in a real window, and the servers whose
 * CORS snippets the tests prove (nginx, Apache, Caddy, Go with rs/cors), started as child processes.
 */
export function needsOf(purpose: Purpose, platform: NodeJS.Platform): Need[] {
  if (purpose === 'demo') return ['chromium'];
  if (purpose === 'bench' || platform !== 'linux') return ['chromium', 'firefox'];
  return ['chromium', 'firefox', 'xvfb', 'imagemagick', 'nginx', 'apache', 'caddy', 'go'];
}

/** Each need in a few words (the line saying what is installed). */
const NAME: Record<Need, string> = {
  chromium: 'a Chromium-family browser',
  firefox: 'Firefox',
  xvfb: 'Xvfb',
  imagemagick: "ImageMagick's import",
  nginx: 'nginx',
  apache: 'Apache',
  caddy: 'Caddy',
  go: 'Go with rs/cors',
};
/** Each need as the message that it is missing names it. */
const WHAT: Record<Need, string> = {
  chromium: 'a Chromium-family browser (Chromium, Google Chrome or Microsoft Edge)',
  firefox: 'Firefox',
  xvfb: 'Xvfb (a virtual display for the test that opens DevTools in a window)',
  imagemagick: "ImageMagick's import (it photographs that window)",
  nginx: 'nginx (the tests prove its CORS snippet on a real server)',
  apache: 'Apache (the same, for its snippet)',
  caddy: 'Caddy (the same, for its snippet)',
  go: 'Go and the rs/cors package (the same, for the Go snippet)',
};

/** The command each tool is found by, on PATH or in the sbin beside a bin on PATH (Debian's nginx, Apache). */
const TOOL: Record<Tool, string> = {
  xvfb: 'Xvfb',
  imagemagick: 'import',
  nginx: 'nginx',
  apache: 'apache2',
  caddy: 'caddy',
  go: 'go',
};
/** Where Debian's golang-github-rs-cors-dev puts rs/cors, the GOPATH the Go snippet's server builds in. */
export const RS_CORS_SOURCE = '/usr/share/gocode/src/github.com/rs/cors';

/**
 * A tool on PATH, or in the sbin folder beside a bin folder on PATH: Debian puts servers in /usr/sbin, which
 * is on root's PATH and not on a user's.
 */
function hasTool(tool: Tool, host: Host): boolean {
  const sbin = (envValue(host, 'PATH') ?? '')
    .split(':')
    .filter((d) => /\/bin$/.test(d))
    .map((d) => `${d.slice(0, -'bin'.length)}sbin`);
  const found =
    !!onPath(TOOL[tool], host) ||
    !!onPath(TOOL[tool], { ...host, env: { ...host.env, PATH: sbin.join(':') } });
  return found && (tool !== 'go' || host.listDir(RS_CORS_SOURCE).length > 0);
}

type System = 'debian' | 'ubuntu' | 'fedora' | 'arch' | 'macos' | 'windows' | 'other';

const DEBIAN_TOOLS = {
  xvfb: 'xvfb',
  imagemagick: 'imagemagick',
  nginx: 'nginx',
  apache: 'apache2',
  caddy: 'caddy',
  go: 'golang-go golang-github-rs-cors-dev',
};

/** Package names by system (a need may take several, space-separated): Debian's own chromium and firefox-esr; Homebrew casks; winget ids. */
const PACKAGES: Record<Exclude<System, 'other'>, Partial<Record<Need, string>>> = {
  debian: { chromium: 'chromium', firefox: 'firefox-esr', ...DEBIAN_TOOLS },
  // Ubuntu's chromium-browser and firefox packages install the snaps.
  ubuntu: { chromium: 'chromium-browser', firefox: 'firefox', ...DEBIAN_TOOLS },
  // The tests run Apache as Debian lays it out (apache2, its modules folder), and rs/cors is packaged by Debian
  // alone: elsewhere those two have no package that would do (see missingMessage).
  fedora: {
    chromium: 'chromium',
    firefox: 'firefox',
    xvfb: 'xorg-x11-server-Xvfb',
    imagemagick: 'ImageMagick',
    nginx: 'nginx',
    caddy: 'caddy',
  },
  arch: {
    chromium: 'chromium',
    firefox: 'firefox',
    xvfb: 'xorg-server-xvfb',
    imagemagick: 'imagemagick',
    nginx: 'nginx',
    caddy: 'caddy',
  },
  macos: { chromium: 'google-chrome', firefox: 'firefox' },
  windows: { chromium: 'Google.Chrome', firefox: 'Mozilla.Firefox' },
};

const aptGet = (p: string[], sudo: string) => [
  `${sudo}apt-get update && ${sudo}apt-get install -y ${p.join(' ')}`,
];

/** The command lines that install packages on each system, a person's to run (sudo: "" for root). */
const COMMANDS: Record<Exclude<System, 'other'>, (packages: string[], sudo: string) => string[]> = {
  debian: aptGet,
  ubuntu: aptGet,
  fedora: (p, sudo) => [`${sudo}dnf install -y ${p.join(' ')}`],
  arch: (p, sudo) => [`${sudo}pacman -S --needed ${p.join(' ')}`],
  macos: (p) => [`brew install --cask ${p.join(' ')}`],
  windows: (p) => p.map((id) => `winget install -e --id ${id}`),
};

/** The fields of os-release(5): KEY=value lines, values optionally quoted. */
export function osReleaseFields(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(?:"(.*)"|'(.*)'|(.*))$/.exec(line.trim());
    if (m) fields[m[1]!] = m[2] ?? m[3] ?? m[4] ?? '';
  }
  return fields;
}

function systemOf(host: Host): System {
  if (host.platform === 'darwin') return 'macos';
  if (host.platform === 'win32') return 'windows';
  const f = osReleaseFields(host.osRelease ?? '');
  const ids = [f.ID ?? '', ...(f.ID_LIKE ?? '').split(/\s+/)];
  if (ids.includes('ubuntu')) return 'ubuntu';
  if (ids.includes('debian')) return 'debian';
  if (ids.some((id) => ['fedora', 'rhel', 'centos'].includes(id))) return 'fedora';
  if (ids.includes('arch')) return 'arch';
  return 'other';
}

export interface Plan {
  /** The system's packages for what is missing; [] when this system has no command known here. */
  packages: string[];
  /** The command lines a person runs (one per line), with sudo where not root; [] when none is known. */
  commands: string[];
  /** Debian or Ubuntu as root: the commands to run here (argv), in order. */
  install: string[][] | null;
}

export function setupPlan(missing: Need[], host: Host): Plan {
  const system = systemOf(host);
  if (system === 'other') return { packages: [], commands: [], install: null };
  const packages = missing.flatMap((n) => PACKAGES[system][n]?.split(' ') ?? []);
  if (!packages.length) return { packages, commands: [], install: null };
  const apt = system === 'debian' || system === 'ubuntu';
  return {
    packages,
    commands: COMMANDS[system](packages, host.isRoot ? '' : 'sudo '),
    install:
      apt && host.isRoot
        ? [
            ['apt-get', 'update', '-qq'],
            ['apt-get', 'install', '-y', '-qq', ...packages],
            ...servicesOff(packages, host),
          ]
        : null,
  };
}

/** Debian's server packages that start and enable a system service (on port 80) when installed. */
const SERVICES = ['nginx', 'apache2', 'caddy'];

/**
 * The tests run the servers as child processes on loopback ports: the services the packages just installed
 * started are stopped and disabled again where systemd runs them (sd_booted(3): /run/systemd/system exists;
 * a container has none).
 */
function servicesOff(packages: string[], host: Host): string[][] {
  const started = SERVICES.filter((p) => packages.includes(p));
  const systemctl = onPath('systemctl', host);
  if (!started.length || !systemctl || !host.listDir('/run/systemd').includes('system')) return [];
  return [[systemctl, 'disable', '--now', ...started]];
}

function joinWords(items: string[]): string {
  return items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

const ENGINES: Engine[] = ['chromium', 'firefox'];

/** The message when something is missing and is not installed here. */
export function missingMessage(purpose: Purpose, missing: Need[], host: Host): string {
  const plan = setupPlan(missing, host);
  const command = { demo: 'npm start', test: 'npm test', bench: 'npm run bench' }[purpose];
  const lines = [
    `${command} needs ${joinWords(missing.map((n) => WHAT[n]))}, and ${missing.length > 1 ? 'none of them was' : 'none was'} found.`,
  ];
  for (const engine of ENGINES.filter((e) => missing.includes(e)))
    lines.push(`Looked at: ${lookedAt(engine, host)}.`);
  const system = systemOf(host);
  const unpackaged = missing.filter((n): n is Tool => system !== 'other' && !PACKAGES[system][n]);
  if (plan.commands.length) lines.push('Install with:', ...plan.commands.map((c) => `  ${c}`));
  else if (!unpackaged.length) lines.push("Install it with this system's package manager.");
  if (unpackaged.length)
    lines.push(
      `${joinWords(unpackaged.map((n) => NAME[n]))}: the tests use Debian's packages (${unpackaged.map((n) => DEBIAN_TOOLS[n]).join(' ')}), with no equivalent packaged here: run the tests on Debian or Ubuntu.`,
    );
  const vars = ENGINES.filter((e) => missing.includes(e)).map((e) => ENV_VAR[e]);
  if (vars.length)
    lines.push(
      `${plan.commands.length ? 'or set' : 'Or set'} ${vars.join(' / ')} to the browser's executable.`,
    );
  return lines.join('\n');
}

/** What the machine has of what `purpose` needs, and what it lacks. */
function look(purpose: Purpose, host: Host): { found: Found; missing: Need[] } {
  const found: Found = {};
  const missing: Need[] = [];
  for (const need of needsOf(purpose, host.platform)) {
    if (need === 'chromium' || need === 'firefox') {
      const b = findBrowser(need, host);
      if (b) found[need] = b;
      else missing.push(need);
    } else if (!hasTool(need, host)) missing.push(need);
  }
  return { found, missing };
}

/**
 * Finds what `purpose` needs; on Debian or Ubuntu as root installs what is missing (saying what first);
 * says which browsers run. Throws a SetupError with the message for the person otherwise.
 */
export function ensureSetup(purpose: Purpose, host: Host, io: SetupIO, opts: { install: boolean }): Found {
  let { found, missing } = look(purpose, host);
  if (missing.length) {
    const plan = setupPlan(missing, host);
    if (!opts.install || !plan.install) throw new SetupError(missingMessage(purpose, missing, host));
    io.log(`Not found: ${joinWords(missing.map((n) => NAME[n]))}. Installing as root: ${plan.commands[0]}`);
    if (servicesOff(plan.packages, host).length)
      io.log('Then stopping the services those servers start: the tests run them as child processes.');
    for (const argv of plan.install) {
      const r = io.run(argv);
      if (!r.ok)
        throw new SetupError(
          `${argv.join(' ')} failed:\n${r.output.trim().split('\n').slice(-20).join('\n')}\nInstall by hand with:\n  ${plan.commands[0]}`,
        );
    }
    ({ found, missing } = look(purpose, host));
    if (missing.length)
      throw new SetupError(
        `Installed ${plan.packages.join(' ')}, yet ${joinWords(missing.map((n) => NAME[n]))} ${missing.length > 1 ? 'are' : 'is'} still not found.\n${missingMessage(purpose, missing, host)}`,
      );
  }
  for (const b of [found.chromium, found.firefox]) if (b) io.log(`Browser: ${describeBrowser(b)}`);
  return found;
}
