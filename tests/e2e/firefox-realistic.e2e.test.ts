// The realistic page (harness/realistic.ts) in Debian's firefox-esr with the built add-on: CORScope stores
// exactly the CORS calls, once each, with Firefox's verdict and words; nothing else (navigations, no-cors
// loads, WebSockets, data: and blob: URLs, same-origin requests) is stored as a call. The oracle: the CORS
// lines Firefox logged, and what the page saw.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ExportedLine } from './harness/extension';
import { firefoxCorsLines } from './harness/firefox-console';
import { type FirefoxCorscope, launchFirefoxWithCorscope } from './harness/firefox-corscope';
import { EXPECTED, type RealisticServer, startRealisticServer } from './harness/realistic';

let server: RealisticServer;
let ff: FirefoxCorscope;
let rows: ExportedLine[] = [];
let seen: Record<string, unknown> = {};
let printed: string[] = [];

const pathOf = (url: string) => new URL(url).pathname;
const CORS_PATHS = Object.entries(EXPECTED)
  .filter(([, e]) => e.class === 'cors')
  .map(([p]) => p)
  .sort();

beforeAll(async () => {
  const error = inject('firefoxBuildError');
  if (error) throw new Error(error);
  server = await startRealisticServer();
  ff = await launchFirefoxWithCorscope(inject('firefoxExtensionDir'));
  const page = await ff.browser.newPage();
  await page.goto(server.pageUrl);
  seen = await page.evaluate(() =>
    (window as unknown as { realistic(): Promise<Record<string, unknown>> }).realistic(),
  );
  rows = await ff.waitForRows((r) => r.request.url.includes('/real/'), CORS_PATHS.length);
  await page.waitForTimeout(1500);
  rows = await ff.waitForRows((r) => r.request.url.includes('/real/'), CORS_PATHS.length);
  printed = firefoxCorsLines(ff.browser.consoleOf(page).map((l) => l.text)).filter((l) =>
    l.includes('/real/'),
  );
}, 90_000);
afterAll(async () => {
  await ff?.close();
  await server?.close();
});

describe('capture on a realistic page in Firefox', () => {
  it('the page ran: its worker, its WebSockets, its EventSources', () => {
    expect(seen).toMatchObject({
      worker: [true, false],
      ws: true,
      wsSame: true,
      sseOk: true,
      sseBlocked: false,
    });
  });

  it('stores exactly the CORS calls, once each', () => {
    expect(rows.map((r) => pathOf(r.request.url)).sort()).toEqual(CORS_PATHS);
  });

  it("gives each CORS call Firefox's verdict, and the line Firefox logged for each blocked one", () => {
    for (const r of rows)
      expect(r.evaluation.verdict, r.request.url).toBe(EXPECTED[pathOf(r.request.url)]!.outcome);
    // The lines of the page and its same-process frames reach BiDi's log; a worker's and a sandboxed
    // frame's do not: their oracle is what the page saw (the worker's second fetch failed).
    const elsewhere = (url: string) => /\/real\/(from-worker|from-sandbox|sandbox-to-page)/.test(url);
    const ours = rows
      .filter((r) => r.evaluation.verdict === 'blocked' && !elsewhere(r.request.url))
      .map((r) => r.evaluation.error!.console!)
      .sort();
    expect(ours).toEqual([...new Set(printed)].filter((l) => !elsewhere(l)).sort());
    // A sandboxed frame's calls come from an opaque origin: the Origin Firefox sent says so.
    expect(rows.find((r) => r.request.url.endsWith('/real/sandbox-to-page'))?.initiator).toBe('null');
  });
});
