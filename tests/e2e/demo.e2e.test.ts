// The demo in real Chromium with CORScope loaded: every call's stored verdict against what Chromium did, every
// failure reason at least once, then the panel and popup opened for the demo tab: rows, the details of a
// blocked call and its what-if, the hostile header rendered as text. Screenshots of the real panel go to a
// temporary folder, or to docs/screenshots with `npm run screenshots` (harness/screenshots.ts).
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { HOSTILE_VALUE } from '../../src/demo/calls';
import { waitUntilCapturing } from '../../src/demo/main';
import { type DemoServer, startDemoServer } from '../../src/demo/server';
import { type ExtensionBrowser, launchWithExtension } from './harness/browser';
import { apiNeutral, type ExportedLine, exportJsonl, extensionPage, parseJsonl } from './harness/extension';
import { screenshots } from './harness/screenshots';

const shots = screenshots();

let demo: DemoServer;
let browser: ExtensionBrowser;
let page: Page;
let ext: Page;
let rows: ExportedLine[] = [];
let tabId = 0;
const dialogs: string[] = [];

beforeAll(async () => {
  const buildError = inject('extensionBuildError');
  if (buildError) throw new Error(buildError);
  demo = await startDemoServer();
  browser = await launchWithExtension(inject('extensionDir'), { extraArgs: demo.chromiumArgs });
  browser.context.on('page', (p) =>
    p.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    }),
  );
  page = await browser.newPage();
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  ext = await extensionPage(browser);
  await page.goto(`${demo.origins.page}/ready`);
  await waitUntilCapturing(page, ext, `${demo.origins.api}/ready`);
  await page.goto(`${demo.origins.page}/`);
  await page.waitForFunction(() => document.title === 'CORScope demo: done', null, { timeout: 60_000 });
  // The page's calls and its frame's (Local Network Access), last.
  const expected = demo.calls.filter((c) => c.mode !== 'no-cors').length + 1;
  const initiators = [demo.origins.page, demo.origins.frame];
  for (let i = 0; i < 100 && rows.length < expected; i++) {
    rows = parseJsonl(await exportJsonl(ext)).filter((r) => initiators.includes(r.initiator));
    if (rows.length < expected) await ext.waitForTimeout(100);
  }
  tabId = rows[0]!.capture.tabId;
});
afterAll(async () => {
  await browser?.close();
  await demo?.close();
  shots.done();
});

describe('the demo', () => {
  it('stores each cross-origin call with the verdict the page saw and the line Chromium printed', async () => {
    type Result = { name: string; ok: boolean; type?: string };
    const { calls, frame } = await page.evaluate(() => {
      const w = window as unknown as { demoResults: Result[]; demoLocalNetwork: Result };
      return { calls: w.demoResults, frame: w.demoLocalNetwork };
    });
    const results = [...calls.filter((r) => r.type !== 'opaque'), frame];
    expect(rows).toHaveLength(results.length);
    const printed = browser
      .consoleOf(page)
      .filter((l) => l.text.includes('blocked by CORS policy'))
      .map((l) => l.text);
    const blocked = rows.filter((r) => r.evaluation.verdict === 'blocked');
    expect(blocked.map((r) => apiNeutral(r.evaluation.error!.console!)).sort()).toEqual(
      printed.map(apiNeutral).sort(),
    );
    rows.forEach((r, i) => {
      const seen = results[i]!;
      expect(r.evaluation.verdict === 'allowed', `${seen.name}: page ${JSON.stringify(seen)}`).toBe(seen.ok);
    });
  });

  it('shows every failure reason at least once', () => {
    const names = new Set(rows.map((r) => r.evaluation.error?.chromium).filter(Boolean));
    for (const reason of [
      'MissingAllowOriginHeader',
      'AllowOriginMismatch',
      'MultipleAllowOriginValues',
      'InvalidAllowOriginValue',
      'WildcardOriginNotAllowed',
      'InvalidAllowCredentials',
      'PreflightMissingAllowOriginHeader',
      'PreflightInvalidStatus',
      'PreflightDisallowedRedirect',
      'InvalidAllowMethodsPreflightResponse',
      'InvalidAllowHeadersPreflightResponse',
      'MethodDisallowedByPreflightResponse',
      'HeaderDisallowedByPreflightResponse',
      'RedirectContainsCredentials',
    ]) {
      expect(names, reason).toContain(reason);
    }
    expect(rows.some((r) => r.evaluation.verdict === 'network-error')).toBe(true);
    expect(rows.some((r) => r.evaluation.preflight === 'cached')).toBe(true);
  });

  it("shows the frame's call Local Network Access stopped, in Chromium's words", () => {
    const row = rows.find((r) => r.initiator === demo.origins.frame)!;
    expect(row.request.url).toBe(demo.localNetworkCall.url);
    expect(row.evaluation.verdict).toBe('blocked');
    expect(row.evaluation.error?.chromium).toBe('InsecureLocalNetwork');
    expect(row.evaluation.error?.console).toBe(
      `Access to fetch at '${demo.localNetworkCall.url}' from origin '${demo.origins.frame}' has been blocked by CORS policy: The request client is not a secure context and the resource is in more-private address space \`loopback\`.`,
    );
    expect(browser.consoleOf(page).map((l) => l.text)).toContain(row.evaluation.error?.console);
  });
});

