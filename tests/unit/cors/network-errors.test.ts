// Network errors a CORS call can end in, told apart by the browser's own error string (recorded in Chromium 156
// and Firefox ESR 153: tests/fixtures/webrequest*/redirect-*.json, preflight-ok-empty-reply.json), redirects to
// schemes that are not HTTP(S), mixed content, and verdicts that depend on a credentials mode nothing shows.
import { describe, expect, it } from 'vitest';
import { netErrorKey } from '../../../src/cors/catalog';
import { Evaluator } from '../../../src/cors/index';
import type { Exchange, Header } from '../../../src/cors/types';
import { parseExchange } from '../../../src/cors/validate';
import {
  API,
  PAGE,
  preflightedCall,
  response,
  simpleCall,
  wirePreflight,
  wireRequest,
} from '../../factories';

const chromium = (ex: Exchange) => new Evaluator().evaluate(ex);
const firefox = (ex: Exchange) => new Evaluator({ engine: 'firefox' }).evaluate(ex);
const acao = (origin = PAGE): Header => ['Access-Control-Allow-Origin', origin];
const OTHER = 'http://localhost:8102';

/** A PUT with X-Custom from PAGE to API/put, its preflight answered 204 with ACAO: PAGE, ACAM: PUT and `allow`. */
const put = (allow: Header[], actual: Exchange['wire'][number]['response']): Exchange =>
  preflightedCall({
    method: 'PUT',
    url: `${API}/put`,
    headers: [['X-Custom', '1']],
    unsafe: ['x-custom'],
    preflight: response(204, [acao(), ['Access-Control-Allow-Methods', 'PUT'], ...allow]),
    actual,
  });

/** A GET from PAGE to API answered 302 to `location` (with ACAO: PAGE), then `next` hops as recorded. */
function redirected(location: string, next: Exchange['wire'] = [], opts: Partial<Exchange> = {}): Exchange {
  const url = `${API}/start`;
  const { credentials: _unknown, ...base } = simpleCall({
    url,
    res: response(302, [acao(), ['Location', location]]),
  });
  return { ...base, wire: [...base.wire, ...next], outcome: 'error', ...opts };
}

