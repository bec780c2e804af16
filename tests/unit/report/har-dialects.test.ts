// The realistic page (tests/e2e/harness/realistic.ts) as each HAR writer recorded it in Chromium
// (tests/fixtures/har/record-realistic.ts), judged, against what Chromium did with every request.
//
// Acceptance: no call that is not a CORS call is reported blocked, and every CORS call's verdict matches the
// browser's recorded outcome where the file carries one. Where a writer leaves out what the decision needs,
// the call is "cannot tell", never blocked; each such deviation from EXPECTED is listed with its cause.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HarImport, harEngine } from '../../../src/report/har-import';
import { HarJudge, type JudgedCall } from '../../../src/report/har-judge';
import { EXPECTED, type Expected } from '../../e2e/harness/realistic';
import type { TruthRequest } from '../../fixtures/har/record-realistic';
import { FIXTURES } from './helpers';

const truth = JSON.parse(readFileSync(join(FIXTURES, 'realistic.truth.json'), 'utf8')) as {
  requests: TruthRequest[];
  sockets: { url: string; status: number }[];
};

const pathOf = (url: string) => {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
};

/** What Chromium did, by path: the CORS error it reported (null: none), or undefined when not seen over CDP. */
const chromium = new Map<string, string | null>();
for (const r of truth.requests) if (r.initiator !== 'preflight') chromium.set(pathOf(r.url), r.corsError);

async function judgeFile(name: string): Promise<JudgedCall[]> {
  const text = readFileSync(join(FIXTURES, name), 'utf8');
  const imp = new HarImport();
  const judge = new HarJudge(() => harEngine(imp.meta) ?? 'chromium');
  const out: JudgedCall[] = [];
  for await (const c of imp.calls([text])) out.push(judge.judge(c));
  expect(imp.issues).toEqual([]);
  return out;
}

type Got = { class: string; verdict?: string; reason?: string };
const got = (j: JudgedCall): Got =>
  j.verdict
    ? { class: 'cors', verdict: j.verdict.verdict }
    : j.scope.class === 'same-origin'
      ? { class: 'same-origin' }
      : { class: j.scope.class, reason: j.scope.reason };
const want = (e: Expected): Got =>
  e.class === 'cors'
    ? { class: 'cors', verdict: e.outcome! }
    : { class: e.class, ...(e.reason ? { reason: e.reason } : {}) };

const FILES: [string, string, Record<string, Got>][] = [
  // Built from CDP as DevTools builds its export: every request of the page's session, with the browser's
  // `_error`, the preflights, the WebSockets and `_fetchedViaServiceWorker`. Frames in other processes and
  // workers are other sessions: their requests are not in it.
  ['Chrome DevTools', 'realistic-devtools.har', {}],
  // chrome-har leaves failed requests out (every blocked call but a preflight-stopped one's preflight), keeps
  // a request's provisional headers when its ExtraInfo came first, and wrote the redirect's headers on the
  // redirected call's last hop.
  [
    'chrome-har',
    'realistic-chrome-har.har',
    {
      '/real/style-plain.css': { class: 'cannot-tell', reason: 'mode-unknown' },
      '/real/script-plain.js': { class: 'cannot-tell', reason: 'mode-unknown' },
      '/real/redirect-to-api': { class: 'cannot-tell', reason: 'outcome-disagrees' },
    },
  ],
  // Playwright's recordHar: a blocked call has status -1, `_failureText` and the page's provisional headers
  // (no Origin, no Sec-Fetch-*): a network error where the resource type makes it a CORS request, else cannot
  // tell. It records frames and workers too, and nothing of the service worker.
  [
    'Playwright',
    'realistic-playwright.har',
    {
      '/real/module-blocked.js': { class: 'cors', verdict: 'network-error' },
      '/real/img-anon-blocked.png': { class: 'cors', verdict: 'network-error' },
      '/real/font-blocked.woff2': { class: 'cors', verdict: 'network-error' },
      '/real/xhr-blocked': { class: 'cors', verdict: 'network-error' },
      '/real/sse-blocked': { class: 'cors', verdict: 'network-error' },
      '/real/fetch-blocked': { class: 'cannot-tell', reason: 'mode-unknown' },
      '/real/put-preflight-fail': { class: 'cannot-tell', reason: 'mode-unknown' },
      '/real/from-worker-blocked': { class: 'cannot-tell', reason: 'mode-unknown' },
      '/real/sandbox-to-page': { class: 'cannot-tell', reason: 'origin-unknown' },
      '/real/sw.js': { class: 'cannot-tell', reason: 'origin-unknown' },
      '/real/sw-proxied': { class: 'same-origin' },
    },
  ],
  // A proxy sees every request that reaches the wire (frames, workers, the service worker's script), the
  // headers as sent, and nothing the browser decided: blocked calls are judged from the headers alone.
  ['mitmproxy', 'realistic-mitmproxy.har', {}],
  // Firefox (recorded over BiDi, tests/fixtures/har/record-firefox-realistic.ts): every request of every
  // frame and worker with its headers as sent, a blocked response like an allowed one, a WebSocket as an
  // http: request answered 101, and no mark on the service worker's answer (its URL is the page's).
  ['Firefox', 'realistic-firefox.har', { '/real/sw-proxied': { class: 'same-origin' } }],
];

