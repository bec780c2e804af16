// Capture in real Chromium with the built CORScope extension: each scenario of ./scenarios.ts, resource
// kinds with their own wording, a load of 2,000 calls, and a service worker stopped mid-burst.
// The oracle is the browser: what the page saw, and the console lines Chromium printed.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BLOCKER_DIR, type ExtensionBrowser, launchWithExtension } from './harness/browser';
import {
  apiNeutral,
  type ExportedLine,
  exportJsonl,
  extensionPage,
  parseJsonl,
  send,
  waitForRows,
} from './harness/extension';
import { type ScenarioServer, startScenarioServer } from './harness/server';
import { belongsTo, openScenario, preflightAllows, SCENARIOS } from './scenarios';

let server: ScenarioServer;
let browser: ExtensionBrowser;
let ext: Page;

beforeAll(async () => {
  const buildError = inject('extensionBuildError');
  if (buildError) throw new Error(buildError);
  server = await startScenarioServer();
  browser = await launchWithExtension(inject('extensionDir'), { alsoLoad: [BLOCKER_DIR] });
  ext = await extensionPage(browser);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Cross-origin CORS calls each scenario makes (the rest are same-origin or no-cors: counted, not stored). */
const STORED: Record<string, number> = {
  'no-cors': 0,
  'same-origin': 0,
  'cached-preflight': 2,
  'concurrent-identical': 5,
  'concurrent-distinct': 20,
  'iframe-third-origin': 2,
  // Its login on API itself is same-origin: five cross-origin calls of its six.
  'credentials-http-auth': 5,
};

describe('scenarios', () => {
  for (const s of SCENARIOS.filter((x) => !x.firefoxOnly)) {
    it(`${s.name}: stored verdicts match what the page saw and what Chromium printed`, async () => {
      const ctx = await openScenario(server, browser.context, browser.newPage, s.name);
      const page = (await s.run(ctx)) as { ok: boolean; type?: string }[];
      await ctx.page.waitForTimeout(200);
      const expected = STORED[s.name] ?? page.length;
      const rows = await waitForRows(ext, (r) => belongsTo(r.request.url, s.name), expected);
      expect(rows).toHaveLength(expected);
      const printed = browser
        .consoleOf(ctx.page)
        .filter((l) => l.text.includes('blocked by CORS policy'))
        .map((l) => apiNeutral(l.text))
        .sort();
      const blocked = rows.filter((r) => r.evaluation.verdict === 'blocked');
      expect(blocked.map((r) => apiNeutral(r.evaluation.error!.console!)).sort()).toEqual(printed);
      // Fetch calls: the exact line, fetch wording (webRequest cannot tell fetch from XHR).
      for (const r of blocked) {
        if (!s.name.startsWith('xhr'))
          expect(browser.consoleOf(ctx.page).map((l) => l.text)).toContain(r.evaluation.error!.console);
      }
      const allowedInPage = page.filter((p) => p.ok && (p.type ?? 'cors') === 'cors').length;
      const allowedStored = rows.filter((r) => r.evaluation.verdict === 'allowed').length;
      if (!['no-cors', 'same-origin'].includes(s.name)) expect(allowedStored).toBe(allowedInPage);
      for (const r of rows) expect(r.capture.missing).toBeNull();
      checkPairing(rows);
      await ctx.page.close();
    });
  }

  it('a cached preflight names the call whose preflight served it', async () => {
    const rows = parseJsonl(await exportJsonl(ext)).filter((r) =>
      belongsTo(r.request.url, 'cached-preflight'),
    );
    expect(rows.map((r) => r.evaluation.preflight)).toEqual(['sent', 'cached']);
    expect(rows[1]!.evaluation.checks.find((c) => c.rule === 'preflight-cache')?.servedBy?.id).toBe(
      rows[0]!.id,
    );
  });

  it("a network error inside a CORS call is stored as one, explained by Chromium's own error string", async () => {
    const all = parseJsonl(await exportJsonl(ext));
    const of = (name: string) =>
      all
        .filter((r) => belongsTo(r.request.url, name))
        .map((r) => [r.evaluation.verdict, r.evaluation.reason?.key, r.capture.netError]);
    expect(of('redirect-loop')).toEqual([
      ['network-error', 'TooManyRedirects', 'net::ERR_TOO_MANY_REDIRECTS'],
    ]);
    expect(of('redirect-refused')).toEqual([
      ['network-error', 'ConnectionRefused', 'net::ERR_CONNECTION_REFUSED'],
    ]);
    expect(of('preflight-ok-empty-reply')).toEqual([
      ['network-error', 'EmptyResponse', 'net::ERR_EMPTY_RESPONSE'],
      ['network-error', 'EmptyResponse', 'net::ERR_EMPTY_RESPONSE'],
    ]);
    // data: and file: are refused at the redirect; ftp: and an unknown scheme fail Chromium's scheme check.
    expect(of('redirect-not-http')).toEqual([
      ['blocked', 'CorsDisabledScheme', 'net::ERR_FAILED'],
      ['network-error', 'RedirectNotHttp', 'net::ERR_UNSAFE_REDIRECT'],
      ['network-error', 'RedirectNotHttp', 'net::ERR_UNSAFE_REDIRECT'],
      ['blocked', 'CorsDisabledScheme', null],
    ]);
    // Stopped for a reason that is not CORS: no CORS line, and the browser's string says why.
    expect(of('stopped-not-cors')).toEqual([
      ['network-error', 'NameNotResolved', 'net::ERR_NAME_NOT_RESOLVED'],
      ['network-error', 'CertificateError', 'net::ERR_CERT_AUTHORITY_INVALID'],
    ]);
    expect(of('blocked-by-client')).toEqual([
      ['network-error', 'BlockedByClient', 'net::ERR_BLOCKED_BY_CLIENT'],
    ]);
  });

  it('identical concurrent calls pair one to one and are marked ambiguous; distinct ones are exact', async () => {
    const all = parseJsonl(await exportJsonl(ext));
    const identical = all.filter((r) => belongsTo(r.request.url, 'concurrent-identical'));
    expect(identical.every((r) => r.capture.ambiguous && r.evaluation.preflight === 'sent')).toBe(true);
    const preflights = server.requests.filter(
      (q) => q.preflight && q.path === '/s/concurrent-identical/data',
    );
    expect(identical.flatMap((r) => r.wire.filter((w) => w.type === 'preflight'))).toHaveLength(
      preflights.length,
    );
    const distinct = all.filter((r) => belongsTo(r.request.url, 'concurrent-distinct'));
    expect(distinct.every((r) => !r.capture.ambiguous && r.wire[0]!.request.url === r.request.url)).toBe(
      true,
    );
  });
});

/** Every preflight sits right before the request it belongs to: same URL, its method asked for. */
function checkPairing(rows: ExportedLine[]): void {
  for (const r of rows) {
    r.wire.forEach((w, i) => {
      if (w.type !== 'preflight') return;
      const next = r.wire[i + 1];
      // Nothing after it: it stopped its request, the call's own or the one a redirect before it led to.
      const before = r.wire[i - 1];
      const location = before?.response?.headers.find(([n]) => n.toLowerCase() === 'location')?.[1];
      const stopped = location
        ? { url: new URL(location, before!.request.url).href, method: before!.request.method }
        : r.request;
      expect(w.request.url).toBe(next?.request.url ?? stopped.url);
      if (!w.request.headers.length) {
        // A preflight whose send a stopped worker saw: only its answer was recorded, and the row says so.
        expect(r.capture.missing).toMatch(/preflight/);
        return;
      }
      const acrm = w.request.headers.find(([n]) => n.toLowerCase() === 'access-control-request-method')?.[1];
      expect(acrm).toBe(next?.request.method ?? stopped.method);
    });
  }
}

describe('resources loaded with CORS get Chromium wording for their kind', () => {
  it('script, stylesheet, font and image: the stored line is the one Chromium printed', async () => {
    const name = 'kinds';
    server.route(`/s/${name}/a.js`, {
      actual: { status: 200, headers: [['Content-Type', 'text/javascript']], body: '1' },
    });
    server.route(`/s/${name}/a.css`, {
      actual: { status: 200, headers: [['Content-Type', 'text/css']], body: 'a{}' },
    });
    server.route(`/s/${name}/f.woff2`, {
      actual: { status: 200, headers: [['Content-Type', 'font/woff2']], body: 'x' },
    });
    server.route(`/s/${name}/i.png`, {
      actual: { status: 200, headers: [['Content-Type', 'image/png']], body: 'x' },
    });
    const page = await browser.newPage();
    await page.goto(`${server.origins.page}/page?scenario=${name}`);
    const api = `${server.origins.api}/s/${name}`;
    await page.evaluate((base) => {
      const load = (el: HTMLElement) =>
        new Promise((resolve) => {
          el.addEventListener('load', resolve);
          el.addEventListener('error', resolve);
          document.head.append(el);
        });
      const s = Object.assign(document.createElement('script'), {
        src: `${base}/a.js`,
        crossOrigin: 'anonymous',
      });
      const l = Object.assign(document.createElement('link'), {
        rel: 'stylesheet',
        href: `${base}/a.css`,
        crossOrigin: 'anonymous',
      });
      const i = Object.assign(document.createElement('img'), {
        src: `${base}/i.png`,
        crossOrigin: 'anonymous',
      });
      const font = new FontFace('corscope-e2e', `url(${base}/f.woff2)`);
      return Promise.all([load(s), load(l), load(i), font.load().catch(() => null)]);
    }, api);
    await page.waitForTimeout(300);
    const rows = await waitForRows(ext, (r) => belongsTo(r.request.url, name), 4);
    const printed = browser
      .consoleOf(page)
      .map((l) => l.text)
      .filter((t) => t.includes('blocked by CORS policy'));
    expect(printed).toHaveLength(4);
    expect(rows.map((r) => r.evaluation.error?.console).sort()).toEqual([...printed].sort());
    expect(rows.map((r) => r.api).sort()).toEqual(['font', 'image', 'script', 'stylesheet']);
    await page.close();
  });
});

describe('load: 2,000 calls, half preflighted, in bursts of 200', () => {
  it('stores every call exactly once and pairs every preflight with its own request', async () => {
    const name = 'load';
    const allow: [string, string][] = [
      ['Access-Control-Allow-Origin', server.origins.page],
      ['Access-Control-Allow-Methods', 'PUT'],
      ['Access-Control-Allow-Headers', 'x-n'],
      ['Access-Control-Max-Age', '0'],
    ];
    server.route(`/s/${name}/u`, {
      preflight: { status: 204, headers: allow },
      actual: { status: 200, headers: allow.slice(0, 1) },
    });
    server.route(`/s/${name}/same`, {
      preflight: { status: 204, headers: allow },
      actual: { status: 200, headers: allow.slice(0, 1) },
    });
    const page = await browser.newPage();
    await page.goto(`${server.origins.page}/page?scenario=${name}`);
    const api = `${server.origins.api}/s/${name}`;
    const results = await page.evaluate(async (base) => {
      const out: boolean[] = [];
      for (let burst = 0; burst < 10; burst++) {
        const calls = [];
        for (let j = 0; j < 200; j++) {
          const n = burst * 200 + j;
          const pre = n % 2 === 0;
          // One call in ten goes to a shared URL with nothing to tell it apart: identical concurrent calls.
          const url = n % 10 === 0 ? `${base}/same` : `${base}/u?n=${n}`;
          calls.push(
            fetch(url, pre ? { method: 'PUT', headers: { 'X-N': String(n % 10 === 0 ? 0 : n) } } : {})
              .then((r) => r.ok)
              .catch(() => false),
          );
        }
        out.push(...(await Promise.all(calls)));
      }
      return out;
    }, api);
    expect(results.filter(Boolean)).toHaveLength(2000);
    const rows = await waitForRows(ext, (r) => belongsTo(r.request.url, name), 2000, 60_000);
    expect(rows).toHaveLength(2000);
    // Each unique call exactly once.
    const marked = rows.map((r) => new URL(r.request.url).searchParams.get('n')).filter((n) => n !== null);
    expect(marked).toHaveLength(1800);
    expect(new Set(marked).size).toBe(1800);
    expect(rows.every((r) => r.evaluation.verdict === 'allowed')).toBe(true);
    // Preflighted calls: one preflight each, their own (same URL, same X-N asked for), none shared.
    const put = rows.filter((r) => r.request.method === 'PUT');
    expect(put).toHaveLength(1000);
    for (const r of put) {
      const pf = r.wire.filter((w) => w.type === 'preflight');
      expect(pf).toHaveLength(1);
      expect(pf[0]!.request.url).toBe(r.request.url);
    }
    checkPairing(rows);
    const sharedPreflights = server.requests.filter(
      (q) => q.preflight && q.path === `/s/${name}/same`,
    ).length;
    expect(put.filter((r) => r.request.url.endsWith('/same'))).toHaveLength(sharedPreflights);
    expect(put.filter((r) => !r.request.url.endsWith('/same')).every((r) => !r.capture.ambiguous)).toBe(true);
    await page.close();
  });
});

describe('pause: capture off for the whole browser', () => {
  it('removes every webRequest listener, stores nothing, and captures again on resume', async () => {
    const name = 'pause';
    server.route(`/s/${name}/u`, {
      actual: { status: 200, headers: [['Access-Control-Allow-Origin', server.origins.page]], body: 'ok' },
    });
    const setPaused = (paused: boolean) =>
      send(ext, { source: 'corscope', type: 'settings', patch: { paused } });
    // What the worker has registered, asked of the worker itself.
    const listening = async () => {
      const sw = browser.context.serviceWorkers().find((w) => w.url().includes(browser.extensionId))!;
      return sw.evaluate(() => {
        const wr = (
          globalThis as unknown as { chrome: { webRequest: Record<string, { hasListeners(): boolean }> } }
        ).chrome.webRequest;
        return ['onSendHeaders', 'onHeadersReceived', 'onCompleted', 'onErrorOccurred'].filter((e) =>
          wr[e]!.hasListeners(),
        );
      });
    };
    // Chromium: the three events pairing needs (src/capture/events.ts LISTENED), not onCompleted.
    expect(await listening()).toEqual(['onSendHeaders', 'onHeadersReceived', 'onErrorOccurred']);
    const page = await browser.newPage();
    await page.goto(`${server.origins.page}/page?scenario=${name}`);
    const call = (n: string) =>
      page.evaluate((u) => fetch(u).then((r) => r.ok), `${server.origins.api}/s/${name}/u?n=${n}`);
    await setPaused(true);
    expect(await listening()).toEqual([]);
    expect(await call('paused')).toBe(true);
    await setPaused(false);
    expect(await listening()).toEqual(['onSendHeaders', 'onHeadersReceived', 'onErrorOccurred']);
    expect(await call('resumed')).toBe(true);
    const rows = await waitForRows(ext, (r) => belongsTo(r.request.url, name), 1);
    await page.waitForTimeout(500);
    const all = parseJsonl(await exportJsonl(ext)).filter((r) => belongsTo(r.request.url, name));
    expect(all.map((r) => new URL(r.request.url).searchParams.get('n'))).toEqual(['resumed']);
    expect(rows[0]!.evaluation.verdict).toBe('allowed');
    await page.close();
  });
});

describe("order: calls that leave pairing on their answer reach the store in the browser's order", () => {
  it('allowed-whatever-the-credentials calls, settling ones and cached preflights, one after another', async () => {
    const name = 'order';
    const o = server.origins.page;
    const cred: [string, string][] = [
      ['Access-Control-Allow-Origin', o],
      ['Access-Control-Allow-Credentials', 'true'],
    ];
    server.route(`/s/${name}/cred`, { actual: { status: 200, headers: cred, body: 'ok' } });
    server.route(`/s/${name}/star`, {
      actual: { status: 200, headers: [['Access-Control-Allow-Origin', '*']], body: 'ok' },
    });
    server.route(`/s/${name}/put`, {
      preflight: { status: 204, headers: preflightAllows(o, 'PUT', 'X-Order', 600) },
      actual: { status: 200, headers: cred, body: 'ok' },
    });
    const page = await browser.newPage();
    await page.goto(`${o}/page?scenario=${name}`);
    // One after another: a "star" answer waits for an error that never comes, "cred" and "put" answers
    // cannot fail. The PUTs share one URL (the preflight cache's key) and say their number in X-Order.
    const kinds = ['star', 'put', 'put', 'put', 'cred', 'star', 'cred', 'star', 'cred'];
    const ok = await page.evaluate(
      async ([base, kinds]) => {
        const out: boolean[] = [];
        for (const [n, kind] of kinds.entries()) {
          const put = kind === 'put';
          const init = put ? { method: 'PUT', headers: { 'X-Order': String(n) } } : {};
          out.push(
            await fetch(put ? `${base}/put` : `${base}/${kind}?n=${n}`, init).then(
              (r) => r.ok,
              () => false,
            ),
          );
        }
        return out;
      },
      [`${server.origins.api}/s/${name}`, kinds] as const,
    );
    expect(ok.every(Boolean)).toBe(true);
    const rows = await waitForRows(ext, (r) => belongsTo(r.request.url, name), kinds.length);
    const number = (r: ExportedLine) =>
      new URL(r.request.url).searchParams.get('n') ??
      r.wire.at(-1)!.request.headers.find(([h]) => h.toLowerCase() === 'x-order')?.[1];
    expect(rows.map(number)).toEqual(kinds.map((_, n) => String(n)));
    expect(rows.every((r) => r.evaluation.verdict === 'allowed')).toBe(true);
    const puts = rows.filter((r) => r.request.method === 'PUT');
    expect(puts.map((r) => r.evaluation.preflight)).toEqual(['sent', 'cached', 'cached']);
    for (const r of puts.slice(1))
      expect(r.evaluation.checks.find((c) => c.rule === 'preflight-cache')?.servedBy?.id).toBe(puts[0]!.id);
    await page.close();
  });
});

describe('capture on listed sites only, and the toolbar badge', () => {
  it('captures calls to the listed sites alone, clears on a new page anywhere, and badges the blocked calls', async () => {
    const name = 'listed';
    server.route(`/s/${name}/ok`, {
      actual: { status: 200, headers: [['Access-Control-Allow-Origin', server.origins.page]], body: 'ok' },
    });
    server.route(`/s/${name}/no`, { actual: { status: 200, body: 'no' } });
    const sw = () => browser.context.serviceWorkers().find((w) => w.url().includes(browser.extensionId))!;
    const badge = (tabId: number) =>
      sw().evaluate(
        (t) =>
          (
            globalThis as unknown as {
              chrome: { action: { getBadgeText(d: { tabId: number }): Promise<string> } };
            }
          ).chrome.action.getBadgeText({ tabId: t }),
        tabId,
      );
    const setSettings = (patch: object) => send(ext, { source: 'corscope', type: 'settings', patch });
    // The page is on 127.0.0.1; "localhost" names the API's second origin (api2), on another port.
    await setSettings({ captureOn: 'listed', captureSites: ['localhost'] });
    try {
      const page = await browser.newPage();
      await page.goto(`${server.origins.page}/page?scenario=${name}`);
      const results = await page.evaluate(
        async ([listed, other, path]) => {
          const call = (u: string) =>
            fetch(u).then(
              (r) => r.ok,
              () => false,
            );
          const out: boolean[] = [];
          for (const [base, n, what] of [
            [listed, 1, 'ok'],
            [listed, 2, 'no'],
            [listed, 3, 'no'],
            [other, 4, 'ok'],
            [other, 5, 'no'],
          ] as const)
            out.push(await call(`${base}${path}/${what}?n=${n}`));
          return out;
        },
        [server.origins.api2, server.origins.api, `/s/${name}`] as const,
      );
      expect(results).toEqual([true, false, false, true, false]);
      const rows = await waitForRows(ext, (r) => belongsTo(r.request.url, name), 3);
      // Long enough for the calls elsewhere to have been stored, were they seen.
      await page.waitForTimeout(1_500);
      const all = parseJsonl(await exportJsonl(ext)).filter((r) => belongsTo(r.request.url, name));
      expect(all.map((r) => [new URL(r.request.url).searchParams.get('n'), r.evaluation.verdict])).toEqual([
        ['1', 'allowed'],
        ['2', 'blocked'],
        ['3', 'blocked'],
      ]);
      const tabId = rows[0]!.capture.tabId;
      await expect.poll(() => badge(tabId)).toBe('2');
      // A new page in the tab, on a site not listed: its log and its badge empty all the same.
      await page.goto(`${server.origins.page}/page?scenario=${name}-next`);
      await expect.poll(async () => parseJsonl(await exportJsonl(ext, tabId)).length).toBe(0);
      expect(await badge(tabId)).toBe('');
      await page.close();
    } finally {
      await setSettings({ captureOn: 'all' });
    }
  });
});

describe('restart: the service worker stopped in the middle of a burst', () => {
  it('loses nothing that completed before the stop, and capture resumes', async () => {
    const name = 'restart';
    const allow: [string, string][] = [
      ['Access-Control-Allow-Origin', server.origins.page],
      ['Access-Control-Allow-Methods', 'PUT'],
      ['Access-Control-Allow-Headers', 'x-n'],
      ['Access-Control-Max-Age', '0'],
    ];
    // Answers take 0-100 ms (over Chromium's six connections per host), so calls are in flight when the
    // worker stops.
    server.route(`/s/${name}/u`, async (req) => {
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 100)));
      return req.preflight
        ? { status: 204, headers: allow }
        : { status: 200, headers: allow.slice(0, 1), body: 'ok' };
    });
    const page = await browser.newPage();
    await page.goto(`${server.origins.page}/page?scenario=${name}`);
    const api = `${server.origins.api}/s/${name}/u`;
    const burst = page.evaluate(async (base) => {
      const done: { n: number; ok: boolean; at: number }[] = [];
      (window as unknown as { burstDone: unknown[] }).burstDone = done;
      await Promise.all(
        Array.from({ length: 300 }, (_, n) =>
          new Promise((r) => setTimeout(r, n * 5)).then(() =>
            fetch(`${base}?n=${n}`, n % 2 ? { method: 'PUT', headers: { 'X-N': String(n) } } : {})
              .then((r) => done.push({ n, ok: r.ok, at: Date.now() }))
              .catch(() => done.push({ n, ok: false, at: Date.now() })),
          ),
        ),
      );
      return done;
    }, api);
    // Stop the worker once a third of the burst is answered, whatever the machine's speed: the rest is
    // still being sent or in flight.
    await page.waitForFunction(
      () => ((window as unknown as { burstDone?: unknown[] }).burstDone?.length ?? 0) >= 100,
    );
    const cdp = await browser.context.newCDPSession(page);
    const stoppedAt = Date.now();
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    const done = await burst;
    expect(done.filter((d) => d.ok)).toHaveLength(300);
    // Capture resumes: a call after the burst is stored too.
    await page.evaluate((u) => fetch(`${u}?n=after`).then((r) => r.ok), api);
    const rows = await waitForRows(ext, (r) => belongsTo(r.request.url, name), 301, 60_000);
    const byN = new Map<string, ExportedLine[]>();
    for (const r of rows) {
      const n = new URL(r.request.url).searchParams.get('n')!;
      byN.set(n, [...(byN.get(n) ?? []), r]);
    }
    // Nothing stored twice; everything that completed before the stop is there.
    for (const [, list] of byN) expect(list).toHaveLength(1);
    const before = done.filter((d) => d.at < stoppedAt);
    expect(before.length).toBeGreaterThan(20);
    for (const d of before)
      expect(byN.get(String(d.n)), `call ${d.n} completed before the stop`).toBeDefined();
    // Complete rows carry the browser's verdict. A row whose answer died with the worker (events Chromium
    // had not delivered yet) claims no explanation: it says its headers were lost.
    for (const r of rows) {
      if (!r.capture.headersLost) {
        expect(r.evaluation.verdict).toBe('allowed');
        continue;
      }
      expect(r.capture.recovered).toBe(true);
      expect(r.evaluation.error).toBeNull();
      expect((r.evaluation as unknown as { fixes: unknown[] }).fixes).toEqual([]);
      expect((r.evaluation as unknown as { summary: string }).summary).toMatch(/headers were lost/);
    }
    expect(byN.get('after')?.[0]?.evaluation.verdict).toBe('allowed');
    checkPairing(rows);
    console.log(
      `restart: ${before.length} calls done before the stop, ${rows.length} stored of 301, ${rows.filter((r) => r.capture.recovered).length} rebuilt from the snapshot, ${rows.filter((r) => r.capture.headersLost).length} with their answer lost`,
    );
    await page.close();
  });
});
