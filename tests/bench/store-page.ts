// Bundled by ./capture.ts (esbuild) into a throwaway unpacked extension: its page times CORScope's real
// store (DexieExchangeStore over the real IndexedDB of an extension origin) against a raw Dexie bulkAdd of
// the same rows into the same schema. Rows are the recorded samples with real verdicts and capture fields.
import Dexie, { type Table } from 'dexie';
import type { CapturedExchange } from '../../src/capture/types';
import { Evaluator } from '../../src/cors/evaluate';
import type { Exchange } from '../../src/cors/types';
import { SCHEMA_V1 } from '../../src/store/db';
import { DexieExchangeStore, type StoreStatus } from '../../src/store/repository';
import { type StoredExchange, toRow } from '../../src/store/row';

let samples: string[] = [];
let made = 0;

/** n rows as capture builds them: the samples varied per round (new ids and URLs), evaluated in order. */
function buildRows(n: number): StoredExchange[] {
  const ev = new Evaluator();
  const rows: StoredExchange[] = [];
  const batch = made++;
  for (let i = 0; rows.length < n; i++) {
    const round = Math.floor(i / samples.length);
    const line = samples[i % samples.length]!.replaceAll('"id":"s', `"id":"b${batch}-r${round}-s`).replaceAll(
      '/p/s0',
      `/p/b${batch}/r${round}/s0`,
    );
    const ex = JSON.parse(line) as Exchange;
    const captured: CapturedExchange = {
      ...ex,
      time: Date.now(),
      capture: {
        tabId: 1 + (i % 4),
        frameId: 0,
        documentId: 'A1B2C3D4E5F60718293A4B5C6D7E8F90',
        requestId: String(100_000 + i),
        resourceType: 'xmlhttprequest',
        engine: 'chromium',
        ambiguous: false,
        recovered: false,
        missing: null,
        headersLost: false,
        netError: ex.outcome === 'error' ? 'net::ERR_FAILED' : null,
      },
    };
    rows.push(toRow(captured, ev.evaluate(captured)));
  }
  return rows;
}

export interface StoreRun {
  ms: number;
  rows: number;
  status: StoreStatus | null;
  counted: number;
}

const api = {
  async init(): Promise<number> {
    samples = (await (await fetch('samples.jsonl')).text()).trim().split('\n');
    return samples.length;
  },
  /** Enqueues n rows at once into a fresh DexieExchangeStore, timed until flush() resolves. */
  async store(n: number, name: string): Promise<StoreRun> {
    const rows = buildRows(n);
    const store = new DexieExchangeStore({ name });
    await store.db.open();
    await store.flush(); // the constructor's count and retention pass, untimed
    const t = performance.now();
    for (const row of rows) store.enqueue(row);
    await store.flush();
    const ms = performance.now() - t;
    const status = store.status();
    const counted = (await store.db.lists.toArray()).reduce((n, chunk) => n + chunk.rows.length, 0);
    store.db.close();
    await Dexie.delete(name);
    return { ms, rows: n, status, counted };
  },
  /**
   * The baseline: the naive store, the same rows as objects in one bulkAdd into a table with the first
   * schema's indexes (SCHEMA_V1.exchanges), same durability, one transaction.
   */
  async raw(n: number, name: string): Promise<StoreRun> {
    const rows = buildRows(n);
    const db = new Dexie(name, { chromeTransactionDurability: 'relaxed' }) as Dexie & {
      exchanges: Table<StoredExchange, number>;
    };
    db.version(1).stores({ exchanges: SCHEMA_V1.exchanges });
    await db.open();
    const t = performance.now();
    await db.transaction('rw', db.exchanges, () => db.exchanges.bulkAdd(rows));
    const ms = performance.now() - t;
    const counted = await db.exchanges.count();
    db.close();
    await Dexie.delete(name);
    return { ms, rows: n, status: null, counted };
  },
};

(globalThis as unknown as { bench: typeof api }).bench = api;