describe("the browser's error string names the network error", () => {
  it('maps the strings each browser reported, families by prefix, and leaves CORS failures unnamed', () => {
    expect(
      [
        'net::ERR_CONNECTION_REFUSED',
        'NS_ERROR_CONNECTION_REFUSED',
        'net::ERR_EMPTY_RESPONSE',
        'NS_ERROR_NET_RESET',
        'NS_ERROR_NET_ON_RECEIVING_FROM',
        'net::ERR_TOO_MANY_REDIRECTS',
        'NS_ERROR_REDIRECT_LOOP',
        'net::ERR_UNSAFE_REDIRECT',
        'NS_ERROR_CORRUPTED_CONTENT',
        'net::ERR_CERT_AUTHORITY_INVALID',
        'net::ERR_CERT_DATE_INVALID',
        'The certificate is not trusted because it is self-signed.',
        'net::ERR_BLOCKED_BY_CLIENT',
        'net::ERR_NAME_NOT_RESOLVED',
        'NS_ERROR_UNKNOWN_HOST',
        'net::ERR_SSL_PROTOCOL_ERROR',
        'net::ERR_FAILED',
        'NS_ERROR_DOM_BAD_URI',
        '',
      ].map(netErrorKey),
    ).toEqual([
      'ConnectionRefused',
      'ConnectionRefused',
      'EmptyResponse',
      'ConnectionClosed',
      'ConnectionClosed',
      'TooManyRedirects',
      'TooManyRedirects',
      'RedirectNotHttp',
      'RedirectNotHttp',
      'CertificateError',
      'CertificateError',
      'CertificateError',
      'BlockedByClient',
      'NameNotResolved',
      'NameNotResolved',
      'BrowserNetworkError',
      null,
      null,
      null,
    ]);
  });

  it('a redirect to a refused port: the error string explains the missing response, in both engines', () => {
    const ex = redirected(
      'http://127.0.0.1:9/end',
      [wireRequest('GET', 'http://127.0.0.1:9/end', 'null', null)],
      { netError: 'net::ERR_CONNECTION_REFUSED' },
    );
    const v = chromium(ex);
    expect([v.verdict, v.reason, v.error?.console]).toEqual([
      'network-error',
      { key: 'ConnectionRefused', header: null, seen: 'net::ERR_CONNECTION_REFUSED', required: null, hop: 1 },
      null,
    ]);
    expect(v.summary).toBe(
      "Network error: The connection was refused: nothing listens at that host and port (the server is down, or the URL's port is wrong) (net::ERR_CONNECTION_REFUSED).",
    );
    const f = firefox({ ...ex, netError: 'NS_ERROR_CONNECTION_REFUSED' });
    expect([f.verdict, f.reason?.key, f.error?.console]).toEqual([
      'network-error',
      'ConnectionRefused',
      'Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://127.0.0.1:9/end. (Reason: CORS request did not succeed). Status code: (null).',
    ]);
  });

  it('without an error string the wire cannot say why: "No response arrived", as before', () => {
    const v = chromium(
      redirected('http://127.0.0.1:9/end', [wireRequest('GET', 'http://127.0.0.1:9/end', 'null', null)], {
        credentials: 'same-origin',
      }),
    );
    expect(v.reason?.key).toBe('NoResponse');
  });

  it('an empty reply after a preflight: Chromium says empty, Firefox logs it as "multiple" for NS_ERROR_NET_ON_RECEIVING_FROM', () => {
    const ex: Exchange = {
      ...put([['Access-Control-Allow-Headers', 'X-Custom']], null),
      outcome: 'error',
    };
    const c = chromium({ ...ex, netError: 'net::ERR_EMPTY_RESPONSE' });
    expect([c.verdict, c.preflight, c.reason?.key, c.error?.stage]).toEqual([
      'network-error',
      'sent',
      'EmptyResponse',
      'request',
    ]);
    const f = firefox({ ...ex, netError: 'NS_ERROR_NET_ON_RECEIVING_FROM' });
    expect([f.reason?.key, f.error?.firefox, f.error?.console]).toEqual([
      'ConnectionClosed',
      'CORSMultipleAllowOriginNotAllowed',
      `Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at ${API}/put. (Reason: Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed).`,
    ]);
    expect(firefox({ ...ex, netError: 'NS_ERROR_NET_RESET' }).error?.firefox).toBe('CORSDidNotSucceed');
  });

  it('a redirect loop with the credentials mode unknown: the error string rules out the credentialed (blocked) reading', () => {
    const loop = `${API}/start`;
    const hops = Array.from({ length: 20 }, () =>
      wireRequest('GET', loop, PAGE, response(302, [acao(), ['Location', loop]])),
    );
    const ex = redirected(loop, hops, { netError: 'net::ERR_TOO_MANY_REDIRECTS' });
    const v = chromium(ex);
    expect([v.verdict, v.reason?.key, v.dependsOn]).toEqual(['network-error', 'TooManyRedirects', undefined]);
    expect(v.checks[0]).toMatchObject({
      rule: 'credentials-mode',
      seen: '"same-origin" (not included cross-origin) because the browser reported net::ERR_TOO_MANY_REDIRECTS, not a CORS failure',
    });
    // What the fix was before the browser's error was read: the page saw an error, and a CORS failure explains it.
    const { netError: _none, ...unnamed } = ex;
    expect(chromium(unnamed).error?.chromium).toBe('InvalidAllowCredentials');
  });

  it("a CORS failure's error string does not rule the CORS reading out", () => {
    // With credentials the redirect's own answer fails: it has no Access-Control-Allow-Credentials.
    const ex = redirected(`${API}/end`, [wireRequest('GET', `${API}/end`, PAGE, response(200, [acao()]))], {
      netError: 'net::ERR_FAILED',
    });
    expect(chromium(ex).error?.chromium).toBe('InvalidAllowCredentials');
  });
});

