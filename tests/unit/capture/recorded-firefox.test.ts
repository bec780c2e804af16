// Normalization, pairing and evaluation replayed on webRequest event sequences recorded from real Firefox
// ESR 153 (tests/fixtures/webrequest-firefox, written by tests/e2e/record-firefox-events.ts). Firefox's shapes
// differ from Chromium's (tests/fixtures/webrequest-firefox): originUrl instead of initiator, no documentId,
// a request's onSendHeaders before its preflight, a CORS-blocked response ending in onCompleted, failed
// preflights in NS_ERROR_DOM_BAD_URI. The browser is the oracle: the page's results, the lines Firefox
// logged, and what the recording shows crossed the wire.
import { describe, expect, it } from 'vitest';
import type { RawDetails } from '../../../src/capture/events';
import { causesOf } from '../../../src/cors/messenger';
import type { StoredExchange } from '../../../src/store/row';
import { firefoxCorsLines, storedFirefoxLine, urlOfFirefoxLine } from '../../e2e/harness/firefox-console';
import {
  checksOfBothBrowsers,
  expectEachPreflightOnce,
  expectPreflightsPaired,
  type RecordedFixture,
  readFixtures,
  replay,
} from './replay';

interface Fixture extends RecordedFixture {
  recordedWith: { userAgent: string; listeners: Record<string, unknown> };
  events: { kind: string; details: RawDetails & { originUrl?: string } }[];
  page: { ok: boolean; type?: string; status?: number }[];
  console: { source: string; level: string; text: string }[];
}

const fixtures = readFixtures<Fixture>(new URL('../../fixtures/webrequest-firefox/', import.meta.url));

const SELF = 'moz-extension://0ec28b5d-d27a-4fd5-8602-aa75d91ac67d';

/** The logged line naming the same URL as the row's line, if any (the one-line reading is compared to it). */
function oneLineOf(r: StoredExchange, logged: string[]): string | null {
  const own = r.evaluation.error?.console;
  const url = own ? urlOfFirefoxLine(own) : null;
  return logged.find((l) => url !== null && urlOfFirefoxLine(l) === url) ?? null;
}

/** The CORS line Firefox logged for each failed call (errors of the page, as BiDi reported them). */
function firefoxLines(f: Fixture): string[] {
  return firefoxCorsLines(
    f.console.filter((c) => c.source === 'javascript' && c.level === 'error').map((c) => c.text),
  );
}

const types = (r: StoredExchange) => r.exchange.wire.map((w) => w.type);
const calls = (rows: StoredExchange[]) => rows.map((r) => ({ exchange: r.exchange, verdict: r.evaluation }));

describe('the recordings are what the reference says of Firefox', () => {
  it('Firefox rejects extraHeaders and reports originUrl instead of an initiator, and its own error strings', () => {
    for (const f of fixtures) {
      expect(f.recordedWith.userAgent).toMatch(/Firefox\/153/);
      expect(String(f.recordedWith.listeners['onSendHeaders:rejected'])).toMatch(/extraHeaders/);
      for (const e of f.events) {
        expect(e.details.initiator).toBeUndefined();
        if (e.details.type !== 'main_frame') expect(e.details.originUrl).toMatch(/^http:/);
        expect(e.details.error ?? '').not.toMatch(/^net::/);
      }
    }
  });

  it('no webRequest detail tells the credentials mode but Sec-Fetch-Storage-Access (thirdParty, cookieStoreId, ... alike)', () => {
    // The same preflighted PUT with and without credentials, both redirected cross-site (redirect-preflight-null).
    const f = fixtures.find((x) => x.scenario === 'redirect-preflight-null')!;
    const details = (path: string) =>
      f.events
        .filter((e) => new URL(e.details.url).pathname.endsWith(path))
        .map((e) => {
          const { requestId, timeStamp, url, requestHeaders, responseHeaders, ...rest } =
            e.details as RawDetails & Record<string, unknown>;
          const names = (requestHeaders ?? [])
            .map((h) => h.name)
            .filter((n) => n !== 'Sec-Fetch-Storage-Access');
          const storageAccess = (requestHeaders ?? []).some((h) => h.name === 'Sec-Fetch-Storage-Access');
          return {
            kind: e.kind,
            ...rest,
            names,
            storageAccess,
            answered: (responseHeaders ?? []).length > 0,
          };
        });
    const [creds, plain] = [details('/creds-end'), details('/plain-end')];
    expect(Object.keys(creds[0]!)).toEqual(
      expect.arrayContaining([
        'thirdParty',
        'cookieStoreId',
        'urlClassification',
        'incognito',
        'frameAncestors',
      ]),
    );
    expect(creds.map((d) => ({ ...d, storageAccess: false }))).toEqual(plain);
    expect(creds.map((d) => d.storageAccess)).toContain(true);
    expect(plain.map((d) => d.storageAccess)).not.toContain(true);
  });

  it("a preflight carries its request's documentId (Firefox 153 reports one for subresources)", () => {
    for (const f of fixtures) {
      const sends = f.events.filter((e) => e.kind === 'onSendHeaders' && e.details.type !== 'main_frame');
      for (const pf of sends.filter((e) => e.details.method === 'OPTIONS')) {
        const request = sends.find((e) => e.details.method !== 'OPTIONS' && e.details.url === pf.details.url);
        expect(pf.details.documentId).toBe(request?.details.documentId);
      }
    }
  });
});

