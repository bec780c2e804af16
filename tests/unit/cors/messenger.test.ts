// When CORS is only the messenger (src/cors/messenger.ts), beyond the recorded calls
// (tests/unit/capture/recorded*.test.ts): what it does not claim, and the evidence it names.
import { describe, expect, it } from 'vitest';
import { Evaluator } from '../../../src/cors/index';
import { causesOf, Messenger } from '../../../src/cors/messenger';
import type { Exchange, Header } from '../../../src/cors/types';
import { API, response, simpleCall } from '../../factories';

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
