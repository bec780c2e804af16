// WPT: fetch/api/cors/cors-redirect.any.js
// corsRedirect(desc, redirectUrl, location, status, expectedOrigin): a fetch GET (mode "cors", redirect
// "follow") to redirect.py?token=…&max_age=0&redirect_status=S&location=L; L is preflight.py on some origin.
// Expected: status 200, x-did-preflight "0", and x-origin = the Origin the final server saw.
// Server side: fetch/api/resources/redirect.py (ACAO echoes Origin with ACAC "true", or "*" without Origin;
// Location = L + "?" + the request's query + "&count=1") and fetch/api/resources/preflight.py (ACAO "*").
import { describe, expect, it } from 'vitest';
import { Evaluator } from '../../../src/cors/index';
import { wireRequest } from '../../factories';
import { exchange, ORIGIN, OTHER_PORT, observed, preflightPyActual, REMOTE, redirectPy } from './wpt';

const REDIRECT = '/fetch/api/resources/redirect.py';
const PREFLIGHT = '/fetch/api/resources/preflight.py';

type Row = [desc: string, redirectOrigin: string, locationOrigin: string, expectedOrigin: string];
const kinds: [string, string, string, string][] = [
  ['cors to same cors', REMOTE, REMOTE, ORIGIN],
  ['cors to another cors', REMOTE, OTHER_PORT, 'null'],
  ['same origin to cors', ORIGIN, REMOTE, ORIGIN],
  ['cors to same origin', REMOTE, ORIGIN, 'null'],
];
const rows: Row[] = [301, 302, 303, 307, 308].flatMap((code) =>
  kinds.map(([d, r, l, o]): Row => [`Redirect ${code}: ${d}`, r, l, o]),
);

describe('WPT fetch/api/cors/cors-redirect.any.js', () => {
  it.each(rows)('%s', (desc, redirectOrigin, locationOrigin, expectedOrigin) => {
    const code = Number(desc.slice(9, 12));
    const location = `${locationOrigin}${PREFLIGHT}`;
    const query = `token=t&max_age=0&redirect_status=${code}&location=${encodeURIComponent(location)}`;
    const first = `${redirectOrigin}${REDIRECT}?${query}`;
    const next = `${location}?${query}&count=1`;
    // A same-origin GET carries no Origin header; the redirected request carries the page's or "null".
    const firstOrigin = redirectOrigin === ORIGIN ? null : ORIGIN;
    const wire = [
      wireRequest('GET', first, firstOrigin, redirectPy(code, firstOrigin, next)),
      wireRequest(
        'GET',
        next,
        expectedOrigin,
        preflightPyActual({}, { origin: expectedOrigin, didPreflight: false }),
      ),
    ];
    const want = { verdict: 'allowed', preflight: 'none' } as const;
    const v = new Evaluator().evaluate(exchange({ api: 'fetch', method: 'GET', url: first, wire }));
    expect(observed(v, want)).toEqual(want);
    expect(v.exposed).toEqual(expect.arrayContaining(['x-did-preflight', 'x-origin']));
    // The final CORS check compared against the Origin the test expects the server to have seen.
    const last = v.checks.filter((c) => c.rule === 'acao').at(-1);
    expect(last?.hop).toBe(1);
    expect(last?.required.startsWith(`"${expectedOrigin}"`)).toBe(true);
  });
});
