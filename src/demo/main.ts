// `npm start`: build the extension, serve the demo on loopback, run its calls in a Chromium-family browser
// (the one src/browsers finds) with CORScope loaded. With a display, the browser stays open with DevTools;
// without one (a server, CI), it runs headless, prints the tab's summary and each call's verdict and reason,
// and writes the tab's report.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import type { Browser, ExtensionLoading } from '../browsers/find';
import { launchChromium } from '../browsers/launch';
import { formatTable } from '../cli/table';
import { summaryBody } from '../cors/sentence';
import type { StoredExchange } from '../store/row';
import { showCorsPanel } from './devtools';
import { startDemoServer } from './server';

export const ROOT = resolve(import.meta.dirname, '../..');
export const EXTENSION_DIR = resolve(ROOT, '.output/chrome-mv3');

export interface DemoOptions {
  /** The Chromium-family browser to run (src/browsers/node-system.ts finds it). */
  browser: Browser;
  /** Default: what the browser needs (Browser.extensionLoading). */
  extensionLoading?: ExtensionLoading;
  headless: boolean;
  build: boolean;
  /** Where the report goes. */
  outDir: string;
  log: (line: string) => void;
  /** Environment for the browser (DISPLAY, say); default: this process's. */
  env?: Record<string, string | undefined>;
  /**
   * With a display: called once DevTools shows the CORS panel, in place of waiting for the person at the
   * screen to close the browser (the tests look and take screenshots here).
   */
  whenOpen?: (context: BrowserContext, extensionId: string) => Promise<void>;
}

export type ExportedRow = StoredExchange['exchange'] & { evaluation: StoredExchange['evaluation'] };

function buildExtension(log: (line: string) => void): void {
  log('Building the extension (wxt build)…');
  const run = spawnSync('npx', ['wxt', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`wxt build failed:\n${run.stdout}\n${run.stderr}`);
}

/** The terminal summary: counts by verdict, then one line per call. */
function summarizeRows(rows: ExportedRow[]): string {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.evaluation.verdict, (counts.get(r.evaluation.verdict) ?? 0) + 1);
  const table = formatTable(
    ['METHOD', 'URL', 'VERDICT', 'PREFLIGHT', 'WHY'],
    rows.map((r) => [
      r.request.method,
      r.request.url,
      r.evaluation.verdict,
      r.evaluation.preflight,
      summaryBody(r.evaluation),
    ]),
    [8, 48, 14, 10],
  );
  return `${rows.length} cross-origin calls: ${[...counts].map(([k, n]) => `${n} ${k}`).join(', ')}\n\n${table}\n`;
}

/** Sends a CORScope message from an extension page and returns the answer. */
export function send<T>(ext: Page, message: unknown): Promise<T> {
  return ext.evaluate(
    (m) =>
      (
        globalThis as unknown as { chrome: { runtime: { sendMessage(m: unknown): Promise<unknown> } } }
      ).chrome.runtime.sendMessage(m),
    message,
  ) as Promise<T>;
}

/** Every stored call, through the export contract. */
export async function exportRows(ext: Page): Promise<ExportedRow[]> {
  const text = await send<string>(ext, { source: 'corscope', type: 'export', format: 'jsonl' });
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ExportedRow);
}

/**
 * A newly loaded extension's worker registers its listeners while the browser starts, and a call made
 * before then is not seen. Waits until a call from `page` to `readyUrl` (cross-origin, readable by the page)
 * is captured, then clears that tab's log.
 */
export async function waitUntilCapturing(page: Page, ext: Page, readyUrl: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    await page.evaluate((u) => fetch(u).catch(() => null), `${readyUrl}?i=${i}`);
    const seen = (await exportRows(ext)).find((r) => r.request.url.startsWith(`${readyUrl}?`));
    if (seen) {
      await send(ext, { source: 'corscope', type: 'clear', tabId: seen.capture.tabId });
      return;
    }
    await page.waitForTimeout(100);
  }
  throw new Error('CORScope captured nothing within 10 s of starting');
}

/** A new profile's DevTools: docked at the bottom, tall enough for the panel's list and details. */
function seedDevToolsPreferences(userDataDir: string): void {
  mkdirSync(join(userDataDir, 'Default'));
  // Chromium keeps DevTools' settings as JSON-encoded strings.
  const preferences = {
    currentDockState: JSON.stringify('bottom'),
    'inspector-view.split-view-state': JSON.stringify({ horizontal: { size: 560 } }),
  };
  writeFileSync(join(userDataDir, 'Default', 'Preferences'), JSON.stringify({ devtools: { preferences } }));
}

export async function runDemo(opts: DemoOptions): Promise<ExportedRow[]> {
  const { log } = opts;
  if (opts.build) buildExtension(log);
  const server = await startDemoServer();
  const userDataDir = mkdtempSync(join(tmpdir(), 'corscope-demo-'));
  if (!opts.headless) seedDevToolsPreferences(userDataDir);
  const product = opts.browser.product;
  const { context, extensionId } = await launchChromium(opts.browser, {
    userDataDir,
    headless: opts.headless,
    extensionDir: EXTENSION_DIR,
    ...(opts.extensionLoading && { extensionLoading: opts.extensionLoading }),
    args: [
      ...(opts.headless ? [] : ['--auto-open-devtools-for-tabs', '--window-size=1400,1000']),
      ...server.chromiumArgs,
    ],
    ...(opts.env && { env: opts.env }),
    viewport: opts.headless ? { width: 1280, height: 800 } : null,
  }).catch(async (e) => {
    await server.close();
    rmSync(userDataDir, { recursive: true, force: true });
    throw e;
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const ext = await context.newPage();
    await ext.goto(`chrome-extension://${extensionId}/popup.html`);
    await page.goto(`${server.origins.page}/ready`);
    await waitUntilCapturing(page, ext, `${server.origins.api}/ready`);
    log(`Demo page: ${server.origins.page}/ calling ${server.origins.api} and ${server.origins.api2}`);
    await page.bringToFront();
    await page.goto(`${server.origins.page}/`);
    await page.waitForFunction(() => document.title === 'CORScope demo: done', null, { timeout: 60_000 });
    let rows: ExportedRow[] = [];
    // The page's calls, and its frame's (Local Network Access).
    const expected = server.calls.filter((c) => c.mode !== 'no-cors').length + 1;
    const initiators = [server.origins.page, server.origins.frame];
    for (let i = 0; i < 100 && rows.length < expected; i++) {
      rows = (await exportRows(ext)).filter((r) => initiators.includes(r.initiator));
      if (rows.length < expected) await ext.waitForTimeout(100);
    }
    log(summarizeRows(rows));
    const report = join(opts.outDir, 'corscope-demo-report.jsonl');
    writeFileSync(report, rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : ''));
    log(`Report: ${report}`);
    if (!opts.headless) {
      await ext.close();
      await page.bringToFront();
      log(
        (await showCorsPanel(context, extensionId!))
          ? `${product} is open on the demo page, with DevTools on the CORS panel: select a call to see why.`
          : `${product} is open on the demo page with DevTools: choose its CORS tab, then a call to see why.`,
      );
      if (opts.whenOpen) await opts.whenOpen(context, extensionId!);
      else {
        log(`Close ${product} to end the demo.`);
        await new Promise<void>((r) => context.once('close', () => r()));
      }
    }
    return rows;
  } finally {
    await context.close().catch(() => {});
    await server.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}
