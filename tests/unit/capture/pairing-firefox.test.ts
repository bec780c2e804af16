// Pairing on event sequences in the order Firefox delivers them (as recorded in tests/fixtures/webrequest-firefox):
// the request's onSendHeaders before its preflight, the preflight's end events delivered too, a failed
// preflight and its request both ending in NS_ERROR_DOM_BAD_URI. Recorded sequences from real Firefox are
// replayed in recorded-firefox.test.ts; these cover the orders a recording does not pin down.
import { describe, expect, it } from 'vitest';
import type { RequestEvent } from '../../../src/capture/events';
import { Pairer } from '../../../src/capture/pairing';
import type { CapturedExchange } from '../../../src/capture/types';
import type { Header } from '../../../src/cors/types';
import { eventsFrom } from './request-events';

const PAGE = 'http://127.0.0.1:8101';
const API = 'http://127.0.0.1:8102';

const { ev } = eventsFrom({ tabId: 3, documentId: 'doc-1', initiator: PAGE });

const put: Header[] = [
  ['Accept', '*/*'],
  ['X-Custom', '1'],
  ['Content-Type', 'text/plain;charset=UTF-8'],
  ['Origin', PAGE],
  ['Sec-Fetch-Mode', 'cors'],
];
const asks: Header[] = [
  ['Access-Control-Request-Method', 'PUT'],
  ['Access-Control-Request-Headers', 'x-custom'],
  ['Origin', PAGE],
  ['Sec-Fetch-Mode', 'cors'],
];
const allow: Header[] = [
  ['Access-Control-Allow-Origin', PAGE],
  ['Access-Control-Allow-Methods', 'PUT'],
  ['Access-Control-Allow-Headers', 'x-custom'],
];
const BAD_URI = 'NS_ERROR_DOM_BAD_URI';

function collect() {
  const out: CapturedExchange[] = [];
  const pairer = new Pairer({ engine: 'firefox', onExchange: (e) => out.push(e) });
  const run = (evs: RequestEvent[]) => {
    for (const e of evs) pairer.handle(e);
  };
  return { pairer, out, run };
}

const url = `${API}/data`;

