import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Evaluator, type Verdict } from '../../../src/cors/index';
import { toHar } from '../../../src/report/har';
import { HarImport, type ImportedExchange } from '../../../src/report/har-import';
import type { Har, HarEntry } from '../../../src/report/har-types';
import { validateHar } from '../../har-schema';
import { expected, FIXTURES, harEntry, importAndEvaluate, readJsonlFile, sampleRows } from './helpers';

const rows = sampleRows();
const exported = toHar(rows);
const exp = expected();

/** Calls rebuilt from HAR entries, as the streaming import reads them from a file holding those entries. */
async function importEntries(entries: unknown[], pages: unknown[] = []) {
  const imp = new HarImport();
  const log = { version: '1.2', creator: { name: 'test', version: '1' }, pages, entries };
  const exchanges: ImportedExchange[] = [];
  for await (const call of imp.calls([JSON.stringify({ log })])) exchanges.push(call);
  return { exchanges, issues: imp.issues };
}

/** The export as DevTools would have written it: no _cors. */
function withoutCors(har: Har): Har {
  const copy = structuredClone(har);
  for (const e of copy.log.entries) delete e._cors;
  return copy;
}

/** What expected.jsonl says of each call: verdict, preflight, and the console line of a blocked one. */
const outcome = (v: Verdict) => ({
  verdict: v.verdict,
  preflight: v.preflight,
  console: v.verdict === 'blocked' ? (v.error?.console ?? null) : null,
});
const expectedOutcomes = exp.map((e) => ({
  verdict: e.verdict,
  preflight: e.preflight,
  console: e.verdict === 'blocked' ? e.console : null,
}));

describe('HAR import: CORScope round trip', () => {
  it('starts from an export valid against the HAR 1.2 schema', () => {
    expect(validateHar(exported)).toEqual([]);
  });

  it.each([1 << 20, 4096, 97])(
    'export → corscope har gives the stored verdicts for all 66 calls (chunks of %i)',
    async (size) => {
      const { calls, imp } = await importAndEvaluate(JSON.stringify(exported, null, 2), size);
      expect(imp.issues).toEqual([]);
      expect(calls.map((c) => c.call.exchange.id)).toEqual(rows.map((r) => r.exchange.id));
      calls.forEach(({ call, verdict }, i) => {
        const stored = rows[i]!.evaluation;
        expect([verdict.verdict, verdict.preflight, verdict.error?.console ?? null], stored.id).toEqual([
          stored.verdict,
          stored.preflight,
          stored.error?.console ?? null,
        ]);
        // The whole explanation too: checks, fixes, warnings, advice.
        expect(verdict).toEqual(stored);
        expect(call.recorded?.verdict).toBe(stored.verdict);
      });
      expect(calls.map(({ verdict }) => outcome(verdict))).toEqual(expectedOutcomes);
    },
  );

  it('rebuilds the exchange the extension stored', async () => {
    const { calls } = await importAndEvaluate(JSON.stringify(exported));
    calls.forEach(({ call }, i) => {
      const { capture: _capture, ...original } = rows[i]!.exchange;
      const wire = original.wire.map((w) => ({ ...w, time: original.time }));
      expect(call.exchange).toEqual({ ...original, wire });
    });
  });
});

