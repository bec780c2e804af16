// CORScope in Firefox: the package wxt zip makes passes web-ext lint, and the built add-on, installed in
// Debian's firefox-esr (headless, driven over WebDriver BiDi: harness/firefox.ts), captures the scenarios of
// ./scenarios.ts that Firefox can run. The oracle is the browser: what the page saw, the CORS lines Firefox
// logged (BiDi log.entryAdded, type "javascript", level "error"), the CORS warnings it logged (read from its
// console service: BiDi forwards no warnings) and what the server received.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ExportedLine } from './harness/extension';
import { asPage, type FirefoxPage } from './harness/firefox';
import {
  firefoxCorsLines,
  firefoxCorsWarnings,
  firefoxLineOfWarning,
  storedFirefoxLine,
  urlOfFirefoxLine,
} from './harness/firefox-console';
import { type FirefoxCorscope, launchFirefoxWithCorscope } from './harness/firefox-corscope';
import { type ScenarioServer, startScenarioServer } from './harness/server';
import { unzip } from './harness/zip';
import { belongsTo, openScenario, SCENARIOS } from './scenarios';

const ROOT = resolve(import.meta.dirname, '../..');
const WEB_EXT = resolve(ROOT, 'node_modules/web-ext/bin/web-ext.js');

function buildOrThrow(): void {
  const error = inject('firefoxBuildError');
  if (error) throw new Error(error);
}

interface LintMessage {
  code: string;
  message: string;
  file?: string;
}
interface LintReport {
  summary: { errors: number; warnings: number; notices: number };
  errors: LintMessage[];
  warnings: LintMessage[];
}

/** `web-ext lint` on a folder, its JSON report parsed. */
function webExtLint(sourceDir: string): LintReport {
  const run = spawnSync(
    process.execPath,
    [WEB_EXT, 'lint', '--source-dir', sourceDir, '--output', 'json', '--no-config-discovery', '--no-input'],
    { encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_UPDATE_NOTIFIER: '1' } },
  );
  const start = run.stdout.indexOf('{');
  if (start < 0) throw new Error(`web-ext lint printed no report (exit ${run.status}):\n${run.stderr}`);
  return JSON.parse(run.stdout.slice(start)) as LintReport;
}

