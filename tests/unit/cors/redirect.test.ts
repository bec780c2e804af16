// HTTP-redirect fetch against recordings from Chromium 156 (Playwright over CDP, a loopback server on three
// ports): what a cross-origin redirect does to Authorization, and which of the redirect's own checks run before
// its CORS check. The exchanges are the recorded calls, their ports renumbered.
import { describe, expect, it } from 'vitest';
import { Evaluator } from '../../../src/cors/index';
import type { Exchange, Header, WireEntry } from '../../../src/cors/types';

const chromium = (ex: Exchange) => new Evaluator().evaluate(ex);
const firefox = (ex: Exchange) => new Evaluator({ engine: 'firefox' }).evaluate(ex);

const PAGE = 'http://localhost:9000';
const A = 'http://127.0.0.1:9001';
const B = 'http://localhost:9002';
const SCRIPT: Header[] = [
  ['Authorization', 'Bearer t'],
  ['X-A', '1'],
];

const preflight = (url: string, origin: string, acrh: string, res: Header[]): WireEntry => ({
  type: 'preflight',
  request: {
    method: 'OPTIONS',
    url,
    headers: [
      ['Origin', origin],
      ['Access-Control-Request-Method', 'GET'],
      ['Access-Control-Request-Headers', acrh],
    ],
  },
  response: { status: 204, headers: res },
});
const get = (url: string, headers: Header[], status: number, res: Header[]): WireEntry => ({
  type: 'request',
  request: { method: 'GET', url, headers },
  response: { status, headers: res },
});

/** fetch(A/start, {headers: {Authorization, X-A}}), preflighted, answered 307 to `next`. */
function authCall(next: string, rest: WireEntry[], outcome: 'success' | 'error'): Exchange {
  return {
    id: 'auth',
    initiator: PAGE,
    credentials: 'omit',
    outcome,
    request: { method: 'GET', url: `${A}/start`, headers: SCRIPT },
    wire: [
      preflight(`${A}/start`, PAGE, 'authorization,x-a', [
        ['Access-Control-Allow-Origin', PAGE],
        ['Access-Control-Allow-Headers', 'authorization, x-a'],
      ]),
      get(`${A}/start`, [['Origin', PAGE], ...SCRIPT], 307, [
        ['Access-Control-Allow-Origin', PAGE],
        ['Location', next],
      ]),
      ...rest,
    ],
  };
}

describe('a redirect to another origin deletes Authorization (step 13, CORS non-wildcard request-header name)', () => {
  it('the next preflight asks only for x-a and is enough: allowed in Chromium 156', () => {
    // Recorded: OPTIONS /end with Access-Control-Request-Headers: x-a, then GET /end without Authorization, 200.
    const ex = authCall(
      `${B}/end`,
      [
        preflight(`${B}/end`, 'null', 'x-a', [
          ['Access-Control-Allow-Origin', 'null'],
          ['Access-Control-Allow-Headers', 'x-a'],
        ]),
        get(
          `${B}/end`,
          [
            ['Origin', 'null'],
            ['X-A', '1'],
          ],
          200,
          [['Access-Control-Allow-Origin', 'null']],
        ),
      ],
      'success',
    );
    const v = chromium(ex);
    expect([v.verdict, v.error, v.reason]).toEqual(['allowed', null, null]);
    // Firefox deletes it as well (its verdict on this Chromium wire is its own: it wants the page's origin in
    // Access-Control-Allow-Origin once the Origin is "null").
    for (const w of [v, firefox(ex)])
      expect(w.checks.filter((c) => c.rule === 'preflight-sent').map((c) => c.required)).toEqual([
        'Access-Control-Request-Method: GET, Access-Control-Request-Headers: authorization,x-a',
        'Access-Control-Request-Method: GET, Access-Control-Request-Headers: x-a',
      ]);
  });

  it('a preflight that allows no header names x-a, not authorization, as Chromium 156 does', () => {
    const ex = authCall(
      `${B}/end`,
      [preflight(`${B}/end`, 'null', 'x-a', [['Access-Control-Allow-Origin', 'null']])],
      'error',
    );
    const v = chromium(ex);
    expect([v.verdict, v.error?.chromium, v.error?.failedParameter]).toEqual([
      'blocked',
      'HeaderDisallowedByPreflightResponse',
      'x-a',
    ]);
    expect(v.error?.console).toBe(
      "Access to fetch at 'http://localhost:9002/end' (redirected from 'http://127.0.0.1:9001/start') from origin 'http://localhost:9000' has been blocked by CORS policy: Request header field x-a is not allowed by Access-Control-Allow-Headers in preflight response.",
    );
  });

  it('a redirect within the same origin keeps it: the next preflight must allow authorization', () => {
    const ex = authCall(
      `${A}/end`,
      [
        preflight(`${A}/end`, PAGE, 'authorization,x-a', [
          ['Access-Control-Allow-Origin', PAGE],
          ['Access-Control-Allow-Headers', 'x-a'],
        ]),
      ],
      'error',
    );
    const v = chromium(ex);
    expect([v.verdict, v.error?.chromium, v.error?.failedParameter]).toEqual([
      'blocked',
      'HeaderDisallowedByPreflightResponse',
      'authorization',
    ]);
    expect(v.error?.console).toBe(
      "Access to fetch at 'http://127.0.0.1:9001/end' (redirected from 'http://127.0.0.1:9001/start') from origin 'http://localhost:9000' has been blocked by CORS policy: Request header field authorization is not allowed by Access-Control-Allow-Headers in preflight response.",
    );
  });
});

