// Pairing on event sequences in the order Chromium delivers them (as recorded in tests/fixtures/webrequest);
// recorded sequences from real Chromium are replayed in recorded.test.ts.
import { describe, expect, it } from 'vitest';
import { CaptureController, type CaptureSink, commitsDocument } from '../../../src/capture/controller';
import type { RawDetails, RawKind, RequestEvent } from '../../../src/capture/events';
import { ORPHAN_MS, Pairer, SETTLE_MS, STALLED_MS } from '../../../src/capture/pairing';
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

  it("a call that fails at the new preflight after a cross-origin redirect: that preflight is the call's", () => {
    const a = `${API}/e`;
    const b = 'http://localhost:8102/e2';
    const redirectedPut = (id: string) => [
      ...preflightEvents(a, 'PUT', 'x-custom', { status: 204, headers: allow }),
      ev('send', id, 'PUT', a, { headers: requestHeaders([['X-Custom', '1']]) }),
      ev('response', id, 'PUT', a, {
        status: 307,
        headers: [
          ['Location', b],
          ['Access-Control-Allow-Origin', PAGE],
        ],
      }),
    ];
    const nullPreflight = (id: string) =>
      ev('send', id, 'OPTIONS', b, {
        headers: [
          ['Origin', 'null'],
          ['Access-Control-Request-Method', 'PUT'],
          ['Access-Control-Request-Headers', 'x-custom'],
        ],
      });
    // Answered, and blocked by its Access-Control-Allow-Origin (the page's origin, not null).
    const answered = collect();
    answered.run([
      ...redirectedPut('r5'),
      nullPreflight('p-answered'),
      ev('response', 'p-answered', 'OPTIONS', b, { status: 204, headers: allow }),
      ev('error', 'r5', 'PUT', b, { error: 'net::ERR_FAILED' }),
    ]);
    // Still in flight when the call failed: the preflight's connection was refused.
    const inFlight = collect();
    inFlight.run([
      ...redirectedPut('r6'),
      nullPreflight('p-in-flight'),
      ev('error', 'r6', 'PUT', b, { error: 'net::ERR_CONNECTION_REFUSED' }),
    ]);
    for (const { out } of [answered, inFlight]) {
      expect(out.map((x) => x.wire.map((w) => `${w.type} ${w.request.url}`))).toEqual([
        [`preflight ${a}`, `request ${a}`, `preflight ${b}`],
      ]);
    }
    // The controller hands the evaluator the browser's error string as the exchange's netError.
    const [blocked, refused] = [answered.out[0]!, inFlight.out[0]!].map((x) =>
      new Evaluator().evaluate({ ...x, netError: x.capture.netError ?? undefined }),
    );
    expect([blocked!.verdict, blocked!.error?.chromium, blocked!.error?.stage]).toEqual([
      'blocked',
      'PreflightAllowOriginMismatch',
      'preflight',
    ]);
    expect([refused!.verdict, refused!.reason?.key]).toEqual(['network-error', 'ConnectionRefused']);
  });

  it('a same-origin call that fails on a redirect to another origin is a CORS call; to its own origin, it is not', () => {
    const { run, out, counts } = collect();
    const sameOriginGet = (id: string, to: string) => [
      ev('send', id, 'GET', `${PAGE}/start-${id}`, {
        headers: [
          ['Accept', '*/*'],
          ['Sec-Fetch-Mode', 'cors'],
        ],
      }),
      ev('response', id, 'GET', `${PAGE}/start-${id}`, { status: 302, headers: [['Location', to]] }),
      ev('error', id, 'GET', to, { error: 'net::ERR_FAILED' }),
    ];
    run([
      ...sameOriginGet('u1', `http://user:pass@127.0.0.1:8102/end`),
      ...sameOriginGet('u2', `http://user:pass@127.0.0.1:8101/end`),
    ]);
    expect(out.map((x) => x.request.url)).toEqual([`${PAGE}/start-u1`]);
    expect(counts).toEqual(['same-origin']);
    const v = new Evaluator().evaluate({ ...out[0]!, netError: out[0]!.capture.netError ?? undefined });
    expect([v.verdict, v.reason?.key]).toEqual(['blocked', 'RedirectContainsCredentials']);
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
    expect(counts).toEqual(['same-origin', 'not-governed']);
  });

  it('a WebSocket handshake, same-origin or not, is never stored (it was once judged CorsDisabledScheme)', () => {
    const { run, out, counts } = collect();
    const ws = (id: string, url: string) => [
      ev('send', id, 'GET', url, {
        resourceType: 'websocket',
        headers: [
          ['Origin', PAGE],
          ['Upgrade', 'websocket'],
          ['Sec-WebSocket-Version', '13'],
        ],
      }),
      ev('response', id, 'GET', url, {
        resourceType: 'websocket',
        status: 101,
        headers: [['Upgrade', 'websocket']],
      }),
      ev('complete', id, 'GET', url, { resourceType: 'websocket', status: 101 }),
    ];
    run([
      ...ws('w1', `${API.replace('http', 'ws')}/socket`),
      ...ws('w2', `${PAGE.replace('http', 'ws')}/socket`),
    ]);
    expect(out).toHaveLength(0);
    expect(counts).toEqual(['not-governed', 'not-governed']);
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

/** A GET sent and answered 200 with these response headers (by default the page's origin allowed). */
const answered = (id: string, url: string, acao: Header[] = [['Access-Control-Allow-Origin', PAGE]]) => [
  ev('send', id, 'GET', url, { headers: requestHeaders() }),
  ev('response', id, 'GET', url, { status: 200, headers: acao }),
];

/** A GET sent and answered with a 302 to `to`, CORS-allowed. */
const redirected = (id: string, url: string, to: string) => [
  ev('send', id, 'GET', url, { headers: requestHeaders() }),
  ev('response', id, 'GET', url, {
    status: 302,
    headers: [
      ['Location', to],
      ['Access-Control-Allow-Origin', PAGE],
    ],
  }),
];

describe('pairing without onCompleted (what Chromium capture listens to): answered calls settle', () => {
  it('an answer with no error after it is allowed once SETTLE_MS of event time has passed', () => {
    const { run, out, pairer } = collect();
    run(answered('s1', `${API}/s1`));
    expect(out).toHaveLength(0);
    // Other traffic within the window does not settle it; an event past the window does.
    run(answered('s2', `${API}/s2`));
    expect(out).toHaveLength(0);
    run([ev('send', 's3', 'GET', `${API}/s3`, { headers: requestHeaders(), time: now() + SETTLE_MS })]);
    expect(out.map((e) => [e.capture.requestId, e.outcome])).toEqual([
      ['s1', 'success'],
      ['s2', 'success'],
    ]);
    // No traffic at all: the sweep (wall clock) settles what is due.
    run([ev('response', 's3', 'GET', `${API}/s3`, { status: 200, headers: [] })]);
    pairer.sweep(now() + SETTLE_MS);
    expect(out.map((e) => e.capture.requestId)).toEqual(['s1', 's2', 's3']);
  });

  it('a CORS error right after the answer wins, and an end that comes after settling adds nothing', () => {
    const { run, out, pairer } = collect();
    run([
      ...answered('b1', `${API}/b1`, []),
      ev('error', 'b1', 'GET', `${API}/b1`, { error: 'net::ERR_FAILED' }),
    ]);
    pairer.sweep(now() + SETTLE_MS);
    expect(out.map((e) => [e.capture.requestId, e.outcome])).toEqual([['b1', 'error']]);
    expect(new Evaluator().evaluate(out[0]!).verdict).toBe('blocked');
    run(answered('a1', `${API}/a1`));
    pairer.sweep(now() + SETTLE_MS);
    // The body failed later, or the page aborted the read: the CORS check had passed. Not a second call.
    run([ev('error', 'a1', 'GET', `${API}/a1`, { error: 'net::ERR_CONNECTION_RESET' })]);
    run([ev('complete', 'a1', 'GET', `${API}/a1`, { status: 200 })]);
    pairer.sweep(now() + SETTLE_MS);
    // Nor after a restart.
    const restarted = collect();
    restarted.pairer.restore(JSON.parse(JSON.stringify(pairer.snapshot())));
    restarted.run([ev('error', 'a1', 'GET', `${API}/a1`, { error: 'net::ERR_CONNECTION_RESET' })]);
    restarted.pairer.sweep(now() + SETTLE_MS);
    expect(restarted.out).toEqual([]);
    expect(out.map((e) => [e.capture.requestId, e.outcome])).toEqual([
      ['b1', 'error'],
      ['a1', 'success'],
    ]);
  });

  it('a redirect does not settle; the final hop does, with every hop in the exchange', () => {
    const { run, out, pairer } = collect();
    const url = `${API}/r`;
    run(redirected('r9', url, `${API}/r2`));
    pairer.sweep(now() + SETTLE_MS);
    expect(out).toHaveLength(0);
    run(answered('r9', `${API}/r2`));
    pairer.sweep(now() + SETTLE_MS);
    expect(out).toHaveLength(1);
    expect(out[0]!.wire.map((w) => w.request.url)).toEqual([url, `${API}/r2`]);
    expect(new Evaluator().evaluate(out[0]!).verdict).toBe('allowed');
  });

  it('a call answered before a restart settles after it, from the snapshot', () => {
    const first = collect();
    first.run(answered('k1', `${API}/k1`));
    const state = JSON.parse(JSON.stringify(first.pairer.snapshot()));
    const second = collect();
    second.pairer.restore(state);
    second.pairer.sweep(now() + SETTLE_MS);
    expect(second.out.map((e) => [e.capture.requestId, e.outcome, e.capture.recovered])).toEqual([
      ['k1', 'success', true],
    ]);
  });
});

describe('pairing without onCompleted: calls leave in the order the browser ended them', () => {
  it('a call blocked after an earlier one was answered waits for it, so both are evaluated in order', () => {
    const { run, out, pairer } = collect();
    run(answered('o1', `${API}/o1`, [['Access-Control-Allow-Origin', PAGE]]));
    run([
      ...answered('o2', `${API}/o2`, []),
      ev('error', 'o2', 'GET', `${API}/o2`, { error: 'net::ERR_FAILED' }),
    ]);
    expect(out).toHaveLength(0);
    // A worker stopped now keeps the blocked call that waits in line, and the answered one in flight.
    const state = JSON.parse(JSON.stringify(pairer.snapshot()));
    expect(state.held).toMatchObject([{ settling: 'o1' }, { call: { requestId: 'o2' }, outcome: 'error' }]);
    pairer.sweep(now() + SETTLE_MS);
    expect(out.map((e) => [e.capture.requestId, e.outcome])).toEqual([
      ['o1', 'success'],
      ['o2', 'error'],
    ]);
    const restarted = collect();
    restarted.pairer.restore(state);
    restarted.pairer.sweep(now() + SETTLE_MS);
    expect(restarted.out.map((e) => [e.capture.requestId, e.outcome, e.capture.recovered])).toEqual([
      ['o1', 'success', true],
      ['o2', 'error', true],
    ]);
  });
});

describe('capture: a navigation clears the tab, the old page’s settling calls included', () => {
  it('releases them before the clear, and with "preserve log" keeps them in order', () => {
    const run = (preserveLog: boolean) => {
      const log: string[] = [];
      const sink: CaptureSink = {
        enqueue: (r) => log.push(`row ${r.exchange.capture.requestId} ${r.verdict}`),
        addCounts: () => {},
        clearTab: (tabId) => {
          log.push(`clear ${tabId}`);
        },
      };
      const capture = new CaptureController(
        sink,
        { preserveLog, disabledSites: [], redactHeaders: [] },
        'chrome-extension://self',
      );
      const raw = (kind: RawKind, requestId: string, type: string, extra: Partial<RawDetails> = {}) =>
        capture.handle(kind, {
          requestId,
          url: `${API}/n`,
          method: 'GET',
          tabId: 7,
          frameId: 0,
          initiator: PAGE,
          type,
          timeStamp: 1000,
          ...extra,
        });
      raw('onSendHeaders', 'n1', 'xmlhttprequest', { requestHeaders: [{ name: 'Origin', value: PAGE }] });
      raw('onHeadersReceived', 'n1', 'xmlhttprequest', {
        statusCode: 200,
        responseHeaders: [{ name: 'Access-Control-Allow-Origin', value: PAGE }],
      });
      raw('onSendHeaders', 'nav', 'main_frame', { url: `${PAGE}/next`, timeStamp: 1001 });
      // The new page commits: its response is a document.
      raw('onHeadersReceived', 'nav', 'main_frame', {
        url: `${PAGE}/next`,
        timeStamp: 1002,
        statusCode: 200,
        responseHeaders: [{ name: 'Content-Type', value: 'text/html' }],
      });
      capture.sweep(1000 + SETTLE_MS);
      return log;
    };
    expect(run(false)).toEqual(['row n1 allowed', 'clear 7']);
    expect(run(true)).toEqual(['row n1 allowed']);
  });

  it('a download, a 204 or a redirect in the main frame is not a new page: the log stays', () => {
    const answer = (statusCode: number, headers: [string, string][]) =>
      commitsDocument({
        requestId: 'd',
        url: `${PAGE}/file`,
        method: 'GET',
        tabId: 7,
        frameId: 0,
        type: 'main_frame',
        timeStamp: 1,
        statusCode,
        responseHeaders: headers.map(([name, value]) => ({ name, value })),
      });
    expect(answer(200, [['Content-Disposition', 'attachment; filename="file.bin"']])).toBe(false);
    expect(answer(200, [['Content-Type', 'application/octet-stream']])).toBe(false);
    expect(answer(204, [])).toBe(false);
    expect(answer(302, [['Location', '/next']])).toBe(false);
    expect(answer(200, [['Content-Type', 'text/html; charset=utf-8']])).toBe(true);
    expect(answer(200, [['Content-Disposition', 'inline']])).toBe(true);
  });
});

describe('pairing without onCompleted: a redirect the page did not follow', () => {
  it('is an opaque redirect (mode "manual") once it stalls with no error', () => {
    const { run, out, pairer } = collect();
    const url = `${API}/m`;
    run(redirected('m1', url, `${API}/elsewhere`));
    pairer.sweep(now() + SETTLE_MS);
    expect(out).toHaveLength(0);
    pairer.sweep(now() + STALLED_MS + 1);
    expect(out.map((e) => e.outcome)).toEqual(['success']);
    expect(new Evaluator().evaluate(out[0]!).verdict).toBe('opaque');
  });
});
