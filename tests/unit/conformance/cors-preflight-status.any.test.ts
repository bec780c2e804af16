// WPT: fetch/api/cors/cors-preflight-status.any.js
// corsPreflightStatus(desc, corsUrl, status): a fetch GET with header x-force-preflight: "" (to force a
// preflight) to HTTP_REMOTE_ORIGIN/fetch/api/resources/preflight.py?token=…&max_age=0
// &allow_headers=x-force-preflight&preflight_status=S. The preflight is answered with status S, ACAO "*",
// max-age 0 and ACAH x-force-preflight (and no Location, so a 3xx is not a redirect). 200-299 must succeed
// with x-did-preflight "1"; anything else must reject. Server side: fetch/api/resources/preflight.py.
// Chromium runs the CORS check on the preflight first (it passes: ACAO "*") and then the ok-status check
// (preflight_controller.cc), so every non-2xx status is PreflightInvalidStatus.
import { describe, expect, it } from 'vitest';
import { Evaluator, type Header } from '../../../src/cors/index';
import { wirePreflight, wireRequest } from '../../factories';
import {
  type Expectation,
  exchange,
  ORIGIN,
  observed,
  type PreflightPyParams,
  preflightPyActual,
  preflightPyOptions,
  REMOTE,
} from './wpt';

const statuses = [
  200, 201, 202, 203, 204, 205, 206, 300, 301, 302, 303, 304, 305, 306, 307, 308, 400, 401, 402, 403, 404,
  405, 501, 502, 503, 504, 505,
];

describe('WPT fetch/api/cors/cors-preflight-status.any.js', () => {
  it.each(statuses)('Preflight answered with status %i', (status) => {
    const ok = status >= 200 && status <= 299;
    const url = `${REMOTE}/fetch/api/resources/preflight.py?token=t&max_age=0&allow_headers=x-force-preflight&preflight_status=${status}`;
    const headers: Header[] = [['x-force-preflight', '']];
    const p: PreflightPyParams = { maxAge: '0', allowHeaders: 'x-force-preflight', preflightStatus: status };
    const wire = [wirePreflight('GET', url, ORIGIN, ['x-force-preflight'], preflightPyOptions(p))];
    if (ok)
      wire.push(
        wireRequest(
          'GET',
          url,
          ORIGIN,
          preflightPyActual(p, { origin: ORIGIN, didPreflight: true }),
          headers,
        ),
      );
    const want: Expectation = ok
      ? { verdict: 'allowed', preflight: 'sent' }
      : { verdict: 'blocked', preflight: 'sent', chromium: 'PreflightInvalidStatus' };
    const v = new Evaluator().evaluate(exchange({ api: 'fetch', method: 'GET', url, headers, wire }));
    expect(observed(v, want)).toEqual(want);
    if (ok) expect(v.exposed).toContain('x-did-preflight');
    else expect(v.error?.stage).toBe('preflight');
  });
});
