// WPT: fetch/api/cors/cors-expose-star.sub.any.js (formerly fetch/api/cors/cors-expose-star.js)
// fetch(HTTP_REMOTE_ORIGIN-ish "http://{{host}}:{{ports[http][1]}}/fetch/api/resources/top.txt?pipe=header(…)|…"):
// wptserve serves top.txt ("top", text/plain) with the headers the pipe names, in that order.
// sharedHeaders = ACEH "*", Test "X", Set-Cookie "X", "*" "whoa".
// `exposed` is what resp.headers can read: the test asserts test/set-cookie/"*"/content-type through it.
import { describe, expect, it } from 'vitest';
import { Evaluator, type Header } from '../../../src/cors/index';
import { wireRequest } from '../../factories';
import { exchange, ORIGIN, OTHER_PORT, observed } from './wpt';

const URL_ = `${OTHER_PORT}/fetch/api/resources/top.txt`;
const base: Header[] = [
  ['Content-Type', 'text/plain'],
  ['Content-Length', '3'],
];
const shared: Header[] = [
  ['Access-Control-Expose-Headers', '*'],
  ['Test', 'X'],
  ['Set-Cookie', 'X'],
  ['*', 'whoa'],
];

type Row = [desc: string, credentials: 'same-origin' | 'include', headers: Header[], exposed: string[]];

const rows: Row[] = [
  [
    'Basic Access-Control-Expose-Headers: * support',
    'same-origin',
    [...base, ...shared, ['Access-Control-Allow-Origin', '*']],
    // Every name but Set-Cookie (a forbidden response-header name).
    [
      '*',
      'access-control-allow-origin',
      'access-control-expose-headers',
      'content-length',
      'content-type',
      'test',
    ],
  ],
  [
    '* for credentialed fetches only matches literally',
    'include',
    [
      ...base,
      ...shared,
      ['Access-Control-Allow-Origin', ORIGIN],
      ['Access-Control-Allow-Credentials', 'true'],
    ],
    // "*" names the header called "*"; otherwise only the safelisted response headers.
    ['*', 'content-length', 'content-type'],
  ],
  [
    '* can be one of several values',
    'same-origin',
    [
      ...base,
      ...shared,
      ['Access-Control-Allow-Origin', '*'],
      ['Access-Control-Expose-Headers', 'set-cookie,*'],
    ],
    [
      '*',
      'access-control-allow-origin',
      'access-control-expose-headers',
      'content-length',
      'content-type',
      'test',
    ],
  ],
  [
    // The older cors-expose-star.js variant: two ACEH headers and no sharedHeaders.
    '* can be one of several values (cors-expose-star.js: separate header lines)',
    'same-origin',
    [
      ...base,
      ['Access-Control-Allow-Origin', '*'],
      ['Access-Control-Expose-Headers', '*'],
      ['Access-Control-Expose-Headers', 'set-cookie'],
      ['Test', 'X'],
      ['Set-Cookie', 'X'],
    ],
    [
      'access-control-allow-origin',
      'access-control-expose-headers',
      'content-length',
      'content-type',
      'test',
    ],
  ],
];

describe('WPT fetch/api/cors/cors-expose-star.sub.any.js', () => {
  it.each(rows)('%s', (_desc, credentials, headers, exposed) => {
    const ex = exchange({
      api: 'fetch',
      method: 'GET',
      url: URL_,
      credentials,
      wire: [wireRequest('GET', URL_, ORIGIN, { status: 200, headers })],
    });
    const want = { verdict: 'allowed', preflight: 'none' } as const;
    const v = new Evaluator().evaluate(ex);
    expect(observed(v, want)).toEqual(want);
    expect(v.exposed).toEqual(exposed);
  });
});
