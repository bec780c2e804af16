// Every recorded sample call (tests/fixtures/exchange/firefox/: every category), made again from a real page
// in Debian's firefox-esr with the built CORScope add-on installed, against a server that answers as the
// recording did. The oracle is the browser: what the page saw and the CORS line Firefox logged, against what
// CORScope stored; and Firefox's recorded truth (firefox/expected.jsonl) for verdict and preflight.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Exchange } from '../../src/cors/types';
import type { ExportedLine } from './harness/extension';
import type { FirefoxPage } from './harness/firefox';
import { firefoxCorsLines, storedFirefoxLine, urlOfFirefoxLine } from './harness/firefox-console';
import { type FirefoxCorscope, launchFirefoxWithCorscope } from './harness/firefox-corscope';
import { callSample, routeSample, type SampleResult, sampleRewriter } from './harness/samples';
import { closedPort, type ScenarioServer, startScenarioServer } from './harness/server';

const FIREFOX = new URL('../fixtures/exchange/firefox/', import.meta.url);
const read = <T>(f: string) =>
  readFileSync(new URL(f, FIREFOX), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as T);
const samples = read<Exchange>('samples.jsonl');
const expected = read<{
  id: string;
  verdict: string;
  preflight: string;
  console: string | null;
  firefox: string | null;
}>('expected.jsonl');

/** Not stored: the same-origin call, the no-cors call and the "same-origin"-mode fetch refused before sending. */
const NOT_STORED = new Set(['s055', 's056', 's057']);

interface Result {
  ex: Exchange;
  url: string;
  page: SampleResult;
  /** Firefox's CORS line for the call (the one naming the failed check, else its "did not succeed"). */
  line: string | null;
}

let server: ScenarioServer;
let ff: FirefoxCorscope;
let tab: FirefoxPage;
const results: Result[] = [];
let rows: ExportedLine[] = [];