describe('pairing in Firefox order', () => {
  it('puts a preflight that starts after its request in front of it, and claims no outcome on onCompleted', () => {
    const { out, run } = collect();
    run([
      ev('send', 'a', 'PUT', url, { headers: put }),
      ev('send', 'p', 'OPTIONS', url, { headers: asks }),
      ev('response', 'p', 'OPTIONS', url, { status: 204, headers: allow }),
      ev('complete', 'p', 'OPTIONS', url, { status: 204 }),
      ev('response', 'a', 'PUT', url, { status: 200, headers: allow.slice(0, 1) }),
      ev('complete', 'a', 'PUT', url, { status: 200 }),
    ]);
    expect(out).toHaveLength(1);
    const [ex] = out;
    expect(ex!.wire.map((w) => [w.type, w.request.method, w.response?.status])).toEqual([
      ['preflight', 'OPTIONS', 204],
      ['request', 'PUT', 200],
    ]);
    expect(ex!.outcome).toBeUndefined();
    expect(ex!.capture.engine).toBe('firefox');
    expect(ex!.capture.ambiguous).toBe(false);
    // The request left once its preflight was done.
    expect(ex!.wire[1]!.time).toBe(ex!.wire[0]!.time! + 2);
  });

  it.each([
    ['the preflight first', ['p', 'a']],
    ['the request first', ['a', 'p']],
  ])('drops the request a failed preflight stopped, whichever error comes first (%s)', (_n, order) => {
    const { out, run } = collect();
    run([
      ev('send', 'a', 'PUT', url, { headers: put }),
      ev('send', 'p', 'OPTIONS', url, { headers: asks }),
      ev('response', 'p', 'OPTIONS', url, { status: 204, headers: allow.slice(1) }),
      ...order.map((id) => ev('error', id, id === 'p' ? 'OPTIONS' : 'PUT', url, { error: BAD_URI })),
    ]);
    expect(out).toHaveLength(1);
    expect(out[0]!.wire.map((w) => w.type)).toEqual(['preflight']);
    expect(out[0]!.wire[0]!.response?.status).toBe(204);
    expect(out[0]!.outcome).toBe('error');
    expect(out[0]!.capture.netError).toBe(BAD_URI);
  });

  it('keeps a request that was answered and then blocked, and one that failed on the network after its preflight', () => {
    const { out, run } = collect();
    run([
      ev('send', 'a', 'GET', url, { headers: [['Origin', PAGE]] }),
      ev('response', 'a', 'GET', url, { status: 200, headers: [] }),
      ev('complete', 'a', 'GET', url, { status: 200 }),
      ev('send', 'b', 'PUT', url, { headers: put }),
      ev('send', 'q', 'OPTIONS', url, { headers: asks }),
      ev('response', 'q', 'OPTIONS', url, { status: 204, headers: allow }),
      ev('complete', 'q', 'OPTIONS', url, { status: 204 }),
      ev('error', 'b', 'PUT', url, { error: 'NS_ERROR_NET_RESET' }),
    ]);
    expect(out.map((e) => e.wire.map((w) => w.type))).toEqual([['request'], ['preflight', 'request']]);
    expect(out.map((e) => e.outcome)).toEqual([undefined, 'error']);
  });

  it('marks identical calls waiting together ambiguous, each with one preflight', () => {
    const { out, run } = collect();
    run([
      ev('send', 'a1', 'PUT', url, { headers: put }),
      ev('send', 'a2', 'PUT', url, { headers: put }),
      ev('send', 'p1', 'OPTIONS', url, { headers: asks }),
      ev('send', 'p2', 'OPTIONS', url, { headers: asks }),
      ev('response', 'p2', 'OPTIONS', url, { status: 204, headers: allow }),
      ev('response', 'p1', 'OPTIONS', url, { status: 204, headers: allow }),
      ev('complete', 'p1', 'OPTIONS', url, { status: 204 }),
      ev('complete', 'p2', 'OPTIONS', url, { status: 204 }),
      ev('response', 'a2', 'PUT', url, { status: 200, headers: allow.slice(0, 1) }),
      ev('complete', 'a2', 'PUT', url, { status: 200 }),
      ev('response', 'a1', 'PUT', url, { status: 200, headers: allow.slice(0, 1) }),
      ev('complete', 'a1', 'PUT', url, { status: 200 }),
    ]);
    expect(out).toHaveLength(2);
    expect(out.every((e) => e.capture.ambiguous)).toBe(true);
    expect(out.map((e) => e.wire.map((w) => w.type))).toEqual([
      ['preflight', 'request'],
      ['preflight', 'request'],
    ]);
    expect(new Set(out.map((e) => e.wire[0])).size).toBe(2);
  });

  it("a preflight from another document is not the call's: it stands alone", () => {
    const { out, run, pairer } = collect();
    run([
      ev('send', 'a', 'PUT', url, { headers: put }),
      ev('send', 'p', 'OPTIONS', url, { headers: asks, documentId: 'doc-2' }),
      ev('response', 'p', 'OPTIONS', url, { status: 204, headers: allow, documentId: 'doc-2' }),
      ev('response', 'a', 'PUT', url, { status: 200, headers: allow.slice(0, 1) }),
      ev('complete', 'a', 'PUT', url, { status: 200 }),
    ]);
    expect(out.map((e) => e.wire.map((w) => w.type))).toEqual([['request']]);
    pairer.flushAll();
    expect(out.map((e) => e.wire.map((w) => w.type))).toEqual([['request'], ['preflight']]);
  });

  it('a preflight asking for other header names than the only waiting call lists pairs, marked ambiguous', () => {
    const { out, run } = collect();
    run([
      ev('send', 'a', 'PUT', url, { headers: put }),
      ev('send', 'p', 'OPTIONS', url, {
        headers: asks.map(([n, v]) => [n, n === 'Access-Control-Request-Headers' ? 'x-other' : v]),
      }),
      ev('response', 'p', 'OPTIONS', url, { status: 204, headers: allow }),
      ev('complete', 'p', 'OPTIONS', url, { status: 204 }),
      ev('response', 'a', 'PUT', url, { status: 200, headers: allow.slice(0, 1) }),
      ev('complete', 'a', 'PUT', url, { status: 200 }),
    ]);
    expect(out.map((e) => [e.wire.map((w) => w.type), e.capture.ambiguous])).toEqual([
      [['preflight', 'request'], true],
    ]);
  });

  it('a redirect hop gets its own preflight in front of it', () => {
    const { out, run } = collect();
    const end = 'http://localhost:8102/end';
    run([
      ev('send', 'a', 'PUT', url, { headers: put }),
      ev('send', 'p', 'OPTIONS', url, { headers: asks }),
      ev('response', 'p', 'OPTIONS', url, { status: 204, headers: allow }),
      ev('complete', 'p', 'OPTIONS', url, { status: 204 }),
      ev('response', 'a', 'PUT', url, { status: 307, headers: [...allow.slice(0, 1), ['Location', end]] }),
      ev('send', 'a', 'PUT', end, { headers: put.map(([n, v]) => [n, n === 'Origin' ? 'null' : v]) }),
      ev('send', 'q', 'OPTIONS', end, { headers: asks }),
      ev('response', 'q', 'OPTIONS', end, { status: 204, headers: allow }),
      ev('complete', 'q', 'OPTIONS', end, { status: 204 }),
      ev('response', 'a', 'PUT', end, { status: 200, headers: allow.slice(0, 1) }),
      ev('complete', 'a', 'PUT', end, { status: 200 }),
    ]);
    expect(out[0]!.wire.map((w) => `${w.type} ${w.request.url} ${w.response?.status}`)).toEqual([
      `preflight ${url} 204`,
      `request ${url} 307`,
      `preflight ${end} 204`,
      `request ${end} 200`,
    ]);
  });

  it('survives a snapshot taken while a preflight is in flight inside its call', () => {
    const first = collect();
    first.run([
      ev('send', 'a', 'PUT', url, { headers: put }),
      ev('send', 'p', 'OPTIONS', url, { headers: asks }),
    ]);
    const state = JSON.parse(JSON.stringify(first.pairer.snapshot()));
    const second = collect();
    second.pairer.restore(state);
    second.run([
      ev('response', 'p', 'OPTIONS', url, { status: 204, headers: allow }),
      ev('complete', 'p', 'OPTIONS', url, { status: 204 }),
      ev('response', 'a', 'PUT', url, { status: 200, headers: allow.slice(0, 1) }),
      ev('complete', 'a', 'PUT', url, { status: 200 }),
    ]);
    expect(second.out).toHaveLength(1);
    expect(second.out[0]!.wire.map((w) => [w.type, w.response?.status])).toEqual([
      ['preflight', 204],
      ['request', 200],
    ]);
    expect(second.out[0]!.capture.recovered).toBe(true);
  });
});
