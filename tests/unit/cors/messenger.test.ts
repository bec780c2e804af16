// When CORS is only the messenger (src/cors/messenger.ts), beyond the recorded calls
// (tests/unit/capture/recorded*.test.ts): what it does not claim, and the evidence it names.
import { describe, expect, it } from 'vitest';
import { Evaluator } from '../../../src/cors/index';
import { causesOf, Messenger } from '../../../src/cors/messenger';
import type { Exchange, Header } from '../../../src/cors/types';
import { API, PAGE, preflightedCall, response, simpleCall } from '../../factories';

const judged = (ex: Exchange) => ({ exchange: ex, verdict: new Evaluator().evaluate(ex) });
const get = (path: string, status: number, headers: Header[]) =>
  simpleCall({ url: `${API}${path}`, res: response(status, headers) });

describe('what it does not claim', () => {
  it('an error response that carries CORS headers, wrong ones: a CORS matter of its own', () => {
    const call = judged(get('/x', 500, [['Access-Control-Allow-Origin', 'https://other.example']]));
    expect(call.verdict.error?.chromium).toBe('AllowOriginMismatch');
    expect(new Messenger().causeOf(call.exchange, call.verdict)).toBeNull();
  });

  it('a success without CORS headers, and a network error that is not marked "not CORS"', () => {
    const ok = judged(get('/x', 200, []));
    const refused = judged({
      ...simpleCall({ url: `${API}/y`, res: null }),
      netError: 'net::ERR_CONNECTION_REFUSED',
    });
    expect(causesOf([ok, refused], 'here').size).toBe(0);
  });
});

describe('the evidence it names', () => {
  it('no other answer of the server: it says so, and to fix the error first', () => {
    const call = judged(get('/x', 503, [['cf-ray', '8a1b2c']]));
    const cause = new Messenger('in this file').causeOf(call.exchange, call.verdict)!;
    expect([cause.kind, cause.answeredBy]).toEqual(['error-response', 'Cloudflare (cf-ray)']);
    expect(cause.summary).toBe(
      `GET ${API}/x was answered 503 Service Unavailable (Cloudflare (cf-ray)): the service is unavailable (down, overloaded or in maintenance). The error response carries no CORS headers, so the browser reports a CORS failure; the real failure is the 503. Nothing else in this file shows whether ${API}'s CORS setup works: fix the 503 first, then look at CORS again.`,
    );
  });

  it('mixed content: not a CORS failure, and what to do', () => {
    const call = judged(
      simpleCall({ initiator: 'https://app.example', url: 'http://api.example/x', res: null }),
    );
    expect(new Messenger().causeOf(call.exchange, call.verdict)).toEqual({
      kind: 'not-cors',
      summary:
        'Not a CORS failure: Blocked as mixed content: the page is served over HTTPS and the URL is plain http:, so the browser never sent it; not a CORS matter: call the https: URL.',
      fix: 'Call the https: URL (serve the API over HTTPS).',
      status: null,
      hop: 0,
      answeredBy: null,
      corsElsewhere: { calls: 0, ids: [], hops: [], servers: [] },
    });
  });

  it('the panel counts the rows allowed on that server, by origin', () => {
    const call = judged(get('/x', 500, []));
    const m = new Messenger('in this tab');
    m.seeAllowed('a1', API);
    m.seeAllowed('a2', 'https://elsewhere.example');
    expect(m.causeOf(call.exchange, call.verdict)!.corsElsewhere).toEqual({
      calls: 1,
      ids: ['a1'],
      hops: [],
      servers: [],
    });
  });
});

describe('a failing preflight', () => {
  const put = (status: number, headers: Header[]) =>
    judged(
      preflightedCall({ method: 'PUT', url: `${API}/x`, unsafe: [], preflight: response(status, headers) }),
    );
  const cors: Header[] = [
    ['Access-Control-Allow-Origin', PAGE],
    ['Access-Control-Allow-Methods', 'PUT'],
  ];

  it('a 500 that carries CORS headers: they are there, a preflight needs a 2xx status', () => {
    const call = put(500, [...cors, ['Server', 'nginx']]);
    expect(call.verdict.error?.chromium).toBe('PreflightInvalidStatus');
    const cause = new Messenger('in this file').causeOf(call.exchange, call.verdict)!;
    expect(cause.kind).toBe('error-response');
    expect(cause.summary).toBe(
      `The preflight (OPTIONS ${API}/x) was answered 500 Internal Server Error (Server: nginx): the application failed on this request. Its CORS headers are there, but a preflight passes only with a 2xx (ok) status, so the browser reports a CORS failure; the real failure is the 500.`,
    );
    expect(cause.fix).toBe(
      'Fix the 500: a preflight needs a 2xx status (204 or 200), and its CORS headers are already there.',
    );
  });

  it('a 401 that carries CORS headers: CORS handling ran, authentication refused the preflight', () => {
    const call = put(401, cors);
    const cause = new Messenger('in this file').causeOf(call.exchange, call.verdict)!;
    expect(cause.kind).toBe('preflight-refused');
    expect(cause.summary).toBe(
      `The preflight (OPTIONS ${API}/x) was refused with 401 Unauthorized. Its CORS headers are there, but a preflight passes only with a 2xx (ok) status: authentication or authorization refused it, and a browser never sends cookies or an Authorization header with a preflight, so it fails there whatever the page sends.`,
    );
    expect(cause.fix).toBe(
      'Exempt OPTIONS from the authentication check, so the preflight gets a 2xx status (204 or 200). Another CORS header will not help.',
    );
  });

  it('a 404 without CORS headers: nothing answers OPTIONS at that path', () => {
    const call = put(404, []);
    const cause = new Messenger('in this file').causeOf(call.exchange, call.verdict)!;
    expect(cause.summary).toBe(
      `The preflight (OPTIONS ${API}/x) got 404 Not Found: nothing answers OPTIONS at /x (the path may be wrong, or OPTIONS has no route there), so the server's CORS handling does not answer the preflight.`,
    );
    expect(cause.fix).toBe(
      'Check the path first. If it is right, route OPTIONS for it to the CORS handling: CORS middleware answers preflights itself when it runs first, for every method. Another CORS header will not help.',
    );
  });

  it('a 404 that carries CORS headers: they are there, nothing answers OPTIONS at that path', () => {
    const call = put(404, cors);
    const cause = new Messenger('in this file').causeOf(call.exchange, call.verdict)!;
    expect(cause.summary).toBe(
      `The preflight (OPTIONS ${API}/x) got 404 Not Found. Its CORS headers are there, but a preflight passes only with a 2xx (ok) status: nothing answers OPTIONS at /x (the path may be wrong, or OPTIONS has no route there).`,
    );
    expect(cause.fix).toBe(
      'Check the path first. If it is right, answer OPTIONS there with a 2xx status (204 or 200). Another CORS header will not help.',
    );
  });

  it('a 405 that carries CORS headers: they are there, OPTIONS is not allowed at that path', () => {
    const call = put(405, cors);
    const cause = new Messenger('in this file').causeOf(call.exchange, call.verdict)!;
    expect(cause.summary).toBe(
      `The preflight (OPTIONS ${API}/x) got 405 Method Not Allowed. Its CORS headers are there, but a preflight passes only with a 2xx (ok) status: the server does not allow OPTIONS at /x.`,
    );
    expect(cause.fix).toBe(
      'Answer OPTIONS at this path with a 2xx status (204 or 200). Another CORS header will not help.',
    );
  });
});