const API = 'http://127.0.0.1:9001';
const ORIGIN = 'http://localhost:9000';

/** A GET from ORIGIN to API/r/0 whose hops answer 302 with these headers. */
function redirects(hops: Header[][], credentials: Exchange['credentials'] = 'omit'): Exchange {
  return {
    id: 'r',
    initiator: ORIGIN,
    credentials,
    outcome: 'error',
    request: { method: 'GET', url: `${API}/r/0` },
    wire: hops.map((headers, n) => get(`${API}/r/${n}`, n === 0 ? [] : [['Origin', ORIGIN]], 302, headers)),
  };
}

describe("the network layer's redirect checks run before the redirect's CORS check", () => {
  it('a Location that is not a URL is net::ERR_INVALID_REDIRECT, even where the CORS check would fail', () => {
    // Recorded: Location `http://[::1` with ACAO * and credentials include: net::ERR_INVALID_REDIRECT, no CORS
    // error (Chromium prints only "Failed to load resource: net::ERR_INVALID_REDIRECT"). Firefox ESR 153 logs
    // "CORS request did not succeed" for it, with or without ACAO.
    for (const [acao, credentials] of [
      [[['Access-Control-Allow-Origin', '*']], 'include'],
      [[], 'omit'],
    ] as [Header[], Exchange['credentials']][]) {
      const ex = redirects([[['Location', 'http://[::1'], ...acao]], credentials);
      const v = chromium(ex);
      expect([v.verdict, v.reason?.key, v.reason?.seen, v.error?.chromium, v.error?.console]).toEqual([
        'network-error',
        'InvalidRedirectLocation',
        'http://[::1',
        null,
        null,
      ]);
      const f = firefox(ex);
      expect([f.verdict, f.reason?.key, f.error?.console]).toEqual([
        'network-error',
        'InvalidRedirectLocation',
        'Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://127.0.0.1:9001/r/0. (Reason: CORS request did not succeed). Status code: (null).',
      ]);
    }
  });

  it('a 21st redirect without Access-Control-Allow-Origin is net::ERR_TOO_MANY_REDIRECTS, not a CORS error', () => {
    // Recorded: twenty redirects with ACAO *, the 21st without: net::ERR_TOO_MANY_REDIRECTS, no CORS error.
    const star: Header = ['Access-Control-Allow-Origin', '*'];
    const hops: Header[][] = [];
    for (let n = 0; n < 20; n++) hops.push([['Location', `/r/${n + 1}`], star]);
    hops.push([['Location', '/r/21']]);
    const v = chromium(redirects(hops));
    expect([
      v.verdict,
      v.reason?.key,
      v.reason?.seen,
      v.error?.chromium,
      v.error?.console,
      v.error?.hop,
    ]).toEqual(['network-error', 'TooManyRedirects', '21', null, null, 20]);
    const f = firefox(redirects(hops));
    expect([f.verdict, f.reason?.key, f.error?.console]).toEqual([
      'network-error',
      'TooManyRedirects',
      'Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://127.0.0.1:9001/r/20. (Reason: CORS request did not succeed). Status code: (null).',
    ]);
    // The 20th redirect without it is still the CORS failure it is.
    const twentieth = chromium(redirects([...hops.slice(0, 19), [['Location', '/r/20']]]));
    expect([twentieth.verdict, twentieth.error?.chromium]).toEqual(['blocked', 'MissingAllowOriginHeader']);
    expect(twentieth.error?.console).toBe(
      "Access to fetch at 'http://127.0.0.1:9001/r/19' (redirected from 'http://127.0.0.1:9001/r/0') from origin 'http://localhost:9000' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
    );
  });

  it('a data: or user:pass@ Location still meets the CORS check first', () => {
    for (const location of ['data:text/plain,hi', 'http://u:p@127.0.0.1:9001/x']) {
      const v = chromium(redirects([[['Location', location]]]));
      expect([v.verdict, v.error?.chromium]).toEqual(['blocked', 'MissingAllowOriginHeader']);
      expect(v.error?.console).toBe(
        "Access to fetch at 'http://127.0.0.1:9001/r/0' from origin 'http://localhost:9000' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
      );
    }
  });
});
