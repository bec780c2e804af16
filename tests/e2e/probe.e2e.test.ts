// `corscope probe` and `corscope check` against real Chromium, the oracle: the same calls made by a page in
// Debian's Chromium and by the command line, against the same loopback server.
//  1. What goes on the wire: for calls of every shape (simple, preflighted, with a body, with credentials, to a
//     potentially trustworthy URL and to one that is not, redirected across origins with 301/302/303/307), the
//     requests the server got from Chromium and from probe: the same requests, each with the same headers and
//     values, in Chromium's order where Chromium's order is fixed.
//  2. The recorded samples (tests/fixtures/exchange) of every category a single call reproduces (all but the
//     preflight cache's and the request modes'), made by the page and by probe: the same verdict, the console
//     line Chromium printed, the headers the page could read, the same requests.
//  3. `check` replaying the whole recording against that server (the preflight cache included), and against a
//     "staging" copy whose policy changed on three paths: the verdicts Chromium gave, and exit 2 for exactly the
//     calls that broke.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSetHeader } from '../../src/cli/browser';
import type { Exchange, Header } from '../../src/cors/types';
import { run } from '../unit/cli/run';
import { apiNeutral } from './harness/extension';
import { close, forwardProxy } from './harness/net';
import { launchPlain, type PlainBrowser } from './harness/plain-browser';
import { callSample, routeRecording, type SampleResult, sampleRewriter } from './harness/samples';
import { closedPort, type Handler, type ScenarioServer, startScenarioServer } from './harness/server';

const FIXTURES = new URL('../fixtures/exchange/', import.meta.url);
const readLines = <T>(f: string) =>
  readFileSync(new URL(f, FIXTURES), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as T);
const samples = readLines<Exchange>('samples.jsonl');
const catalog = readLines<{ id: string; cat: string; name: string }>('catalog.jsonl');
const categoryOf = (id: string) => catalog.find((c) => c.id === id)!.cat;
/** One call reproduces every category but the preflight cache's (a sequence) and the request modes' (not CORS). */
const PROBED = samples.filter(
  (s) => categoryOf(s.id) !== 'cache' && (categoryOf(s.id) !== 'mode' || s.id === 's058'),
);

const tmp = mkdtempSync(join(tmpdir(), 'corscope-probe-e2e-'));

type Seen = { method: string; path: string; origin: string; headers: Header[] };

// Headers whose place among each other Chromium takes from a hash map: compared as a set, not by order.
const HASH_ORDERED = new Set([
  'user-agent',
  'sec-ch-ua',
  'sec-ch-ua-platform',
  'sec-ch-ua-mobile',
  'content-type',
]);
const asSent = (h: Header[]) =>
  h.map(
    ([n, v]): Header => [n, n.toLowerCase() === 'user-agent' ? v.replace('HeadlessChrome/', 'Chrome/') : v],
  );
const asSet = (h: Header[]) =>
  asSent(h)
    .map(([n, v]) => `${n.toLowerCase()}: ${v}`)
    .sort();
const fixedOrder = (h: Header[], author: Header[]) => {
  const mine = new Set(author.map(([n]) => n.toLowerCase()));
  return h.map(([n]) => n).filter((n) => !HASH_ORDERED.has(n.toLowerCase()) && !mine.has(n.toLowerCase()));
};

