// Smoke test of the e2e harness: the scenario server, Chromium with the raw webRequest recorder, the
// console collection, and the built extension loading, by --load-extension and through the DevTools protocol.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitUntilCapturing } from '../../src/demo/main';
import { startDemoServer } from '../../src/demo/server';
import { type ExtensionBrowser, launchWithExtension } from './harness/browser';
import { extensionPage, waitForRows } from './harness/extension';
import { collectEvents, RECORDER_DIR } from './harness/recorder';
import { type ScenarioServer, startScenarioServer } from './harness/server';
import { belongsTo, openScenario, scenario, workerCall } from './scenarios';

describe('harness with the raw recorder', () => {
  let server: ScenarioServer;
  let browser: ExtensionBrowser;

  beforeAll(async () => {
    server = await startScenarioServer();
    browser = await launchWithExtension(RECORDER_DIR);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Runs a scenario of ./scenarios.ts in a fresh tab; returns the page results, console and events. */
  async function run(name: string) {
    server.reset();
    const ctx = await openScenario(server, browser.context, browser.newPage, name);
    const page = await scenario(name).run(ctx);
    const events = await collectEvents(browser.serviceWorker, (e) => belongsTo(e.details.url, name));
    await ctx.page.waitForTimeout(100);
    const lines = browser.consoleOf(ctx.page);
    await ctx.page.close();
    return { page, lines, events };
  }

  it('simple-allowed: the page reads the response; no CORS console line', async () => {
    const { page, lines, events } = await run('simple-allowed');
    expect(page).toEqual([{ ok: true, status: 200, type: 'cors', body: 'ok' }]);
    expect(lines.filter((l) => l.text.includes('CORS'))).toEqual([]);
    const api = events.filter((e) => e.details.url.startsWith(server.origins.api));
    expect(api.map((e) => e.kind)).toEqual([
      'onBeforeRequest',
      'onSendHeaders',
      'onHeadersReceived',
      'onCompleted',
    ]);
    // extraHeaders: the Origin request header is visible.
    const sent = api.find((e) => e.kind === 'onSendHeaders')!;
    expect(sent.details.requestHeaders).toContainEqual({ name: 'Origin', value: server.origins.page });
    // The server saw the same call.
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toContain('GET /s/simple-allowed/data');
  });

  it('simple-blocked: fetch fails, Chromium prints "blocked by CORS policy", webRequest ends in ERR_FAILED', async () => {
    const { page, lines, events } = await run('simple-blocked');
    expect(page).toEqual([{ ok: false, error: 'TypeError: Failed to fetch' }]);
    const line = lines.find((l) => l.text.includes('blocked by CORS policy'));
    expect(line?.type).toBe('error');
    expect(line?.text).toContain(`Access to fetch at '${server.origins.api}/s/simple-blocked/data'`);
    expect(line?.text).toContain(
      "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
    );
    const api = events.filter((e) => e.details.url.startsWith(server.origins.api));
    expect(api.map((e) => e.kind)).toEqual([
      'onBeforeRequest',
      'onSendHeaders',
      'onHeadersReceived',
      'onErrorOccurred',
    ]);
    expect(api.at(-1)?.details.error).toBe('net::ERR_FAILED');
  });

  it('preflight-ok: the recorder sees the OPTIONS preflight between the request and its headers', async () => {
    const { page, events } = await run('preflight-ok');
    expect(page).toEqual([{ ok: true, status: 200, type: 'cors', body: 'ok' }]);
    const api = events.filter((e) => e.details.url.startsWith(server.origins.api));
    expect(api.map((e) => `${e.kind} ${e.details.method}`)).toEqual([
      'onBeforeRequest PUT',
      'onBeforeRequest OPTIONS',
      'onSendHeaders OPTIONS',
      'onHeadersReceived OPTIONS',
      'onCompleted OPTIONS',
      'onSendHeaders PUT',
      'onHeadersReceived PUT',
      'onCompleted PUT',
    ]);
    const preflight = api.find((e) => e.kind === 'onSendHeaders' && e.details.method === 'OPTIONS')!;
    expect(preflight.details.requestHeaders).toContainEqual({
      name: 'Access-Control-Request-Method',
      value: 'PUT',
    });
    expect(preflight.details.requestHeaders).toContainEqual({
      name: 'Access-Control-Request-Headers',
      value: 'x-custom',
    });
    expect(server.requests.filter((r) => r.preflight).map((r) => r.path)).toEqual(['/s/preflight-ok/data']);
  });

  it("collects a dedicated worker's CORS console line", async () => {
    server.reset();
    const ctx = await openScenario(server, browser.context, browser.newPage, 'harness-worker');
    server.route(ctx.path('data'), { actual: { status: 200, headers: [], body: 'x' } });
    const result = await workerCall(
      ctx.page,
      ctx.api('data'),
      undefined,
      '/worker.js?scenario=harness-worker',
    );
    expect(result).toEqual({ ok: false, error: 'TypeError: Failed to fetch' });
    await expect
      .poll(() => browser.consoleOf(ctx.page).find((l) => l.text.includes('blocked by CORS policy')))
      .toMatchObject({ type: 'error', from: 'worker' });
    await ctx.page.close();
  });
});

describe('the built extension', () => {
  it('loads in Chromium and starts its service worker', async () => {
    expect(inject('extensionBuildError')).toBe('');
    const browser = await launchWithExtension(inject('extensionDir'));
    try {
      expect(browser.extensionId).toMatch(/^[a-p]{32}$/);
      const name = await browser.serviceWorker.evaluate(
        () =>
          (
            globalThis as unknown as { chrome: { runtime: { getManifest(): { name: string } } } }
          ).chrome.runtime.getManifest().name,
      );
      expect(name).toBe('CORScope');
    } finally {
      await browser.close();
    }
  });

  // Branded Google Chrome 137+ ignores --load-extension; there the extension goes in through the DevTools
  // protocol's Extensions.loadUnpacked over the pipe. Chromium honours that too: forced onto that path, it
  // must run CORScope as the flag does.
  it('loads through the DevTools protocol (the way for Google Chrome 137+) and explains a blocked call', async () => {
    const demo = await startDemoServer();
    const browser = await launchWithExtension(inject('extensionDir'), { extensionLoading: 'pipe' });
    try {
      // An unpacked extension's id is the SHA-256 of its folder's path, its first 32 hex digits spelled a-p,
      // however it was loaded.
      const hash = createHash('sha256').update(inject('extensionDir')).digest('hex').slice(0, 32);
      expect(browser.extensionId).toBe(
        [...hash].map((c) => 'abcdefghijklmnop'[Number.parseInt(c, 16)]).join(''),
      );
      const page = await browser.newPage();
      const ext = await extensionPage(browser);
      await page.goto(`${demo.origins.page}/ready`);
      await waitUntilCapturing(page, ext, `${demo.origins.api}/ready`);
      await page.goto(`${demo.origins.page}/`);
      await page.waitForFunction(() => document.title === 'CORScope demo: done', null, { timeout: 60_000 });
      const [row] = await waitForRows(ext, (r) => r.request.url === `${demo.origins.api}/demo/items/7`, 1);
      expect(row?.evaluation.verdict).toBe('blocked');
      expect(row?.evaluation.error?.chromium).toBe('PreflightMissingAllowOriginHeader');
    } finally {
      await browser.close();
      await demo.close();
    }
  });
});
