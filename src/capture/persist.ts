// The pairing state in storage.session, so a stopped service worker's successor can take over. Written by
// difference: each call and preflight is a key of its own, and a snapshot sets only the keys whose JSON
// changed since the last one (plus a small index of what is where, in order), in sets of at most SET_BYTES.
// Under load most of the state is answered calls waiting to settle, unchanged from one snapshot to the next,
// and Chromium's cost per byte grows several-fold in large sets: writing the whole state as one value each
// time was CORScope's largest cost in the stress benchmark.
//
// Header lists are most of a call's bytes, and they repeat: a page's preflights ask with the same headers,
// its API answers with the same ones, and a preflight is held as its own part and again in its call. Each
// distinct list is a key of its own, written once, and the parts name it by number.
import type { Header, WireEntry } from '../cors/types';
import { entryWithLists, headerListJson } from '../store/db';
import type { PairingState } from './pairing';

/** What persisting needs of chrome.storage.session (tests pass a Map-backed fake). */
export interface SessionArea {
  get(keys: null): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string[]): Promise<void>;
}

const PREFIX = 'pairing:';
/**
 * The most JSON one storage.session.set carries. Measured in Chromium 156's service worker: one set of
 * 150 values of 2 KB takes 30 ms of the worker's time, six sets of 25 of them 2.9 ms; a set of one 130 KB
 * value 1.3 ms, of one 200 KB value 8.4 ms.
 */
export const SET_BYTES = 64 * 1024;
const INDEX = `${PREFIX}index`;

type Held = NonNullable<PairingState['held']>[number];

/** The state without its calls and preflights, which are named by key in their order. */
interface Index extends Omit<PairingState, 'calls' | 'preflights' | 'ready' | 'held' | 'settled'> {
  calls: string[];
  preflights: string[];
  ready: string[];
  /** A settling call by its requestId (it is in `calls`), or the key of a call that ended and waits. */
  held?: ({ settling: string } | { ended: string })[];
  /** The keys of the calls settled lately, a key per second of their settling: only the newest changes. */
  settled?: string[];
}

/** Settled calls go in a part per this much of event time. */
const SETTLED_PART_MS = 1_000;

/** A header list in a part: the number of its key (HEADERS + n). */
type ListRef = number;
const HEADERS = `${PREFIX}H:`;

/**
 * The header lists of the state, numbered: the same list (by content) keeps its number from one snapshot to
 * the next while a part names it, so its key is written once.
 */
class HeaderLists {
  /** The numbers the last snapshot gave, by the list's JSON. */
  private numbers = new Map<string, ListRef>();
  private next = 0;

  /** Numbers the lists of a new snapshot; `parts` receives each list's key and JSON the first time. */
  numbering(parts: Map<string, string>): (list: Header[]) => ListRef {
    const numbers = new Map<string, ListRef>();
    const previous = this.numbers;
    this.numbers = numbers;
    return (list) => {
      const json = headerListJson(list);
      let n = numbers.get(json);
      if (n === undefined) {
        n = previous.get(json) ?? this.next++;
        numbers.set(json, n);
        parts.set(`${HEADERS}${n}`, json);
      }
      return n;
    };
  }

  /** The lists storage holds (a worker that starts reads them): their numbers go on. */
  read(items: Record<string, unknown>): Map<ListRef, Header[]> {
    const lists = new Map<ListRef, Header[]>();
    this.numbers = new Map();
    for (const [key, json] of Object.entries(items)) {
      if (!key.startsWith(HEADERS) || typeof json !== 'string') continue;
      const n = Number(key.slice(HEADERS.length));
      if (!Number.isInteger(n)) continue;
      lists.set(n, JSON.parse(json) as Header[]);
      this.numbers.set(json, n);
      this.next = Math.max(this.next, n + 1);
    }
    return lists;
  }
}

/** A value with its wire entries' header lists replaced by `to` (numbers when written, lists when read). */
function withLists<T>(value: T, to: (list: unknown) => unknown): T {
  const entry = (e: WireEntry) => entryWithLists(e, to);
  const v = value as { wire?: WireEntry[]; entry?: WireEntry; call?: { wire: WireEntry[] } };
  if (v.wire) return { ...value, wire: v.wire.map(entry) };
  if (v.entry) return { ...value, entry: entry(v.entry) };
  if (v.call) return { ...value, call: { ...v.call, wire: v.call.wire.map(entry) } };
  return value;
}

