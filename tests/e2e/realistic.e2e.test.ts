// Capture on a realistic page (harness/realistic.ts) in real Chromium with the built extension, the browser
// as the oracle: CDP's Network domain says what Chromium did with every request of the page's session, its
// console says what it printed for every frame and worker. CORScope stores exactly the CORS calls, once each,
// with Chromium's verdict and words; nothing else (navigations, no-cors loads, WebSockets, data: and blob:
// URLs, the service worker's answers, same-origin requests) is stored as a call.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { cdpTruth } from '../fixtures/har/record-realistic';
import { type ExtensionBrowser, launchWithExtension } from './harness/browser';
import { apiNeutral, type ExportedLine, extensionPage, waitForRows } from './harness/extension';
import { EXPECTED, type RealisticServer, startRealisticServer } from './harness/realistic';

let server: RealisticServer;
let browser: ExtensionBrowser;
let ext: Page;

beforeAll(async () => {
  const buildError = inject('extensionBuildError');
  if (buildError) throw new Error(buildError);
  server = await startRealisticServer();
  browser = await launchWithExtension(inject('extensionDir'));
  ext = await extensionPage(browser);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const pathOf = (url: string) => new URL(url).pathname;
const CORS_PATHS = Object.entries(EXPECTED)
  .filter(([, e]) => e.class === 'cors')
  .map(([p]) => p)
  .sort();

describe('capture on a realistic page', () => {
  let rows: ExportedLine[] = [];
  let truth: ReturnType<typeof cdpTruth>;
  let page: Page;

  beforeAll(async () => {
    page = await browser.newPage();
    const cdp = await browser.cdp(page);
    truth = cdpTruth(cdp);
    await cdp.send('Network.enable');
    await page.goto(server.pageUrl);
    const seen = await page.evaluate(() =>
      (window as unknown as { realistic(): Promise<unknown> }).realistic(),
    );
    expect(seen).toMatchObject({ worker: [true, false], serviceWorker: true, ws: true, wsSame: true });
    rows = await waitForRows(ext, (r) => r.request.url.includes('/real/'), CORS_PATHS.length);
    // Anything late would show up now.
    await page.waitForTimeout(1500);
    rows = await waitForRows(ext, (r) => r.request.url.includes('/real/'), CORS_PATHS.length);
  }, 60_000);

  it('stores exactly the CORS calls, once each: no navigation, no-cors load, WebSocket or same-origin call', () => {
    expect(rows.map((r) => pathOf(r.request.url)).sort()).toEqual(CORS_PATHS);
  });

  it("gives each CORS call Chromium's verdict, and its CorsError where CDP saw the request", () => {
    for (const r of rows) {
      const path = pathOf(r.request.url);
      expect(r.evaluation.verdict, path).toBe(EXPECTED[path]!.outcome);
      const cdp = truth.list.find((t) => t.initiator !== 'preflight' && pathOf(t.url) === path);
      if (cdp) expect(r.evaluation.error?.chromium ?? null, path).toBe(cdp.corsError);
    }
    // Every CORS error CDP reported is a stored blocked call.
    for (const t of truth.list.filter((x) => x.corsError))
      expect(rows.find((r) => r.request.url === t.url)?.evaluation.verdict, t.url).toBe('blocked');
  });

  it('prints for each blocked call the line Chromium printed, in its words for fetch, EventSource, image, script, font', () => {
    // Measured: webRequest gives fetch(), XHR and EventSource the type "xmlhttprequest"; an EventSource's
    // request alone carries Accept: text/event-stream, while fetch's and XHR's headers are alike. So the XHR
    // line is compared without its first words (and the row says the words are fetch's).
    const xhrNeutral = (l: string) => (l.includes('/real/xhr-') ? apiNeutral(l) : l);
    const printed = browser
      .consoleOf(page)
      .filter((l) => l.text.includes('blocked by CORS policy') && l.text.includes('/real/'))
      .map((l) => xhrNeutral(l.text))
      .sort();
    const ours = rows
      .filter((r) => r.evaluation.verdict === 'blocked')
      .map((r) => xhrNeutral(r.evaluation.error!.console!))
      .sort();
    expect(ours).toEqual(printed);
    expect(
      printed.some((l) => l.startsWith("Access to resource at '") && l.includes('/real/sse-blocked')),
    ).toBe(true);
    expect(rows.find((r) => r.request.url.endsWith('/real/sse-blocked'))?.api).toBe('other');
    expect(rows.find((r) => r.request.url.endsWith('/real/xhr-blocked'))?.api).toBeUndefined();
  });

  it('a download link in the page does not clear its log (it is not a new page)', () => {
    expect(server.requests.some((q) => q.path === '/real/file.bin')).toBe(true);
    expect(rows.length).toBe(CORS_PATHS.length);
  });
});