/** What Firefox blocked on the same page: the URLs of the CORS lines it logged. */
const firefoxBlocked = new Set(
  (
    JSON.parse(readFileSync(join(FIXTURES, 'realistic-firefox.truth.json'), 'utf8')) as { lines: string[] }
  ).lines.map((l) => pathOf(/remote resource at (\S+?)\. \(Reason/.exec(l)![1]!)),
);

describe('HAR dialects: the realistic page as each writer recorded it', () => {
  for (const [writer, file, deviations] of FILES) {
    it(`${writer}: each call in the class the page's design gives it (deviations listed with their cause)`, async () => {
      const calls = await judgeFile(file);
      const seen = calls
        .map((j) => [pathOf(j.call.exchange.request.url), got(j)] as const)
        .filter(([path]) => path in EXPECTED);
      expect(seen.length).toBeGreaterThan(25);
      for (const [path, g] of seen)
        expect(g, `${writer} ${path}`).toEqual(deviations[path] ?? want(EXPECTED[path]!));
      // data: and blob: URLs: CORS does not apply.
      for (const j of calls.filter((c) => /^(data|blob):/.test(c.call.exchange.request.url)))
        expect(j.scope).toMatchObject({ class: 'not-governed', reason: 'scheme' });
    });

    it(`${writer}: no call is blocked that Chromium did not block, and a blocked call names Chromium's error`, async () => {
      for (const j of await judgeFile(file)) {
        if (j.verdict?.verdict !== 'blocked') continue;
        const path = pathOf(j.call.exchange.request.url);
        const corsError = chromium.get(path);
        // Requests of other processes' frames and of workers: the page's design (checked in the e2e test).
        if (corsError === undefined) expect(EXPECTED[path]?.outcome, path).toBe('blocked');
        else expect(j.verdict.error?.chromium, path).toBe(corsError);
        if (writer === 'Firefox' && !/from-worker|sandbox/.test(path))
          expect(firefoxBlocked, path).toContain(path);
        // A proxy never records what the browser decided; chrome-har keeps only the preflight of a call it
        // stopped; Firefox records a blocked response like an allowed one, and a request its preflight
        // stopped with status 0 (its own record of the failure).
        const unanswered = j.call.exchange.outcome === 'error' && j.call.exchange.wire.length === 1;
        expect(j.call.outcomeFrom, path).toBe(
          writer === 'Chrome DevTools' || writer === 'Playwright' || (writer === 'Firefox' && unanswered)
            ? 'browser'
            : 'headers',
        );
      }
    });

    it(`${writer}: every call Chromium let through that the file shows is allowed, not blocked`, async () => {
      for (const j of await judgeFile(file)) {
        const path = pathOf(j.call.exchange.request.url);
        if (chromium.get(path) === null && j.verdict) expect(j.verdict.verdict, path).not.toBe('blocked');
      }
    });
  }

  it('Firefox blocked the same calls Chromium blocked on this page', () => {
    expect([...firefoxBlocked].sort()).toEqual(
      [...chromium]
        .filter(([, e]) => e !== null)
        .map(([p]) => p)
        .sort(),
    );
  });

  it('the WebSocket handshakes Chromium made are in the DevTools and proxy recordings, not governed', async () => {
    expect(truth.sockets.map((s) => [pathOf(s.url), s.status])).toEqual([
      ['/real/ws', 101],
      ['/real/ws-same', 101],
    ]);
    for (const file of ['realistic-devtools.har', 'realistic-mitmproxy.har', 'realistic-firefox.har']) {
      const ws = (await judgeFile(file)).filter((j) => j.scope.reason === 'websocket');
      expect(ws.map((j) => pathOf(j.call.exchange.request.url)).sort(), file).toEqual([
        '/real/ws',
        '/real/ws-same',
      ]);
    }
  });
});

describe('HAR: the browser recorded success where the headers in the file would block', () => {
  it('chrome-har: the call is "cannot tell", with why, and not counted as blocked', async () => {
    const calls = await judgeFile('realistic-chrome-har.har');
    const j = calls.find((c) => pathOf(c.call.exchange.request.url) === '/real/redirect-to-api')!;
    expect(j.verdict).toBeNull();
    expect(j.scope.class).toBe('cannot-tell');
    expect(j.scope.reason).toBe('outcome-disagrees');
    expect(j.scope.text).toBe(
      'The browser recorded this call as successful (the page read the response), but the recorded headers would have blocked it (MissingAllowOriginHeader): the recording does not show everything the browser saw (a header webRequest or the HAR did not show, a response from the cache).',
    );
  });
});
