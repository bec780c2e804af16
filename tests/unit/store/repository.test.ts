import Dexie from 'dexie';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { normalizeSettings } from '../../../src/messaging/protocol';
import { CorscopeDB, chunksOf, SCHEMA_V1, SCHEMA_V2, SCHEMA_V3 } from '../../../src/store/db';
import { pageCommands } from '../../../src/store/export';
import {
  DexieExchangeStore,
  type DexieExchangeStoreOptions,
  describeError,
  isQuotaError,
  type StoreStatus,
} from '../../../src/store/repository';
import { summarize } from '../../../src/store/summary';
import { PAGE } from '../../factories';
import { fakeRows, fakeStoredExchange } from './factory';
import { ManualScheduler } from './scheduler';

const open: CorscopeDB[] = [];

function setup(opts: Partial<DexieExchangeStoreOptions> = {}, idb: IDBFactory = new IDBFactory()) {
  const scheduler = new ManualScheduler();
  const db = opts.db ?? new CorscopeDB({ indexedDB: idb, IDBKeyRange });
  open.push(db);
  const store = new DexieExchangeStore({ scheduler, ...opts, db });
  return { store, db, scheduler, idb };
}

afterEach(() => {
  for (const db of open.splice(0)) db.close();
  vi.restoreAllMocks();
});

const ids = (rows: { exchange: { id: string } }[]) => rows.map((r) => r.exchange.id);
/** The summaries in the database, read from its chunks (not through the store). */
const summaries = async (db: CorscopeDB) => (await db.lists.toArray()).flatMap((c) => c.rows);
const rowCount = async (db: CorscopeDB) => (await summaries(db)).length;
const quota = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError');