describe('HAR import: DevTools-style HARs (no _cors): preflights paired by URL, method, origin and time', () => {
  const plain = withoutCors(exported);

  /**
   * The same calls as DevTools logs them: each request issued 2 ms before its preflight, the preflight
   * listed before or after the request, or the file sorted by time.
   */
  function devtoolsOrder(order: 'preflight-first' | 'request-first' | 'by-time'): string {
    const byCall = new Map<string, HarEntry[]>();
    exported.log.entries.forEach((e, i) => {
      const id = e._cors!.pair;
      byCall.set(id, [...(byCall.get(id) ?? []), plain.log.entries[i]!]);
    });
    const out: HarEntry[] = [];
    let call = 0;
    for (const list of byCall.values()) {
      // One call after the other, 100 ms apart, as the page made them.
      const t0 = Date.parse(list[0]!.startedDateTime) + 100 * call++;
      const timed = list.map((e, hop) => ({ ...e, hop }));
      for (let i = 0; i < timed.length; i++) {
        const e = timed[i]!;
        const isPreflight = e._resourceType === 'preflight';
        // A request at t0 + 10·hop; its preflight (the entry before it) 2 ms after it.
        const t = isPreflight ? t0 + 10 * (i + 1) + 2 : t0 + 10 * i;
        e.startedDateTime = new Date(t).toISOString();
      }
      const listed = [...timed];
      if (order !== 'preflight-first') {
        for (let i = 0; i + 1 < listed.length; i++) {
          if (listed[i]!._resourceType === 'preflight' && listed[i + 1]!._resourceType !== 'preflight') {
            [listed[i], listed[i + 1]] = [listed[i + 1]!, listed[i]!];
            i++;
          }
        }
      }
      out.push(...listed.map(({ hop: _hop, ...e }) => e));
    }
    if (order === 'by-time')
      out.sort((a, b) => Date.parse(a.startedDateTime) - Date.parse(b.startedDateTime));
    return JSON.stringify({ log: { ...plain.log, entries: out } });
  }

  it('the export without _cors still gives the browser verdicts for all 66 calls', async () => {
    const { calls, imp } = await importAndEvaluate(JSON.stringify(plain));
    expect(imp.issues).toEqual([]);
    expect(calls.map(({ verdict }) => outcome(verdict))).toEqual(expectedOutcomes);
  });

  it.each(['preflight-first', 'request-first', 'by-time'] as const)(
    'pairs every preflight with its request, listed %s',
    async (order) => {
      const { calls, imp } = await importAndEvaluate(devtoolsOrder(order));
      expect(imp.issues).toEqual([]);
      expect(calls.map(({ verdict }) => outcome(verdict))).toEqual(expectedOutcomes);
    },
  );

  it('imports the hand-written Chrome DevTools HAR (preflights without ids, status 0, relative redirects)', async () => {
    const { calls, imp } = await importAndEvaluate(readFileSync(join(FIXTURES, 'devtools-cors.har'), 'utf8'));
    expect(imp.issues).toEqual([]);
    const got = calls.map(({ call, verdict }) => [
      call.exchange.request.method,
      call.exchange.request.url.replace(/^http:\/\/127\.0\.0\.1:810\d/, ''),
      call.entries,
      verdict.verdict,
      verdict.preflight,
      verdict.error?.chromium ?? null,
    ]);
    expect(got).toEqual([
      ['GET', '/', [0], 'same-origin', 'none', null],
      ['PUT', '/d/a', [1, 2], 'allowed', 'sent', null],
      ['PUT', '/d/a', [3], 'allowed', 'cached', null],
      ['PUT', '/d/c', [4, 5], 'blocked', 'sent', 'PreflightMissingAllowOriginHeader'],
      ['GET', '/d/d', [6], 'blocked', 'none', 'MissingAllowOriginHeader'],
      ['GET', '/d/e', [7], 'blocked', 'none', 'AllowOriginMismatch'],
      ['GET', '/d/f', [8, 9], 'allowed', 'none', null],
      ['GET', '/d/g', [10], 'blocked', 'none', 'WildcardOriginNotAllowed'],
      ['DELETE', '/d/h', [11, 13], 'allowed', 'sent', null],
      ['DELETE', '/d/h', [12, 14], 'allowed', 'sent', null],
      ['GET', '/d/i.png', [15], 'opaque', 'none', null],
      ['POST', '/d/j', [16, 17], 'blocked', 'sent', 'PreflightDisallowedRedirect'],
    ]);
    const c = calls[3]!;
    // The request its preflight stopped is the request as issued, not a wire entry; its headers are the script's.
    expect(c.call.exchange.wire.map((w) => w.type)).toEqual(['preflight']);
    expect(c.call.exchange.request.headers).toEqual([
      ['X-Custom', 'v1'],
      ['Content-Type', 'text/plain;charset=UTF-8'],
    ]);
    expect(c.verdict.error?.console).toBe(
      "Access to fetch at 'http://127.0.0.1:8102/d/c' from origin 'http://127.0.0.1:8101' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
    );
    expect(calls[7]!.call.exchange.api).toBe('xhr');
    expect(calls[7]!.verdict.error?.console).toContain('Access to XMLHttpRequest at');
    expect(calls[6]!.call.exchange.wire.map((w) => w.request.url)).toEqual([
      'http://127.0.0.1:8102/d/f',
      'http://127.0.0.1:8102/d/f2',
    ]);
  });

  it('imports a Firefox HAR: no _resourceType, preflights are OPTIONS with Access-Control-Request-Method', async () => {
    const { calls, imp } = await importAndEvaluate(readFileSync(join(FIXTURES, 'firefox-cors.har'), 'utf8'));
    expect(imp.issues).toEqual([]);
    expect(
      calls.map(({ call, verdict }) => [
        call.entries,
        verdict.verdict,
        verdict.preflight,
        verdict.error?.firefox ?? null,
      ]),
    ).toEqual([
      [[0, 1], 'allowed', 'sent', null],
      [[2, 3], 'blocked', 'sent', 'CORSMissingAllowOrigin'],
      [[4], 'blocked', 'none', 'CORSMissingAllowOrigin'],
    ]);
    expect(calls[0]!.call.exchange.initiator).toBe('http://127.0.0.1:8101');
  });

  it('reads a Playwright recordHar file: no preflights, a blocked call with status -1 and no headers', async () => {
    const entry = (url: string, status: number, headers: [string, string][], extra = {}) =>
      harEntry(url, [['Origin', 'http://a.test']], status, headers, {
        startedDateTime: '2025-01-01T12:00:00.000Z',
        response: extra,
      });
    const { exchanges, issues } = await importEntries([
      entry('http://b.test/ok', 200, [['Access-Control-Allow-Origin', '*']]),
      entry('http://b.test/no', -1, [], { _failureText: 'net::ERR_FAILED' }),
    ]);
    expect(issues).toEqual([]);
    const verdicts = exchanges.map((x) => new Evaluator().evaluate(x.exchange));
    expect(verdicts.map((v) => v.verdict)).toEqual(['allowed', 'network-error']);
    expect(exchanges[1]!.exchange).toMatchObject({ outcome: 'error', wire: [{ response: null }] });
  });

  it("takes the page's origin from Origin, else Referer, else the page, else the initiator's URL; unknown is cannot tell", async () => {
    const entry = (headers: [string, string][], extra: Record<string, unknown> = {}) => ({
      startedDateTime: '2025-01-01T12:00:00.000Z',
      time: 1,
      request: {
        method: 'GET',
        url: 'http://api.test/x',
        httpVersion: '',
        headers: headers.map(([name, value]) => ({ name, value })),
        queryString: [],
        cookies: [],
        headersSize: -1,
        bodySize: 0,
      },
      response: {
        status: 200,
        statusText: '',
        httpVersion: '',
        headers: [],
        cookies: [],
        content: { size: 0, mimeType: 'x' },
        redirectURL: '',
        headersSize: -1,
        bodySize: -1,
      },
      cache: {},
      timings: { send: 0, wait: 0, receive: 0 },
      ...extra,
    });
    const { exchanges, issues } = await importEntries(
      [
        entry([
          ['Origin', 'http://o.test'],
          ['Referer', 'http://r.test/page'],
        ]),
        entry([['Referer', 'http://r.test/page']], { pageref: 'p1' }),
        entry([], { pageref: 'p1', _initiator: { type: 'script', url: 'http://cdn.test/a.js' } }),
        entry([], { _initiator: { type: 'script', url: 'http://cdn.test/a.js' } }),
        entry([]),
      ],
      [{ id: 'p1', title: 'http://page.test/home', startedDateTime: '', pageTimings: {} }],
    );
    expect(exchanges.map((x) => x.exchange.initiator)).toEqual([
      'http://o.test',
      'http://r.test',
      'http://page.test',
      'http://cdn.test',
      'null',
    ]);
    // Only the Origin header makes a GET a CORS call; the others' mode is not recorded (no Sec-Fetch-Mode,
    // no resource type, provisional headers): cannot tell, and the last one's origin is unknown too.
    expect(exchanges.map((x) => [x.scope.class, x.scope.reason])).toEqual([
      ['cors', 'cors'],
      ['cannot-tell', 'mode-unknown'],
      ['cannot-tell', 'mode-unknown'],
      ['cannot-tell', 'mode-unknown'],
      ['cannot-tell', 'origin-unknown'],
    ]);
    expect(issues).toEqual([]);
  });
});

