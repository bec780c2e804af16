// panel_open_vs_100 and panel_filter_vs_100, in Chromium with the built extension and its real panel page.
//
// 50,000 stored exchanges go into the extension's own IndexedDB (tab A) beside 100 (tab B), written straight
// through IndexedDB from an extension page: summaries and full rows in chunks, exactly as the store writes them.
// - panel_open_vs_100: navigation start → first rows painted, panel on tab A, divided by the same for tab B
//   (a 100-row list opened the same way). Alternated, medians of 5.
// - panel_filter_vs_100: typing a text filter with tab A's 50,000 rows loaded → the filtered list painted,
//   divided by the time to render tab B's 100-row list in the same panel (its filter cleared → 100 rows
//   painted). Alternated, medians of 7.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { Evaluator } from '../../src/cors/evaluate';
import type { Exchange, Verdict } from '../../src/cors/types';
import { type BodyChunk, chunksOf, type ListChunk } from '../../src/store/db';
import type { StoredExchange } from '../../src/store/row';
import { type ExtensionBrowser, launchWithExtension } from '../e2e/harness/browser';

const ROOT = resolve(import.meta.dirname, '../..');
const EXTENSION = resolve(ROOT, '.output/chrome-mv3');
const TAB_BIG = 900_001;
const TAB_SMALL = 900_002;
const BIG = 50_000;
const SMALL = 100;

/** A stored row as capture writes it: the exchange with its capture info, its verdict, the list's fields. */
export function storedRow(
  ex: Exchange,
  evaluation: Verdict,
  tabId: number,
  seq: number,
  i: number,
): StoredExchange {
  const exchange = {
    ...ex,
    time: 1_790_000_000_000 + i,
    capture: {
      tabId,
      frameId: 0,
      documentId: null,
      requestId: `${tabId}-${i}`,
      resourceType: 'xmlhttprequest',
      engine: 'chromium' as const,
      ambiguous: false,
      recovered: false,
      missing: null,
      headersLost: false,
      netError: null,
    },
  };
  return {
    seq,
    tabId,
    time: exchange.time,
    verdict: evaluation.verdict,
    preflight: evaluation.preflight,
    method: ex.request.method,
    url: ex.request.url,
    initiator: ex.initiator,
    status: ex.wire.at(-1)?.response?.status ?? null,
    exchange,
    evaluation,
  };
}