describe('CorscopeDB', () => {
  it('opens the corscope database with the lists, bodies and counts tables', async () => {
    const idb = new IDBFactory();
    const db = new CorscopeDB({ indexedDB: idb, IDBKeyRange });
    open.push(db);
    await db.open();
    expect(db.name).toBe('corscope');
    expect(db.lists.schema.primKey.name).toBe('first');
    expect(db.lists.schema.indexes.map((i) => i.name).sort()).toEqual(
      ['[first+n]', 'last', 'requestIds', 'tabs', 'time', 'verdicts'].sort(),
    );
    expect(db.lists.schema.indexes.filter((i) => i.multi).map((i) => i.name)).toEqual([
      'tabs',
      'verdicts',
      'requestIds',
    ]);
    expect(db.bodies.schema.primKey.name).toBe('first');
    expect(db.bodies.schema.indexes.map((i) => i.name).sort()).toEqual(['last', 'tabs']);
    expect(db.counts.schema.primKey.name).toBe('tabId');
  });

  it('writes a batch as two records, its summaries and its full rows, and reads back what it got', async () => {
    const { store, db } = setup();
    const rows = [
      fakeStoredExchange({ tabId: 4, exchange: { capture: { requestId: 'req-7' } } }),
      fakeStoredExchange({ tabId: 5 }),
      fakeStoredExchange({ tabId: 4 }),
    ];
    for (const row of rows) store.enqueue(row);
    await store.flush();
    const lists = await db.lists.toArray();
    expect(lists).toHaveLength(1);
    const calls = lists[0]!.rows;
    expect(lists[0]).toMatchObject({
      first: calls[0]!.seq,
      last: calls[2]!.seq,
      n: 3,
      tabs: [4, 5],
      verdicts: ['allowed'],
      time: rows[0]!.time,
    });
    expect(lists[0]!.requestIds[0]).toBe('req-7');
    expect(calls.map((c) => c.tabId)).toEqual([4, 5, 4]);
    const chunks = await db.bodies.toArray();
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toMatchObject({ seqs: calls.map((c) => c.seq), tabIds: [4, 5, 4], tabs: [4, 5] });
    const withSeq = rows.map((r, i) => ({ ...r, seq: calls[i]!.seq }));
    expect(await store.listByTab(4)).toEqual([withSeq[0], withSeq[2]]);
    expect(await store.listByTab()).toEqual(withSeq);
    expect(await store.listByTab(undefined, { reverse: true, limit: 2 })).toEqual([withSeq[2], withSeq[1]]);
    // Clearing a tab takes its full rows out of shared chunks too.
    await store.clearTab(4);
    expect((await db.bodies.toArray()).map((c) => c.tabIds)).toEqual([[5]]);
    // The chunk keeps its key; its summaries, tabs and requestIds are only the rows left.
    expect(await db.lists.toArray()).toMatchObject([{ first: calls[0]!.seq, n: 1, tabs: [5] }]);
    expect(await store.hasRequest('req-7')).toBe(false);
    expect(await store.listByTab()).toEqual([withSeq[1]]);
    await store.clearTab(5);
    expect(await db.bodies.count()).toBe(0);
    expect(await db.lists.count()).toBe(0);
  });

  it('upgrades a version-1 database: its rows and summaries move to calls and chunks, same seqs', async () => {
    const idb = new IDBFactory();
    const v1 = new Dexie('corscope', { indexedDB: idb, IDBKeyRange });
    v1.version(1).stores(SCHEMA_V1);
    const rows = fakeRows(450, { tabId: 2 }).map((r, i) => ({ ...r, seq: 10 + i }));
    await v1.table('exchanges').bulkAdd(rows);
    v1.close();
    const { store, db } = setup({}, idb);
    expect(await store.listByTab(2)).toEqual(rows);
    expect(await db.bodies.count()).toBe(3);
    expect(await db.lists.count()).toBe(3);
    expect((await summaries(db)).map((c) => c.seq)).toEqual(rows.map((r) => r.seq));
    expect(await store.hasRequest(rows[1]!.exchange.capture.requestId)).toBe(true);
    expect(db.tables.map((t) => t.name).sort()).toEqual(['bodies', 'counts', 'lists', 'meta']);
    // New rows continue after the old seqs.
    store.enqueue(fakeStoredExchange({ tabId: 2 }));
    await store.flush();
    expect((await store.listByTab(2)).at(-1)!.seq).toBe(460);
  });

  it('upgrades a version-2 database: the summaries of each body chunk become its list chunk', async () => {
    const idb = new IDBFactory();
    const v2 = new Dexie('corscope', { indexedDB: idb, IDBKeyRange });
    v2.version(1).stores(SCHEMA_V1);
    v2.version(2).stores(SCHEMA_V2);
    // Two writes of 3 rows; the second lost its middle row to a clear (its summary went, its body stayed).
    const rows = fakeRows(6, { tabId: 7 }).map((r, i) => ({ ...r, seq: 20 + i }));
    await v2.table('calls').bulkAdd(rows.filter((r) => r.seq !== 24).map(summarize));
    await v2.table('bodies').bulkAdd([chunksOf(rows.slice(0, 3)).body, chunksOf(rows.slice(3)).body]);
    v2.close();
    const { store, db } = setup({}, idb);
    expect(await db.lists.toArray()).toMatchObject([
      { first: 20, last: 22, n: 3 },
      { first: 23, last: 25, n: 2 },
    ]);
    expect(ids(await store.listByTab(7))).toEqual(ids(rows.filter((r) => r.seq !== 24)));
    expect(store.status().stored).toBe(5);
    expect(db.tables.map((t) => t.name).sort()).toEqual(['bodies', 'counts', 'lists', 'meta']);
  });
});

describe('DexieExchangeStore: version 4', () => {
  it('upgrades a version-3 database: its chunks stay as they are, meta is added, seqs continue', async () => {
    const idb = new IDBFactory();
    const v3 = new Dexie('corscope', { indexedDB: idb, IDBKeyRange });
    v3.version(1).stores(SCHEMA_V1);
    v3.version(2).stores(SCHEMA_V2);
    v3.version(3).stores(SCHEMA_V3);
    const rows = fakeRows(3, { tabId: 4 }).map((r, i) => ({ ...r, seq: 30 + i }));
    const { body, list } = chunksOf(rows);
    await v3.table('bodies').add(body);
    await v3.table('lists').add(list);
    v3.close();
    const { store, db } = setup({}, idb);
    expect(ids(await store.listByTab(4))).toEqual(ids(rows));
    expect(await db.meta.count()).toBe(0);
    await store.clearAll();
    expect(await db.meta.get('seq')).toEqual({ key: 'seq', value: 32 });
    store.enqueue(fakeStoredExchange({ tabId: 4 }));
    await store.flush();
    expect((await store.listByTab(4)).map((r) => r.seq)).toEqual([33]);
  });
});

