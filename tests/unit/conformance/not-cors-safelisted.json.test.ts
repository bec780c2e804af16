// WPT: fetch/api/cors/resources/not-cors-safelisted.json
// Read by fetch/api/cors/cors-preflight-not-cors-safelisted.any.js: for each [name, value],
// corsPreflight("Need CORS-preflight for name/value header", preflight.py, "GET", allowed=true, [[name, value]])
// (fetch/api/cors/resources/corspreflight.js): the server allows GET and the header, so the call succeeds
// and x-did-preflight must be "1". Server side: fetch/api/resources/preflight.py.
import { describe, expect, it } from 'vitest';
import {
  corsSafelistedRequestHeader,
  corsUnsafeRequestHeaderNames,
  Evaluator,
} from '../../../src/cors/index';
import { wirePreflight, wireRequest } from '../../factories';
import {
  exchange,
  ORIGIN,
  observed,
  type PreflightPyParams,
  preflightPyActual,
  preflightPyOptions,
  REMOTE,
} from './wpt';

const LONG =
  '012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678';

const rows: [name: string, value: string][] = [
  ['accept', '"'],
  ['accept', LONG],
  ['accept-language', '\u0001'],
  ['accept-language', '@'],
  ['authorization', 'basics'],
  ['content-language', '\u0001'],
  ['content-language', '@'],
  ['content-type', 'text/html'],
  [
    'content-type',
    'text/plain; long=0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901',
  ],
  ['last-event-id', '"'],
  ['last-event-id', LONG],
  ['range', 'bytes 0-'],
  ['test', 'hi'],
];

describe('WPT fetch/api/cors/resources/not-cors-safelisted.json', () => {
  it.each(rows)('Need CORS-preflight for %s/%j header', (name, value) => {
    expect(corsSafelistedRequestHeader(name, value)).toBe(false);
    expect(corsUnsafeRequestHeaderNames([[name, value]]).names).toEqual([name]);

    const url = `${REMOTE}/fetch/api/resources/preflight.py?token=t&max_age=0&allow_methods=GET&control_request_headers&allow_headers=${name}`;
    const p: PreflightPyParams = { maxAge: '0', allowHeaders: name, allowMethods: 'GET' };
    const ex = exchange({
      api: 'fetch',
      method: 'GET',
      url,
      headers: [[name, value]],
      wire: [
        wirePreflight('GET', url, ORIGIN, [name], preflightPyOptions(p)),
        wireRequest(
          'GET',
          url,
          ORIGIN,
          preflightPyActual(p, { origin: ORIGIN, didPreflight: true, controlRequestHeaders: name }),
          [[name, value]],
        ),
      ],
    });
    const want = { verdict: 'allowed', preflight: 'sent' } as const;
    const v = new Evaluator().evaluate(ex);
    expect(observed(v, want)).toEqual(want);
    expect(v.exposed).toContain('x-did-preflight');
  });

  // The same requests when the server's preflight does not list the header: the browser stops there.
  it.each(rows)('preflight without %s in Access-Control-Allow-Headers blocks %j', (name, value) => {
    const url = `${REMOTE}/fetch/api/resources/preflight.py?token=t&max_age=0&allow_methods=GET`;
    const ex = exchange({
      api: 'fetch',
      method: 'GET',
      url,
      headers: [[name, value]],
      wire: [
        wirePreflight('GET', url, ORIGIN, [name], preflightPyOptions({ maxAge: '0', allowMethods: 'GET' })),
      ],
    });
    const want = {
      verdict: 'blocked',
      preflight: 'sent',
      chromium: 'HeaderDisallowedByPreflightResponse',
    } as const;
    const v = new Evaluator().evaluate(ex);
    expect(observed(v, want)).toEqual(want);
    expect(v.error?.failedParameter).toBe(name);
  });
});
