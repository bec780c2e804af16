// The built extension in real Chromium: the log is cleared only by a navigation that commits, row numbers
// never go back after a clear and a worker restart, an export over Chromium's 64 MiB message limit is
// saved whole, and closed tabs' calls are listed in the popup with clear all.
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ExtensionBrowser, launchWithExtension } from './harness/browser';
import { exportJsonl, extensionPage, parseJsonl, send, waitForRows } from './harness/extension';
import { type ScenarioServer, startScenarioServer } from './harness/server';

let server: ScenarioServer;
let browser: ExtensionBrowser;
let ext: Page;

beforeAll(async () => {
  const buildError = inject('extensionBuildError');
  if (buildError) throw new Error(buildError);
  server = await startScenarioServer();
  browser = await launchWithExtension(inject('extensionDir'));
  ext = await extensionPage(browser);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const allow = (): [string, string][] => [['Access-Control-Allow-Origin', server.origins.page]];

/** A page of the scenario server that has made one captured call; resolves to it and its tab id. */
async function pageWithCall(name: string): Promise<{ page: Page; tabId: number }> {
  server.route(`/s/${name}/api`, { actual: { status: 200, headers: allow(), body: 'ok' } });
  const page = await browser.newPage();
  await page.goto(`${server.origins.page}/page?scenario=${name}`);
  await page.evaluate((u) => fetch(u).then((r) => r.ok), `${server.origins.api}/s/${name}/api?n=1`);
  const [row] = await waitForRows(ext, (r) => r.request.url.includes(`/s/${name}/api`), 1);
  return { page, tabId: row!.capture.tabId };
}

const rowsOf = async (name: string) =>
  parseJsonl(await exportJsonl(ext)).filter((r) => r.request.url.includes(`/s/${name}/`));

describe('the log starts over on a committed navigation only', () => {
  it('a 204, a download and a redirect keep it; the page they lead to clears it', async () => {
    const name = 'nav';
    const { page } = await pageWithCall(name);
    server.route(`/s/${name}/204`, { actual: { status: 204 } });
    server.route(`/s/${name}/dl`, {
      actual: {
        status: 200,
        headers: [
          ['Content-Type', 'application/octet-stream'],
          ['Content-Disposition', 'attachment; filename=x.bin'],
        ],
        body: 'x',
      },
    });
    for (const path of ['204', 'dl']) {
      await page.goto(`${server.origins.page}/s/${name}/${path}`).catch(() => null);
      await page.waitForTimeout(700);
      expect(await rowsOf(name), path).toHaveLength(1);
    }
    await page.goto(`${server.origins.page}/page?scenario=${name}-next`);
    await page.waitForTimeout(700);
    expect(await rowsOf(name)).toHaveLength(0);
    await page.close();
  });
});

describe('row numbers never go back', () => {
  it('clear all, the service worker stopped, new calls: the open panel shows them', async () => {
    const name = 'seq';
    const { page, tabId } = await pageWithCall(name);
    const panel = await browser.context.newPage();
    await panel.goto(`chrome-extension://${browser.extensionId}/devtools-panel.html?tabId=${tabId}`);
    await panel.getByTestId('row').first().waitFor();
    await send(ext, { source: 'corscope', type: 'clear' });
    await panel.waitForFunction(() => !document.querySelector('[data-testid="row"]'));
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    await page.waitForTimeout(500);
    // The worker wakes for the next events; calls until it listens again may be missed, so call until seen.
    for (let i = 2; i < 40 && (await rowsOf(name)).length === 0; i++) {
      await page.evaluate((u) => fetch(u).then((r) => r.ok), `${server.origins.api}/s/${name}/api?n=${i}`);
      await page.waitForTimeout(300);
    }
    expect((await rowsOf(name)).length).toBeGreaterThan(0);
    await panel.getByTestId('row').first().waitFor({ timeout: 10_000 });
    expect(await panel.getByTestId('count').textContent()).toMatch(/^[1-9]\d* calls$/);
    await panel.close();
    await page.close();
  });
});

describe('an export over 64 MiB', () => {
  it('20,000 stored calls as HAR: saved whole from the panel, with the redaction list applied', async () => {
    const name = 'big';
    const { page, tabId } = await pageWithCall(name);
    const [line] = await rowsOf(name);
    // 20,000 rows of this call (3 KiB of padding each) written to the store from an extension page, under
    // seqs far above the worker's own.
    const written = await ext.evaluate(
      async ({ line, tabId }) => {
        const { evaluation, ...exchange } = line as { evaluation: { verdict: string; preflight: string } };
        const ex = exchange as unknown as {
          request: { method: string; url: string };
          initiator: string;
          wire: { request: { headers: [string, string][] } }[];
        };
        ex.wire[0]!.request.headers.push(['X-Padding', 'p'.repeat(3072)], ['X-API-Key', 'secret-key-1234']);
        const db: IDBDatabase = await new Promise((resolve, reject) => {
          const r = indexedDB.open('corscope');
          r.onsuccess = () => resolve(r.result);
          r.onerror = () => reject(r.error);
        });
        const base = 10_000_000;
        for (let c = 0; c < 40; c++) {
          const seqs: number[] = [];
          const rows: string[] = [];
          const summaries: unknown[] = [];
          for (let i = 0; i < 500; i++) {
            const seq = base + c * 500 + i;
            seqs.push(seq);
            const row = {
              seq,
              tabId,
              time: Date.now(),
              verdict: evaluation.verdict,
              preflight: evaluation.preflight,
              method: ex.request.method,
              url: `${ex.request.url}&big=${seq}`,
              initiator: ex.initiator,
              status: 200,
              exchange: { ...ex, id: `big${seq}` },
              evaluation: { ...evaluation, id: `big${seq}` },
            };
            rows.push(JSON.stringify(row));
            summaries.push({
              ...row,
              exchange: undefined,
              evaluation: undefined,
              id: `big${seq}`,
              requestId: '',
              reason: '',
              chromium: null,
              engine: 'chromium',
              origin: '',
              search: '',
            });
          }
          const tx = db.transaction(['lists', 'bodies'], 'readwrite');
          const first = seqs[0]!;
          const last = seqs[seqs.length - 1]!;
          tx.objectStore('bodies').add({
            first,
            last,
            seqs,
            tabIds: seqs.map(() => tabId),
            rows,
            tabs: [tabId],
          });
          tx.objectStore('lists').add({
            first,
            last,
            n: seqs.length,
            time: Date.now(),
            tabs: [tabId],
            verdicts: [evaluation.verdict],
            requestIds: [],
            rows: summaries,
          });
          await new Promise((resolve, reject) => {
            tx.oncomplete = resolve;
            tx.onerror = () => reject(tx.error);
          });
        }
        db.close();
        return 40 * 500;
      },
      { line, tabId },
    );
    expect(written).toBe(20_000);
    const panel = await browser.context.newPage();
    await panel.goto(`chrome-extension://${browser.extensionId}/devtools-panel.html?tabId=${tabId}`);
    await panel.getByTestId('row').first().waitFor({ timeout: 60_000 });
    const [download] = await Promise.all([
      panel.waitForEvent('download', { timeout: 120_000 }),
      panel.getByTestId('export-har').click(),
    ]);
    const path = await download.path();
    const text = readFileSync(path, 'utf8');
    console.log(`export over the message limit: ${(text.length / 2 ** 20).toFixed(1)} MiB of HAR`);
    expect(text.length).toBeGreaterThan(64 * 2 ** 20);
    const har = JSON.parse(text) as { log: { entries: { _cors: { pair: string } }[] } };
    expect(new Set(har.log.entries.map((e) => e._cors.pair)).size).toBe(20_001);
    expect(text).not.toContain('secret-key-1234');
    expect(await panel.getByTestId('export-error').count()).toBe(0);
    await send(ext, { source: 'corscope', type: 'clear', tabId });
    await panel.close();
    await page.close();
  });
});

describe('calls of closed tabs', () => {
  it('are listed in the popup after the tab closes, and clear all empties the store', async () => {
    const name = 'closed';
    const { page, tabId } = await pageWithCall(name);
    await page.close();
    const popup = await browser.context.newPage();
    // A tab id with no calls: the popup then shows only the other calls.
    await popup.goto(`chrome-extension://${browser.extensionId}/popup.html?tabId=999999`);
    const closed = popup.getByTestId('closed-tab').filter({ hasText: `Closed tab ${tabId}` });
    await closed.waitFor();
    expect(await closed.textContent()).toContain('1 call');
    await popup.getByTestId('clear-all').click();
    await popup.getByTestId('clear-all-yes').click();
    await popup.getByTestId('closed-tab').first().waitFor({ state: 'detached' });
    expect(parseJsonl(await exportJsonl(ext))).toEqual([]);
    await popup.close();
  });
});