describe('DexieExchangeStore: batching', () => {
  it('buffers rows until the delay passes, then writes them in one transaction', async () => {
    const { store, db, scheduler } = setup({ flushDelayMs: 100 });
    const bulkAdd = vi.spyOn(db.lists, 'add');
    const transaction = vi.spyOn(db, 'transaction');
    for (const row of fakeRows(150)) store.enqueue(row);
    expect(store.status().pending).toBe(150);
    expect(scheduler.armed).toBe(1);
    expect(scheduler.delays).toEqual([100]);
    await Promise.resolve();
    expect(bulkAdd).not.toHaveBeenCalled();

    scheduler.fire();
    await store.flush();
    expect(bulkAdd).toHaveBeenCalledTimes(1);
    expect(bulkAdd.mock.calls[0]![0].rows).toHaveLength(150);
    expect(transaction).toHaveBeenCalledTimes(1);
    expect(store.status()).toMatchObject({ ok: true, pending: 0, stored: 150, droppedRows: 0 });
  });

  it('flushes on its own when the buffer reaches the batch size, without waiting for the timer', async () => {
    const { store, db, scheduler } = setup({ batchSize: 200 });
    const bulkAdd = vi.spyOn(db.lists, 'add');
    for (const row of fakeRows(200)) store.enqueue(row);
    expect(scheduler.armed).toBe(0);
    await vi.waitFor(() => expect(bulkAdd).toHaveBeenCalledTimes(1));
    await vi.waitFor(() => expect(store.status().stored).toBe(200));
    expect(await rowCount(db)).toBe(200);
  });

  it('writes thousands of rows enqueued at once in a handful of transactions, not one per row', async () => {
    const { store, db } = setup({ batchSize: 200 });
    const bulkAdd = vi.spyOn(db.lists, 'add');
    const transaction = vi.spyOn(db, 'transaction');
    const rows = fakeRows(5000);
    for (const row of rows) store.enqueue(row);
    await store.flush();
    expect(await rowCount(db)).toBe(5000);
    // Rows that arrive before a queued flush starts join it.
    expect(bulkAdd.mock.calls.length).toBeLessThanOrEqual(2);
    expect(transaction.mock.calls.length).toBe(bulkAdd.mock.calls.length);
  });

  it('one transaction per flush across several flushes; each flush writes what was buffered', async () => {
    const { store, db } = setup();
    const bulkAdd = vi.spyOn(db.lists, 'add');
    const transaction = vi.spyOn(db, 'transaction');
    for (let f = 0; f < 4; f++) {
      for (const row of fakeRows(30)) store.enqueue(row);
      await store.flush();
    }
    expect(bulkAdd.mock.calls.map((c) => c[0].rows.length)).toEqual([30, 30, 30, 30]);
    expect(transaction).toHaveBeenCalledTimes(4);
  });

  it('flush with nothing buffered writes nothing', async () => {
    const { store, db } = setup();
    const transaction = vi.spyOn(db, 'transaction');
    await store.flush();
    await store.flush();
    expect(transaction).not.toHaveBeenCalled();
  });

  it('keeps capture order across flushes, tabs and rows that arrive while a write is in flight', async () => {
    const { store } = setup({ batchSize: 7 });
    const rows = Array.from({ length: 100 }, (_, i) => fakeStoredExchange({ tabId: (i % 3) + 1 }));
    const flushes: Promise<void>[] = [];
    rows.forEach((row, i) => {
      store.enqueue(row);
      if (i % 13 === 0) flushes.push(store.flush());
    });
    await Promise.all(flushes);
    await store.flush();
    const all = await store.listByTab();
    expect(ids(all)).toEqual(ids(rows));
    const seqs = all.map((r) => r.seq!);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(ids(await store.listByTab(2))).toEqual(ids(rows.filter((r) => r.tabId === 2)));
  });

  it('batches per-tab counts and adds them to what is stored', async () => {
    const { store, db, scheduler } = setup();
    store.addCounts(1, { sameOrigin: 1 });
    store.addCounts(1, { noCors: 1 });
    store.addCounts(1, { sameOrigin: 2 });
    store.addCounts(2, { noCors: 5 });
    store.addCounts(3, {});
    expect(scheduler.armed).toBe(1);
    const transaction = vi.spyOn(db, 'transaction');
    scheduler.fire();
    await store.flush();
    expect(transaction).toHaveBeenCalledTimes(1);
    expect(await store.getCounts(1)).toEqual({ tabId: 1, sameOrigin: 3, noCors: 1 });
    expect(await store.getCounts(2)).toEqual({ tabId: 2, sameOrigin: 0, noCors: 5 });
    expect(await store.getCounts(3)).toEqual({ tabId: 3, sameOrigin: 0, noCors: 0 });
    store.addCounts(1, { sameOrigin: 10, noCors: 1 });
    await store.flush();
    expect(await store.getCounts(1)).toEqual({ tabId: 1, sameOrigin: 13, noCors: 2 });
  });
});

