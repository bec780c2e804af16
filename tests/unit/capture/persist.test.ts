// The pairing state in storage.session, written by difference (src/capture/persist.ts), over a fake area
// that records every call: what a restarted worker reads back is the state, and a snapshot writes only what
// changed since the last one.
import { describe, expect, it } from 'vitest';
import type { RequestEvent } from '../../../src/capture/events';
import { Pairer, type PairingState } from '../../../src/capture/pairing';
import { SET_BYTES, type SessionArea, SessionSnapshot } from '../../../src/capture/persist';
import type { Header } from '../../../src/cors/types';
import { eventsFrom } from './request-events';

const PAGE = 'http://127.0.0.1:8101';
const API = 'http://127.0.0.1:8102';
const { ev } = eventsFrom({ tabId: 3, documentId: 'D1', initiator: PAGE });
const cors: Header[] = [
  ['Origin', PAGE],
  ['Sec-Fetch-Mode', 'cors'],
];
const allow: Header[] = [['Access-Control-Allow-Origin', PAGE]];

class FakeArea implements SessionArea {
  readonly items = new Map<string, unknown>();
  sets: string[][] = [];
  private seen = 0;
  /** The keys set since the last call, sorted. */
  newlySet(): string[] {
    const keys = this.sets.slice(this.seen).flat().sort();
    this.seen = this.sets.length;
    return keys;
  }
  removes: string[][] = [];
  failNext = false;
  async get(): Promise<Record<string, unknown>> {
    return Object.fromEntries(this.items);
  }
  /** The JSON length of each set. */
  bytes: number[] = [];
  async set(items: Record<string, unknown>): Promise<void> {
    this.bytes.push(Object.values(items).reduce<number>((n, v) => n + String(v).length, 0));
    if (this.failNext) {
      this.failNext = false;
      throw new Error('Session storage quota bytes exceeded');
    }
    this.sets.push(Object.keys(items).sort());
    for (const [k, v] of Object.entries(items)) this.items.set(k, v);
  }
  async remove(keys: string[]): Promise<void> {
    this.removes.push([...keys].sort());
    for (const k of keys) this.items.delete(k);
  }
}

/** A pairer holding one of each: a preflight waiting for its request and one in flight, a call in flight,
 * a call answered and settling, and a blocked call that ended and waits behind it. */
function busyPairer(): Pairer {
  const pairer = new Pairer({ onExchange: () => {} });
  const events: RequestEvent[] = [
    ev('send', 'p1', 'OPTIONS', `${API}/a`, {
      headers: [...cors, ['Access-Control-Request-Method', 'PUT']],
    }),
    ev('response', 'p1', 'OPTIONS', `${API}/a`, { status: 204, headers: allow }),
    ev('send', 'p2', 'OPTIONS', `${API}/b`, {
      headers: [...cors, ['Access-Control-Request-Method', 'PUT']],
    }),
    ev('send', 'c1', 'GET', `${API}/c`, { headers: cors }),
    ev('send', 'c2', 'GET', `${API}/d`, { headers: cors }),
    ev('response', 'c2', 'GET', `${API}/d`, { status: 200, headers: allow }),
    ev('send', 'c3', 'GET', `${API}/e`, { headers: cors }),
    ev('response', 'c3', 'GET', `${API}/e`, { status: 200, headers: [] }),
    ev('error', 'c3', 'GET', `${API}/e`, { error: 'net::ERR_FAILED' }),
  ];
  for (const e of events) pairer.handle(e);
  return pairer;
}

const roundTrip = (s: PairingState) => JSON.parse(JSON.stringify(s)) as PairingState;

