// Capture on listed sites only: the browser hands over only the hops of a call on those sites. A call that
// went partly elsewhere is judged only where what was seen decides it.
import { describe, expect, it } from 'vitest';
import { Pairer, SETTLE_MS, STALLED_MS } from '../../../src/capture/pairing';
import { siteMatcher } from '../../../src/capture/sites';
import type { CapturedExchange } from '../../../src/capture/types';
import { Evaluator } from '../../../src/cors/index';
import type { Engine, Header } from '../../../src/cors/types';
import { eventsFrom } from './request-events';

const PAGE = 'http://127.0.0.1:8101';
const LISTED = 'http://api.test:8102';
const ELSEWHERE = 'http://cdn.other.test:8103';
const { ev, now } = eventsFrom({ tabId: 5, documentId: 'D1', initiator: PAGE });

function collect(engine: Engine = 'chromium') {
  const out: CapturedExchange[] = [];
  const counts: string[] = [];
  const pairer = new Pairer({
    engine,
    onExchange: (e) => out.push(e),
    onUngoverned: (_t, k) => counts.push(k),
  });
  pairer.setSites(siteMatcher(['api.test']));
  return { pairer, out, counts };
}

const origin = (o: string): Header[] => [
  ['Origin', o],
  ['Sec-Fetch-Mode', 'cors'],
];
const redirect = (to: string, acao: string | null): Header[] => [
  ['Location', to],
  ...(acao ? ([['Access-Control-Allow-Origin', acao]] as Header[]) : []),
];

describe('pairing, capture on listed sites only', () => {
  it('a redirect to another site whose CORS check failed (an error follows): judged on the redirect', () => {
    const { pairer, out, counts } = collect();
    const url = `${LISTED}/r1`;
    for (const e of [
      ev('send', 'r1', 'GET', url, { headers: origin(PAGE) }),
      ev('response', 'r1', 'GET', url, { status: 302, headers: redirect(`${ELSEWHERE}/x`, null) }),
      ev('error', 'r1', 'GET', url, { error: 'net::ERR_FAILED' }),
    ])
      pairer.handle(e);
    pairer.sweep(now() + SETTLE_MS);
    expect(counts).toEqual([]);
    expect(out.map((e) => e.outcome)).toEqual(['error']);
    const v = new Evaluator().evaluate(out[0]!);
    expect([v.verdict, v.error?.chromium]).toEqual(['blocked', 'MissingAllowOriginHeader']);
  });

  it('a redirect to another site with no error after it: the call went on out of sight, cannot tell', () => {
    const { pairer, out, counts } = collect();
    const url = `${LISTED}/r2`;
    pairer.handle(ev('send', 'r2', 'GET', url, { headers: origin(PAGE) }));
    pairer.handle(
      ev('response', 'r2', 'GET', url, { status: 307, headers: redirect(`${ELSEWHERE}/y`, PAGE) }),
    );
    pairer.sweep(now() + 1);
    expect(counts).toEqual([]);
    pairer.sweep(now() + SETTLE_MS);
    expect(out).toEqual([]);
    expect(counts).toEqual(['cannot-tell']);
    // Its end, out of sight or late, adds nothing.
    pairer.handle(ev('error', 'r2', 'GET', url, { error: 'net::ERR_FAILED', time: now() + SETTLE_MS }));
    pairer.flushAll();
    expect([out.length, counts]).toEqual([0, ['cannot-tell']]);
  });

  it('a redirect within the listed sites is followed as always', () => {
    const { pairer, out } = collect();
    const url = `${LISTED}/r3`;
    const next = 'http://www.api.test:8102/r3b';
    for (const e of [
      ev('send', 'r3', 'GET', url, { headers: origin(PAGE) }),
      ev('response', 'r3', 'GET', url, { status: 302, headers: redirect(next, PAGE) }),
      ev('send', 'r3', 'GET', next, { headers: origin('null') }),
      ev('response', 'r3', 'GET', next, { status: 200, headers: [['Access-Control-Allow-Origin', '*']] }),
    ])
      pairer.handle(e);
    pairer.sweep(now() + SETTLE_MS);
    expect(out.map((e) => e.wire.map((w) => w.request.url))).toEqual([[url, next]]);
    expect(new Evaluator().evaluate(out[0]!).verdict).toBe('allowed');
  });

  it('a call first seen after a redirect elsewhere (its Origin is "null"): not judged', () => {
    const { pairer, out, counts } = collect();
    const url = `${LISTED}/r4`;
    pairer.handle(ev('send', 'r4', 'GET', url, { headers: origin('null') }));
    pairer.handle(
      ev('response', 'r4', 'GET', url, { status: 200, headers: [['Access-Control-Allow-Origin', PAGE]] }),
    );
    pairer.handle(ev('error', 'r4', 'GET', url, { error: 'net::ERR_FAILED' }));
    pairer.sweep(now() + SETTLE_MS);
    expect([out.length, counts]).toEqual([0, ['cannot-tell']]);
  });

  it('Firefox: a redirect to another site stalls out of sight, then cannot tell', () => {
    const { pairer, out, counts } = collect('firefox');
    const url = `${LISTED}/r5`;
    pairer.handle(ev('send', 'r5', 'GET', url, { headers: origin(PAGE) }));
    pairer.handle(
      ev('response', 'r5', 'GET', url, { status: 302, headers: redirect(`${ELSEWHERE}/z`, PAGE) }),
    );
    pairer.sweep(now() + STALLED_MS + 1);
    expect([out.length, counts]).toEqual([0, ['cannot-tell']]);
  });

  it('on every site (no list), a call whose Origin is "null" is judged as always', () => {
    const { pairer, out } = collect();
    pairer.setSites(null);
    const url = `${LISTED}/r6`;
    pairer.handle(ev('send', 'r6', 'GET', url, { headers: origin('null') }));
    pairer.handle(
      ev('response', 'r6', 'GET', url, { status: 200, headers: [['Access-Control-Allow-Origin', '*']] }),
    );
    pairer.sweep(now() + SETTLE_MS);
    expect(out).toHaveLength(1);
  });
});