describe('DexieExchangeStore: retention', () => {
  it('deletes the oldest rows after a flush so the table is back at the cap', async () => {
    const { store, db } = setup({ retention: 50, batchSize: 20 });
    const rows = fakeRows(120);
    for (const row of rows) store.enqueue(row);
    await store.flush();
    expect(await rowCount(db)).toBe(50);
    expect(store.status().stored).toBe(50);
    expect(ids(await store.listByTab())).toEqual(ids(rows.slice(-50)));
  });

  it('counts the rows once and keeps a running count after that', async () => {
    const idb = new IDBFactory();
    const db = new CorscopeDB({ indexedDB: idb, IDBKeyRange });
    const orderBy = vi.spyOn(db.lists, 'orderBy');
    const { store } = setup({ db, retention: 1000 });
    for (let f = 0; f < 10; f++) {
      for (const row of fakeRows(25)) store.enqueue(row);
      await store.flush();
    }
    expect(orderBy.mock.calls.filter(([index]) => index === '[first+n]')).toHaveLength(1);
    expect(store.status().stored).toBe(250);
    orderBy.mockRestore();
    expect(await rowCount(db)).toBe(250);
  });

  it('cuts inside a chunk: whole chunks below the cut go, the oldest rows of the one it falls in', async () => {
    const { store, db } = setup({ retention: 1000 });
    const rows = fakeRows(30);
    for (let f = 0; f < 3; f++) {
      for (const row of rows.slice(f * 10, f * 10 + 10)) store.enqueue(row);
      await store.flush();
    }
    store.setRetention(13);
    await store.flush();
    expect(store.status().stored).toBe(13);
    expect((await db.lists.toArray()).map((c) => c.n)).toEqual([3, 10]);
    expect(ids(await store.listByTab())).toEqual(ids(rows.slice(-13)));
    // The straddled write keeps its body chunk whole (its rows past the cut are still in use).
    expect((await db.bodies.toArray()).map((c) => c.seqs.length)).toEqual([10, 10]);
    store.setRetention(10);
    await store.flush();
    expect((await db.bodies.toArray()).map((c) => c.seqs.length)).toEqual([10]);
  });

  it('starts from what an earlier session stored', async () => {
    const idb = new IDBFactory();
    const first = setup({}, idb);
    for (const row of fakeRows(30)) first.store.enqueue(row);
    await first.store.flush();
    first.db.close();

    const second = setup({ retention: 40 }, idb);
    await second.store.flush();
    expect(second.store.status().stored).toBe(30);
    for (const row of fakeRows(30)) second.store.enqueue(row);
    await second.store.flush();
    expect(await rowCount(second.db)).toBe(40);
    expect(second.store.status().stored).toBe(40);
  });

  it('setRetention trims at once to a lower cap and ignores nonsense', async () => {
    const { store, db } = setup();
    const rows = fakeRows(60);
    for (const row of rows) store.enqueue(row);
    await store.flush();
    store.setRetention(0);
    store.setRetention(Number.NaN);
    await store.flush();
    expect(await rowCount(db)).toBe(60);
    store.setRetention(25);
    await store.flush();
    expect(await rowCount(db)).toBe(25);
    expect(ids(await store.listByTab())).toEqual(ids(rows.slice(-25)));
  });
});

describe('DexieExchangeStore: clearing', () => {
  it('clearTab deletes one tab: stored rows, buffered rows and counts', async () => {
    const { store } = setup();
    const one = fakeRows(5, { tabId: 1 });
    const two = fakeRows(4, { tabId: 2 });
    for (const row of [...one, ...two]) store.enqueue(row);
    store.addCounts(1, { sameOrigin: 3 });
    store.addCounts(2, { noCors: 2 });
    await store.flush();
    const buffered = fakeRows(3, { tabId: 1 });
    for (const row of buffered) store.enqueue(row);
    store.addCounts(1, { noCors: 1 });

    await store.clearTab(1);
    await store.flush();
    expect(await store.listByTab(1)).toEqual([]);
    expect(ids(await store.listByTab())).toEqual(ids(two));
    expect(await store.getCounts(1)).toEqual({ tabId: 1, sameOrigin: 0, noCors: 0 });
    expect(await store.getCounts(2)).toEqual({ tabId: 2, sameOrigin: 0, noCors: 2 });
    expect(store.status()).toMatchObject({ stored: 4, pending: 0 });
  });

  it('keeps what is enqueued after clearTab, even while an earlier flush is still queued', async () => {
    const { store } = setup();
    const before = fakeRows(3, { tabId: 1 });
    for (const row of before) store.enqueue(row);
    const flushed = store.flush(); // queued, not started
    const clearing = store.clearTab(1);
    const after = fakeRows(2, { tabId: 1 });
    for (const row of after) store.enqueue(row);
    await Promise.all([flushed, clearing]);
    await store.flush();
    expect(ids(await store.listByTab(1))).toEqual(ids(after));
    expect(store.status().stored).toBe(2);
  });

  it('clearAll empties both tables and the buffer', async () => {
    const { store, db } = setup();
    for (const row of fakeRows(10)) store.enqueue(row);
    store.addCounts(1, { sameOrigin: 1 });
    await store.flush();
    for (const row of fakeRows(10)) store.enqueue(row);
    await store.clearAll();
    await store.flush();
    expect(await rowCount(db)).toBe(0);
    expect(await db.counts.count()).toBe(0);
    expect(store.status()).toMatchObject({ stored: 0, pending: 0, ok: true });
  });
});