describe('the panel for the demo tab', () => {
  let panel: Page;

  beforeAll(async () => {
    panel = await browser.context.newPage();
    await panel.setViewportSize({ width: 1280, height: 760 });
    await panel.goto(`chrome-extension://${browser.extensionId}/devtools-panel.html?tabId=${tabId}`);
    await panel.getByTestId('row').first().waitFor();
  });

  it('lists every stored call of the tab', async () => {
    await expect.poll(() => panel.getByTestId('row').count()).toBe(rows.length);
    await panel.screenshot({ path: shots.path('panel.png') });
  });

  it('explains a blocked call: the console line, the failing check, the fix', async () => {
    const row = rows.find((r) => r.request.url.endsWith('/demo/items/7'))!;
    await panel.getByTestId('row').filter({ hasText: '/demo/items/7' }).click();
    const details = panel.getByTestId('details');
    await expect.poll(() => details.getByTestId('console').textContent()).toBe(row.evaluation.error!.console);
    expect(await details.getByTestId('check-fail').first().textContent()).toContain(
      'Access-Control-Allow-Origin',
    );
    // Text content, not inner text: sections out of view skip rendering (content-visibility: auto), and
    // inner text reads as empty until the browser has decided they are in view.
    const fix = await details.getByTestId('fix-item').allTextContents();
    expect(fix.join('\n')).toContain(demo.origins.page);
    expect(fix.join('\n')).toContain('Access-Control-Allow-Origin');
    await panel.screenshot({ path: shots.path('panel-details.png') });
  });

  it('tries the proposed fix: in the what-if the same call is allowed', async () => {
    await panel.getByTestId('row').filter({ hasText: '/demo/items/7' }).click();
    await panel.getByTestId('try-fix').click();
    const whatif = panel.getByTestId('whatif');
    await expect
      .poll(() => whatif.getByTestId('whatif-verdict').textContent())
      .toBe('Recorded blocked → now allowed');
    expect(await whatif.getByTestId('whatif-console-none').count()).toBe(1);
    // Scroll the details pane (only) to the what-if.
    await whatif.evaluate((e) => {
      const pane = e.closest('.details-pane')!;
      pane.scrollTop += e.getBoundingClientRect().top - pane.getBoundingClientRect().top;
    });
    await panel.screenshot({ path: shots.path('panel-whatif.png') });
    await panel.getByTestId('try-fix').click();
    expect(await panel.getByTestId('whatif').count()).toBe(0);
  });

  it('renders a hostile header value as text: no element created, nothing run', async () => {
    await panel.getByTestId('row').filter({ hasText: '/demo/hostile' }).click();
    const details = panel.getByTestId('details');
    await expect.poll(() => details.getByTestId('console').textContent()).toContain(HOSTILE_VALUE);
    const values = await details.getByTestId('header-value').allTextContents();
    expect(values).toContain(HOSTILE_VALUE);
    expect(await panel.locator('img').count()).toBe(0);
    await panel.waitForTimeout(200);
    expect(dialogs).toEqual([]);
  });

  it('follows the dark theme', async () => {
    const dark = await browser.context.newPage();
    await dark.setViewportSize({ width: 1280, height: 760 });
    await dark.goto(
      `chrome-extension://${browser.extensionId}/devtools-panel.html?tabId=${tabId}&theme=dark`,
    );
    await dark.getByTestId('row').first().waitFor();
    expect(await dark.getByTestId('panel').getAttribute('class')).toContain('theme-dark');
    await dark.getByTestId('row').filter({ hasText: '/demo/private' }).click();
    await dark.getByTestId('details').waitFor();
    await dark.screenshot({ path: shots.path('panel-dark.png') });
    await dark.close();
  });

  it('the popup summarizes the tab', async () => {
    const popup = await browser.context.newPage();
    await popup.setViewportSize({ width: 420, height: 640 });
    await popup.goto(`chrome-extension://${browser.extensionId}/popup.html?tabId=${tabId}`);
    await popup.getByTestId('counts').waitFor();
    const blocked = rows.filter((r) => r.evaluation.verdict === 'blocked').length;
    await expect.poll(() => popup.getByTestId('count-blocked').textContent()).toContain(String(blocked));
    await popup.screenshot({ path: shots.path('popup.png'), fullPage: true });
    await popup.close();
  });
});