/** The state as storage keys → JSON: the header lists first, then the index, then the parts naming them. */
function split(state: PairingState, lists: HeaderLists): Map<string, string> {
  const headerParts = new Map<string, string>();
  const ref = lists.numbering(headerParts);
  const parts = new Map<string, string>();
  const put = (kind: string, id: string, value: unknown): string => {
    let key = `${PREFIX}${kind}:${id}`;
    for (let n = 2; parts.has(key); n++) key = `${PREFIX}${kind}:${id}#${n}`;
    parts.set(key, JSON.stringify(withLists(value, (list) => ref(list as Header[]))));
    return key;
  };
  const { calls, preflights, ready, held, settled, ...rest } = state;
  const bySecond = new Map<number, [string, number][]>();
  for (const s of settled ?? []) {
    const part = Math.floor(s[1] / SETTLED_PART_MS);
    const list = bySecond.get(part);
    if (list) list.push(s);
    else bySecond.set(part, [s]);
  }
  const index: Index = {
    ...rest,
    ...(settled ? { settled: [...bySecond].map(([part, list]) => put('s', String(part), list)) } : {}),
    calls: calls.map((c) => put('c', c.requestId, c)),
    preflights: preflights.map((p) => put('p', p.requestId, p)),
    ready: ready.map((p) => put('r', p.requestId, p)),
    ...(held
      ? { held: held.map((h) => ('settling' in h ? h : { ended: put('h', h.call.requestId, h) })) }
      : {}),
  };
  return new Map([...headerParts, [INDEX, JSON.stringify(index)], ...parts]);
}

/**
 * Rebuilds the state from what storage holds; null when there is no index. A named part that is missing, or
 * names a header list that is, is left out.
 */
function join(items: Record<string, unknown>, lists: Map<ListRef, Header[]>): PairingState | null {
  if (typeof items[INDEX] !== 'string') return null;
  const index = JSON.parse(items[INDEX]) as Index;
  const read = <T>(key: string): T[] => {
    if (typeof items[key] !== 'string') return [];
    let missing = false;
    const value = withLists(JSON.parse(items[key]) as T, (n) => {
      const list = lists.get(n as ListRef);
      if (!list) missing = true;
      return list ?? [];
    });
    return missing ? [] : [value];
  };
  const { calls, preflights, ready, held, settled, ...rest } = index;
  return {
    ...rest,
    ...(settled ? { settled: settled.flatMap((k) => read<[string, number][]>(k).flat()) } : {}),
    calls: calls.flatMap((k) => read<PairingState['calls'][number]>(k)),
    preflights: preflights.flatMap((k) => read<PairingState['preflights'][number]>(k)),
    ready: ready.flatMap((k) => read<PairingState['ready'][number]>(k)),
    ...(held ? { held: held.flatMap((h) => ('settling' in h ? [h] : read<Held>(h.ended))) } : {}),
  };
}

export class SessionSnapshot {
  /** What storage holds, as this worker last wrote or read it: key → JSON. */
  private written = new Map<string, string>();
  private readonly lists = new HeaderLists();

  constructor(private readonly area: SessionArea) {}

  /** Writes the keys that changed and removes the ones no longer in the state. */
  async save(state: PairingState): Promise<void> {
    const parts = split(state, this.lists);
    // The changed parts in sets of at most SET_BYTES, the index last (the browser keeps their order): a
    // worker stopped halfway leaves the previous index, which names parts that are all still there.
    const sets: Record<string, string>[] = [];
    let batch: Record<string, string> = {};
    let bytes = 0;
    for (const [key, json] of parts) {
      if (key === INDEX || this.written.get(key) === json) continue;
      if (bytes && bytes + json.length > SET_BYTES) {
        sets.push(batch);
        batch = {};
        bytes = 0;
      }
      batch[key] = json;
      bytes += json.length;
    }
    if (bytes) sets.push(batch);
    const index = parts.get(INDEX)!;
    if (this.written.get(INDEX) !== index) sets.push({ [INDEX]: index });
    const gone = [...this.written.keys()].filter((k) => !parts.has(k));
    this.written = parts;
    try {
      await Promise.all(sets.map((items) => this.area.set(items)));
      if (gone.length) await this.area.remove(gone);
    } catch (err) {
      // Unknown what was written: the next snapshot writes everything.
      this.written = new Map();
      throw err;
    }
  }

  /** The state a stopped worker left, or null; removes what it left that the state no longer names. */
  async load(): Promise<PairingState | null> {
    const items = await this.area.get(null);
    const state = join(items, this.lists.read(items));
    this.written = state ? split(state, this.lists) : new Map();
    const stale = Object.keys(items).filter((k) => k.startsWith(PREFIX) && !this.written.has(k));
    if (stale.length) await this.area.remove(stale);
    return state;
  }
}