describe('DexieExchangeStore: queries', () => {
  async function seeded() {
    const s = setup();
    const rows = [
      fakeStoredExchange({ tabId: 1, call: 'allowed' }),
      fakeStoredExchange({ tabId: 2, call: 'blocked' }),
      fakeStoredExchange({ tabId: 1, call: 'blocked' }),
      fakeStoredExchange({ tabId: 1, call: 'network-error' }),
      fakeStoredExchange({ tabId: 2, call: 'allowed' }),
      fakeStoredExchange({ tabId: 1, call: 'allowed' }),
    ];
    for (const row of rows) s.store.enqueue(row);
    await s.store.flush();
    return { ...s, rows };
  }

  it('the factory builds rows whose verdicts come from the evaluator', async () => {
    const { rows } = await seeded();
    expect(rows.map((r) => r.verdict)).toEqual([
      'allowed',
      'blocked',
      'blocked',
      'network-error',
      'allowed',
      'allowed',
    ]);
    for (const r of rows) expect(r.evaluation.verdict).toBe(r.verdict);
  });

  it('listByTab: one tab or all, in capture order', async () => {
    const { store, rows } = await seeded();
    expect(ids(await store.listByTab(1))).toEqual(ids(rows.filter((r) => r.tabId === 1)));
    expect(ids(await store.listByTab(2))).toEqual(ids(rows.filter((r) => r.tabId === 2)));
    expect(ids(await store.listByTab())).toEqual(ids(rows));
    expect(await store.listByTab(99)).toEqual([]);
    const stored = await store.listByTab(1);
    expect(stored[0]!.exchange).toEqual(rows[0]!.exchange);
    expect(stored[0]!.evaluation).toEqual(rows[0]!.evaluation);
  });

  it('listByTab options: verdict, afterSeq, reverse, offset, limit', async () => {
    const { store, rows } = await seeded();
    const t1 = rows.filter((r) => r.tabId === 1);
    expect(ids(await store.listByTab(1, { verdict: 'allowed' }))).toEqual(
      ids(t1.filter((r) => r.verdict === 'allowed')),
    );
    expect(ids(await store.listByTab(undefined, { verdict: 'blocked' }))).toEqual(
      ids(rows.filter((r) => r.verdict === 'blocked')),
    );
    expect(ids(await store.listByTab(1, { reverse: true }))).toEqual(ids([...t1].reverse()));
    expect(ids(await store.listByTab(1, { offset: 1, limit: 2 }))).toEqual(ids(t1.slice(1, 3)));
    const all = await store.listByTab();
    const third = all[2]!.seq!;
    expect(ids(await store.listByTab(undefined, { afterSeq: third }))).toEqual(ids(rows.slice(3)));
    expect(ids(await store.listByTab(1, { afterSeq: third }))).toEqual(
      ids(rows.slice(3).filter((r) => r.tabId === 1)),
    );
    expect(ids(await store.listByTab(1, { afterSeq: third, verdict: 'allowed' }))).toEqual([
      rows[5]!.exchange.id,
    ]);
  });

  it('countByVerdict: per tab and over all tabs, every kind present', async () => {
    const { store } = await seeded();
    expect(await store.countByVerdict(1)).toEqual({
      allowed: 2,
      blocked: 1,
      opaque: 0,
      'same-origin': 0,
      'network-error': 1,
      'cannot-tell': 0,
    });
    expect(await store.countByVerdict()).toEqual({
      allowed: 3,
      blocked: 2,
      opaque: 0,
      'same-origin': 0,
      'network-error': 1,
      'cannot-tell': 0,
    });
  });

  it('blockedByTab: the blocked calls stored per tab, for the toolbar badges', async () => {
    const { store } = await seeded();
    expect([...(await store.blockedByTab())].sort()).toEqual([
      [1, 1],
      [2, 1],
    ]);
    await store.clearTab(2);
    expect([...(await store.blockedByTab())]).toEqual([[1, 1]]);
  });
});