describe.each(fixtures.map((f) => [f.scenario, f] as const))('recorded in Firefox: %s', (_name, f) => {
  // What CORScope's own listeners receive in Firefox: the four events, preflights' ends included.
  const { rows, counts, preflights } = replay(f.events, {
    self: SELF,
    engine: 'firefox',
    preflightEnds: true,
  });

  it('stores one exchange per cross-origin CORS call, with the verdict the page saw and the line Firefox logged', () => {
    expect(rows.every((r) => r.exchange.capture.engine === 'firefox')).toBe(true);
    expect(rows.every((r) => r.evaluation.engine === 'firefox')).toBe(true);
    const logged = firefoxLines(f);
    const stored = rows
      .map((r) => {
        const own = r.evaluation.error?.console ?? null;
        return storedFirefoxLine(r.evaluation, logged.find((l) => l === own) ?? oneLineOf(r, logged)).line;
      })
      .filter((l): l is string => !!l);
    expect(stored.sort()).toEqual([...logged].sort());
    // fetch reports the response type; XHR and images carry none.
    const allowedInPage = f.page.filter((p) => p.ok && (p.type ?? 'cors') === 'cors').length;
    expect(rows.filter((r) => r.verdict === 'allowed')).toHaveLength(allowedInPage);
    expectEachPreflightOnce(rows, preflights);
  });

  it('pairs each preflight with its own request, in wire order', () => {
    expectPreflightsPaired(rows, (w, next) => {
      // The request goes out after its preflight, though Firefox listed it before.
      if (next) expect(next.time!).toBeGreaterThanOrEqual(w.time!);
    });
  });

  it('claims no outcome Firefox did not report: onCompleted says nothing of CORS', () => {
    for (const r of rows) {
      if (r.exchange.capture.netError) expect(r.exchange.outcome).toBe('error');
      else expect(r.exchange.outcome).toBeUndefined();
    }
  });

  const specific: Record<string, () => void> = {
    ...checksOfBothBrowsers(rows, counts),
    'simple-blocked': () => {
      expect(rows.map((r) => [r.verdict, r.status, r.exchange.capture.netError])).toEqual([
        ['blocked', 200, null],
      ]);
      expect(rows[0]!.evaluation.error?.firefox).toBe('CORSMissingAllowOrigin');
    },
    'preflight-ok': () => {
      expect(rows.map(types)).toEqual([['preflight', 'request']]);
      expect(rows[0]!.verdict).toBe('allowed');
      expect(rows[0]!.exchange.capture.ambiguous).toBe(false);
    },
    'preflight-fail-no-acao': () => {
      // The request Firefox listed first was never sent: the exchange is its preflight alone.
      expect(rows.map(types)).toEqual([['preflight']]);
      expect(rows[0]!.exchange.capture.netError).toBe('NS_ERROR_DOM_BAD_URI');
      expect(rows[0]!.evaluation.error?.firefox).toBe('CORSMissingAllowOrigin');
    },
    'preflight-fail-no-acah': () => {
      expect(rows.map(types)).toEqual([['preflight']]);
      expect(rows[0]!.verdict).toBe('blocked');
      expect(rows[0]!.evaluation.error?.stage).toBe('preflight');
    },
    'preflight-500': () => {
      expect(rows.map(types)).toEqual([['preflight']]);
      expect(rows[0]!.evaluation.error?.firefox).toBe('CORSPreflightDidNotSucceed');
    },
    'preflight-ok-actual-blocked': () => {
      expect(rows.map(types)).toEqual([['preflight', 'request']]);
      expect(rows[0]!.evaluation.error?.stage).toBe('request');
    },
    'cached-preflight-thrice': () => {
      // Firefox preflighted the second call too and served only the third from its cache.
      expect(rows.map((r) => r.preflight)).toEqual(['sent', 'sent', 'cached']);
      const served = rows[2]!.evaluation.checks.find((c) => c.rule === 'preflight-cache')!.servedBy;
      expect([rows[0]!.exchange.id, rows[1]!.exchange.id]).toContain(served?.id);
    },
    'redirect-new-preflight': () => {
      expect(rows.map(types)).toEqual([['preflight', 'request', 'preflight', 'request']]);
      expect(rows[0]!.verdict).toBe('allowed');
    },
    'redirect-simple': () => {
      expect(rows.map(types)).toEqual([['request', 'request']]);
      expect(rows[0]!.verdict).toBe('allowed');
    },
    'worker-fetch': () => {
      // Firefox names the worker's script in originUrl: the initiator is its origin, the page's.
      expect(rows).toHaveLength(2);
      const page = f.events.find((e) => e.details.type === 'main_frame')!.details.url;
      expect(rows.every((r) => r.initiator === new URL(page).origin)).toBe(true);
    },
    'connection-refused': () => {
      expect(rows.map((r) => [r.verdict, r.exchange.capture.netError])).toEqual([
        ['network-error', 'NS_ERROR_CONNECTION_REFUSED'],
      ]);
    },
    // Network errors: Firefox's error string says which, and its line is "did not succeed" (or what the
    // error string makes of it), never a credentials check.
    'redirect-loop': () => {
      expect(rows.map((r) => [r.verdict, r.evaluation.reason?.key, r.exchange.netError])).toEqual([
        ['network-error', 'TooManyRedirects', 'NS_ERROR_REDIRECT_LOOP'],
      ]);
      expect(rows[0]!.evaluation.error?.firefox).toBe('CORSDidNotSucceed');
    },
    'redirect-refused': () => {
      expect(rows.map((r) => [r.verdict, r.evaluation.reason?.key, r.evaluation.error?.firefox])).toEqual([
        ['network-error', 'ConnectionRefused', 'CORSDidNotSucceed'],
      ]);
    },
    'redirect-not-http': () => {
      expect(
        rows.map((r) => [
          new URL(r.exchange.request.url).pathname.split('/').pop(),
          r.verdict,
          r.evaluation.error?.firefox,
          r.exchange.netError ?? null,
        ]),
      ).toEqual([
        // Firefox's webRequest reports nothing after a redirect to ftp: or an unknown scheme.
        ['ftp', 'blocked', 'CORSRequestNotHttp', null],
        ['data', 'network-error', 'CORSDidNotSucceed', 'NS_ERROR_CORRUPTED_CONTENT'],
        ['file', 'network-error', 'CORSDidNotSucceed', 'NS_ERROR_CORRUPTED_CONTENT'],
        ['custom', 'blocked', 'CORSRequestNotHttp', null],
      ]);
    },
    'preflight-ok-empty-reply': () => {
      expect(
        rows.map((r) => [
          r.verdict,
          r.evaluation.reason?.key,
          r.exchange.netError,
          r.evaluation.error?.firefox,
        ]),
      ).toEqual([
        [
          'network-error',
          'ConnectionClosed',
          'NS_ERROR_NET_ON_RECEIVING_FROM',
          'CORSMultipleAllowOriginNotAllowed',
        ],
        ['network-error', 'ConnectionClosed', 'NS_ERROR_NET_RESET', 'CORSDidNotSucceed'],
      ]);
    },
    'redirect-preflight-null': () => {
      // Firefox checks the preflight after the redirect against the page's origin: "null" does not match.
      expect(
        rows.map((r) => [
          r.verdict,
          r.evaluation.error?.stage,
          r.evaluation.error?.firefox,
          r.evaluation.error?.failedParameter,
        ]),
      ).toEqual([
        ['blocked', 'preflight', 'CORSAllowOriginNotMatchingOrigin', 'null'],
        ['blocked', 'preflight', 'CORSAllowOriginNotMatchingOrigin', 'null'],
      ]);
    },
    'redirect-preflight-page-origin': () => {
      // ... and the page's origin passes it; the request's own answer is checked against "null".
      expect(rows.map(types)).toEqual([['preflight', 'request', 'preflight', 'request']]);
      expect(rows.map((r) => [r.verdict, r.evaluation.error?.stage, r.evaluation.reason?.hop])).toEqual([
        ['blocked', 'request', 3],
      ]);
    },
    'redirect-same-origin-to-userinfo': () => {
      // Began same-origin, ended on the redirect Firefox refused (its error string is the one an empty reply
      // gives, but on an answered hop): a CORS network error, "CORS request did not succeed".
      expect(
        rows.map((r) => [
          r.verdict,
          r.evaluation.reason?.key,
          r.exchange.netError,
          r.evaluation.error?.firefox,
        ]),
      ).toEqual([
        [
          'network-error',
          'RedirectCredentialsRefused',
          'NS_ERROR_NET_ON_RECEIVING_FROM',
          'CORSDidNotSucceed',
        ],
      ]);
    },
    'firefox-safelist': () => {
      // Firefox preflights them (the second Accept call again), and serves the third from its cache.
      expect(rows.map((r) => [r.verdict, r.preflight, r.exchange.capture.ambiguous])).toEqual([
        ['allowed', 'sent', false],
        ['allowed', 'sent', false],
        ['allowed', 'cached', false],
        ['allowed', 'sent', false],
      ]);
    },
    'acao-repeated': () => {
      // Two lines reach the add-on joined into one value: read as two, as Firefox counted them. One line
      // holding a list looks the same, so it is read as two too, and the note gives the line Firefox then
      // logs (it did, for /list).
      const api = 'http://127.0.0.1:33391/s/acao-repeated';
      expect(
        rows.map((r) => [
          r.url,
          r.verdict,
          r.evaluation.error?.firefox,
          r.evaluation.checks.find((c) => c.rule === 'recording')?.seen,
        ]),
      ).toEqual(
        [
          ['twice', 'http://127.0.0.1:34663, http://127.0.0.1:34663'],
          ['star-and-page', '*, http://127.0.0.1:34663'],
          ['list', 'http://127.0.0.1:34663, http://localhost:34663'],
        ].map(([path, value]) => [
          `${api}/${path}`,
          'blocked',
          'CORSMultipleAllowOriginNotAllowed',
          `Access-Control-Allow-Origin "${value}" as Firefox handed it on, its lines joined: read as 2 lines (a comma cannot be part of one origin). One line holding that list looks the same, and Firefox then logs: Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at ${api}/${path}. (Reason: CORS header ‘Access-Control-Allow-Origin’ does not match ‘${value}’).`,
        ]),
      );
      const logged = firefoxLines(f);
      expect(rows.map((r) => storedFirefoxLine(r.evaluation, oneLineOf(r, logged)).oneLine)).toEqual([
        false,
        false,
        true,
      ]);
    },
    'credentials-cross-site': () => {
      // Firefox reports no outcome: Sec-Fetch-Storage-Access, sent only on the credentialed call, is what shows
      // its mode. The other call gives both readings, allowed as assumed (no credentials), as it was.
      expect(
        rows.map((r) => [
          r.verdict,
          r.evaluation.error?.firefox ?? null,
          r.evaluation.checks.find((c) => c.rule === 'credentials-mode')?.seen,
          r.evaluation.dependsOn?.readings.include?.error?.firefox ?? null,
        ]),
      ).toEqual([
        [
          'blocked',
          'CORSNotSupportingCredentials',
          '"include" because a Sec-Fetch-Storage-Access header was sent',
          null,
        ],
        [
          'allowed',
          null,
          'assumed "same-origin" (not included cross-origin) because no Cookie header was sent, and nothing recorded shows whether credentials were included',
          'CORSNotSupportingCredentials',
        ],
      ]);
    },
    'credentials-http-auth': () => {
      // With a Basic identity cached for API, Firefox adds Authorization to the credentialed calls only, and
      // its webRequest lists it. The credentialed PUT's preflight did not ask for authorization, so the page
      // did not set it: credentials were included, and the PUT (answered without ACAC) is blocked. The
      // credentialed GET shows no preflight, so its Authorization shows nothing: it is allowed either way.
      expect(
        f.events
          .filter((e) => e.kind === 'onSendHeaders' && e.details.url.includes('/auth/'))
          .map((e) => [
            e.details.method,
            (e.details.requestHeaders ?? []).some((h) => h.name === 'Authorization'),
          ]),
      ).toEqual([
        ['GET', true],
        ['GET', false],
        ['GET', false],
        ['PUT', true],
        ['OPTIONS', false],
        ['PUT', false],
        ['OPTIONS', false],
      ]);
      expect(
        rows.map((r) => [
          r.exchange.request.method,
          r.verdict,
          r.evaluation.error?.firefox ?? null,
          r.evaluation.checks.find((c) => c.rule === 'credentials-mode')?.seen ?? null,
          r.evaluation.dependsOn === undefined,
        ]),
      ).toEqual([
        ['GET', 'allowed', null, null, true],
        ['GET', 'allowed', null, null, true],
        ['GET', 'allowed', null, null, true],
        [
          'PUT',
          'blocked',
          'CORSMissingAllowCredentials',
          '"include" because an Authorization header was sent that its preflight did not ask for: the browser added it from its HTTP authentication cache',
          true,
        ],
        [
          'PUT',
          'allowed',
          null,
          'assumed "same-origin" (not included cross-origin) because no Cookie header was sent, and nothing recorded shows whether credentials were included',
          false,
        ],
      ]);
    },
    // When CORS is only the messenger: the same causes from what Firefox's webRequest shows.
    'error-responses': () => {
      const causes = causesOf(calls(rows), 'in this tab');
      expect(
        rows.map((r) => [
          r.verdict,
          causes.get(r.exchange.id)?.status ?? null,
          causes.get(r.exchange.id)?.answeredBy ?? null,
        ]),
      ).toEqual([
        ['allowed', null, null],
        ['blocked', 500, 'Server: gunicorn'],
        ['blocked', 502, 'Server: nginx'],
        ['blocked', 413, 'Via: 1.1 proxy'],
      ]);
      expect(rows[1]!.evaluation.error?.console).toBe(
        `Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at ${rows[1]!.url}. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 500.`,
      );
    },
    'preflight-refused': () => {
      const causes = causesOf(calls(rows), 'in this tab');
      expect(rows.map((r) => [r.evaluation.error?.firefox, causes.get(r.exchange.id)?.kind])).toEqual([
        ['CORSMissingAllowOrigin', 'preflight-refused'],
        ['CORSPreflightDidNotSucceed', 'preflight-refused'],
        ['CORSMissingAllowOrigin', 'preflight-refused'],
        ['CORSMissingAllowOrigin', 'preflight-refused'],
      ]);
    },
    'stopped-not-cors': () => {
      expect(rows.map((r) => [r.verdict, r.evaluation.reason?.key, r.exchange.netError])).toEqual([
        ['network-error', 'NameNotResolved', 'NS_ERROR_UNKNOWN_HOST'],
        ['network-error', 'CertificateError', 'The certificate is not trusted because it is self-signed.'],
      ]);
    },
    'image-crossorigin-blocked': () => {
      expect(rows.map((r) => [r.exchange.api, r.verdict])).toEqual([['image', 'blocked']]);
    },
    'credentials-include-star': () => {
      expect(rows[0]!.evaluation.error?.firefox).toBe('CORSNotSupportingCredentials');
      const cookie = rows[0]!.exchange.wire[0]!.request.headers!.find(([n]) => n.toLowerCase() === 'cookie');
      expect(cookie?.[1]).toMatch(/^\[redacted: \d+ bytes\]$/);
    },
  };
  if (specific[f.scenario]) it('matches what the scenario is about', specific[f.scenario]!);
});
