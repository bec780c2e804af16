// A Chromium-family browser with an unpacked extension, through playwright-core (which talks to the browser
// over --remote-debugging-pipe). The extension goes in with --load-extension, or, for branded Google Chrome
// 137+ which ignores that flag, with the DevTools protocol's Extensions.loadUnpacked: Chrome offers it only
// to a client on the pipe, with --enable-unsafe-extension-debugging, and loads nothing while Playwright's
// default --disable-extensions stands.
import { type BrowserContext, chromium, type Worker } from 'playwright-core';
import type { Browser, ExtensionLoading } from './find';

/** Quiet, offline start-up: nothing but the page's own traffic. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface ChromiumLaunchOptions {
  userDataDir: string;
  headless: boolean;
  /** An unpacked extension (a folder with manifest.json); none when absent. */
  extensionDir?: string;
  /** More unpacked extensions loaded beside it, with the same flags (the tests' stand-in ad blocker). */
  alsoLoad?: string[];
  /** How to load it; default: what the browser needs (Browser.extensionLoading). */
  extensionLoading?: ExtensionLoading;
  args?: string[];
  /** Environment for the browser (DISPLAY, say); default: this process's. */
  env?: Record<string, string | undefined>;
  /** Default Playwright's 1280×720; null: the window's own size. */
  viewport?: { width: number; height: number } | null;
}

export interface LaunchedChromium {
  context: BrowserContext;
  /** The extension's id and running service worker; null without an extension. */
  extensionId: string | null;
  serviceWorker: Worker | null;
}

/** The flags that load the extensions, or that let them be loaded over the pipe; [] without one. */
function extensionArgs(dirs: string[], loading: ExtensionLoading): string[] {
  if (!dirs.length) return [];
  const list = dirs.join(',');
  return loading === 'pipe'
    ? ['--enable-unsafe-extension-debugging']
    : [`--disable-extensions-except=${list}`, `--load-extension=${list}`];
}

export async function launchChromium(
  browser: Browser,
  opts: ChromiumLaunchOptions,
): Promise<LaunchedChromium> {
  const loading = opts.extensionLoading ?? browser.extensionLoading;
  const dir = opts.extensionDir;
  const context = await chromium.launchPersistentContext(opts.userDataDir, {
    executablePath: browser.path,
    headless: opts.headless,
    args: [
      ...CHROMIUM_ARGS,
      ...extensionArgs(dir ? [dir, ...(opts.alsoLoad ?? [])] : [], loading),
      ...(opts.args ?? []),
    ],
    ...(dir && loading === 'pipe' && { ignoreDefaultArgs: ['--disable-extensions'] }),
    ...(opts.env && { env: opts.env }),
    ...(opts.viewport !== undefined && { viewport: opts.viewport }),
  });
  if (!dir) return { context, extensionId: null, serviceWorker: null };
  try {
    let prefix = 'chrome-extension://';
    if (loading === 'pipe') {
      const cdp = await context.browser()!.newBrowserCDPSession();
      const { id } = await cdp.send('Extensions.loadUnpacked', { path: dir }).catch((e: Error) => {
        throw new Error(`${browser.product} did not load ${dir} through the DevTools protocol: ${e.message}`);
      });
      for (const other of opts.alsoLoad ?? []) await cdp.send('Extensions.loadUnpacked', { path: other });
      await cdp.detach();
      prefix = `chrome-extension://${id}/`;
    }
    const serviceWorker =
      context.serviceWorkers().find((w) => w.url().startsWith(prefix)) ??
      (await context.waitForEvent('serviceworker', {
        predicate: (w) => w.url().startsWith(prefix),
        timeout: 30_000,
      }));
    return { context, extensionId: new URL(serviceWorker.url()).host, serviceWorker };
  } catch (e) {
    await context.close().catch(() => {});
    throw e;
  }
}
