// Pairing on event sequences in the order Chromium delivers them (../shared/reference/webrequest.md);
// recorded sequences from real Chromium are replayed in recorded.test.ts.
import { describe, expect, it } from 'vitest';
import type { RequestEvent } from '../../../src/capture/events';
import { ORPHAN_MS, Pairer } from '../../../src/capture/pairing';
import type { CapturedExchange } from '../../../src/capture/types';
import { Evaluator } from '../../../src/cors/index';
import type { Header } from '../../../src/cors/types';
import { eventsFrom } from './request-events';

const PAGE = 'http://127.0.0.1:8101';
const API = 'http://127.0.0.1:8102';
let ids = 0;

const { ev, now } = eventsFrom({ tabId: 7, documentId: 'D1', initiator: PAGE });

/** The events of one preflight: send, response, complete. */
function preflightEvents(
  url: string,
  method: string,
  acrh: string,
  res: { status: number; headers: Header[] },
  origin = PAGE,
) {
  const id = `p${++ids}`;
  const h: Header[] = [
    ['Origin', origin],
    ['Access-Control-Request-Method', method],
    ['Sec-Fetch-Mode', 'cors'],
  ];
  if (acrh) h.push(['Access-Control-Request-Headers', acrh]);
  return [
    ev('send', id, 'OPTIONS', url, { headers: h }),
    ev('response', id, 'OPTIONS', url, { status: res.status, headers: res.headers }),
    ev('complete', id, 'OPTIONS', url, { status: res.status }),
  ];
}

function requestHeaders(extra: Header[] = [], origin = PAGE): Header[] {
  return [['Accept', '*/*'], ['User-Agent', 'x'], ['Origin', origin], ['Sec-Fetch-Mode', 'cors'], ...extra];
}

function collect() {
  const out: CapturedExchange[] = [];
  const counts: string[] = [];
  const pairer = new Pairer({ onExchange: (e) => out.push(e), onUngoverned: (_tab, k) => counts.push(k) });
  const run = (evs: RequestEvent[]) => {
    for (const e of evs) pairer.handle(e);
  };
  return { pairer, out, counts, run };
}

const allow: Header[] = [
  ['Access-Control-Allow-Origin', PAGE],
  ['Access-Control-Allow-Methods', 'PUT'],
  ['Access-Control-Allow-Headers', 'x-custom'],
];

