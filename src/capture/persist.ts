// The pairing state in storage.session, so a stopped service worker's successor can take over. Written by
// difference: each call and preflight is a key of its own, and a snapshot sets only the keys whose JSON
// changed since the last one (plus a small index of what is where, in order), in sets of at most SET_BYTES.
// Under load most of the state is answered calls waiting to settle, unchanged from one snapshot to the next,
// and Chromium's cost per byte grows several-fold in large sets: writing the whole state as one value each
// time was CORScope's largest cost in the stress benchmark.
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
interface Index extends Omit<PairingState, 'calls' | 'preflights' | 'ready' | 'held'> {
  calls: string[];
  preflights: string[];
  ready: string[];
  /** A settling call by its requestId (it is in `calls`), or the key of a call that ended and waits. */
  held?: ({ settling: string } | { ended: string })[];
}

/** The state as storage keys → JSON, the index first. */
function split(state: PairingState): Map<string, string> {
  const parts = new Map<string, string>();
  const put = (kind: string, id: string, value: unknown): string => {
    let key = `${PREFIX}${kind}:${id}`;
    for (let n = 2; parts.has(key); n++) key = `${PREFIX}${kind}:${id}#${n}`;
    parts.set(key, JSON.stringify(value));
    return key;
  };
  const { calls, preflights, ready, held, ...rest } = state;
  const index: Index = {
    ...rest,
    calls: calls.map((c) => put('c', c.requestId, c)),
    preflights: preflights.map((p) => put('p', p.requestId, p)),
    ready: ready.map((p) => put('r', p.requestId, p)),
    ...(held
      ? { held: held.map((h) => ('settling' in h ? h : { ended: put('h', h.call.requestId, h) })) }
      : {}),
  };
  return new Map([[INDEX, JSON.stringify(index)], ...parts]);
}

/** Rebuilds the state from what storage holds; null when there is no index. A named part that is missing is left out. */
function join(items: Record<string, unknown>): PairingState | null {
  if (typeof items[INDEX] !== 'string') return null;
  const index = JSON.parse(items[INDEX]) as Index;
  const read = <T>(key: string): T[] => (typeof items[key] === 'string' ? [JSON.parse(items[key]) as T] : []);
  const { calls, preflights, ready, held, ...rest } = index;
  return {
    ...rest,
    calls: calls.flatMap((k) => read<PairingState['calls'][number]>(k)),
    preflights: preflights.flatMap((k) => read<PairingState['preflights'][number]>(k)),
    ready: ready.flatMap((k) => read<PairingState['ready'][number]>(k)),
    ...(held ? { held: held.flatMap((h) => ('settling' in h ? [h] : read<Held>(h.ended))) } : {}),
  };
}

export class SessionSnapshot {
  /** What storage holds, as this worker last wrote or read it: key → JSON. */
  private written = new Map<string, string>();

  constructor(private readonly area: SessionArea) {}

  /** Writes the keys that changed and removes the ones no longer in the state. */
  async save(state: PairingState): Promise<void> {
    const parts = split(state);
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
    const state = join(items);
    this.written = state ? split(state) : new Map();
    const stale = Object.keys(items).filter((k) => k.startsWith(PREFIX) && !this.written.has(k));
    if (stale.length) await this.area.remove(stale);
    return state;
  }
}