describe('the Firefox package (wxt zip -b firefox)', () => {
  let dir = '';
  let files: string[] = [];
  beforeAll(() => {
    buildOrThrow();
    dir = mkdtempSync(join(tmpdir(), 'corscope-xpi-'));
    files = unzip(inject('firefoxZip'), dir);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('passes web-ext lint with no errors', () => {
    const report = webExtLint(dir);
    const show = (ms: LintMessage[]) => ms.map((m) => `${m.code} ${m.file ?? ''}: ${m.message}`);
    expect(show(report.errors)).toEqual([]);
    expect(report.summary.errors).toBe(0);
    // Warnings are reported, not failed on: say which, so a new one is seen.
    console.log(
      `web-ext lint: 0 errors, ${report.summary.warnings} warnings: ${show(report.warnings).join('; ')}`,
    );
  });

  it('declares what Firefox needs: gecko id, permissions, background scripts, devtools page, popup, icons', () => {
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(m.manifest_version).toBe(2);
    expect(m.browser_specific_settings.gecko.id).toMatch(/^[\w.+-]+@[\w.-]+$/);
    expect(m.browser_specific_settings.gecko.data_collection_permissions).toEqual({ required: ['none'] });
    expect([...m.permissions].sort()).toEqual(['<all_urls>', 'storage', 'webRequest']);
    expect(m.background.scripts).toEqual(['background.js']);
    expect(m.background.service_worker).toBeUndefined();
    expect(m.devtools_page).toBe('devtools.html');
    expect(m.browser_action.default_popup).toBe('popup.html');
    // The icons drawn from assets/icon.svg, for the add-on and its toolbar button.
    const icons = { 16: 'icons/16.png', 32: 'icons/32.png', 48: 'icons/48.png', 128: 'icons/128.png' };
    expect(m.icons).toEqual(icons);
    expect(m.browser_action.default_icon).toEqual(icons);
    for (const f of Object.values(icons)) expect(files).toContain(f);
    for (const f of [
      ...m.background.scripts,
      m.devtools_page,
      m.browser_action.default_popup,
      'devtools-panel.html',
    ])
      expect(files).toContain(f);
    // Every script and stylesheet the pages load is in the package.
    for (const page of files.filter((f) => f.endsWith('.html'))) {
      const html = readFileSync(join(dir, page), 'utf8');
      for (const [, ref] of html.matchAll(/(?:src|href)="\/?([^"]+\.(?:js|css))"/g))
        expect(files).toContain(ref);
    }
  });

  it('is the add-on the folder build holds', () => {
    const built = inject('firefoxExtensionDir');
    for (const f of files) expect(existsSync(join(built, f)), f).toBe(true);
  });
});

// --- capture in Firefox ------------------------------------------------------------------------------

let server: ScenarioServer;
let ff: FirefoxCorscope;

/** Cross-origin CORS calls each scenario makes (the rest are same-origin or no-cors: counted, not stored). */
const STORED: Record<string, number> = {
  'no-cors': 0,
  'same-origin': 0,
  'cached-preflight': 2,
  'cached-preflight-thrice': 3,
  'concurrent-identical': 5,
  'concurrent-distinct': 20,
  // Its login on API itself is same-origin: five cross-origin calls of its six.
  'credentials-http-auth': 5,
};

const FIREFOX_SCENARIOS = SCENARIOS.filter((s) => !s.chromiumOnly);

describe('capture in Firefox', () => {
  beforeAll(async () => {
    buildOrThrow();
    server = await startScenarioServer();
    ff = await launchFirefoxWithCorscope(inject('firefoxExtensionDir'));
    // Capture is live once a call is stored (the add-on's background starts with the browser).
    server.route('/s/warm-up/data', {
      actual: { status: 200, headers: [['Access-Control-Allow-Origin', server.origins.page]], body: 'ok' },
    });
    const page = await ff.browser.newPage();
    await page.goto(`${server.origins.page}/page?scenario=warm-up`);
    const until = Date.now() + 30_000;
    let stored: ExportedLine[] = [];
    while (!stored.length && Date.now() < until) {
      await page.evaluate((u) => fetch(u).then((r) => r.status), `${server.origins.api}/s/warm-up/data`);
      stored = await ff.waitForRows((r) => belongsTo(r.request.url, 'warm-up'), 1, 2_000);
    }
    await page.close();
    if (!stored.length) throw new Error('CORScope stored no call in Firefox within 30 s');
  });
  afterAll(async () => {
    await ff?.close();
    await server?.close();
  });

  it('runs in Firefox and says so: engine "firefox" in capture and in the verdict', async () => {
    const [warm] = (await ff.exportRows()).filter((r) => belongsTo(r.request.url, 'warm-up'));
    expect(warm!.capture.engine).toBe('firefox');
    expect(warm!.evaluation.engine).toBe('firefox');
    expect(warm!.evaluation.verdict).toBe('allowed');
    expect(ff.browser.userAgent).toMatch(/Firefox\/\d+/);
  });

  for (const s of FIREFOX_SCENARIOS) {
    it(`${s.name}: stored verdicts match what the page saw, what Firefox logged and what the server received`, async () => {
      server.reset();
      const tabs: FirefoxPage[] = [];
      const ctx = await openScenario(
        server,
        ff.browser.context as never,
        async () => {
          tabs.push(await ff.browser.newPage());
          return asPage(tabs[0]!);
        },
        s.name,
      );
      const page = (await s.run(ctx)) as { ok: boolean; type?: string }[];
      const expected = STORED[s.name] ?? page.length;
      const rows = await ff.waitForRows((r) => belongsTo(r.request.url, s.name), expected);
      expect(rows).toHaveLength(expected);

      // Firefox's words: each failed call's line, as Firefox logged it (console lines trail the calls).
      // A joined Access-Control-Allow-Origin read as several lines stands for Firefox's one-line line too.
      const own = rows.map((r) => r.evaluation.error?.console).filter((l): l is string => !!l);
      const logged = await corsLinesOf(tabs[0]!, own.length);
      const stored = rows
        .map((r) => {
          const line = r.evaluation.error?.console ?? null;
          const url = line ? urlOfFirefoxLine(line) : null;
          const there =
            logged.find((l) => l === line) ?? logged.find((l) => url && urlOfFirefoxLine(l) === url);
          return storedFirefoxLine(r.evaluation, there ?? null).line;
        })
        .filter((l): l is string => !!l);
      expect(stored.sort()).toEqual(logged.sort());

      // Firefox's CORS warnings for this scenario: each is quoted by a stored warning, and only those.
      const quoted = rows
        .flatMap((r) => r.evaluation.warnings ?? [])
        .map((w) => firefoxLineOfWarning(w.message))
        .filter((l): l is string => !!l);
      const warned = await corsWarningsOf(s.name, quoted.length);
      expect(quoted.sort()).toEqual(warned.sort());

      // What the page saw: a call allowed in the page is allowed in the store, and only those.
      const allowedInPage = page.filter((p) => p.ok && (p.type ?? 'cors') === 'cors').length;
      expect(rows.filter((r) => r.evaluation.verdict === 'allowed')).toHaveLength(allowedInPage);

      // What crossed the wire: every preflight the server answered is in one stored call, and a call stored
      // as served from the preflight cache had none.
      const preflightsSeen = server.requests.filter((q) => q.preflight && belongsTo(q.url, s.name)).length;
      const preflightsStored = rows.flatMap((r) => r.wire.filter((w) => w.type === 'preflight'));
      expect(preflightsStored).toHaveLength(preflightsSeen);
      for (const r of rows) {
        const sent = r.wire.some((w) => w.type === 'preflight');
        if (r.evaluation.preflight === 'sent') expect(sent).toBe(true);
        else expect(sent).toBe(false);
      }
      checkPairing(rows);

      // Firefox reports no outcome for a call it answered: none is claimed, unless it reported an error.
      for (const r of rows) {
        expect(r.capture.engine).toBe('firefox');
        expect(r.evaluation.engine).toBe('firefox');
        expect(r.capture.missing).toBeNull();
        expect(r.outcome).toBe(r.capture.netError ? 'error' : undefined);
      }
      await ctx.page.close();
    });
  }

  it('calls served from the preflight cache are stored as cached and name the call whose preflight served it', async () => {
    // Firefox may preflight a URL again right after it starts (see the scenario): what the server received
    // decides which calls were served from the cache, and those must say so.
    const rows = (await ff.exportRows()).filter(
      (r) =>
        belongsTo(r.request.url, 'cached-preflight') || belongsTo(r.request.url, 'cached-preflight-thrice'),
    );
    expect(rows).toHaveLength(5);
    const cached = rows.filter((r) => !r.wire.some((w) => w.type === 'preflight'));
    expect(cached.length).toBeGreaterThan(0);
    for (const r of cached) {
      expect(r.evaluation.preflight).toBe('cached');
      const servedBy = r.evaluation.checks.find((c) => c.rule === 'preflight-cache')?.servedBy?.id;
      const filler = rows.find((x) => x.id === servedBy);
      expect(filler?.request.url).toBe(r.request.url);
      expect(filler?.wire.some((w) => w.type === 'preflight')).toBe(true);
    }
  });

  it('Authorization under Access-Control-Allow-Headers: * is let through without credentials, with the warning Firefox logs; with credentials it is blocked', async () => {
    // Recorded in Firefox ESR 153 (network.cors_preflight.authorization_covered_by_wildcard is true): the
    // Fetch Standard keeps Authorization out of "*", Firefox still lets "*" cover it and warns.
    const all = await ff.exportRows();
    const only = (name: string) => {
      const rows = all.filter((r) => belongsTo(r.request.url, name));
      expect(rows).toHaveLength(1);
      return rows[0]!;
    };
    const asked = (r: ExportedLine) =>
      r.wire[0]!.request.headers.find(([n]) => n.toLowerCase() === 'access-control-request-headers')?.[1];
    const codes = (r: ExportedLine) => (r.evaluation.warnings ?? []).map((w) => w.code);

    const star = only('preflight-auth-star');
    expect(asked(star)).toBe('authorization');
    expect(star.wire.map((w) => w.type)).toEqual(['preflight', 'request']);
    expect(star.evaluation.verdict).toBe('allowed');
    expect(codes(star)).toContain('authorization-covered-by-wildcard');
    const warned = await corsWarningsOf('preflight-auth-star', 1);
    expect(warned).toEqual([
      `Cross-Origin Request Warning: The Same Origin Policy will disallow reading the remote resource at ${star.request.url} soon. (Reason: When the \`Access-Control-Allow-Headers\` is \`*\`, the \`Authorization\` header is not covered. To include the \`Authorization\` header, it must be explicitly listed in CORS header \`Access-Control-Allow-Headers\`).`,
    ]);

    const listed = only('preflight-auth-star-listed');
    expect(asked(listed)).toBe('authorization');
    expect(listed.evaluation.verdict).toBe('allowed');
    expect(codes(listed)).not.toContain('authorization-covered-by-wildcard');

    const creds = only('preflight-auth-star-credentials');
    expect(asked(creds)).toBe('authorization');
    expect(creds.wire.map((w) => w.type)).toEqual(['preflight']);
    expect(creds.evaluation.verdict).toBe('blocked');
    expect(creds.evaluation.error).toMatchObject({
      stage: 'preflight',
      firefox: 'CORSMissingAllowHeaderFromPreflight',
      console: `Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at ${creds.request.url}. (Reason: header ‘authorization’ is not allowed according to header ‘Access-Control-Allow-Headers’ from CORS preflight response).`,
    });
    expect(codes(creds)).not.toContain('authorization-covered-by-wildcard');
  });

  it('a failed preflight: the request Firefox listed first is not in the call, it was never sent', async () => {
    for (const name of ['preflight-fail-no-acao', 'preflight-fail-no-acah', 'preflight-500']) {
      const [row] = (await ff.exportRows()).filter((r) => belongsTo(r.request.url, name));
      expect(row!.wire.map((w) => w.type)).toEqual(['preflight']);
      expect(row!.capture.netError).toBe('NS_ERROR_DOM_BAD_URI');
      expect(row!.evaluation.verdict).toBe('blocked');
      expect(row!.evaluation.error?.stage).toBe('preflight');
    }
  });

  it("the panel, opened for a tab, says Firefox reported no outcome and shows Firefox's line", async () => {
    const [row] = (await ff.exportRows()).filter((r) => belongsTo(r.request.url, 'simple-blocked'));
    const panel = await ff.browser.newPage();
    await panel.goto(`${ff.addon.base}/devtools-panel.html?tabId=${row!.capture.tabId}`);
    const seen = await panel.evaluate(async (path) => {
      const until = Date.now() + 10_000;
      const wait = async <T>(get: () => T | null | undefined): Promise<T | null> => {
        for (let v = get(); ; v = get()) {
          if (v || Date.now() > until) return v ?? null;
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      const rowEl = await wait(() =>
        [...document.querySelectorAll<HTMLElement>('[data-testid=row]')].find((e) =>
          e.textContent?.includes(path),
        ),
      );
      rowEl?.click();
      await wait(() => document.querySelector('[data-testid=details]'));
      const text = (id: string) => document.querySelector(`[data-testid=${id}]`)?.textContent ?? null;
      return { note: text('outcome-note'), console: text('console'), verdict: text('verdict') };
    }, '/s/simple-blocked/data');
    expect(seen.note).toMatch(/^Firefox did not report whether the page could read this response/);
    expect(seen.console).toBe(row!.evaluation.error!.console);
    expect(seen.verdict).toContain('Firefox console');
    await panel.close();
  });

  it("a network error inside a CORS call is stored as one, with Firefox's error string and its line", async () => {
    const all = await ff.exportRows();
    const of = (name: string) =>
      all
        .filter((r) => belongsTo(r.request.url, name))
        .map((r) => [
          r.evaluation.verdict,
          r.evaluation.reason?.key,
          r.capture.netError ?? null,
          r.evaluation.error?.firefox ?? null,
        ]);
    expect(of('redirect-loop')).toEqual([
      ['network-error', 'TooManyRedirects', 'NS_ERROR_REDIRECT_LOOP', 'CORSDidNotSucceed'],
    ]);
    expect(of('redirect-refused')).toEqual([
      ['network-error', 'ConnectionRefused', 'NS_ERROR_CONNECTION_REFUSED', 'CORSDidNotSucceed'],
    ]);
    // An empty reply: Firefox's own words for it depend on its error string (recorded).
    expect(of('preflight-ok-empty-reply')).toEqual([
      [
        'network-error',
        'ConnectionClosed',
        'NS_ERROR_NET_ON_RECEIVING_FROM',
        'CORSMultipleAllowOriginNotAllowed',
      ],
      ['network-error', 'ConnectionClosed', 'NS_ERROR_NET_RESET', 'CORSDidNotSucceed'],
    ]);
    expect(of('redirect-not-http')).toEqual([
      ['blocked', 'CorsDisabledScheme', null, 'CORSRequestNotHttp'],
      ['network-error', 'RedirectNotHttp', 'NS_ERROR_CORRUPTED_CONTENT', 'CORSDidNotSucceed'],
      ['network-error', 'RedirectNotHttp', 'NS_ERROR_CORRUPTED_CONTENT', 'CORSDidNotSucceed'],
      ['blocked', 'CorsDisabledScheme', null, 'CORSRequestNotHttp'],
    ]);
    expect(of('stopped-not-cors')).toEqual([
      ['network-error', 'NameNotResolved', 'NS_ERROR_UNKNOWN_HOST', 'CORSDidNotSucceed'],
      [
        'network-error',
        'CertificateError',
        'The certificate is not trusted because it is self-signed.',
        'CORSDidNotSucceed',
      ],
    ]);
    // A preflight after a cross-origin redirect: Firefox checks it against the page's origin, not null.
    expect(of('redirect-preflight-null')).toEqual([
      ['blocked', 'AllowOriginMismatch', 'NS_ERROR_DOM_BAD_URI', 'CORSAllowOriginNotMatchingOrigin'],
      ['blocked', 'AllowOriginMismatch', 'NS_ERROR_DOM_BAD_URI', 'CORSAllowOriginNotMatchingOrigin'],
    ]);
  });

  it('identical concurrent calls pair one to one, ambiguous only with a twin waiting alongside; distinct ones are exact', async () => {
    const all = await ff.exportRows();
    const identical = all.filter((r) => belongsTo(r.request.url, 'concurrent-identical'));
    expect(identical).toHaveLength(5);
    for (const r of identical) {
      expect(r.evaluation.preflight).toBe('sent');
      expect(r.wire.filter((w) => w.type === 'preflight')).toHaveLength(1);
    }
    // Firefox lists each request before its preflight starts: a preflight that started while one identical
    // call waited is certainly that call's; with two or more waiting, each of them is marked. So a call is
    // never the only one marked.
    const marked = identical.filter((r) => r.capture.ambiguous).length;
    expect(marked === 0 || marked >= 2).toBe(true);
    const distinct = all.filter((r) => belongsTo(r.request.url, 'concurrent-distinct'));
    expect(distinct).toHaveLength(20);
    expect(distinct.every((r) => !r.capture.ambiguous && r.wire[0]!.request.url === r.request.url)).toBe(
      true,
    );
  });
});

/** The CORS error lines Firefox logged in `tab`: waits (at most 5 s) until there are `atLeast`. */
async function corsLinesOf(tab: FirefoxPage, atLeast: number): Promise<string[]> {
  const until = Date.now() + 5_000;
  for (;;) {
    const logged = ff.browser
      .consoleOf(tab)
      .filter((l) => l.source === 'javascript' && l.level === 'error')
      .map((l) => l.text);
    const lines = firefoxCorsLines(logged);
    if (lines.length >= atLeast || Date.now() > until) return lines;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The CORS warnings Firefox logged for scenario `name`. They reach its console service a little after the
 * call: wait (at most 5 s) until there are `atLeast`, then return what is there.
 */
async function corsWarningsOf(name: string, atLeast: number): Promise<string[]> {
  const until = Date.now() + 5_000;
  for (;;) {
    const lines = (await firefoxCorsWarnings(ff.browser)).filter((l) =>
      belongsTo(urlOfFirefoxLine(l) ?? '', name),
    );
    if (lines.length >= atLeast || Date.now() > until) return lines;
    await new Promise((r) => setTimeout(r, 100));
  }
}

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
      const acrm = w.request.headers.find(([n]) => n.toLowerCase() === 'access-control-request-method')?.[1];
      expect(acrm).toBe(next?.request.method ?? stopped.method);
    });
  }
}