/** n rows cycling through the recorded samples, each with its own URL, evaluated in order. */
export function rows(tabId: number, n: number, firstSeq: number): StoredExchange[] {
  const samples = readFileSync(resolve(ROOT, 'tests/fixtures/exchange/samples.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Exchange);
  const ev = new Evaluator();
  const out: StoredExchange[] = [];
  for (let i = 0; i < n; i++) {
    const s = samples[i % samples.length]!;
    const ex = { ...s, id: `b${tabId}-${i}`, request: { ...s.request, url: `${s.request.url}?n=${i}` } };
    out.push(storedRow(ex, ev.evaluate(ex), tabId, firstSeq + i, i));
  }
  return out;
}

/** Writes rows as DexieExchangeStore does: per 200 rows, a ListChunk of their summaries and a BodyChunk. */
export async function fill(page: Page, all: StoredExchange[]): Promise<void> {
  for (let i = 0; i < all.length; i += 2_500) {
    const batch = all.slice(i, i + 2_500);
    const lists: ListChunk[] = [];
    const chunks: BodyChunk[] = [];
    for (let k = 0; k < batch.length; k += 200) {
      const { body, list } = chunksOf(batch.slice(k, k + 200));
      lists.push(list);
      chunks.push(body);
    }
    await page.evaluate(
      ([lists, chunks]) =>
        new Promise<void>((done, fail) => {
          const open = indexedDB.open('corscope');
          open.onerror = () => fail(open.error);
          open.onsuccess = () => {
            const db = open.result;
            const tx = db.transaction(['lists', 'bodies'], 'readwrite');
            for (const c of lists) tx.objectStore('lists').put(c);
            for (const c of chunks) tx.objectStore('bodies').put(c);
            tx.oncomplete = () => {
              db.close();
              done();
            };
            tx.onerror = () => fail(tx.error);
          };
        }),
      [lists, chunks] as const,
    );
  }
}

// Resolves when the first list row is in the DOM and two frames have been painted since.
const FIRST_ROWS = `window.__firstRows = new Promise((resolve) => {
  const seen = () => {
    if (!document.querySelector('[data-testid=row]')) return false;
    requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now())));
    return true;
  };
  const obs = new MutationObserver(() => { if (seen()) obs.disconnect(); });
  obs.observe(document, { subtree: true, childList: true });
});
window.__filter = (text, want) => new Promise((resolve) => {
  const input = document.querySelector('[data-testid=filter-text]');
  const count = document.querySelector('[data-testid=count]');
  const t0 = performance.now();
  const obs = new MutationObserver(() => {
    if (!new RegExp(want).test(count.textContent || '')) return;
    obs.disconnect();
    requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t0)));
  });
  obs.observe(document.body, { subtree: true, childList: true, characterData: true });
  input.value = text;
  input.dispatchEvent(new Event('input', { bubbles: true }));
});`;

async function openTime(page: Page, url: string, gc: () => Promise<unknown>): Promise<number> {
  // Leave the previous panel first, and collect its garbage in the extension's process (every extension page
  // shares it): a 50,000-row panel's teardown must not count against the next one.
  await page.goto('about:blank');
  await gc();
  await page.goto(url);
  const t = await page.evaluate(() => (window as unknown as { __firstRows: Promise<number> }).__firstRows);
  return t;
}

/** Sets the text filter and times it until the count matches `expectCount` and two frames are painted. */
function filterTime(page: Page, text: string, expectCount: RegExp): Promise<number> {
  return page.evaluate(
    ([t, want]) =>
      (window as unknown as { __filter(t: string, w: string): Promise<number> }).__filter(t, want),
    [text, expectCount.source] as const,
  );
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Chromium with the built extension (built first when missing), and an extension page to reach its store. */
export async function benchBrowser(): Promise<{ browser: ExtensionBrowser; ext: Page }> {
  if (!existsSync(resolve(EXTENSION, 'manifest.json'))) {
    const b = spawnSync('npx', ['wxt', 'build'], { cwd: ROOT, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('wxt build failed');
  }
  const browser = await launchWithExtension(EXTENSION);
  const ext = await browser.context.newPage();
  await ext.goto(`chrome-extension://${browser.extensionId}/popup.html?tabId=0`);
  return { browser, ext };
}

export async function benchPanel(): Promise<Record<string, number>> {
  const { browser, ext } = await benchBrowser();
  try {
    // Keep everything: the default retention (20,000) would trim the 50,000.
    await ext.evaluate(() =>
      (
        globalThis as unknown as { chrome: { runtime: { sendMessage(m: unknown): Promise<unknown> } } }
      ).chrome.runtime.sendMessage({
        source: 'corscope',
        type: 'settings',
        patch: { retention: 200_000 },
      }),
    );
    console.log(`panel: writing ${BIG} + ${SMALL} rows into the extension's IndexedDB…`);
    await fill(ext, rows(TAB_BIG, BIG, 1_000_000));
    await fill(ext, rows(TAB_SMALL, SMALL, 2_000_000));
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.addInitScript(FIRST_ROWS);
    const cdp = await browser.context.newCDPSession(ext);
    const gc = () => cdp.send('HeapProfiler.collectGarbage');
    const panel = (tab: number) =>
      `chrome-extension://${browser.extensionId}/devtools-panel.html?tabId=${tab}`;
    const open100: number[] = [];
    const open50k: number[] = [];
    await openTime(page, panel(TAB_SMALL), gc); // warm-up
    for (let i = 0; i < 5; i++) {
      open100.push(await openTime(page, panel(TAB_SMALL), gc));
      open50k.push(await openTime(page, panel(TAB_BIG), gc));
      // Let it finish reading all 50,000 before leaving: IndexedDB would make the next page wait for that read.
      await page.waitForFunction(
        (n) => document.querySelector('[data-testid=count]')?.textContent === `${n} calls`,
        BIG,
        {
          timeout: 120_000,
        },
      );
    }
    const render100: number[] = [];
    const filter50k: number[] = [];
    for (let i = 0; i < 7; i++) {
      await openTime(page, panel(TAB_SMALL), gc);
      await page.waitForFunction(
        (n) => document.querySelector('[data-testid=count]')?.textContent?.includes(n),
        `${SMALL}`,
      );
      await filterTime(page, 'no-such-call', new RegExp(`^0 of ${SMALL} calls$`));
      render100.push(await filterTime(page, '', new RegExp(`^${SMALL} calls$`)));
      await openTime(page, panel(TAB_BIG), gc);
      await page.waitForFunction(
        (n) => document.querySelector('[data-testid=count]')?.textContent?.includes(n),
        `${BIG}`,
        { timeout: 120_000 },
      );
      // "s043" matches one sample in 66: about 758 rows of the 50,000.
      filter50k.push(await filterTime(page, 'p/s043', new RegExp(` of ${BIG} calls$`)));
    }
    const o100 = median(open100);
    const o50k = median(open50k);
    const r100 = median(render100);
    const f50k = median(filter50k);
    console.log(
      `panel: open 100 rows ${o100.toFixed(1)} ms, open 50,000 ${o50k.toFixed(1)} ms; render 100 rows ${r100.toFixed(1)} ms, filter 50,000 ${f50k.toFixed(1)} ms`,
    );
    return {
      panel_open_vs_100: Number((o50k / o100).toFixed(2)),
      panel_filter_vs_100: Number((f50k / r100).toFixed(2)),
      panel_open_ms_50k: Math.round(o50k),
      panel_filter_ms_50k: Math.round(f50k),
    };
  } finally {
    await browser.close();
  }
}
