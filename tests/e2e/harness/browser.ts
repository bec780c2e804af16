// Real Chromium with an unpacked extension, through playwright-core (never `playwright install`): the
// browser the finder picks (src/browsers: CORSCOPE_CHROMIUM, else the usual installs; Debian's chromium here),
// launched by src/browsers/launch.ts as the demo launches it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BrowserContext, CDPSession, Frame, Page, Worker } from 'playwright-core';
import type { ExtensionLoading } from '../../../src/browsers/find';
import { launchChromium } from '../../../src/browsers/launch';
import { requireBrowser } from '../../../src/browsers/node-system';

/** What Chromium printed to a page's console (its frames and dedicated workers included). */
export interface ConsoleLine {
  /** "error", "warning", "log", ... */
  type: string;
  text: string;
  /** The script or resource the line points at, if any. */
  url: string;
  /** A line from a dedicated worker, or from the page and its frames. */
  from: 'page' | 'worker';
}

/**
 * A stand-in for an ad blocker (tests/e2e/blocker): a declarativeNetRequest rule blocks every fetch and XHR
 * whose URL holds "/blocked-by-client", and Chromium reports net::ERR_BLOCKED_BY_CLIENT.
 */
export const BLOCKER_DIR = resolve(import.meta.dirname, '../blocker');

export interface ExtensionBrowser {
  context: BrowserContext;
  extensionId: string;
  /** The extension's service worker. */
  serviceWorker: Worker;
  /** A new tab whose console lines are collected in consoleOf(page). */
  newPage(): Promise<Page>;
  consoleOf(page: Page): ConsoleLine[];
  /** A DevTools protocol session on a page (or an out-of-process frame). */
  cdp(target: Page | Frame): Promise<CDPSession>;
  close(): Promise<void>;
}

export async function launchWithExtension(
  extensionDir: string,
  opts: {
    extraArgs?: string[];
    headless?: boolean;
    extensionLoading?: ExtensionLoading;
    /** More unpacked extensions loaded beside it (BLOCKER_DIR, the stand-in ad blocker). */
    alsoLoad?: string[];
  } = {},
): Promise<ExtensionBrowser> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'corscope-e2e-'));
  let context: BrowserContext;
  let serviceWorker: Worker;
  let extensionId: string;
  try {
    const launched = await launchChromium(requireBrowser('chromium'), {
      userDataDir,
      headless: opts.headless ?? true,
      extensionDir: resolve(extensionDir),
      ...(opts.extensionLoading && { extensionLoading: opts.extensionLoading }),
      ...(opts.alsoLoad && { alsoLoad: opts.alsoLoad.map((d) => resolve(d)) }),
      args: opts.extraArgs ?? [],
    });
    context = launched.context;
    serviceWorker = launched.serviceWorker!;
    extensionId = launched.extensionId!;
  } catch (e) {
    await rm(userDataDir, { recursive: true, force: true });
    throw e;
  }

  // Playwright reports console API calls and the browser's own log lines (the CORS errors, "Failed to
  // load resource") of a page and its frames, and console API calls of dedicated workers, but not the
  // browser's log lines of workers (their CORS errors). CDP Log.entryAdded on the page has those, with
  // source "worker", and repeats the workers' console API calls too: a line seen both ways is kept once.
  const consoles = new WeakMap<Page, ConsoleLine[]>();
  const watching = new WeakMap<Page, Promise<void>>();
  const watch = (page: Page): Promise<void> => {
    let ready = watching.get(page);
    if (!ready) {
      ready = startWatching(page);
      watching.set(page, ready);
    }
    return ready;
  };
  const startWatching = async (page: Page): Promise<void> => {
    const lines: ConsoleLine[] = [];
    consoles.set(page, lines);
    const unmatched = { playwright: new Map<string, ConsoleLine[]>(), cdp: new Map<string, ConsoleLine[]>() };
    const addWorkerLine = (via: 'playwright' | 'cdp', line: ConsoleLine): void => {
      const twin = unmatched[via === 'playwright' ? 'cdp' : 'playwright'].get(line.text)?.shift();
      if (twin) {
        // Playwright knows the console method (log, not the protocol's "info"): keep its type.
        if (via === 'playwright') twin.type = line.type;
        return;
      }
      const mine = unmatched[via];
      mine.set(line.text, [...(mine.get(line.text) ?? []), line]);
      lines.push(line);
    };
    page.on('console', (m) => {
      const line: ConsoleLine = { type: m.type(), text: m.text(), url: m.location().url, from: 'page' };
      if (m.worker()) addWorkerLine('playwright', { ...line, from: 'worker' });
      else lines.push(line);
    });
    try {
      const session = await context.newCDPSession(page);
      session.on('Log.entryAdded', ({ entry }) => {
        if (entry.source !== 'worker') return;
        const type =
          entry.level === 'warning' ? 'warning' : entry.level === 'verbose' ? 'debug' : entry.level;
        addWorkerLine('cdp', { type, text: entry.text, url: entry.url ?? '', from: 'worker' });
      });
      await session.send('Log.enable');
    } catch {
      // A page that closed at once: nothing to watch.
    }
  };
  context.on('page', (page) => void watch(page));
  await Promise.all(context.pages().map(watch));

  return {
    context,
    extensionId,
    serviceWorker,
    async newPage() {
      const page = await context.newPage();
      await watch(page);
      return page;
    },
    consoleOf(page) {
      return consoles.get(page) ?? [];
    },
    cdp: (target) => context.newCDPSession(target),
    async close() {
      await context.close().catch(() => {});
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