describe('a redirect to a URL that is not HTTP(S), as both browsers follow it (recorded)', () => {
  it('data: and file: are refused at the redirect: a network error', () => {
    for (const location of ['data:text/plain,hello', 'file:///etc/hostname']) {
      const v = chromium(redirected(location, [], { netError: 'net::ERR_UNSAFE_REDIRECT' }));
      expect([v.verdict, v.reason?.key, v.reason?.seen]).toEqual([
        'network-error',
        'RedirectNotHttp',
        location,
      ]);
      const f = firefox(redirected(location, [], { netError: 'NS_ERROR_CORRUPTED_CONTENT' }));
      expect([f.verdict, f.error?.firefox, f.error?.url]).toEqual([
        'network-error',
        'CORSDidNotSucceed',
        `${API}/start`,
      ]);
    }
  });

  it("ftp: and an unknown scheme are followed into main fetch's scheme check: blocked at the new URL", () => {
    const location = 'ftp://127.0.0.1/end';
    const v = chromium(redirected(location));
    expect([v.verdict, v.error?.chromium, v.error?.stage, v.error?.console]).toEqual([
      'blocked',
      'CorsDisabledScheme',
      'redirect',
      `Access to fetch at 'ftp://127.0.0.1/end' (redirected from '${API}/start') from origin '${PAGE}' has been blocked by CORS policy: Cross origin requests are only supported for protocol schemes: chrome, chrome-experimental-site-token-provider, chrome-extension, chrome-untrusted, data, http, https, isolated-app.`,
    ]);
    const f = firefox(redirected('corscope-test://127.0.0.1/end'));
    expect([f.verdict, f.error?.firefox, f.error?.console]).toEqual([
      'blocked',
      'CORSRequestNotHttp',
      'Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at corscope-test://127.0.0.1/end. (Reason: CORS request not http).',
    ]);
  });

  it('on the last hop of a call the page saw succeed, the redirect was not followed (redirect mode "manual")', () => {
    expect(chromium(redirected('ftp://127.0.0.1/end', [], { outcome: 'success' })).verdict).toBe('opaque');
  });
});

describe('mixed content: an https: page and a plain http: URL, never answered', () => {
  const call = (url: string, res: Exchange['wire'][number]['response']) =>
    simpleCall({ initiator: 'https://app.example', url, res });

  it('is blocked before the network: not a CORS verdict', () => {
    const v = chromium(call('http://api.example/data', null));
    expect([v.verdict, v.reason?.key, v.summary]).toEqual([
      'network-error',
      'MixedContent',
      'Network error: Blocked as mixed content: the page is served over HTTPS and the URL is plain http:, so the browser never sent it; not a CORS matter: call the https: URL.',
    ]);
  });

  it('is not claimed where the evidence does not show it: a response came, or the URL is potentially trustworthy', () => {
    expect(chromium(call('http://api.example/data', response(200, [acao('*')]))).verdict).toBe('allowed');
    expect(chromium(call('http://127.0.0.1:9/data', null)).reason?.key).toBe('NoResponse');
    expect(chromium(call('http://localhost:9/data', null)).reason?.key).toBe('NoResponse');
  });
});