describe('DexieExchangeStore: failures', () => {
  it('a quota error once: deletes the oldest 10%, retries the batch once, and reports it', async () => {
    const statuses: StoreStatus[] = [];
    const { store, db } = setup({ onStatus: (s) => statuses.push(s) });
    const old = fakeRows(100);
    for (const row of old) store.enqueue(row);
    await store.flush();

    const bulkAdd = vi.spyOn(db.lists, 'add').mockRejectedValueOnce(quota());
    const fresh = fakeRows(10);
    for (const row of fresh) store.enqueue(row);
    await expect(store.flush()).resolves.toBeUndefined();
    expect(bulkAdd).toHaveBeenCalledTimes(2);
    const s = store.status();
    expect(s.ok).toBe(true);
    expect(s.droppedRows).toBe(0);
    expect(s.lastError).toMatch(/QuotaExceededError/);
    expect(s.lastError).toMatch(/deleted the 10 oldest/);
    expect(s.stored).toBe(100);
    expect(ids(await store.listByTab())).toEqual(ids([...old.slice(10), ...fresh]));
    expect(statuses.at(-1)).toEqual(s);
  });

  it('a quota error every time: the batch is dropped and counted, nothing throws, later writes recover', async () => {
    const statuses: StoreStatus[] = [];
    const { store, db, scheduler } = setup({ onStatus: (s) => statuses.push(s) });
    for (const row of fakeRows(20)) store.enqueue(row);
    await store.flush();

    const bulkAdd = vi.spyOn(db.lists, 'add').mockRejectedValue(quota());
    expect(() => {
      for (const row of fakeRows(30)) store.enqueue(row);
    }).not.toThrow();
    scheduler.fire();
    await expect(store.flush()).resolves.toBeUndefined();
    expect(bulkAdd).toHaveBeenCalledTimes(2); // the write and its one retry
    expect(store.status()).toMatchObject({ ok: false, droppedRows: 30, pending: 0, stored: 18 });
    expect(store.status().lastError).toMatch(/QuotaExceededError/);
    expect(statuses.some((s) => !s.ok && s.droppedRows === 30)).toBe(true);

    bulkAdd.mockRestore();
    for (const row of fakeRows(5)) store.enqueue(row);
    await store.flush();
    expect(store.status()).toMatchObject({ ok: true, droppedRows: 30, stored: 23 });
    expect(await rowCount(db)).toBe(23);
  });

  it('a quota error wrapped by Dexie (AbortError with an inner QuotaExceededError) is recognized', async () => {
    const { store, db } = setup();
    for (const row of fakeRows(10)) store.enqueue(row);
    await store.flush();
    const wrapped = new Dexie.AbortError('Transaction aborted', quota());
    vi.spyOn(db.lists, 'add').mockRejectedValueOnce(wrapped);
    for (const row of fakeRows(5)) store.enqueue(row);
    await store.flush();
    expect(store.status()).toMatchObject({ ok: true, droppedRows: 0, stored: 14 });
  });

  it('any other write error drops the batch without deleting anything', async () => {
    const { store, db } = setup();
    for (const row of fakeRows(10)) store.enqueue(row);
    await store.flush();
    const bulkAdd = vi.spyOn(db.lists, 'add').mockRejectedValueOnce(new Error('disk on fire'));
    for (const row of fakeRows(7)) store.enqueue(row);
    await store.flush();
    expect(bulkAdd).toHaveBeenCalledTimes(1);
    expect(store.status()).toMatchObject({
      ok: false,
      droppedRows: 7,
      stored: 10,
      lastError: 'Error: disk on fire',
    });
    expect(await rowCount(db)).toBe(10);
  });

  it('a database that cannot open: enqueue and flush still never throw', async () => {
    const { store } = setup({
      dexieOptions: {},
      db: new CorscopeDB({ indexedDB: undefined, autoOpen: true }),
    });
    expect(() => store.enqueue(fakeStoredExchange())).not.toThrow();
    await expect(store.flush()).resolves.toBeUndefined();
    expect(store.status()).toMatchObject({ ok: false, droppedRows: 1, pending: 0 });
    expect(store.status().lastError).toBeTruthy();
  });

  it('drops new rows once too many wait for the database', async () => {
    const { store } = setup({ batchSize: 10, maxPending: 10 });
    // Nothing runs between these synchronous calls, so the first flush cannot drain the buffer.
    for (const row of fakeRows(15)) store.enqueue(row);
    expect(store.status()).toMatchObject({ pending: 10, droppedRows: 5, ok: false });
    await store.flush();
    expect(store.status()).toMatchObject({ pending: 0, stored: 10, droppedRows: 5, ok: true });
  });

  it('onStatus fires only when the status changes', async () => {
    const onStatus = vi.fn();
    const { store } = setup({ onStatus });
    await store.flush();
    const n = onStatus.mock.calls.length;
    await store.flush();
    expect(onStatus).toHaveBeenCalledTimes(n);
    store.enqueue(fakeStoredExchange());
    await store.flush();
    expect(onStatus).toHaveBeenCalledTimes(n + 1);
    expect(onStatus.mock.calls.at(-1)![0]).toMatchObject({ stored: 1, pending: 0 });
  });
});