describe('corscope probe and check against Chromium', () => {
  let server: ScenarioServer;
  let chromium: PlainBrowser;
  let page: Page;
  let refused: number;
  let proxy: Awaited<ReturnType<typeof forwardProxy>>;
  let env: Record<string, string>;

  const requestsSince = (n: number): Seen[] =>
    server.requests.slice(n).map((r) => ({
      method: r.method,
      path: r.url,
      origin: String(r.headers.origin ?? '(none)'),
      headers: r.rawHeaders,
    }));

  beforeAll(async () => {
    server = await startScenarioServer();
    refused = await closedPort();
    chromium = await launchPlain(['--host-resolver-rules=MAP *.test 127.0.0.1']);
    page = await chromium.newPage();
    // The command line reaches *.test names through a proxy that maps them to 127.0.0.1, as Chromium's rule does.
    proxy = await forwardProxy((host) => (host.endsWith('.test') ? '127.0.0.1' : host));
    env = { HTTP_PROXY: `http://127.0.0.1:${proxy.port}`, NO_PROXY: 'localhost,127.0.0.1' };
  });
  afterAll(async () => {
    await chromium?.close();
    await server?.close();
    if (proxy) await close(proxy.server);
    rmSync(tmp, { recursive: true, force: true });
  });

  describe('what goes on the wire', () => {
    const permissive: Handler = (req) => {
      const cors: Header[] = [
        ['Access-Control-Allow-Origin', String(req.headers.origin ?? '*')],
        ['Access-Control-Allow-Credentials', 'true'],
        ['Access-Control-Allow-Methods', 'GET, PUT, POST, DELETE'],
        ['Access-Control-Allow-Headers', 'x-custom, content-type, authorization'],
      ];
      if (req.preflight) return { status: 204, headers: cors };
      // /wire/to307 and the like redirect to /wire/final on localhost; /wire/to307x to /wire/final on api.test.
      const to = req.path.match(/\/to(30\d)(x?)$/);
      if (to) {
        const target = to[2] ? `http://api.test:${server.apiPort}` : server.origins.api2;
        const query = req.url.split('?')[1] ?? '';
        return { status: Number(to[1]), headers: [['Location', `${target}/wire/final?${query}`], ...cors] };
      }
      return { status: 200, headers: [...cors, ['Content-Type', 'text/plain']], body: 'ok' };
    };

    interface Case {
      name: string;
      secure: boolean;
      path: string;
      method: string;
      headers: Header[];
      body: string | null;
      credentials: RequestCredentials;
    }
    const CASES: Case[] = [];
    for (const secure of [true, false]) {
      const c = (
        name: string,
        path: string,
        method: string,
        headers: Header[],
        body: string | null,
        credentials: RequestCredentials = 'same-origin',
      ) =>
        CASES.push({
          name: `${name} (${secure ? 'loopback URL' : 'http: URL that is not potentially trustworthy'})`,
          secure,
          path,
          method,
          headers,
          body,
          credentials,
        });
      c('a simple GET', '/wire/get', 'GET', [], null);
      c(
        'a PUT with a JSON body and a custom header',
        '/wire/put',
        'PUT',
        [
          ['X-Custom', '1'],
          ['Content-Type', 'application/json'],
        ],
        '{}',
      );
      c('a simple POST with a text body', '/wire/post', 'POST', [], 'x');
      c('a DELETE without a body', '/wire/delete', 'DELETE', [['x-custom', '2']], null);
      c('a PUT without a body', '/wire/put0', 'PUT', [], null);
      c('a GET with credentials', '/wire/cred', 'GET', [], null, 'include');
      c(
        'a PUT with Authorization, 307 to another origin',
        '/wire/to307',
        'PUT',
        [['Authorization', 'Bearer a']],
        null,
      );
      c(
        'a GET with Authorization, 302 to another origin',
        '/wire/to302',
        'GET',
        [['Authorization', 'Bearer a']],
        null,
      );
      c(
        'a POST with JSON, 302 to another origin (becomes GET)',
        '/wire/to302',
        'POST',
        [['Content-Type', 'application/json']],
        '{}',
      );
      c(
        'a PUT, 303 to another origin (becomes GET)',
        '/wire/to303',
        'PUT',
        [
          ['Content-Type', 'text/plain'],
          ['X-Custom', '1'],
        ],
        '{}',
      );
      c('a GET, 301 to another origin', '/wire/to301', 'GET', [], null);
      c(
        'a PUT with a custom header, 307 to the same origin',
        '/wire/to307',
        'PUT',
        [['X-Custom', '1']],
        null,
      );
      c(
        'a PUT with a custom header, 307 to an http: URL that is not trustworthy',
        '/wire/to307x',
        'PUT',
        [['X-Custom', '1']],
        null,
      );
      c('a GET with a Range header', '/wire/get', 'GET', [['Range', 'bytes=0-']], null);
    }
    // Each case its own URLs: Chromium's preflight cache must not serve one case from another's preflight.
    let n = 0;

    it.each(CASES)('$name: the same requests with the same headers', async (k) => {
      for (const p of ['get', 'put', 'post', 'delete', 'put0', 'cred', 'final'])
        server.route(`/wire/${p}`, permissive);
      for (const s of ['301', '302', '303', '307']) {
        server.route(`/wire/to${s}`, permissive);
        server.route(`/wire/to${s}x`, permissive);
      }
      const pageOrigin = k.secure ? server.origins.page : `http://page.test:${server.pagePort}`;
      const base = k.secure ? server.origins.api2 : `http://api.test:${server.apiPort}`;
      const url = `${base}${k.path}?case=${++n}`;
      await page.goto(`${pageOrigin}/page`);
      const before = server.requests.length;
      const result = await page.evaluate(
        async (s) => {
          try {
            const r = await fetch(s.url, {
              method: s.method,
              headers: s.headers,
              body: s.body ?? undefined,
              credentials: s.credentials,
            });
            await r.text();
            return r.status;
          } catch (e) {
            return String(e);
          }
        },
        { url, method: k.method, headers: k.headers, body: k.body, credentials: k.credentials },
      );
      expect(result).toBe(200);
      const browser = requestsSince(before);
      const mark = server.requests.length;
      const args = [
        'probe',
        url,
        '--origin',
        pageOrigin,
        '-X',
        k.method,
        '--send',
        '--credentials',
        k.credentials,
      ];
      for (const [n, v] of k.headers) args.push('-H', `${n}: ${v}`);
      if (k.body !== null) args.push('--data', k.body);
      const cli = await run(args, '', env);
      expect(cli.code, cli.out + cli.err).toBe(0);
      const probe = requestsSince(mark);
      expect(probe.map((r) => [r.method, r.path, r.origin])).toEqual(
        browser.map((r) => [r.method, r.path, r.origin]),
      );
      browser.forEach((b, i) => {
        const p = probe[i]!;
        expect(asSet(p.headers), `${b.method} ${b.path}`).toEqual(asSet(b.headers));
        expect(fixedOrder(p.headers, k.headers), `${b.method} ${b.path}`).toEqual(
          fixedOrder(b.headers, k.headers),
        );
      });
    });
  });

  describe('the recorded samples', () => {
    interface Made {
      ex: Exchange;
      url: string;
      page: SampleResult;
      cors: string[];
      requests: Seen[];
    }
    const made: Made[] = [];
    const rewriteFor = () => sampleRewriter(server, refused);

    beforeAll(async () => {
      const rewrite = rewriteFor();
      routeRecording(server, samples, rewrite);
      await page.goto(`${server.origins.page}/page`);
      // Every sample in order, as recorded: the browser's preflight cache sees the recording's sequence.
      for (const ex of samples) {
        const url = rewrite(ex.request.url);
        const lines = chromium.consoleOf(page).length;
        const before = server.requests.length;
        const result = await callSample(page, ex, url);
        await page.waitForTimeout(30);
        made.push({
          ex,
          url,
          page: result,
          cors: chromium
            .consoleOf(page)
            .slice(lines)
            .filter((l) => l.includes('blocked by CORS policy')),
          requests: requestsSince(before),
        });
      }
    });

    it(`probe agrees with Chromium on each of the ${PROBED.length} samples one call reproduces`, async () => {
      const categories = new Set<string>();
      for (const m of made.filter((x) => PROBED.includes(x.ex))) {
        const ex = m.ex;
        const args = [
          'probe',
          m.url,
          '--origin',
          server.origins.page,
          '-X',
          ex.request.method,
          '--send',
          '--format',
          'json',
        ];
        args.push('--credentials', ex.credentials ?? 'same-origin');
        for (const [n, v] of ex.request.headers ?? [])
          if (!browserSetHeader(n)) args.push('-H', `${n}: ${v}`);
        if (ex.request.method !== 'GET' && ex.request.method !== 'HEAD') args.push('--data', 'x');
        const before = server.requests.length;
        const cli = await run(args, '', env);
        const where = `${ex.id} (${categoryOf(ex.id)}): page ${JSON.stringify(m.page)}, console ${JSON.stringify(m.cors)}\n${cli.out}${cli.err}`;
        const out = JSON.parse(cli.out) as {
          verdict: { verdict: string; error: { console: string | null } | null; exposed?: string[] };
          failure: string | null;
        };
        if (m.page.ok) {
          expect(out.verdict.verdict, where).toBe('allowed');
          expect(cli.code, where).toBe(0);
          if (ex.api !== 'xhr') expect(out.verdict.exposed, where).toEqual([...m.page.headers!].sort());
        } else if (m.cors.length) {
          expect(out.verdict.verdict, where).toBe('blocked');
          expect(cli.code, where).toBe(2);
          const line = out.verdict.error!.console!;
          if (ex.api === 'xhr') expect(apiNeutral(line), where).toBe(apiNeutral(m.cors[0]!));
          else expect(line, where).toBe(m.cors[0]);
        } else {
          expect(out.verdict.verdict, where).toBe('network-error');
          expect(cli.code, where).toBe(out.failure ? 1 : 2);
        }
        // The same requests, in the same order, with the same Origin.
        const sent = requestsSince(before);
        expect(
          sent.map((r) => [r.method, r.path, r.origin]),
          where,
        ).toEqual(m.requests.map((r) => [r.method, r.path, r.origin]));
        // On a same-origin hop Chromium's Referer is the page's URL, which probe, given the origin, does not know:
        // it sends the origin there too.
        const pageHost = new URL(server.origins.page).host;
        const referer = (r: Seen) =>
          r.headers.some(([n, v]) => n === 'Host' && v === pageHost)
            ? r.headers.filter(([n]) => n !== 'Referer')
            : r.headers;
        if (ex.api !== 'xhr')
          for (const [i, r] of sent.entries())
            expect(asSet(referer(r)), where).toEqual(asSet(referer(m.requests[i]!)));
        categories.add(categoryOf(ex.id));
      }
      expect([...categories].sort()).toEqual([
        'credentials',
        'expose',
        'mode',
        'preflight',
        'redirect',
        'simple',
        'xhr',
      ]);
    });

    it('check replays the whole recording as Chromium made it: the same verdicts, lines and requests, the preflight cache included', async () => {
      const rewrite = rewriteFor();
      const file = join(tmp, 'recording.jsonl');
      writeFileSync(file, samples.map((s) => rewrite(JSON.stringify(s))).join('\n'));
      const before = server.requests.length;
      const cli = await run(
        [
          'check',
          file,
          '--against',
          server.origins.api,
          '--send',
          '--concurrency',
          '1',
          '--rate',
          '1000',
          '--format',
          'json',
        ],
        '',
        env,
      );
      expect(cli.code, cli.err).toBe(0);
      const calls = JSON.parse(cli.out).calls as {
        id: string;
        skipped: string | null;
        now: {
          verdict: { verdict: string; preflight: string; error: { console: string | null } | null };
        } | null;
      }[];
      const replayed = calls.filter((c) => c.now);
      expect(replayed.length).toBeGreaterThanOrEqual(55);
      for (const c of replayed) {
        const m = made.find((x) => x.ex.id === c.id)!;
        const where = `${c.id} (${categoryOf(c.id)})`;
        expect(c.now!.verdict.verdict, where).toBe(
          m.page.ok ? 'allowed' : m.cors.length ? 'blocked' : 'network-error',
        );
        if (m.cors.length) expect(c.now!.verdict.error?.console, where).toBe(m.cors[0]);
      }
      // The requests, call by call: a preflight where Chromium sent one, none where its cache served.
      const browser = replayed.flatMap((c) =>
        made.find((x) => x.ex.id === c.id)!.requests.map((r) => [c.id, r.method, r.path]),
      );
      const sent = requestsSince(before).map((r) => [r.method, r.path]);
      expect(sent).toEqual(browser.map(([, m, p]) => [m, p]));
      expect(replayed.map((c) => c.id)).toEqual(
        expect.arrayContaining(['s042', 's043', 's044', 's045', 's046']),
      );
    });

    it('check against a staging copy whose policy changed on three paths: exit 2, and exactly those calls, as Chromium sees them', async () => {
      const staging = `${server.origins.api}/staging`;
      const changed = new Map<string, (h: Header[]) => Header[]>([
        ['s001', (h) => h.filter(([n]) => n !== 'Access-Control-Allow-Origin')],
        ['s021', (h) => h.filter(([n]) => n !== 'Access-Control-Allow-Credentials')],
        ['s025', (h) => h.map(([n, v]) => [n, n === 'Access-Control-Allow-Methods' ? 'put' : v] as Header)],
      ]);
      const rewrite = rewriteFor();
      const toStaging = (s: string) => rewrite(s).replaceAll(`${server.origins.api}/p/`, `${staging}/p/`);
      const stagingSamples = samples.map((ex) => {
        const edit = changed.get(ex.id);
        if (!edit) return ex;
        return {
          ...ex,
          wire: ex.wire.map((w) =>
            w.response ? { ...w, response: { ...w.response, headers: edit(w.response.headers) } } : w,
          ),
        };
      });
      routeRecording(server, stagingSamples, toStaging);
      const file = join(tmp, 'recording-for-staging.jsonl');
      writeFileSync(file, samples.map((s) => rewrite(JSON.stringify(s))).join('\n'));
      const cli = await run(
        ['check', file, '--against', staging, '--send', '--rate', '1000', '--format', 'json'],
        '',
        env,
      );
      expect(cli.code).toBe(2);
      const out = JSON.parse(cli.out) as {
        calls: {
          id: string;
          regression: boolean;
          now: { verdict: { error: { console: string | null } | null } } | null;
        }[];
      };
      const regressions = out.calls.filter((c) => c.regression);
      expect(regressions.map((c) => c.id)).toEqual(['s001', 's021', 's025']);
      for (const c of regressions) {
        const ex = samples.find((s) => s.id === c.id)!;
        const lines = chromium.consoleOf(page).length;
        const result = await callSample(page, ex, toStaging(ex.request.url));
        await page.waitForTimeout(30);
        const cors = chromium
          .consoleOf(page)
          .slice(lines)
          .filter((l) => l.includes('blocked by CORS policy'));
        expect(result.ok, c.id).toBe(false);
        expect(c.now!.verdict.error?.console, c.id).toBe(cors[0]);
      }
    });
  });
});
