// WPT: cors/origin.htm (Access-Control-Allow-Origin handling)
// A synchronous XHR GET from http://web-platform.test:8000/cors/origin.htm to
// CROSSDOMAIN/resources/cors-makeheader.py?origin=…[&origin2=…]; the server sends ACAO with the given
// value (a second ACAO header for origin2). Server side: cors/resources/cors-makeheader.py.
// Chromium's error names follow CheckAccess (services/network/public/cpp/cors/cors.cc): a space or comma
// → MultipleAllowOriginValues, "null" → AllowOriginMismatch, GURL-invalid → InvalidAllowOriginValue,
// any other valid URL → AllowOriginMismatch. Where GURL's verdict on the value is not certain (NUL bytes,
// odd hosts) only the verdict is asserted.
import { describe, expect, it } from 'vitest';
import { Evaluator } from '../../../src/cors/index';
import { wireRequest } from '../../factories';
import { corsMakeheader, type Expectation, exchange, ORIGIN, observed, REMOTE } from './wpt';

const HOST = 'web-platform.test:8000';
const PROTO = 'http:';
const HREF = `${ORIGIN}/cors/origin.htm`;
const CROSSDOMAIN = `${REMOTE}/cors/`;
const PARENT = 'test:8000'; // location.host.replace(/^[^\.]+\./, "")

const pass: Expectation = { verdict: 'allowed', preflight: 'none' };
const mismatch: Expectation = { verdict: 'blocked', preflight: 'none', chromium: 'AllowOriginMismatch' };
const invalid: Expectation = { verdict: 'blocked', preflight: 'none', chromium: 'InvalidAllowOriginValue' };
const multiple: Expectation = {
  verdict: 'blocked',
  preflight: 'none',
  chromium: 'MultipleAllowOriginValues',
};
const blocked: Expectation = { verdict: 'blocked', preflight: 'none' };

type Row = [label: string, origin: string, origin2: string | undefined, expected: Expectation];

const rows: Row[] = [
  // shouldPass: blanks around the value are not part of it.
  ...(['*', ' *  ', '\t*', ORIGIN, ` ${ORIGIN}`, ` ${ORIGIN}   \t `, `\t${ORIGIN}`] as const).map(
    (o): Row => ['Allow origin', o, undefined, pass],
  ),
  // shouldFail
  ...(
    [
      [`${PROTO}//www1.${HOST}`, mismatch],
      [`//${HOST}`, invalid],
      [`://${HOST}`, invalid],
      [`ftp://${HOST}`, mismatch],
      [`http:://${HOST}`, blocked],
      [`http:/${HOST}`, mismatch],
      [`http:${HOST}`, mismatch],
      [HOST, mismatch], // "web-platform.test:8000" parses as scheme "web-platform.test"
      [`${ORIGIN}?`, mismatch],
      [`${ORIGIN}/`, mismatch],
      [`${ORIGIN} /`, multiple],
      [`${ORIGIN}#`, mismatch],
      [`${ORIGIN}%23`, invalid],
      [`${ORIGIN}:80`, invalid],
      [`${ORIGIN}, *`, multiple],
      [`${ORIGIN}\0`, blocked],
      [ORIGIN.toUpperCase(), mismatch],
      [`${PROTO.toUpperCase()}//${HOST}`, mismatch],
      ['-', invalid],
      ['**', invalid],
      ['\0*', blocked],
      ['*\0', blocked],
      ["'*'", invalid],
      ['"*"', invalid],
      ['* *', multiple],
      ['* null', multiple],
      [`*${PROTO}//*`, invalid],
      [`*${ORIGIN}`, invalid],
      [`* ${ORIGIN}`, multiple],
      [`*, ${ORIGIN}`, multiple],
      [`\0${ORIGIN}`, blocked],
      [`null ${ORIGIN}`, multiple],
      ['http://example.net', mismatch],
      ['null', mismatch],
      ['null *', multiple],
      ['', invalid],
      [HREF, mismatch],
      [`${ORIGIN}/cors/`, mismatch],
      [CROSSDOMAIN, mismatch],
      [PARENT, mismatch],
      [`.${PARENT}`, invalid],
      [`*.${PARENT}`, invalid],
      [`http://${PARENT}`, mismatch],
      [`http://.${PARENT}`, blocked],
      [`http://*.${PARENT}`, blocked],
    ] as const
  ).map(([o, e]): Row => ['Disallow origin', o, undefined, e]),
  // doubleOrigin: two ACAO headers read as one value joined by ", ".
  ...(
    [
      ['', '*'],
      ['*', ''],
      ['*', '*'],
      ['', ORIGIN],
      ['*', ORIGIN],
      [ORIGIN, ORIGIN],
    ] as const
  ).map(([o, o2]): Row => ['Disallow multiple headers', o, o2, multiple]),
];

describe('WPT cors/origin.htm', () => {
  it.each(rows)('%s: %j %j', (_label, origin, origin2, want) => {
    const url = `${CROSSDOMAIN}/resources/cors-makeheader.py?origin=${encodeURIComponent(origin)}${
      origin2 === undefined ? '' : `&origin2=${encodeURIComponent(origin2)}`
    }`;
    const res = corsMakeheader(origin, origin2 === undefined ? {} : { origin2 });
    const ex = exchange({ api: 'xhr', method: 'GET', url, wire: [wireRequest('GET', url, ORIGIN, res)] });
    const v = new Evaluator().evaluate(ex);
    expect(observed(v, want)).toEqual(want);
  });
});