describe('isQuotaError and describeError', () => {
  it('recognizes quota errors however they are wrapped', () => {
    expect(isQuotaError(quota())).toBe(true);
    expect(isQuotaError(new Dexie.QuotaExceededError('full'))).toBe(true);
    expect(isQuotaError(new Dexie.AbortError('aborted', quota()))).toBe(true);
    expect(isQuotaError({ name: 'AbortError', inner: { name: 'QuotaExceededError' } })).toBe(true);
    expect(isQuotaError({ name: 'BulkError', failures: [new Error('x'), quota()] })).toBe(true);
    expect(isQuotaError(new Error('QuotaExceededError'))).toBe(false);
    expect(isQuotaError(new Dexie.AbortError('aborted'))).toBe(false);
    expect(isQuotaError(null)).toBe(false);
    expect(isQuotaError('QuotaExceededError')).toBe(false);
  });

  it('describes an error in one line, with a wrapped error', () => {
    expect(describeError(new Error('boom'))).toBe('Error: boom');
    expect(describeError(new Dexie.AbortError('aborted', new Error('inner words')))).toMatch(
      /^AbortError: aborted.*inner words/,
    );
    expect(describeError('plain')).toBe('plain');
  });
});

describe('DexieExchangeStore: the list view and restarts', () => {
  it('keeps the list view (summaries) and the full rows together through retention and clearing', async () => {
    const { store, db } = setup({ retention: 5, batchSize: 3 });
    const rows = fakeRows(8, { tabId: 3 });
    for (const row of rows) store.enqueue(row);
    await store.flush();
    const calls = await summaries(db);
    expect(calls.map((s) => s.id)).toEqual(ids(rows.slice(-5)));
    expect(calls[0]).toMatchObject({ tabId: 3, method: 'GET', verdict: 'allowed' });
    expect(ids(await store.listByTab(3))).toEqual(ids(rows.slice(-5)));
    // Chunks wholly below the cut are gone; one that straddles it stays until its last row goes.
    const chunks = await db.bodies.toArray();
    expect(chunks.every((c) => c.last >= calls[0]!.seq)).toBe(true);
    await store.clearTab(3);
    expect(await rowCount(db)).toBe(0);
    expect(await db.bodies.count()).toBe(0);
  });

  it('knows which rows are not written yet, and finds a stored call by requestId', async () => {
    const { store } = setup();
    const row = fakeStoredExchange({ exchange: { capture: { requestId: 'req-42' } } });
    store.enqueue(row);
    expect(store.unwritten().map((r) => r.exchange.id)).toEqual([row.exchange.id]);
    expect(await store.hasRequest('req-42')).toBe(true);
    await store.flush();
    expect(store.unwritten()).toEqual([]);
    expect(await store.hasRequest('req-42')).toBe(true);
    expect(await store.hasRequest('req-43')).toBe(false);
  });
});