describe('SessionSnapshot', () => {
  it('gives a restarted worker the state the stopped one saved, every part in its order', async () => {
    const state = busyPairer().snapshot();
    expect(state.calls.map((c) => c.requestId)).toEqual(['c1', 'c2']);
    expect(state.held).toHaveLength(2);
    expect(state.preflights.map((p) => p.requestId)).toEqual(['p2']);
    expect(state.ready.map((p) => p.requestId)).toEqual(['p1']);
    const area = new FakeArea();
    await new SessionSnapshot(area).save(state);
    expect(await new SessionSnapshot(area).load()).toEqual(roundTrip(state));
    expect(await new SessionSnapshot(new FakeArea()).load()).toBeNull();
  });

  it('writes only the parts that changed, and removes the ones that left', async () => {
    const pairer = busyPairer();
    const area = new FakeArea();
    const session = new SessionSnapshot(area);
    await session.save(pairer.snapshot());
    // The index, 2 calls, 2 preflights, 1 ended call, and the 4 distinct header lists they hold.
    expect(area.newlySet()).toEqual([
      'pairing:H:0',
      'pairing:H:1',
      'pairing:H:2',
      'pairing:H:3',
      'pairing:c:c1',
      'pairing:c:c2',
      'pairing:h:c3',
      'pairing:index',
      'pairing:p:p2',
      'pairing:r:p1',
    ]);
    await session.save(pairer.snapshot());
    expect(area.newlySet()).toEqual([]);
    // c1 is answered; p2's request is sent and takes it: the index, c1 and the new call change, p2 leaves.
    pairer.handle(ev('response', 'c1', 'GET', `${API}/c`, { status: 200, headers: allow }));
    pairer.handle(ev('response', 'p2', 'OPTIONS', `${API}/b`, { status: 204, headers: allow }));
    pairer.handle(ev('send', 'c4', 'PUT', `${API}/b`, { headers: cors }));
    await session.save(pairer.snapshot());
    expect(area.newlySet()).toEqual(['pairing:c:c1', 'pairing:c:c4', 'pairing:index']);
    expect(area.removes.at(-1)).toEqual(['pairing:p:p2']);
    expect(await new SessionSnapshot(area).load()).toEqual(roundTrip(pairer.snapshot()));
  });

  it('after a failed write, the next snapshot writes everything again', async () => {
    const pairer = busyPairer();
    const area = new FakeArea();
    const session = new SessionSnapshot(area);
    await session.save(pairer.snapshot());
    pairer.handle(ev('response', 'c1', 'GET', `${API}/c`, { status: 200, headers: allow }));
    area.failNext = true;
    await expect(session.save(pairer.snapshot())).rejects.toThrow(/quota/);
    area.newlySet();
    await session.save(pairer.snapshot());
    expect(area.newlySet()).toHaveLength(10);
    expect(await new SessionSnapshot(area).load()).toEqual(roundTrip(pairer.snapshot()));
  });

  it('writes a header list once, however many parts hold it, and removes it when none does', async () => {
    const pairer = new Pairer({ onExchange: () => {} });
    const area = new FakeArea();
    const session = new SessionSnapshot(area);
    // 50 calls sent with the same headers, each its own array as webRequest gives them.
    for (let n = 0; n < 50; n++)
      pairer.handle(ev('send', `s${n}`, 'GET', `${API}/s/${n}`, { headers: [...cors] }));
    await session.save(pairer.snapshot());
    const lists = () => [...area.items.keys()].filter((k) => k.startsWith('pairing:H:'));
    expect(lists()).toEqual(['pairing:H:0']);
    expect(area.items.get('pairing:H:0')).toBe(JSON.stringify(cors));
    expect(String(area.items.get('pairing:c:s0'))).not.toContain('Sec-Fetch-Mode');
    // Answered alike: one more list. The request's list is not written again.
    for (let n = 0; n < 50; n++)
      pairer.handle(ev('response', `s${n}`, 'GET', `${API}/s/${n}`, { status: 200, headers: [...allow] }));
    area.newlySet();
    await session.save(pairer.snapshot());
    expect(area.newlySet().filter((k) => k.startsWith('pairing:H:'))).toEqual(['pairing:H:1']);
    // A restarted worker reads every call with its headers.
    const loaded = await new SessionSnapshot(area).load();
    expect(loaded?.calls).toHaveLength(50);
    expect(loaded?.calls[49]?.wire[0]?.request.headers).toEqual(cors);
    expect(loaded?.calls[49]?.wire[0]?.response?.headers).toEqual(allow);
    // Every call settled and left: no part holds the lists any more.
    pairer.sweep(1_000_000);
    await session.save(pairer.snapshot());
    expect(lists()).toEqual([]);
    // What is left is the calls settled lately (their late ends add nothing), in a part per second.
    expect(pairer.snapshot().settled).toHaveLength(50);
    expect([...area.items.keys()].filter((k) => k.startsWith('pairing:s:'))).toEqual(['pairing:s:1']);
    expect(await new SessionSnapshot(area).load()).toEqual(roundTrip(pairer.snapshot()));
  });

  it('on load, leaves out a part whose header list is missing', async () => {
    const area = new FakeArea();
    await new SessionSnapshot(area).save(busyPairer().snapshot());
    // c1's request headers (cors) are list 0; c2 was sent with the same list.
    area.items.delete('pairing:H:0');
    const loaded = await new SessionSnapshot(area).load();
    expect(loaded?.calls.map((c) => c.requestId)).toEqual([]);
    expect(loaded?.preflights.map((p) => p.requestId)).toEqual(['p2']);
  });

  it('on load, drops what the index does not name and ignores what it names but lacks', async () => {
    const area = new FakeArea();
    const state = busyPairer().snapshot();
    await new SessionSnapshot(area).save(state);
    area.items.set('pairing:c:orphan', '{"requestId":"orphan"}');
    area.items.delete('pairing:c:c1');
    area.items.set('settings', 'not ours');
    const session = new SessionSnapshot(area);
    const loaded = await session.load();
    expect(loaded?.calls.map((c) => c.requestId)).toEqual(['c2']);
    expect(area.items.has('pairing:c:orphan')).toBe(false);
    expect(area.items.get('settings')).toBe('not ours');
    // What it read counts as written: saving the same state again writes nothing.
    area.newlySet();
    await session.save(loaded!);
    expect(area.newlySet()).toEqual([]);
  });

  it('writes a large state in sets of at most SET_BYTES, the index in the last one', async () => {
    const pairer = new Pairer({ onExchange: () => {} });
    for (let n = 0; n < 200; n++) {
      const big: Header[] = [...cors, ['X-Pad', `${n}`.padEnd(2_000, 'p')]];
      pairer.handle(ev('send', `b${n}`, 'GET', `${API}/big/${n}`, { headers: big }));
    }
    const area = new FakeArea();
    await new SessionSnapshot(area).save(pairer.snapshot());
    expect(area.sets.length).toBeGreaterThan(5);
    expect(Math.max(...area.bytes)).toBeLessThanOrEqual(SET_BYTES);
    expect(area.sets.at(-1)).toEqual(['pairing:index']);
    // 200 calls and their 200 header lists, each list set no later than the call that names it.
    expect(area.sets.flat()).toHaveLength(401);
    const setOf = (key: string) => area.sets.findIndex((keys) => keys.includes(key));
    const byList = JSON.parse(String(area.items.get('pairing:c:b7'))).wire[0].request.headers;
    expect(setOf(`pairing:H:${byList}`)).toBeLessThanOrEqual(setOf('pairing:c:b7'));
    expect((await new SessionSnapshot(area).load())?.calls).toHaveLength(200);
  });
});
