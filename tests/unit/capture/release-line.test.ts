// Chromium's release line: an answered call that cannot fail any more (its response passes the CORS check
// in either credentials mode) leaves at once, in its turn; any other answered call waits SETTLE_MS for an
// error. Calls leave in the order the browser answered or ended them.
import { describe, expect, it } from 'vitest';
import type { RequestEvent } from '../../../src/capture/events';
import { Pairer, SETTLE_MS } from '../../../src/capture/pairing';
import type { CapturedExchange } from '../../../src/capture/types';
import type { Header } from '../../../src/cors/types';
import { eventsFrom } from './request-events';

const PAGE = 'http://127.0.0.1:8101';
const API = 'http://127.0.0.1:8102';
const { ev, now } = eventsFrom({ tabId: 2, documentId: 'D1', initiator: PAGE });

const credentialed: Header[] = [
  ['Access-Control-Allow-Origin', PAGE],
  ['Access-Control-Allow-Credentials', 'true'],
];

function collect() {
  const out: CapturedExchange[] = [];
  const pairer = new Pairer({ onExchange: (e) => out.push(e) });
  const run = (evs: RequestEvent[]) => {
    for (const e of evs) pairer.handle(e);
  };
  const left = () => out.map((e) => `${e.capture.requestId} ${e.outcome}`);
  return { pairer, run, left };
}

const answered = (id: string, headers: Header[], origin: string | null = PAGE) => [
  ev('send', id, 'GET', `${API}/${id}`, { headers: origin === null ? [] : [['Origin', origin]] }),
  ev('response', id, 'GET', `${API}/${id}`, { status: 200, headers }),
];

describe('the release line', () => {
  it('a call allowed whatever its credentials mode leaves on its answer', () => {
    const { run, left, pairer } = collect();
    run(answered('c1', credentialed));
    expect(left()).toEqual(['c1 success']);
    // Its end, an error after its CORS check passed (the body failed, the page aborted), adds nothing.
    run([ev('error', 'c1', 'GET', `${API}/c1`, { error: 'net::ERR_CONNECTION_RESET' })]);
    pairer.flushAll();
    expect(left()).toEqual(['c1 success']);
  });

  it.each<[string, Header[], string | null]>([
    ['"*" (fails with credentials)', [['Access-Control-Allow-Origin', '*']], PAGE],
    ['the origin without Allow-Credentials', [['Access-Control-Allow-Origin', PAGE]], PAGE],
    [
      'Allow-Credentials "True" (not exactly "true")',
      [credentialed[0]!, ['Access-Control-Allow-Credentials', 'True']],
      PAGE,
    ],
    ['another origin', [['Access-Control-Allow-Origin', 'http://elsewhere.test'], credentialed[1]!], PAGE],
    ['the page origin, sent Origin "null" (after a redirect)', credentialed, 'null'],
  ])('a call answered with %s waits SETTLE_MS for an error', (_name, headers, origin) => {
    const { run, left, pairer } = collect();
    run(answered('w1', headers, origin));
    expect(left()).toEqual([]);
    pairer.sweep(now() + SETTLE_MS);
    expect(left()).toEqual(['w1 success']);
  });

  it('a call that cannot fail leaves in its turn: behind a call answered before it and still settling', () => {
    const { run, left, pairer } = collect();
    run(answered('s1', [['Access-Control-Allow-Origin', '*']]));
    run(answered('c2', credentialed));
    expect(left()).toEqual([]);
    // The worker stops now: the allowed call waits in line in the snapshot, and leaves in order after.
    const state = JSON.parse(JSON.stringify(pairer.snapshot()));
    expect(state.held).toMatchObject([{ settling: 's1' }, { call: { requestId: 'c2' }, outcome: 'success' }]);
    pairer.sweep(now() + SETTLE_MS);
    expect(left()).toEqual(['s1 success', 'c2 success']);
    // An error for the one in front decides it; the allowed one still follows it.
    const again = collect();
    again.run(answered('s2', [['Access-Control-Allow-Origin', '*']]));
    again.run(answered('c3', credentialed));
    again.run([ev('error', 's2', 'GET', `${API}/s2`, { error: 'net::ERR_FAILED' })]);
    expect(again.left()).toEqual(['s2 error', 'c3 success']);
  });
});