describe('DexieExchangeStore: packed chunks', () => {
  const ACAO_TITLE = 'Access-Control-Allow-Origin allows the origin';
  /** The export's JSON Lines, one object per row, through the page's command as the panel calls it. */
  const exported = async (db: CorscopeDB) => {
    const send = async () => ({ settings: normalizeSettings(undefined) });
    const blob = await pageCommands(db, send).exportFile('jsonl');
    return (await blob.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  };

  it('holds each distinct header list and text once, and reads its rows back as they were written', async () => {
    const { store, db } = setup();
    const rows = [
      fakeStoredExchange({ tabId: 3 }),
      fakeStoredExchange({ tabId: 3 }),
      fakeStoredExchange({ tabId: 3, call: 'blocked' }),
    ];
    for (const r of rows) store.enqueue(r);
    await store.flush();
    const [chunk] = await db.bodies.toArray();
    // The three requests' Origin, the allowed answers' ACAO, and the blocked answer's empty list.
    expect(chunk!.lists).toEqual([
      `[["Origin","${PAGE}"]]`,
      `[["Access-Control-Allow-Origin","${PAGE}"]]`,
      '[]',
    ]);
    // Each distinct check once: the three calls share two, and the blocked one's ACAO check is its own.
    expect(chunk!.checks!.map((c) => JSON.parse(c).rule)).toEqual([
      'cross-origin',
      'preflight-needed',
      'acao',
      'acao',
    ]);
    expect(chunk!.checks!.filter((c) => c.includes(ACAO_TITLE))).toHaveLength(2);
    expect(chunk!.warnings!.map((w) => JSON.parse(w).code)).toEqual(['missing-vary-origin']);
    expect(chunk!.texts).toHaveLength(2);
    expect(chunk!.rows.map((json) => JSON.parse(json).evaluation.checks)).toEqual([
      [0, 1, 2],
      [0, 1, 2],
      [0, 1, 3],
    ]);
    for (const json of chunk!.rows) {
      expect(json).not.toContain(ACAO_TITLE);
      expect(json).not.toContain('"Origin"');
    }
    const seqs = (await summaries(db)).map((c) => c.seq);
    const withSeq = rows.map((r, i) => ({ ...r, seq: seqs[i] }));
    expect(await store.listByTab(3)).toEqual(withSeq);
    const lines = await exported(db);
    expect(lines).toHaveLength(3);
    expect(JSON.stringify(lines[0])).toContain(ACAO_TITLE);
    expect(JSON.stringify(lines[0])).toContain(`["Origin","${PAGE}"]`);
  });

  it('reads a chunk that packed each text of a check apart (lists and texts, no checks) as before', async () => {
    const { store, db } = setup();
    const [row] = fakeRows(1, { tabId: 8 }).map((r) => ({ ...r, seq: 50 }));
    // That format by hand: a check's title, spec, required and seen, a warning's message and the summary
    // are numbers into \`texts\`; header lists numbers into \`lists\`.
    const texts: string[] = [];
    const text = (s: string) => texts.push(s) - 1;
    const lists: string[] = [];
    const list = (l: unknown) => lists.push(JSON.stringify(l)) - 1;
    const v = row!.evaluation;
    const packed = {
      ...row,
      exchange: {
        ...row!.exchange,
        wire: row!.exchange.wire.map((e) => ({
          ...e,
          request: { ...e.request, headers: list(e.request.headers) },
          response: e.response && { ...e.response, headers: list(e.response.headers) },
        })),
      },
      evaluation: {
        ...v,
        summary: text(v.summary),
        checks: v.checks.map((c) => ({
          ...c,
          title: text(c.title),
          spec: text(c.spec),
          required: text(c.required),
          seen: text(c.seen),
        })),
        warnings: v.warnings.map((w) => ({ ...w, message: text(w.message) })),
      },
    };
    expect(v.checks.length).toBeGreaterThan(0);
    expect(v.warnings.length).toBeGreaterThan(0);
    await db.bodies.add({
      first: 50,
      last: 50,
      seqs: [50],
      tabIds: [8],
      rows: [JSON.stringify(packed)],
      tabs: [8],
      lists,
      texts,
    });
    await db.lists.add(chunksOf([row!]).list);
    expect(await store.listByTab(8)).toEqual([row]);
    const lines = await exported(db);
    expect(JSON.stringify(lines[0])).toContain(ACAO_TITLE);
  });

  it('reads a chunk written before packing (rows as plain JSON, no lists or texts) as before', async () => {
    const { store, db } = setup();
    const rows = fakeRows(2, { tabId: 6 }).map((r, i) => ({ ...r, seq: 40 + i }));
    await db.bodies.add({
      first: 40,
      last: 41,
      seqs: [40, 41],
      tabIds: [6, 6],
      rows: rows.map((r) => JSON.stringify(r)),
      tabs: [6],
    });
    await db.lists.add(chunksOf(rows).list);
    expect(await store.listByTab(6)).toEqual(rows);
    const lines = await exported(db);
    expect(lines).toHaveLength(2);
    expect(JSON.stringify(lines[1])).toContain(ACAO_TITLE);
  });
});
