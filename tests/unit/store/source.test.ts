// The panel's live view of a tab over the real store's chunks (fake-indexeddb): first rows, then what
// changes — new rows appended, rows that went (a clear, retention) read again. Dexie's liveQuery needs
// the global indexedDB (it stays silent over one passed in options), hence fake-indexeddb/auto.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CorscopeDB } from '../../../src/store/db';
import { DexieExchangeStore } from '../../../src/store/repository';
import { dexieSource, FIRST_PAGE } from '../../../src/store/source';
import type { RowSummary } from '../../../src/store/summary';
import { fakeRows } from './factory';

const open: CorscopeDB[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

let dbs = 0;

function setup(retention = 20_000) {
  const db = new CorscopeDB({}, `corscope-source-${++dbs}`);
  open.push(db);
  const store = new DexieExchangeStore({ db, retention, flushDelayMs: 0 });
  const seen: RowSummary[][] = [];
  const source = dexieSource(db);
  const watch = (tabId: number) => source.subscribe(tabId, (rows) => seen.push(rows));
  const latest = () => (seen.at(-1) ?? []).map((r) => r.id);
  return { db, store, source, seen, watch, latest };
}

async function write(store: DexieExchangeStore, rows: ReturnType<typeof fakeRows>) {
  for (const row of rows) store.enqueue(row);
  await store.flush();
}

const ids = (rows: { exchange: { id: string } }[]) => rows.map((r) => r.exchange.id);

describe('dexieSource', () => {
  it("paints a tab's first rows, then all of them, and appends what is written later", async () => {
    const { store, seen, watch, latest } = setup();
    // Two tabs interleaved in the same chunks.
    const rows = fakeRows(2 * FIRST_PAGE + 50).map((r, i) => ({ ...r, tabId: 1 + (i % 2) }));
    await write(store, rows.slice(0, 2 * FIRST_PAGE));
    await write(store, rows.slice(2 * FIRST_PAGE));
    const stop = watch(1);
    const tab1 = rows.filter((r) => r.tabId === 1);
    await vi.waitFor(() => expect(latest()).toEqual(ids(tab1)));
    // The first paint came before the whole log, and held at least a first page.
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen[0]!.length).toBeGreaterThanOrEqual(FIRST_PAGE);
    expect(seen[0]!.length).toBeLessThan(tab1.length);

    const more = fakeRows(5, { tabId: 1 });
    await write(store, [...fakeRows(3, { tabId: 2 }), ...more]);
    await vi.waitFor(() => expect(latest()).toEqual(ids([...tab1, ...more])));
    stop();
  });

  it("reads the tab again when its rows go: its own clear, another tab's clear, retention", async () => {
    const { store, watch, latest } = setup(10);
    const a = fakeRows(4, { tabId: 1 });
    const b = fakeRows(4, { tabId: 2 });
    await write(store, [...a, ...b]);
    const stop = watch(1);
    await vi.waitFor(() => expect(latest()).toEqual(ids(a)));
    // Retention (cap 10) cuts into the first chunk: the oldest two of tab 1 go.
    const c = fakeRows(4, { tabId: 1 });
    await write(store, c);
    await vi.waitFor(() => expect(latest()).toEqual(ids([...a.slice(2), ...c])));
    // Another tab's clear changes a chunk this tab reads from; the list stays right.
    await store.clearTab(2);
    await write(store, fakeRows(1, { tabId: 1 }));
    await vi.waitFor(() => expect(latest()).toHaveLength(7));
    await store.clearTab(1);
    await vi.waitFor(() => expect(latest()).toEqual([]));
    stop();
  });

  it('loads one full row by seq, from its chunk', async () => {
    const { store, source } = setup();
    const rows = fakeRows(5, { tabId: 3 });
    await write(store, rows.slice(0, 2));
    await write(store, rows.slice(2));
    const all = await store.listByTab(3);
    expect((await source.load(all[3]!.seq!))?.exchange.id).toBe(rows[3]!.exchange.id);
    expect(await source.load(999)).toBeUndefined();
  });
});

describe('row numbers never go back (a clear, then a service-worker restart)', () => {
  it.each([
    ['clear all', (s: DexieExchangeStore) => s.clearAll()],
    ['clear the tab', (s: DexieExchangeStore) => s.clearTab(1)],
  ])('%s: the next rows get higher seqs, and the open panel shows them', async (_name, clear) => {
    const { db, store, watch, latest } = setup();
    const before = fakeRows(5, { tabId: 1 });
    await write(store, before);
    const stop = watch(1);
    await vi.waitFor(() => expect(latest()).toEqual(ids(before)));
    const highest = Math.max(...(await store.listByTab(1)).map((r) => r.seq!));
    await clear(store);
    await vi.waitFor(() => expect(latest()).toEqual([]));
    // The worker restarts: a new store over the same database.
    const restarted = new DexieExchangeStore({ db, flushDelayMs: 0 });
    const after = fakeRows(2, { tabId: 1 });
    await write(restarted, after);
    const stored = await restarted.listByTab(1);
    expect(stored.map((r) => r.seq! > highest)).toEqual([true, true]);
    await vi.waitFor(() => expect(latest()).toEqual(ids(after)));
    stop();
  });
});
