// WPT: cors/redirect-origin.htm (CORS redirect handling)
// redir_test([first host, first ACAO], [second host, second ACAO], expect): an async XHR GET from
// http://web-platform.test:8000/cors/redirect-origin.htm to first/cors/resources/cors-makeheader.py?origin=A&location=…,
// which answers 302 with ACAO A ("none": no ACAO) and Location second…?origin=B&get_value=last; the second
// answers 200 with ACAO B. `expect` is the Origin the second server saw ("null" once the chain is tainted),
// or "disallow". Server side: cors/resources/cors-makeheader.py.
//
// A same-origin first hop is not CORS-checked and sends no Origin (same-origin GET); a cross-origin first hop
// must pass the CORS check on its redirect response. A redirect from a cross origin to another origin taints
// the request: the next Origin is "null" (https://fetch.spec.whatwg.org/#http-redirect-fetch step 13).
import { describe, expect, it } from 'vitest';
import { Evaluator } from '../../../src/cors/index';
import { wireRequest } from '../../factories';
import { corsMakeheader, type Expectation, exchange, ORIGIN, observed, REMOTE, REMOTE2 } from './wpt';

const HOSTS = { local: ORIGIN, remote: REMOTE, remote2: REMOTE2 } as const;
type Host = keyof typeof HOSTS;
const PATH = '/cors/resources/cors-makeheader.py';

/** Why a disallowed chain fails: at the redirect (hop 0) or at the final response (hop 1), and the error. */
type Expect = typeof ORIGIN | 'null' | { stage: 'redirect' | 'request'; chromium: string };
const at = (stage: 'redirect' | 'request', chromium: string): Expect => ({ stage, chromium });
const MISSING = 'MissingAllowOriginHeader';
const MISMATCH = 'AllowOriginMismatch';

type Row = [first: [Host, string], second: [Host, string], expect: Expect];

const rows: Row[] = [
  // local -> remote
  [['local', '*'], ['remote', '*'], ORIGIN],
  [['local', '*'], ['remote', ORIGIN], ORIGIN],
  [['local', '*'], ['remote', 'null'], at('request', MISMATCH)],
  [['local', '*'], ['remote', 'none'], at('request', MISSING)],
  [['local', ORIGIN], ['remote', '*'], ORIGIN],
  [['local', ORIGIN], ['remote', ORIGIN], ORIGIN],
  [['local', ORIGIN], ['remote', 'null'], at('request', MISMATCH)],
  [['local', ORIGIN], ['remote', 'none'], at('request', MISSING)],
  [['local', 'null'], ['remote', '*'], ORIGIN],
  [['local', 'none'], ['remote', '*'], ORIGIN],
  // remote -> local
  [['remote', '*'], ['local', '*'], 'null'],
  [['remote', '*'], ['local', ORIGIN], at('request', MISMATCH)],
  [['remote', '*'], ['local', 'null'], 'null'],
  [['remote', '*'], ['local', 'none'], at('request', MISSING)],
  [['remote', ORIGIN], ['local', '*'], 'null'],
  [['remote', ORIGIN], ['local', ORIGIN], at('request', MISMATCH)],
  [['remote', ORIGIN], ['local', 'null'], 'null'],
  [['remote', ORIGIN], ['local', 'none'], at('request', MISSING)],
  [['remote', 'null'], ['local', '*'], at('redirect', MISMATCH)],
  [['remote', 'none'], ['local', '*'], at('redirect', MISSING)],
  // remote -> remote
  [['remote', '*'], ['remote', '*'], ORIGIN],
  [['remote', '*'], ['remote', ORIGIN], ORIGIN],
  [['remote', '*'], ['remote', 'null'], at('request', MISMATCH)],
  [['remote', '*'], ['remote', 'none'], at('request', MISSING)],
  [['remote', ORIGIN], ['remote', '*'], ORIGIN],
  [['remote', ORIGIN], ['remote', ORIGIN], ORIGIN],
  [['remote', ORIGIN], ['remote', 'null'], at('request', MISMATCH)],
  [['remote', ORIGIN], ['remote', 'none'], at('request', MISSING)],
  [['remote', 'null'], ['remote', '*'], at('redirect', MISMATCH)],
  [['remote', 'none'], ['remote', '*'], at('redirect', MISSING)],
  // remote -> remote2
  [['remote', '*'], ['remote2', '*'], 'null'],
  [['remote', '*'], ['remote2', ORIGIN], at('request', MISMATCH)],
  [['remote', '*'], ['remote2', 'null'], 'null'],
  [['remote', '*'], ['remote2', 'none'], at('request', MISSING)],
  [['remote', ORIGIN], ['remote2', '*'], 'null'],
  [['remote', ORIGIN], ['remote2', ORIGIN], at('request', MISMATCH)],
  [['remote', ORIGIN], ['remote2', 'null'], 'null'],
  [['remote', ORIGIN], ['remote2', 'none'], at('request', MISSING)],
  [['remote', 'null'], ['remote2', '*'], at('redirect', MISMATCH)],
  [['remote', 'none'], ['remote2', '*'], at('redirect', MISSING)],
  // Bonus weird edge checks
  [['remote', '*'], ['remote', REMOTE], at('request', MISMATCH)],
  [['remote', '*'], ['remote2', REMOTE], at('request', MISMATCH)],
  [['remote', REMOTE], ['remote', '*'], at('redirect', MISMATCH)],
];

describe('WPT cors/redirect-origin.htm', () => {
  it.each(rows)('%j to %j, expect %j', ([h1, a1], [h2, a2], expected) => {
    const second = `${HOSTS[h2]}${PATH}?origin=${a2}&get_value=last&0_1`;
    const first = `${HOSTS[h1]}${PATH}?origin=${a1}&location=${encodeURIComponent(second)}&0_0`;
    const firstCross = h1 !== 'local';
    const tainted = firstCross && h2 !== h1;
    const redirect = corsMakeheader(a1, { location: second });
    const wire = [wireRequest('GET', first, firstCross ? ORIGIN : null, redirect)];
    const failsAtRedirect = typeof expected === 'object' && expected.stage === 'redirect';
    if (!failsAtRedirect) {
      wire.push(wireRequest('GET', second, tainted ? 'null' : ORIGIN, corsMakeheader(a2)));
    }
    const want: Expectation =
      typeof expected === 'string'
        ? { verdict: 'allowed', preflight: 'none' }
        : { verdict: 'blocked', preflight: 'none', chromium: expected.chromium };
    const v = new Evaluator().evaluate(exchange({ api: 'xhr', method: 'GET', url: first, wire }));
    expect(observed(v, want)).toEqual(want);
    if (typeof expected === 'object') {
      expect(v.error?.stage).toBe(expected.stage);
      expect(v.error?.hop).toBe(failsAtRedirect ? 0 : 1);
    } else {
      // The origin the final CORS check compared against: the Origin the second server saw.
      const last = v.checks.filter((c) => c.rule === 'acao').at(-1);
      expect(last?.hop).toBe(1);
      expect(last?.required.startsWith(`"${expected}"`)).toBe(true);
    }
  });
});
