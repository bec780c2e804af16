// Pairing and evaluation replayed on webRequest event sequences recorded from real Chromium 156
// (tests/fixtures/webrequest, written by tests/e2e/record-events.ts). The browser is the oracle: the page's
// results and the CORS lines Chromium printed.
import { describe, expect, it } from 'vitest';
import { causesOf } from '../../../src/cors/messenger';
import type { StoredExchange } from '../../../src/store/row';
import {
  checksOfBothBrowsers,
  expectEachPreflightOnce,
  expectPreflightsPaired,
  type RecordedFixture,
  readFixtures,
  replay,
} from './replay';

interface Fixture extends RecordedFixture {
  console: { type: string; text: string }[];
}

const calls = (rows: StoredExchange[]) => rows.map((r) => ({ exchange: r.exchange, verdict: r.evaluation }));

const fixtures = readFixtures<Fixture>(new URL('../../fixtures/webrequest/', import.meta.url));

/** webRequest cannot tell XHR from fetch: our line uses fetch's words; compare on the rest. */
const apiNeutral = (line: string) =>
  line
    .replace(/^Access to (fetch|XMLHttpRequest) at/, 'Access to X at')
    .replace(
      ' The credentials mode of requests initiated by the XMLHttpRequest is controlled by the withCredentials attribute.',
      '',
    )
    .replace(' Have the server send the header with a valid value.', '');

