// Local Network Access live in Chromium with CORScope loaded: every kind of call the check stops (or lets through)
// made from real pages on the network of ./harness/lna.ts, with the permissions each names. The browser is the
// oracle: what the page saw, the line Chromium printed, DevTools' corsError, and what reached the servers.
import type { CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitUntilCapturing } from '../../src/demo/main';
import { type ExtensionBrowser, launchWithExtension } from './harness/browser';
import { type ExportedLine, extensionPage, waitForRows } from './harness/extension';
import { LNA_SCENARIOS, type LnaResult, type LnaWorld, runLnaScenario, startLnaWorld } from './harness/lna';

interface Row extends ExportedLine {
  evaluation: ExportedLine['evaluation'] & {
    reason: { key: string } | null;
    localNetwork?: { initiator: string | null; resource: string | null; blocked: boolean };
    advice: string[];
    fixes: unknown[];
  };
}

interface Seen {
  name: string;
  url: string;
  page: LnaResult;
  /** DevTools' corsError for the call (not its preflight); null when it failed for no CORS reason or worked. */
  corsError: string | null;
  lines: string[];
  row: Row;
}

/** DevTools' corsError of each request the page made (not a preflight), by its first URL. */
function watchCorsErrors(session: CDPSession): Map<string, string | null> {
  const urls = new Map<string, string>();
  const out = new Map<string, string | null>();
  session.on('Network.requestWillBeSent', (e) => {
    if (e.initiator.type !== 'preflight' && !e.redirectResponse) urls.set(e.requestId, e.request.url);
  });
  session.on('Network.loadingFailed', (e) => {
    const url = urls.get(e.requestId);
    if (url) out.set(url, e.corsErrorStatus?.corsError ?? null);
  });
  return out;
}

let world: LnaWorld;
let browser: ExtensionBrowser;
let ext: Page;
const seen: Seen[] = [];

beforeAll(async () => {
  const buildError = inject('extensionBuildError');
  if (buildError) throw new Error(buildError);
  world = await startLnaWorld();
  browser = await launchWithExtension(inject('extensionDir'), { extraArgs: world.args });
  ext = await extensionPage(browser);
  const warm = await browser.newPage();
  await warm.goto(`${world.origins.secure}/page`);
  await waitUntilCapturing(warm, ext, `${world.origins.public}/lna/ok/ready`);
  await warm.close();
  for (const s of LNA_SCENARIOS) {
    const {
      page,
      calls,
      results,
      watched: corsErrors,
    } = await runLnaScenario(browser, world, s, watchCorsErrors);
    const urls = calls.map((c) => c.url);
    const rows = (await waitForRows(ext, (r) => urls.includes(r.request.url), calls.length)) as Row[];
    await page.waitForTimeout(200);
    const lines = browser
      .consoleOf(page)
      .filter((l) => l.text.includes('blocked by CORS policy'))
      .map((l) => l.text);
    calls.forEach((c, k) => {
      seen.push({
        name: `${s.name} #${k}`,
        url: c.url,
        page: results[k]!,
        corsError: corsErrors.get(c.url) ?? null,
        lines,
        row: rows.find((r) => r.request.url === c.url)!,
      });
    });
    await page.close();
  }
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await world?.close();
});

const LNA = ['LocalNetworkAccessPermissionDenied', 'InsecureLocalNetwork', 'InvalidLocalNetworkAccess'];
const byName = (name: string) => seen.find((s) => s.name === name)!;

describe('Local Network Access, live in Chromium with CORScope loaded', () => {
  it('stores every call, an element load included, with the verdict the page saw', () => {
    expect(seen).toHaveLength(10);
    for (const s of seen) {
      expect(s.row, s.name).toBeDefined();
      if (s.page.ok) expect(s.row.evaluation.verdict, s.name).toBe('allowed');
      else expect(['blocked', 'network-error'], s.name).toContain(s.row.evaluation.verdict);
    }
  });

  it("names each call the check stopped as DevTools does, and prints Chromium's own line where the URL shows the server's space", () => {
    for (const s of seen) {
      if (!s.corsError || !LNA.includes(s.corsError)) continue;
      const ev = s.row.evaluation;
      if (s.corsError === 'InvalidLocalNetworkAccess') {
        // webRequest shows only net::ERR_FAILED with no response: too little to name the check.
        expect([ev.verdict, ev.reason?.key], s.name).toEqual(['network-error', 'NoResponse']);
        continue;
      }
      expect([ev.verdict, ev.error?.chromium], s.name).toEqual(['blocked', s.corsError]);
      // The URL of the hop the check stopped (a redirect's, for a redirected call).
      const stopped = (ev.error as { url?: string } | null)?.url ?? s.url;
      if (new URL(stopped).hostname === '127.0.0.1') expect(s.lines, s.name).toContain(ev.error?.console);
      else expect(ev.error?.console, s.name).toBeNull();
      expect(ev.fixes, s.name).toEqual([]);
      expect(ev.advice.length, s.name).toBeGreaterThan(2);
    }
  });

  it('says where the check stopped the call: the request, the preflight, the redirect hop, an image', () => {
    expect(byName('lna-permission-loopback #0').row.evaluation.error?.stage).toBe('request');
    expect(byName('lna-preflight #0').row.evaluation).toMatchObject({
      preflight: 'sent',
      error: { stage: 'preflight' },
    });
    expect(byName('lna-redirect #0').row.evaluation.error?.stage).toBe('redirect');
    expect(byName('lna-element #0').row.evaluation.error?.console).toMatch(/^Access to image at /);
    expect(byName('lna-insecure #0').row.evaluation.error?.chromium).toBe('InsecureLocalNetwork');
    expect(byName('lna-permission-local #0').row.evaluation.localNetwork).toMatchObject({
      initiator: 'public',
      resource: null,
      blocked: true,
    });
  });

  it('the server never saw a request the check stopped, and saw the ones the permission let through', () => {
    const paths = world.seen.map((r) => `${r.method} ${r.path}`);
    for (const p of [
      '/lna/ok/permission',
      '/lna/ok/local',
      '/lna/ok/put',
      '/lna/img',
      '/lna/ok/insecure',
      '/lna/ok/target',
    ])
      expect(
        paths.filter((x) => x.endsWith(p)),
        p,
      ).toEqual([]);
    expect(paths).toContain('GET /lna/ok/granted');
    expect(paths).toContain('OPTIONS /lna/ok/put-granted');
    expect(paths).toContain('PUT /lna/ok/put-granted');
  });

  it('after the permission, ordinary CORS applies and is explained as any CORS failure', () => {
    const s = byName('lna-after-grant #1');
    expect(s.corsError).toBe('MissingAllowOriginHeader');
    expect(s.row.evaluation.error?.chromium).toBe('MissingAllowOriginHeader');
    expect(s.lines).toContain(s.row.evaluation.error?.console);
    expect(byName('lna-after-grant #2').row.evaluation.verdict).toBe('allowed');
  });
});