describe("Firefox checks a preflight after a cross-origin redirect against the page's origin (recorded)", () => {
  /** A PUT preflighted at API, answered 307 to OTHER, preflighted again there with Origin: null. */
  function redirectedPut(second: Header[], actual: Header[], credentials: boolean): Exchange {
    const allow = (origin: string): Header[] => [
      acao(origin),
      ['Access-Control-Allow-Methods', 'PUT'],
      ['Access-Control-Allow-Headers', 'X-Custom'],
      ...(credentials ? ([['Access-Control-Allow-Credentials', 'true']] as Header[]) : []),
    ];
    const end = `${OTHER}/end`;
    return {
      id: 'rp',
      initiator: PAGE,
      credentials: credentials ? 'include' : 'same-origin',
      request: { method: 'PUT', url: `${API}/start`, headers: [['X-Custom', '1']] },
      wire: [
        wirePreflight('PUT', `${API}/start`, PAGE, ['x-custom'], response(204, allow(PAGE))),
        wireRequest('PUT', `${API}/start`, PAGE, response(307, [...allow(PAGE), ['Location', end]]), [
          ['X-Custom', '1'],
        ]),
        wirePreflight('PUT', end, 'null', ['x-custom'], response(204, second)),
        ...(actual.length
          ? [wireRequest('PUT', end, 'null', response(200, actual), [['X-Custom', '1']])]
          : []),
      ],
    };
  }
  const creds: Header = ['Access-Control-Allow-Credentials', 'true'];
  const list: Header[] = [
    ['Access-Control-Allow-Methods', 'PUT'],
    ['Access-Control-Allow-Headers', 'X-Custom'],
  ];

  it('"null" on the new preflight: Chromium lets it through, Firefox blocks it (does not match ‘null’), with or without credentials', () => {
    for (const withCredentials of [true, false]) {
      const extra = withCredentials ? [creds] : [];
      const ex = redirectedPut([acao('null'), ...list, ...extra], [acao('null'), ...extra], withCredentials);
      expect(chromium(ex).verdict).toBe('allowed');
      const f = firefox({ ...ex, wire: ex.wire.slice(0, 3) });
      expect([f.verdict, f.error?.stage, f.error?.firefox, f.error?.console]).toEqual([
        'blocked',
        'preflight',
        'CORSAllowOriginNotMatchingOrigin',
        `Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at ${OTHER}/end. (Reason: CORS header ‘Access-Control-Allow-Origin’ does not match ‘null’).`,
      ]);
    }
  });

  it("the page's origin on the new preflight passes in Firefox, whose request is then checked against null", () => {
    const ex = redirectedPut([acao(PAGE), ...list, creds], [acao(PAGE), creds], true);
    const f = firefox(ex);
    expect([f.verdict, f.error?.stage, f.reason?.hop, f.error?.firefox]).toEqual([
      'blocked',
      'request',
      3,
      'CORSAllowOriginNotMatchingOrigin',
    ]);
    expect(chromium({ ...ex, wire: ex.wire.slice(0, 3) }).error?.chromium).toBe(
      'PreflightAllowOriginMismatch',
    );
  });
});

