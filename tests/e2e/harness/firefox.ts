// Real Firefox (the one src/browsers finds: Debian's firefox-esr here), headless, driven over WebDriver BiDi,
// with add-ons installed by BiDi webExtension.install as temporary add-ons. No geckodriver: Firefox listens
// for BiDi itself when started with --remote-debugging-port, and prints "WebDriver BiDi listening on ws://...".
//
// Each add-on gets a fixed internal UUID through the profile's extensions.webextensions.uuids pref, so its
// pages are at moz-extension://<uuid>/... from the start.
import { type ChildProcess, spawn } from 'node:child_process';

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { requireBrowser } from '../../../src/browsers/node-system';
import { BidiConnection, type BidiEvent, callFunction } from './bidi';

/** A console line as Firefox reported it over BiDi (log.entryAdded). */
export interface FirefoxConsoleLine {
  /** "javascript" (the browser's own errors, CORS among them) or "console" (console API calls). */
  source: string;
  /** "error", "warn", "info", "debug". */
  level: string;
  text: string;
}

/** A tab. `evaluate` behaves like Playwright's (one JSON argument, JSON result), so scenarios run as is. */
export interface FirefoxPage {
  /** The BiDi browsing context id. */
  readonly context: string;
  evaluate<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R>;
  goto(url: string): Promise<void>;
  url(): string;
  waitForTimeout(ms: number): Promise<void>;
  /** Child frames are not driven here: scenarios that need them are Chromium-only. */
  frames(): never[];
  close(): Promise<void>;
}

export interface InstalledAddon {
  id: string;
  uuid: string;
  /** moz-extension://<uuid> */
  base: string;
}

export interface FirefoxBrowser {
  bidi: BidiConnection;
  version: string;
  userAgent: string;
  /** Installs an unpacked add-on (a folder with manifest.json) as a temporary add-on. */
  install(dir: string): Promise<InstalledAddon>;
  newPage(): Promise<FirefoxPage>;
  consoleOf(page: FirefoxPage): FirefoxConsoleLine[];
  /** What scenarios use of a browser context (cookies), over BiDi storage.*. */
  context: Pick<BrowserContext, 'addCookies' | 'clearCookies'>;
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** Add-on ids whose moz-extension UUID to pin, by id. */
  uuids?: Record<string, string>;
  /** Extra prefs for user.js. */
  prefs?: Record<string, string | number | boolean>;
}

