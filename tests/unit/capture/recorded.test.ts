// Pairing and evaluation replayed on webRequest event sequences recorded from real Chromium 156
// (tests/fixtures/webrequest, written by tests/e2e/record-events.ts). The browser is the oracle: the page's
// results and the CORS lines Chromium printed.
import { describe, expect, it } from 'vitest';
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
    'credentials-include-star': () => {
      expect(rows[0]!.evaluation.error?.chromium).toBe('WildcardOriginNotAllowed');
      const cookie = rows[0]!.exchange.wire[0]!.request.headers!.find(([n]) => n.toLowerCase() === 'cookie');
      expect(cookie?.[1]).toMatch(/^\[redacted: \d+ bytes\]$/);
    },
  };
  if (specific[f.scenario]) it('matches what the scenario is about', specific[f.scenario]!);
});