describe.each(fixtures.map((f) => [f.scenario, f] as const))('recorded in Chromium: %s', (_name, f) => {
  // What CORScope's own listeners receive: no onCompleted; onErrorOccurred carries no preflights (no extraHeaders).
  const { rows, counts, preflights } = replay(f.events, {
    self: 'chrome-extension://self',
    preflightEnds: false,
  });
  const corsLines = f.console
    .filter((c) => c.text.includes('blocked by CORS policy'))
    .map((c) => apiNeutral(c.text));

  it('stores one exchange per cross-origin CORS call, with the verdict the page saw', () => {
    const blocked = rows.filter((r) => r.verdict === 'blocked');
    expect(blocked.map((r) => apiNeutral(r.evaluation.error!.console!)).sort()).toEqual(
      [...corsLines].sort(),
    );
    // fetch reports the response type; XHR results carry none (and XHR is always CORS-mode here).
    const pageCors = f.page.filter((p) => p.ok && (p.type ?? 'cors') === 'cors').length;
    expect(rows.filter((r) => r.verdict === 'allowed').length).toBe(pageCors);
    expectEachPreflightOnce(rows, preflights);
  });

  it('pairs each preflight with its own request', () => {
    expectPreflightsPaired(rows);
  });

  const specific: Record<string, () => void> = {
    ...checksOfBothBrowsers(rows, counts),
    'cached-preflight': () => {
      expect(rows.map((r) => r.preflight)).toEqual(['sent', 'cached']);
      const served = rows[1]!.evaluation.checks.find((c) => c.rule === 'preflight-cache')!.servedBy;
      expect(served?.id).toBe(rows[0]!.exchange.id);
    },
    'cached-preflight-thrice': () => {
      expect(rows.map((r) => r.preflight)).toEqual(['sent', 'cached', 'cached']);
    },
    'preflight-fail-no-acah': () => {
      expect(rows.map((r) => [r.verdict, r.evaluation.error?.chromium])).toEqual([
        ['blocked', 'HeaderDisallowedByPreflightResponse'],
      ]);
      expect(rows[0]!.exchange.wire.map((w) => w.type)).toEqual(['preflight']);
    },
    'redirect-new-preflight': () => {
      expect(rows).toHaveLength(1);
      expect(rows[0]!.exchange.wire.map((w) => w.type)).toEqual([
        'preflight',
        'request',
        'preflight',
        'request',
      ]);
      expect(rows[0]!.verdict).toBe('allowed');
    },
    'connection-refused': () => {
      expect(rows.map((r) => r.verdict)).toEqual(['network-error']);
    },
    'image-crossorigin-blocked': () => {
      expect(rows).toHaveLength(1);
      expect(rows[0]!.exchange.api).toBe('image');
      expect(rows[0]!.evaluation.error?.console).toBe(
        f.console.find((c) => c.text.startsWith('Access to image'))?.text,
      );
    },
    // Network errors: Chromium's error string says which, and no CORS line was printed.
    'redirect-loop': () => {
      expect(rows.map((r) => [r.verdict, r.evaluation.reason?.key, r.exchange.netError])).toEqual([
        ['network-error', 'TooManyRedirects', 'net::ERR_TOO_MANY_REDIRECTS'],
      ]);
      expect(rows[0]!.exchange.wire).toHaveLength(21);
      expect(rows[0]!.evaluation.summary).toBe(
        'Network error: More than 20 redirects: a redirect loop, not a CORS failure.',
      );
      // Credentials would have failed the first redirect's CORS check: the browser's error rules that out.
      expect(rows[0]!.evaluation.checks[0]).toMatchObject({
        rule: 'credentials-mode',
        seen: '"same-origin" (not included cross-origin) because the browser reported net::ERR_TOO_MANY_REDIRECTS, not a CORS failure',
      });
      expect(rows[0]!.evaluation.dependsOn).toBeUndefined();
    },
    'redirect-refused': () => {
      expect(rows.map((r) => [r.verdict, r.evaluation.reason?.key, r.evaluation.reason?.hop])).toEqual([
        ['network-error', 'ConnectionRefused', 1],
      ]);
      expect(rows[0]!.evaluation.summary).toBe(
        "Network error: The connection was refused: nothing listens at that host and port (the server is down, or the URL's port is wrong) (net::ERR_CONNECTION_REFUSED).",
      );
    },
    'redirect-not-http': () => {
      expect(
        rows.map((r) => [
          new URL(r.exchange.request.url).pathname.split('/').pop(),
          r.verdict,
          r.evaluation.reason?.key,
          r.exchange.netError ?? null,
        ]),
      ).toEqual([
        ['ftp', 'blocked', 'CorsDisabledScheme', 'net::ERR_FAILED'],
        ['data', 'network-error', 'RedirectNotHttp', 'net::ERR_UNSAFE_REDIRECT'],
        ['file', 'network-error', 'RedirectNotHttp', 'net::ERR_UNSAFE_REDIRECT'],
        // No webRequest event follows a redirect to an unknown scheme: the call ends at the redirect.
        ['custom', 'blocked', 'CorsDisabledScheme', null],
      ]);
      expect(rows[3]!.exchange.outcome).toBeUndefined();
    },
    'preflight-ok-empty-reply': () => {
      expect(rows.map((r) => [r.verdict, r.preflight, r.evaluation.reason?.key])).toEqual([
        ['network-error', 'sent', 'EmptyResponse'],
        ['network-error', 'sent', 'EmptyResponse'],
      ]);
      expect(rows[0]!.evaluation.summary).toBe(
        'Network error: The server closed the connection without sending a response (an empty reply: it crashed or timed out on this request, or a proxy dropped it) (net::ERR_EMPTY_RESPONSE).',
      );
    },
    'redirect-preflight-null': () => {
      // Chromium checks the new preflight against "null", the Origin it sent: allowed.
      expect(rows.map((r) => [r.verdict, r.exchange.wire.map((w) => w.type).join(',')])).toEqual([
        ['allowed', 'preflight,request,preflight,request'],
        ['allowed', 'preflight,request,preflight,request'],
      ]);
    },
    'redirect-preflight-page-origin': () => {
      // ... and blocks it when the new preflight allows only the page's origin (not the Origin it supplied,
      // null): that preflight is the call's, and the PUT to the new URL was never sent.
      expect(
        rows.map((r) => [
          r.verdict,
          r.exchange.wire.map((w) => w.type).join(','),
          r.evaluation.error?.stage,
          r.evaluation.error?.failedParameter,
        ]),
      ).toEqual([['blocked', 'preflight,request,preflight', 'preflight', 'http://127.0.0.1:46753']]);
    },
    'redirect-same-origin-to-userinfo': () => {
      // Began same-origin, ended on the redirect Chromium refused: a CORS call all the same.
      expect(rows.map((r) => [r.verdict, r.evaluation.reason?.key, r.exchange.wire.length])).toEqual([
        ['blocked', 'RedirectContainsCredentials', 1],
      ]);
    },
    'firefox-safelist': () => {
      // Chromium follows the spec's safelist: a byte above 0x7F in Accept and a Content-Type list pass it.
      expect(rows.map((r) => [r.verdict, r.preflight])).toEqual([
        ['allowed', 'none'],
        ['allowed', 'none'],
        ['allowed', 'none'],
        ['allowed', 'none'],
      ]);
    },
    'acao-repeated': () => {
      // Chromium joins repeated lines itself and reads a comma as several values, one line or two.
      expect(rows.map((r) => [r.verdict, r.evaluation.error?.chromium, r.exchange.headersJoined])).toEqual([
        ['blocked', 'MultipleAllowOriginValues', undefined],
        ['blocked', 'MultipleAllowOriginValues', undefined],
        ['blocked', 'MultipleAllowOriginValues', undefined],
      ]);
    },
    'credentials-http-auth': () => {
      // With a Basic identity cached for API, Chromium sends Authorization on the credentialed calls (the
      // server and DevTools saw it), but its webRequest lists it nowhere, with extraHeaders: not even on
      // the login's own retry. Chromium reports each outcome, which settles the mode where it matters.
      expect(
        f.events.filter(
          (e) =>
            e.kind === 'onSendHeaders' &&
            (e.details.requestHeaders ?? []).some((h) => h.name.toLowerCase() === 'authorization'),
        ),
      ).toEqual([]);
      expect(
        rows.map((r) => [
          r.exchange.request.method,
          r.verdict,
          r.evaluation.checks.find((c) => c.rule === 'credentials-mode')?.seen ?? null,
          r.evaluation.dependsOn === undefined,
        ]),
      ).toEqual([
        ['GET', 'allowed', null, true],
        ['GET', 'allowed', null, true],
        ['GET', 'allowed', null, true],
        ['PUT', 'blocked', '"include" because the page saw an error', true],
        ['PUT', 'allowed', '"same-origin" (not included cross-origin) because the page saw success', true],
      ]);
    },
    'credentials-cross-site': () => {
      // Chromium reports each call's outcome, which settles both.
      expect(
        rows.map((r) => [
          r.verdict,
          r.evaluation.dependsOn === undefined,
          r.evaluation.checks.find((c) => c.rule === 'credentials-mode')?.seen,
        ]),
      ).toEqual([
        ['blocked', true, '"include" because the page saw an error'],
        ['allowed', true, '"same-origin" (not included cross-origin) because the page saw success'],
      ]);
    },
    // When CORS is only the messenger: what really failed, said first (the pass over the tab's calls).
    'error-responses': () => {
      const causes = causesOf(calls(rows), 'in this tab');
      expect(rows.map((r) => [r.verdict, r.evaluation.error?.chromium ?? null])).toEqual([
        ['allowed', null],
        ['blocked', 'MissingAllowOriginHeader'],
        ['blocked', 'MissingAllowOriginHeader'],
        ['blocked', 'MissingAllowOriginHeader'],
      ]);
      const [ok, boom, gateway, upload] = rows.map((r) => causes.get(r.exchange.id) ?? null);
      expect(ok).toBeNull();
      const api = new URL(rows[0]!.url).origin;
      expect(boom).toEqual({
        kind: 'error-response',
        status: 500,
        hop: 0,
        answeredBy: 'Server: gunicorn',
        corsElsewhere: {
          calls: 2,
          ids: [rows[0]!.exchange.id, rows[3]!.exchange.id],
          hops: [],
          servers: ['gunicorn'],
        },
        summary: `GET ${api}/s/error-responses/boom was answered 500 Internal Server Error (Server: gunicorn): the application failed on this request. The error response carries no CORS headers, so the browser reports a CORS failure; the real failure is the 500. ${api} answers other calls in this tab with CORS headers (2 calls: ${rows[0]!.exchange.id}, ${rows[3]!.exchange.id}), so its CORS setup works; this error response skips it (an error handler, a gateway or a CDN error page answered without it).`,
        fix: 'Fix the 500 first: it is why the call failed. Then have error responses carry the same CORS headers as the others (in the error handler, or at the gateway: nginx adds headers to an error only with "always"), so the page can read the error instead of a CORS failure.',
      });
      expect(gateway!.summary).toBe(
        `GET ${api}/s/error-responses/gateway was answered 502 Bad Gateway (Server: nginx): a gateway or proxy got no valid answer from the application behind it. The error response carries no CORS headers, so the browser reports a CORS failure; the real failure is the 502. ${api} answers other calls in this tab with CORS headers (2 calls: ${rows[0]!.exchange.id}, ${rows[3]!.exchange.id}), so its CORS setup works; this error response skips it (an error handler, a gateway or a CDN error page answered without it). Its other answers came from Server: gunicorn, this one from Server: nginx: a different layer answered it.`,
      );
      // The 413 came after a preflight the same server answered with CORS headers.
      expect([upload!.status, upload!.hop, upload!.answeredBy, upload!.corsElsewhere]).toEqual([
        413,
        1,
        'Via: 1.1 proxy',
        { calls: 1, ids: [rows[0]!.exchange.id], hops: [0], servers: ['gunicorn'] },
      ]);
    },
    'preflight-refused': () => {
      const causes = causesOf(calls(rows), 'in this tab');
      expect(
        rows.map((r) => [
          r.evaluation.error?.chromium,
          causes.get(r.exchange.id)?.kind,
          causes.get(r.exchange.id)?.status,
        ]),
      ).toEqual([
        ['PreflightMissingAllowOriginHeader', 'preflight-refused', 401],
        ['PreflightInvalidStatus', 'preflight-refused', 403],
        ['PreflightMissingAllowOriginHeader', 'preflight-refused', 405],
        ['PreflightMissingAllowOriginHeader', 'preflight-refused', 404],
      ]);
      const api = new URL(rows[0]!.url).origin;
      expect(causes.get(rows[0]!.exchange.id)!.summary).toBe(
        `The preflight (OPTIONS ${api}/s/preflight-refused/auth) was refused with 401 Unauthorized: authentication or authorization runs before the server's CORS handling, and a browser never sends cookies or an Authorization header with a preflight, so it fails there whatever the page sends.`,
      );
      expect(causes.get(rows[0]!.exchange.id)!.fix).toBe(
        'Answer preflights before authentication: put the CORS handling first (or exempt OPTIONS from the authentication check). Another CORS header will not help.',
      );
      expect(causes.get(rows[2]!.exchange.id)!.summary).toBe(
        `The preflight (OPTIONS ${api}/s/preflight-refused/noroute) got 405 Method Not Allowed: the server has no route for OPTIONS at /s/preflight-refused/noroute, so its CORS handling never runs.`,
      );
      // The 403 preflight carried CORS headers itself: it is not its own evidence.
      expect(causes.get(rows[1]!.exchange.id)!.corsElsewhere).toEqual({
        calls: 0,
        ids: [],
        hops: [],
        servers: [],
      });
    },
    'stopped-not-cors': () => {
      expect(rows.map((r) => [r.verdict, r.evaluation.reason?.key, r.exchange.netError])).toEqual([
        ['network-error', 'NameNotResolved', 'net::ERR_NAME_NOT_RESOLVED'],
        ['network-error', 'CertificateError', 'net::ERR_CERT_AUTHORITY_INVALID'],
      ]);
      const causes = causesOf(calls(rows), 'in this tab');
      expect(causes.get(rows[0]!.exchange.id)).toBeUndefined();
      expect(causes.get(rows[1]!.exchange.id)).toMatchObject({
        kind: 'not-cors',
        summary:
          "Not a CORS failure: The browser refused the server's TLS certificate, so the request never went out: not a CORS matter; fix the certificate.",
      });
    },
    'blocked-by-client': () => {
      // Never sent: webRequest saw only its error (no onSendHeaders), and the call is kept.
      expect(rows.map((r) => [r.verdict, r.evaluation.reason?.key, r.exchange.wire.length])).toEqual([
        ['network-error', 'BlockedByClient', 0],
      ]);
      expect(rows[0]!.evaluation.summary).toBe(
        'Network error: An extension in the browser (an ad or tracker blocker, a privacy tool) blocked the request before it was sent: not a CORS matter (net::ERR_BLOCKED_BY_CLIENT).',
      );
      expect(causesOf(calls(rows), 'in this tab').get(rows[0]!.exchange.id)?.kind).toBe('not-cors');
    },
    'credentials-include-star': () => {
      expect(rows[0]!.evaluation.error?.chromium).toBe('WildcardOriginNotAllowed');
      const cookie = rows[0]!.exchange.wire[0]!.request.headers!.find(([n]) => n.toLowerCase() === 'cookie');
      expect(cookie?.[1]).toMatch(/^\[redacted: \d+ bytes\]$/);
    },
  };
  if (specific[f.scenario]) it('matches what the scenario is about', specific[f.scenario]!);
});