describe('HAR import: a HAR recorded from real Chromium', () => {
  // tests/fixtures/har/record-chromium.ts: the samples made again in Chromium 156, the HAR built from the
  // DevTools protocol's events as DevTools builds its export, and what the browser did with each call.
  interface Truth {
    id: string;
    url: string;
    ok: boolean;
    type: string | null;
    cors: string | null;
    corsError: string | null;
  }
  const truth = readJsonlFile<Truth>(join(FIXTURES, 'chromium-samples.truth.jsonl'));

  it('imports every call with the verdict the browser gave it, its console line and its CorsError name', async () => {
    const { calls, imp } = await importAndEvaluate(
      readFileSync(join(FIXTURES, 'chromium-samples.har'), 'utf8'),
    );
    expect(imp.issues).toEqual([]);
    const byUrl = new Map<string, typeof calls>();
    for (const c of calls)
      byUrl.set(c.call.exchange.request.url, [...(byUrl.get(c.call.exchange.request.url) ?? []), c]);
    let compared = 0;
    for (const t of truth) {
      const c = byUrl.get(t.url)?.shift();
      if (t.id === 's057') {
        // Refused by its mode before anything reached the network: DevTools has no entry for it.
        expect(c).toBeUndefined();
        continue;
      }
      expect(c, t.id).toBeDefined();
      const v = c!.verdict;
      const where = `${t.id}: browser ${JSON.stringify(t)}; imported ${v.verdict}`;
      if (t.ok) expect(['allowed', 'opaque', 'same-origin'], where).toContain(v.verdict);
      else if (t.cors) {
        expect(v.verdict, where).toBe('blocked');
        expect(v.error?.console, where).toBe(t.cors);
        expect(v.error?.chromium, where).toBe(t.corsError);
      } else expect(v.verdict, where).toBe('network-error');
      if (t.type === 'opaque') expect(v.verdict, where).toBe('opaque');
      const e = exp.find((x) => x.id === t.id)!;
      expect([v.verdict, v.preflight], where).toEqual([e.verdict, e.preflight]);
      compared++;
    }
    expect(compared).toBe(65);
  });
});