describe('the recorded samples, replayed in Firefox with CORScope installed', () => {
  beforeAll(async () => {
    const error = inject('firefoxBuildError');
    if (error) throw new Error(error);
    server = await startScenarioServer();
    ff = await launchFirefoxWithCorscope(inject('firefoxExtensionDir'));
    const rewrite = sampleRewriter(server, await closedPort());
    tab = await ff.browser.newPage();
    await tab.goto(`${server.origins.page}/page?scenario=samples`);
    // Capture is live once a call is stored (the add-on's background starts with the browser).
    server.route('/warmup', {
      actual: { status: 200, headers: [['Access-Control-Allow-Origin', server.origins.page]] },
    });
    const until = Date.now() + 30_000;
    for (let warm: ExportedLine[] = []; !warm.length; ) {
      if (Date.now() > until) throw new Error('CORScope stored no call in Firefox within 30 s');
      await tab.evaluate((u) => fetch(u).then((r) => r.status), `${server.origins.api}/warmup`);
      warm = await ff.waitForRows((r) => r.request.url.endsWith('/warmup'), 1, 2_000);
    }
    const calls: { ex: Exchange; url: string; page: SampleResult; from: number }[] = [];
    for (const ex of samples) {
      routeSample(server, ex, rewrite);
      const from = ff.browser.consoleOf(tab).length;
      const url = rewrite(ex.request.url);
      calls.push({ ex, url, page: await callSample(tab, ex, url), from });
    }
    rows = (
      await ff.waitForRows((r) => r.request.url.includes('/p/s'), samples.length - NOT_STORED.size)
    ).filter((r) => r.request.url.includes('/p/s'));
    // Console lines trail their call: a call's lines are those naming its URL (or a URL it was redirected to),
    // from its start until the next call to the same URL (the cache probes reuse URLs).
    await tab.waitForTimeout(500);
    const all = ff.browser.consoleOf(tab);
    calls.forEach((c, k) => {
      const next = calls.findIndex((d, j) => j > k && d.url === c.url);
      const texts = all
        .slice(c.from, next === -1 ? undefined : calls[next]!.from)
        .filter((l) => l.source === 'javascript' && l.level === 'error')
        .map((l) => l.text)
        .filter((t) => ofSample(t, c.ex.id));
      results.push({ ...c, line: firefoxCorsLines(texts)[0] ?? null });
    });
  }, 240_000);
  afterAll(async () => {
    await ff?.close();
    await server?.close();
  });

  it('stores one exchange per cross-origin CORS call, in call order, and nothing else', () => {
    const stored = results.filter((r) => !NOT_STORED.has(r.ex.id)).map((r) => new URL(r.url).pathname);
    expect(rows.map((r) => new URL(r.request.url).pathname)).toEqual(stored);
  });

  it("every stored verdict (its reading for the page's credentials mode) is what the page saw and what Firefox logged", () => {
    const wrong: string[] = [];
    let i = 0;
    for (const r of results) {
      if (NOT_STORED.has(r.ex.id)) continue;
      const row = rows[i++]!;
      const v = readingFor(row, r.ex);
      const { line } = storedFirefoxLine({ error: v.error, checks: row.evaluation.checks }, r.line);
      const seen = { verdict: v.verdict, console: line, exposed: v.exposed ?? null };
      const want = r.page.ok
        ? { verdict: 'allowed', console: null, exposed: [...(r.page.headers ?? [])].sort() }
        : {
            verdict: r.line?.includes('(Reason: CORS request did not succeed)') ? 'network-error' : 'blocked',
            console: r.line,
            exposed: null,
          };
      if (r.ex.api === 'xhr' || r.ex.api === 'image') seen.exposed = want.exposed;
      if (JSON.stringify(seen) !== JSON.stringify(want))
        wrong.push(`${r.ex.id}: stored ${JSON.stringify(seen)}, Firefox ${JSON.stringify(want)}`);
    }
    expect(wrong).toEqual([]);
  });

  it("agrees with Firefox's recording on verdict, preflight (sent, cached, none) and reason key", () => {
    const wrong: string[] = [];
    let i = 0;
    for (const r of results) {
      if (NOT_STORED.has(r.ex.id)) continue;
      const row = rows[i++]!;
      const v = readingFor(row, r.ex);
      const exp = expected.find((e) => e.id === r.ex.id)!;
      // Where capture read a joined Access-Control-Allow-Origin as several lines and Firefox saw one line
      // holding the list (webRequest shows them alike), the note's reading is the one to compare.
      const { oneLine } = storedFirefoxLine({ error: v.error, checks: row.evaluation.checks }, r.line);
      const got = [
        v.verdict,
        v.preflight,
        oneLine ? 'CORSAllowOriginNotMatchingOrigin' : (v.error?.firefox ?? null),
      ];
      const want = [exp.verdict, exp.preflight, exp.firefox];
      if (JSON.stringify(got) !== JSON.stringify(want))
        wrong.push(`${r.ex.id}: stored ${JSON.stringify(got)}, recorded ${JSON.stringify(want)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('gives both readings where the credentials mode decides and nothing Firefox shows tells it', () => {
    // Firefox's webRequest gives no credentials mode: some verdicts depend on it (a credentialed sample, an
    // allowed call with no Access-Control-Allow-Credentials), and their readings differ.
    const both = rows.map((r) => readingsOf(r)).filter((d) => d !== null);
    expect(both.length).toBeGreaterThan(0);
    for (const d of both) {
      const [omit, include] = [d.omit, d.include].map((v) =>
        JSON.stringify([v.verdict, v.error?.console, v.exposed]),
      );
      expect(omit).not.toBe(include);
    }
  });
});

interface Shown {
  verdict: string;
  preflight: string;
  error: { console: string | null; firefox?: string | null } | null;
  exposed?: string[];
}

/** Whether a Firefox line names the sample's URL, or one it was redirected to (/p/s050 → /p/s050/b). */
function ofSample(text: string, id: string): boolean {
  const url = urlOfFirefoxLine(text);
  return url !== null && new RegExp(`^/p/${id}(?![0-9])`).test(new URL(url).pathname);
}

/** The verdict for the credentials mode the page really used: its reading, when the row gives both. */
function readingFor(row: ExportedLine, ex: Exchange): Shown {
  const d = readingsOf(row);
  if (!d) return row.evaluation;
  return ex.credentials === 'include' ? d.include : d.omit;
}

/** A row's two readings, when its verdict gives both. */
function readingsOf(row: ExportedLine): { omit: Shown; include: Shown } | null {
  const d = (row.evaluation as { dependsOn?: { readings: { omit: Shown; include: Shown } } }).dependsOn;
  return d ? d.readings : null;
}