describe('pairing', () => {
  it('pairs a preflighted call: preflight, request, response, outcome', () => {
    const { run, out, counts } = collect();
    const url = `${API}/a`;
    run([
      ...preflightEvents(url, 'PUT', 'x-custom', { status: 204, headers: allow }),
      ev('send', 'r1', 'PUT', url, { headers: requestHeaders([['X-Custom', '1']]) }),
      ev('response', 'r1', 'PUT', url, { status: 200, headers: [['Access-Control-Allow-Origin', PAGE]] }),
      ev('complete', 'r1', 'PUT', url, { status: 200 }),
    ]);
    expect(out).toHaveLength(1);
    const ex = out[0]!;
    expect(ex.wire.map((w) => `${w.type} ${w.request.method}`)).toEqual(['preflight OPTIONS', 'request PUT']);
    expect(counts).toEqual([]);
    expect(ex.outcome).toBe('success');
    expect(ex.capture.ambiguous).toBe(false);
    const v = new Evaluator().evaluate(ex);
    expect([v.verdict, v.preflight]).toEqual(['allowed', 'sent']);
  });

  it('a failed preflight becomes the exchange of the request it blocked (error, never sent)', () => {
    const { run, out } = collect();
    const url = `${API}/b`;
    run([
      ...preflightEvents(url, 'PUT', 'x-custom', { status: 204, headers: [] }),
      ev('error', 'r2', 'PUT', url, { error: 'net::ERR_FAILED' }),
    ]);
    expect(out).toHaveLength(1);
    expect(out[0]!.wire.map((w) => w.type)).toEqual(['preflight']);
    expect(out[0]!.outcome).toBe('error');
    const v = new Evaluator().evaluate(out[0]!);
    expect([v.verdict, v.preflight, v.error?.chromium]).toEqual([
      'blocked',
      'sent',
      'PreflightMissingAllowOriginHeader',
    ]);
  });

  it('a preflight whose request never shows up stands alone after ORPHAN_MS of event time', () => {
    const { pairer, run, out } = collect();
    const url = `${API}/c`;
    run(
      preflightEvents(url, 'DELETE', '', { status: 500, headers: [['Access-Control-Allow-Origin', PAGE]] }),
    );
    pairer.sweep(now() + 1);
    expect(out).toHaveLength(0);
    pairer.sweep(now() + ORPHAN_MS + 1);
    expect(out).toHaveLength(1);
    expect(out[0]!.request.method).toBe('DELETE');
    expect(new Evaluator().evaluate(out[0]!).error?.chromium).toBe('PreflightInvalidStatus');
  });

  it('keeps redirect hops in order, each with its own preflight (Origin: null after leaving the API origin)', () => {
    const { run, out } = collect();
    const a = `${API}/d`;
    const b = 'http://localhost:8102/d2';
    run([
      ...preflightEvents(a, 'PUT', 'x-custom', { status: 204, headers: allow }),
      ev('send', 'r3', 'PUT', a, { headers: requestHeaders([['X-Custom', '1']]) }),
      ev('response', 'r3', 'PUT', a, {
        status: 307,
        headers: [
          ['Location', b],
          ['Access-Control-Allow-Origin', PAGE],
        ],
      }),
      ...preflightEvents(
        b,
        'PUT',
        'x-custom',
        {
          status: 204,
          headers: [
            ['Access-Control-Allow-Origin', '*'],
            ['Access-Control-Allow-Methods', 'PUT'],
            ['Access-Control-Allow-Headers', 'x-custom'],
          ],
        },
        'null',
      ),
      ev('send', 'r3', 'PUT', b, { headers: requestHeaders([['X-Custom', '1']], 'null') }),
      ev('response', 'r3', 'PUT', b, { status: 200, headers: [['Access-Control-Allow-Origin', '*']] }),
      ev('complete', 'r3', 'PUT', b, { status: 200 }),
    ]);
    expect(out).toHaveLength(1);
    expect(out[0]!.wire.map((w) => `${w.type} ${w.request.url}`)).toEqual([
      `preflight ${a}`,
      `request ${a}`,
      `preflight ${b}`,
      `request ${b}`,
    ]);
    const v = new Evaluator().evaluate(out[0]!);
    expect([v.verdict, v.preflight]).toEqual(['allowed', 'sent']);
  });

  it('pairs identical concurrent calls one to one, first in first out, and marks them ambiguous', () => {
    const { run, out } = collect();
    const url = `${API}/same`;
    const pfs = [1, 2, 3].map(() => preflightEvents(url, 'PUT', 'x-custom', { status: 204, headers: allow }));
    run([
      pfs[0]![0]!,
      pfs[1]![0]!,
      pfs[2]![0]!,
      pfs[0]![1]!,
      pfs[1]![1]!,
      pfs[0]![2]!,
      pfs[2]![1]!,
      pfs[1]![2]!,
      pfs[2]![2]!,
      ...['r4', 'r5', 'r6'].flatMap((id) => [
        ev('send', id, 'PUT', url, { headers: requestHeaders([['X-Custom', id]]) }),
      ]),
      ...['r4', 'r5', 'r6'].flatMap((id) => [
        ev('response', id, 'PUT', url, { status: 200, headers: [['Access-Control-Allow-Origin', PAGE]] }),
        ev('complete', id, 'PUT', url, { status: 200 }),
      ]),
    ]);
    expect(out).toHaveLength(3);
    const used = out.map((e) => e.wire[0]!.request.headers);
    expect(new Set(used).size).toBe(3);
    expect(out.every((e) => e.capture.ambiguous)).toBe(true);
  });

  it('pairs calls that differ by URL exactly, whatever the interleaving', () => {
    const { run, out } = collect();
    const urls = [1, 2, 3, 4].map((n) => `${API}/u?n=${n}`);
    const pfs = urls.map((u) => preflightEvents(u, 'PUT', 'x-custom', { status: 204, headers: allow }));
    run([
      pfs[2]![0]!,
      pfs[0]![0]!,
      pfs[3]![0]!,
      pfs[1]![0]!,
      pfs[3]![1]!,
      pfs[3]![2]!,
      pfs[0]![1]!,
      pfs[1]![1]!,
      pfs[1]![2]!,
      pfs[0]![2]!,
      pfs[2]![1]!,
      pfs[2]![2]!,
      ev('send', 'q1', 'PUT', urls[1]!, { headers: requestHeaders([['X-Custom', '1']]) }),
      ev('send', 'q3', 'PUT', urls[3]!, { headers: requestHeaders([['X-Custom', '1']]) }),
      ev('send', 'q0', 'PUT', urls[0]!, { headers: requestHeaders([['X-Custom', '1']]) }),
      ev('error', 'q2', 'PUT', urls[2]!, { error: 'net::ERR_FAILED' }),
      ...['q1', 'q3', 'q0'].map((id, i) => ev('complete', id, 'PUT', urls[[1, 3, 0][i]!]!, { status: 200 })),
    ]);
    expect(out).toHaveLength(4);
    for (const e of out) {
      expect(e.wire[0]!.type).toBe('preflight');
      expect(e.wire[0]!.request.url).toBe(e.request.url);
      expect(e.capture.ambiguous).toBe(false);
    }
  });

  it('leaves a needed preflight to the cache model when none was sent', () => {
    const { run, out } = collect();
    const url = `${API}/cached`;
    const ev1 = new Evaluator();
    run([
      ...preflightEvents(url, 'PUT', 'x-custom', {
        status: 204,
        headers: [...allow, ['Access-Control-Max-Age', '600']],
      }),
      ev('send', 'c1', 'PUT', url, { headers: requestHeaders([['X-Custom', '1']]) }),
      ev('response', 'c1', 'PUT', url, { status: 200, headers: [['Access-Control-Allow-Origin', PAGE]] }),
      ev('complete', 'c1', 'PUT', url, { status: 200 }),
      ev('send', 'c2', 'PUT', url, { headers: requestHeaders([['X-Custom', '2']]) }),
      ev('response', 'c2', 'PUT', url, { status: 200, headers: [['Access-Control-Allow-Origin', PAGE]] }),
      ev('complete', 'c2', 'PUT', url, { status: 200 }),
    ]);
    const [v1, v2] = out.map((e) => ev1.evaluate(e));
    expect(v1!.preflight).toBe('sent');
    expect(v2!.preflight).toBe('cached');
    expect(v2!.checks.find((c) => c.rule === 'preflight-cache')?.servedBy?.id).toBe(out[0]!.id);
  });

  it('counts same-origin and no-cors calls instead of storing them, and ignores navigations', () => {
    const { run, out, counts } = collect();
    run([
      ev('send', 's1', 'GET', `${PAGE}/same`, { headers: [['Sec-Fetch-Mode', 'cors']] }),
      ev('complete', 's1', 'GET', `${PAGE}/same`, { status: 200 }),
      ev('send', 's2', 'GET', `${API}/img`, {
        resourceType: 'image',
        headers: [['Sec-Fetch-Mode', 'no-cors']],
      }),
      ev('complete', 's2', 'GET', `${API}/img`, { status: 200, resourceType: 'image' }),
      ev('send', 's3', 'GET', `${API}/`, { resourceType: 'main_frame', headers: [] }),
      ev('complete', 's3', 'GET', `${API}/`, { status: 200, resourceType: 'main_frame' }),
    ]);
    expect(out).toHaveLength(0);
    expect(counts).toEqual(['same-origin', 'no-cors']);
  });

  it('ignores its own extension requests', () => {
    const { run, out, counts } = collect();
    run([
      ev('send', 'e1', 'GET', `${API}/x`, {
        initiator: 'chrome-extension://abc',
        headers: requestHeaders([], 'chrome-extension://abc'),
      }),
      ev('complete', 'e1', 'GET', `${API}/x`, { initiator: 'chrome-extension://abc', status: 200 }),
    ]);
    expect(out).toHaveLength(0);
    expect(counts).toHaveLength(0);
  });

  it('survives a restart: a snapshot restored into a new pairer finishes the call, marked recovered', () => {
    const first = collect();
    const url = `${API}/restart`;
    first.run([
      ...preflightEvents(url, 'PUT', 'x-custom', { status: 204, headers: allow }),
      ev('send', 'w1', 'PUT', url, { headers: requestHeaders([['X-Custom', '1']]) }),
    ]);
    const state = JSON.parse(JSON.stringify(first.pairer.snapshot()));
    const second = collect();
    second.pairer.restore(state);
    second.run([
      ev('response', 'w1', 'PUT', url, { status: 200, headers: [['Access-Control-Allow-Origin', PAGE]] }),
      ev('complete', 'w1', 'PUT', url, { status: 200 }),
    ]);
    expect(second.out).toHaveLength(1);
    expect(second.out[0]!.capture.recovered).toBe(true);
    expect(second.out[0]!.capture.missing).toBeNull();
    expect(new Evaluator().evaluate(second.out[0]!).verdict).toBe('allowed');
  });

  it('marks what is missing when events were lost across a restart', () => {
    const { run, out } = collect();
    run([ev('complete', 'lost', 'GET', `${API}/lost`, { status: 200 })]);
    expect(out).toHaveLength(0); // no Origin seen: not known to be CORS, nothing to claim
    run([
      ev('response', 'half', 'GET', `${API}/half`, {
        status: 200,
        headers: [['Access-Control-Allow-Origin', PAGE]],
      }),
      ev('complete', 'half', 'GET', `${API}/half`, { status: 200 }),
    ]);
    expect(out).toHaveLength(1);
    expect(out[0]!.capture.recovered).toBe(true);
    expect(out[0]!.capture.missing).toMatch(/request headers/);
    expect(new Evaluator().evaluate(out[0]!).verdict).toBe('allowed');
  });
});
