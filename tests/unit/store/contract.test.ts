// The in-memory store and the IndexedDB store answer the same calls the same way.
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { DexieExchangeStore, type ExchangeStore } from '../../../src/store/repository';
import { MemoryExchangeStore } from '../../memory-store';
import { fakeStoredExchange } from './factory';
import { ManualScheduler } from './scheduler';

const makers: [string, () => ExchangeStore][] = [
  ['MemoryExchangeStore', () => new MemoryExchangeStore()],
  [
    'DexieExchangeStore',
    () =>
      new DexieExchangeStore({
        dexieOptions: { indexedDB: new IDBFactory(), IDBKeyRange },
        scheduler: new ManualScheduler(),
      }),
  ],
];

const rows = Array.from({ length: 30 }, (_, i) =>
  fakeStoredExchange({
    tabId: (i % 3) + 1,
    call: i % 4 === 0 ? 'blocked' : i % 7 === 0 ? 'network-error' : 'allowed',
  }),
);

async function scenario(store: ExchangeStore) {
  store.setRetention(25);
  for (const row of rows) store.enqueue(row);
  store.addCounts(1, { sameOrigin: 2 });
  store.addCounts(2, { noCors: 1 });
  await store.flush();
  const ids = (list: { exchange: { id: string } }[]) => list.map((r) => r.exchange.id);
  const out = {
    all: ids(await store.listByTab()),
    tab2: ids(await store.listByTab(2)),
    blocked: ids(await store.listByTab(undefined, { verdict: 'blocked' })),
    page: ids(await store.listByTab(1, { reverse: true, offset: 1, limit: 3 })),
    verdicts: await store.countByVerdict(),
    verdicts3: await store.countByVerdict(3),
    counts1: await store.getCounts(1),
    stored: store.status().stored,
    afterClear: [] as string[],
    counts1AfterClear: await store.getCounts(1),
  };
  await store.clearTab(1);
  out.afterClear = ids(await store.listByTab());
  out.counts1AfterClear = await store.getCounts(1);
  await store.clearAll();
  return { ...out, finalStored: store.status().stored };
}

describe('ExchangeStore contract', () => {
  it.each(makers)('%s agrees with the reference outcome', async (_, make) => {
    const got = await scenario(make());
    const kept = rows.slice(-25);
    expect(got.all).toEqual(kept.map((r) => r.exchange.id));
    expect(got.tab2).toEqual(kept.filter((r) => r.tabId === 2).map((r) => r.exchange.id));
    expect(got.blocked).toEqual(kept.filter((r) => r.verdict === 'blocked').map((r) => r.exchange.id));
    expect(got.stored).toBe(25);
    expect(got.counts1).toEqual({ tabId: 1, sameOrigin: 2, noCors: 0 });
    expect(got.counts1AfterClear).toEqual({ tabId: 1, sameOrigin: 0, noCors: 0 });
    expect(got.afterClear).toEqual(kept.filter((r) => r.tabId !== 1).map((r) => r.exchange.id));
    expect(got.finalStored).toBe(0);
  });

  it('both stores give identical answers', async () => {
    const [a, b] = await Promise.all(makers.map(([, make]) => scenario(make())));
    expect(a).toEqual(b);
  });
});
