// The real machine behind the finder (./find.ts) and the setup (./setup.ts), through Node.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readdirSync, readFileSync, statSync } from 'node:fs';
import { type Browser, type Engine, findBrowser, SetupError } from './find';
import { ensureSetup, type Found, type Host, missingMessage, type Purpose } from './setup';

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

export function nodeHost(env: Record<string, string | undefined> = process.env): Host {
  const platform = process.platform;
  return {
    platform,
    env,
    isExecutable(path) {
      try {
        if (!statSync(path).isFile()) return false;
        if (platform !== 'win32') accessSync(path, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    },
    versionOutput(path) {
      const r = spawnSync(path, ['--version'], { encoding: 'utf8', env, timeout: 30_000 });
      return r.status === 0 ? r.stdout : null;
    },
    listDir(path) {
      try {
        return readdirSync(path);
      } catch {
        return [];
      }
    },
    readText,
    osRelease: platform === 'linux' ? (readText('/etc/os-release') ?? readText('/usr/lib/os-release')) : null,
    isRoot: process.getuid?.() === 0,
  };
}

/** Runs a command with its output kept (apt's is long), non-interactively. */
function run(argv: string[], env: Record<string, string | undefined>): { ok: boolean; output: string } {
  const r = spawnSync(argv[0]!, argv.slice(1), {
    encoding: 'utf8',
    env: { ...env, DEBIAN_FRONTEND: 'noninteractive' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return {
    ok: r.status === 0,
    output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}`,
  };
}

/** What `purpose` needs, installed on Debian or Ubuntu as root when missing; see ./setup.ts. */
export function ensureBrowsers(
  purpose: Purpose,
  log: (line: string) => void,
  env: Record<string, string | undefined> = process.env,
): Found {
  return ensureSetup(purpose, nodeHost(env), { log, run: (argv) => run(argv, env) }, { install: true });
}

const found = new Map<Engine, Browser>();

/**
 * The browser of an engine on this machine, found once per process (the tests and benchmarks launch many);
 * a SetupError with the command to install one when there is none.
 */
export function requireBrowser(engine: Engine, purpose: Purpose = 'test'): Browser {
  let b = found.get(engine);
  if (!b) {
    const host = nodeHost();
    b = findBrowser(engine, host) ?? undefined;
    if (!b) throw new SetupError(missingMessage(purpose, [engine], host));
    found.set(engine, b);
  }
  return b;
}