describe('a verdict that depends on a credentials mode nothing shows gives both readings', () => {
  const unknown = (ex: Exchange): Exchange => {
    const { credentials: _c, outcome: _o, ...rest } = ex;
    return rest;
  };

  it('Access-Control-Allow-Origin: *: allowed without credentials, blocked with them, each with its line', () => {
    const ex = unknown(
      simpleCall({ id: 'star', url: `${API}/data`, res: response(200, [acao('*')]) } as never),
    );
    const v = chromium(ex);
    expect(v.verdict).toBe('allowed');
    expect(v.dependsOn).toEqual({
      input: 'credentials',
      assumed: 'omit',
      basis: 'no Cookie header was sent, and nothing recorded shows whether credentials were included',
      readings: {
        omit: {
          when: "if the request did not include credentials (fetch's default)",
          verdict: 'allowed',
          preflight: 'none',
          error: null,
          summary: `Allowed: ${API} answered GET with Access-Control-Allow-Origin: *.`,
          reason: null,
          fixes: [],
          exposed: [],
        },
        include: expect.objectContaining({
          when: "if the request included credentials (credentials: 'include', XHR's withCredentials)",
          verdict: 'blocked',
          error: expect.objectContaining({
            chromium: 'WildcardOriginNotAllowed',
            console: `Access to fetch at '${API}/data' from origin '${PAGE}' has been blocked by CORS policy: The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.`,
          }),
          summary: `Blocked: the request includes credentials (cookies), and the response from ${API} answers with Access-Control-Allow-Origin: *, which the browser refuses with credentials.`,
          fixes: [
            expect.objectContaining({ header: 'Access-Control-Allow-Origin', value: PAGE }),
            expect.objectContaining({ header: 'Access-Control-Allow-Credentials', value: 'true' }),
          ],
        }),
      },
    });
    expect(v.checks[0]!.seen).toBe(
      'assumed "same-origin" (not included cross-origin) because no Cookie header was sent, and nothing recorded shows whether credentials were included',
    );
  });

  it('Access-Control-Expose-Headers: *: allowed either way, but what script can read differs', () => {
    const ex = unknown(
      simpleCall({
        url: `${API}/data`,
        res: response(200, [
          acao(),
          ['Access-Control-Allow-Credentials', 'true'],
          ['Access-Control-Expose-Headers', '*'],
          ['X-Total', '3'],
        ]),
      }),
    );
    const v = chromium(ex);
    expect(v.dependsOn?.readings.omit?.exposed).toEqual([
      'access-control-allow-credentials',
      'access-control-allow-origin',
      'access-control-expose-headers',
      'x-total',
    ]);
    expect(v.dependsOn?.readings.include?.exposed).toEqual([]);
    expect(v.dependsOn?.readings.include?.verdict).toBe('allowed');
  });

  it('Access-Control-Allow-Headers: *: allowed without credentials, blocked with them at the preflight', () => {
    const ex = unknown(
      put(
        [
          ['Access-Control-Allow-Credentials', 'true'],
          ['Access-Control-Allow-Headers', '*'],
        ],
        response(200, [acao(), ['Access-Control-Allow-Credentials', 'true']]),
      ),
    );
    const v = chromium(ex);
    expect([v.verdict, v.dependsOn?.readings.include?.error?.chromium]).toEqual([
      'allowed',
      'HeaderDisallowedByPreflightResponse',
    ]);
  });

  it('what settles it leaves one verdict: the outcome, a Cookie header', () => {
    const ex = unknown(simpleCall({ url: `${API}/data`, res: response(200, [acao('*')]) }));
    const seen = chromium({ ...ex, outcome: 'error' });
    expect([seen.verdict, seen.dependsOn]).toEqual(['blocked', undefined]);
    const cookie = chromium({
      ...ex,
      wire: [
        {
          ...ex.wire[0]!,
          request: {
            ...ex.wire[0]!.request,
            headers: [
              ['Origin', PAGE],
              ['Cookie', 'a=1'],
            ],
          },
        },
      ],
    });
    expect([cookie.verdict, cookie.dependsOn]).toEqual(['blocked', undefined]);
  });

  it('a request the wire shows answered after its preflight rules out the mode that preflight fails', () => {
    // Access-Control-Allow-Headers: * stops the PUT at the preflight with credentials; the PUT was answered 500.
    const answered = (outcome?: Exchange['outcome']): Exchange => ({
      ...unknown(put([['Access-Control-Allow-Headers', '*']], response(500, []))),
      ...(outcome ? { outcome } : {}),
    });
    const v = chromium(answered('error'));
    expect([v.verdict, v.error?.stage, v.error?.chromium, v.dependsOn]).toEqual([
      'blocked',
      'request',
      'MissingAllowOriginHeader',
      undefined,
    ]);
    expect(v.checks[0]!.seen).toBe(
      '"same-origin" (not included cross-origin) because the request after the preflight (OPTIONS) was sent and answered, which "include" would have stopped at the preflight',
    );
    // No outcome recorded: both readings, as before.
    expect(chromium(answered()).dependsOn?.readings.include?.error?.stage).toBe('preflight');
  });

  it('where the outcome points to the mode the wire rules out, neither settles it: both readings', () => {
    // Allowed without credentials; with them, stopped at the preflight the PUT went past. The page saw an error.
    const ex: Exchange = {
      ...unknown(
        put(
          [
            ['Access-Control-Allow-Credentials', 'true'],
            ['Access-Control-Allow-Headers', '*'],
          ],
          response(200, [acao(), ['Access-Control-Allow-Credentials', 'true']]),
        ),
      ),
      outcome: 'error',
    };
    const v = chromium(ex);
    expect([v.verdict, v.dependsOn?.readings.include?.error?.stage]).toEqual(['allowed', 'preflight']);
  });

  it('Sec-Fetch-Storage-Access settles it too: browsers send it only on a credentialed cross-site request', () => {
    const ex = unknown(simpleCall({ url: `${API}/data`, res: response(200, [acao('*')]) }));
    for (const engine of ['chromium', 'firefox'] as const) {
      const v = new Evaluator({ engine }).evaluate({
        ...ex,
        wire: [
          {
            ...ex.wire[0]!,
            request: {
              ...ex.wire[0]!.request,
              headers: [
                ['Origin', PAGE],
                ['Sec-Fetch-Storage-Access', 'none'],
              ],
            },
          },
        ],
      });
      expect([v.verdict, v.dependsOn]).toEqual(['blocked', undefined]);
      expect(v.checks[0]!.seen).toBe('"include" because a Sec-Fetch-Storage-Access header was sent');
    }
  });

  describe('an Authorization header the page could not have set settles it (HTTP authentication the browser added)', () => {
    /**
     * A PUT with X-Custom (and `asked` in its preflight's Access-Control-Request-Headers), the preflight
     * allowing credentials, the PUT sent with Authorization and answered 200 with ACAO: PAGE but no
     * Access-Control-Allow-Credentials: allowed without credentials, blocked with them.
     */
    const authorized = (asked: string[], preflighted = true): Exchange => {
      const url = `${API}/put`;
      const request = wireRequest('PUT', url, PAGE, response(200, [acao()]), [
        ['X-Custom', '1'],
        ['Authorization', 'Basic ZTJlOnNlY3JldA=='],
      ]);
      const preflight = wirePreflight(
        'PUT',
        url,
        PAGE,
        asked,
        response(204, [
          acao(),
          ['Access-Control-Allow-Methods', 'PUT'],
          ['Access-Control-Allow-Headers', 'X-Custom, Authorization'],
          ['Access-Control-Allow-Credentials', 'true'],
        ]),
      );
      return {
        id: 'auth',
        initiator: PAGE,
        request: { method: 'PUT', url },
        wire: preflighted ? [preflight, request] : [request],
      };
    };

    it('its own preflight did not ask for authorization: the browser added it, so credentials were included', () => {
      for (const engine of ['chromium', 'firefox'] as const) {
        const v = new Evaluator({ engine }).evaluate(authorized(['x-custom']));
        expect([v.verdict, v.dependsOn, v.error?.stage]).toEqual(['blocked', undefined, 'request']);
        expect(v.checks[0]).toMatchObject({
          rule: 'credentials-mode',
          seen: '"include" because an Authorization header was sent that its preflight did not ask for: the browser added it from its HTTP authentication cache',
        });
      }
    });

    it('cannot tell where the page could have set it: its preflight asked for it, or no preflight is on the wire (one served from the cache)', () => {
      for (const ex of [authorized(['authorization', 'x-custom']), authorized([], false)]) {
        const v = chromium(ex);
        expect([v.verdict, v.dependsOn !== undefined]).toEqual(['allowed', true]);
        expect(v.checks.find((c) => c.rule === 'credentials-mode')?.seen).toBe(
          'assumed "same-origin" (not included cross-origin) because no Cookie header was sent, and nothing recorded shows whether credentials were included',
        );
      }
    });

    it('cannot tell where the page issued the request with an Authorization header of its own', () => {
      const ex = authorized(['x-custom']);
      const v = chromium({ ...ex, request: { ...ex.request, headers: [['Authorization', 'Bearer page']] } });
      expect([v.verdict, v.dependsOn !== undefined]).toEqual(['allowed', true]);
    });
  });
});

describe('the exchange format', () => {
  it('netError is a non-empty string when given', () => {
    const ex = simpleCall({ res: null });
    expect('exchange' in parseExchange({ ...ex, netError: 'net::ERR_EMPTY_RESPONSE' })).toBe(true);
    expect(parseExchange({ ...ex, netError: 42 })).toMatchObject({ field: 'netError' });
    expect(parseExchange({ ...ex, netError: '' })).toMatchObject({ field: 'netError' });
  });
});