/** A fixed UUID for an add-on id: the same id always gets the same UUID in these tests. */
export function uuidFor(id: string): string {
  let h = 0x811c9dc5;
  const bytes: number[] = [];
  for (let round = 0; round < 16; round++) {
    for (const c of `${id}#${round}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
    bytes.push(h & 0xff);
  }
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const PREFS: Record<string, string | number | boolean> = {
  // Quiet, offline start-up: nothing but the tests' loopback traffic.
  'browser.shell.checkDefaultBrowser': false,
  'browser.startup.homepage_override.mstone': 'ignore',
  'browser.startup.page': 0,
  'browser.newtabpage.enabled': false,
  'browser.aboutwelcome.enabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.reportingpolicy.firstRun': false,
  'app.update.disabledForTesting': true,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'extensions.getAddons.cache.enabled': false,
  'extensions.update.enabled': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  // Console lines of content reach BiDi; keep them all.
  'devtools.console.stdout.content': false,
};

function userJs(prefs: Record<string, string | number | boolean>): string {
  return Object.entries(prefs)
    .map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});`)
    .join('\n');
}

/** Starts Firefox headless with a fresh profile and connects over BiDi. */
export async function launchFirefox(opts: LaunchOptions = {}): Promise<FirefoxBrowser> {
  const firefox = requireBrowser('firefox').path;
  const profile = await mkdtemp(join(tmpdir(), 'corscope-firefox-'));
  const prefs: Record<string, string | number | boolean> = { ...PREFS, ...opts.prefs };
  if (opts.uuids) prefs['extensions.webextensions.uuids'] = JSON.stringify(opts.uuids);
  await writeFile(join(profile, 'user.js'), `${userJs(prefs)}\n`);

  const child = spawn(
    firefox,
    [
      '--headless',
      '--no-remote',
      '--remote-debugging-port=0',
      '--remote-allow-system-access',
      '--profile',
      profile,
      'about:blank',
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, MOZ_CRASHREPORTER_DISABLE: '1', MOZ_DISABLE_AUTO_SAFE_MODE: '1' },
    },
  );
  // A script that dies without close() must not leave Firefox running.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let bidi: BidiConnection;
  try {
    const endpoint = await bidiEndpoint(child);
    bidi = await BidiConnection.connect(`${endpoint}/session`);
  } catch (e) {
    child.kill('SIGKILL');
    process.off('exit', killOnExit);
    await rm(profile, { recursive: true, force: true });
    throw e;
  }

  const consoles = new Map<string, FirefoxConsoleLine[]>();
  bidi.on((e: BidiEvent) => {
    if (e.method !== 'log.entryAdded') return;
    const p = e.params as { type: string; level: string; text: string | null; source?: { context?: string } };
    const ctx = p.source?.context;
    if (!ctx) return;
    const lines = consoles.get(ctx) ?? [];
    lines.push({ source: p.type, level: p.level, text: p.text ?? '' });
    consoles.set(ctx, lines);
  });
  await bidi.send('session.subscribe', { events: ['log.entryAdded'] });

  const { contexts } = await bidi.send<{ contexts: { context: string }[] }>('browsingContext.getTree', {
    maxDepth: 0,
  });
  const first = contexts[0]!.context;
  const info = await callFunction(bidi, first, () => navigator.userAgent, undefined);
  const version = /Firefox\/([\d.]+)/.exec(info)?.[1] ?? 'unknown';

  const makePage = (context: string): FirefoxPage => {
    let current = 'about:blank';
    return {
      context,
      evaluate: <R, A>(fn: (arg: A) => R | Promise<R>, arg?: A) =>
        callFunction<A, R>(bidi, context, fn, arg as A),
      async goto(url) {
        await bidi.send('browsingContext.navigate', { context, url, wait: 'complete' });
        current = url;
      },
      url: () => current,
      waitForTimeout: (ms) => new Promise((r) => setTimeout(r, ms)),
      frames: () => [],
      async close() {
        await bidi.send('browsingContext.close', { context }).catch(() => {});
      },
    };
  };

  return {
    bidi,
    version,
    userAgent: info,
    async install(dir) {
      const res = await bidi.send<{ extension: string }>('webExtension.install', {
        extensionData: { type: 'path', path: resolve(dir) },
      });
      const uuid = opts.uuids?.[res.extension];
      if (!uuid)
        throw new Error(`installed ${res.extension}, whose UUID was not pinned (LaunchOptions.uuids)`);
      return { id: res.extension, uuid, base: `moz-extension://${uuid}` };
    },
    async newPage() {
      const { context } = await bidi.send<{ context: string }>('browsingContext.create', { type: 'tab' });
      consoles.set(context, consoles.get(context) ?? []);
      return makePage(context);
    },
    consoleOf: (page) => consoles.get(page.context) ?? [],
    context: {
      async addCookies(cookies) {
        for (const c of cookies) {
          const url = new URL(c.url ?? `http://${c.domain}${c.path ?? '/'}`);
          await bidi.send('storage.setCookie', {
            cookie: {
              name: c.name,
              value: { type: 'string', value: c.value },
              domain: url.hostname,
              path: c.path ?? '/',
            },
          });
        }
      },
      async clearCookies() {
        await bidi.send('storage.deleteCookies', {});
      },
    },
    async close() {
      await bidi.send('browser.close').catch(() => {});
      bidi.close();
      await exited(child, 10_000);
      process.off('exit', killOnExit);
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Waits for Firefox to print its BiDi endpoint. */
function bidiEndpoint(child: ChildProcess): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`firefox printed no BiDi endpoint in 60 s:\n${seen.slice(-2000)}`)),
      60_000,
    );
    const onData = (chunk: Buffer) => {
      seen += String(chunk);
      const m = /WebDriver BiDi listening on (ws:\/\/[^\s]+)/.exec(seen);
      if (m) {
        clearTimeout(timer);
        child.stderr?.off('data', onData);
        child.stdout?.off('data', onData);
        // Keep draining its output so the pipe never fills.
        child.stderr?.resume();
        child.stdout?.resume();
        resolvePromise(m[1]!);
      }
    };
    child.stderr?.on('data', onData);
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`firefox exited (${code}) before BiDi was up:\n${seen.slice(-2000)}`));
    });
  });
}

function exited(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      r();
    }, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      r();
    });
  });
}

/** A FirefoxPage where scenarios expect Playwright's Page (they use evaluate only). */
export const asPage = (p: FirefoxPage): Page => p as unknown as Page;
