// The IndexedDB schema, through Dexie. Only src/store and extension/ touch browser storage.
import Dexie, { type DexieOptions, type EntityTable, type Table } from 'dexie';
import type { StoredExchange, TabCounts } from '../capture/types';

export const DB_NAME = 'corscope';

/**
 * Schema, version 1:
 * - `exchanges`: one row per evaluated cross-origin call. `seq` auto-increments, so key order is
 *   capture order; `[tabId+seq]` lists a tab in capture order, `[tabId+verdict]` counts a tab's verdicts
 *   (entries with equal keys sort by primary key, so those lists are in capture order too).
 * - `counts`: per-tab counts of calls CORS does not govern (same-origin, no-cors).
 */
export const SCHEMA_V1 = {
  exchanges: '++seq, tabId, time, verdict, [tabId+seq], [tabId+verdict]',
  counts: 'tabId',
} as const;

export class CorscopeDB extends Dexie {
  /** Keyed by `seq` (StoredExchange.seq is optional only because add() assigns it). */
  exchanges!: Table<StoredExchange, number>;
  counts!: EntityTable<TabCounts, 'tabId'>;

  /** `options` lets tests inject fake-indexeddb's `indexedDB` and `IDBKeyRange`. */
  constructor(options: DexieOptions = {}, name: string = DB_NAME) {
    // A capture log can lose its last writes on a crash: relaxed durability is much faster in Chromium.
    super(name, { chromeTransactionDurability: 'relaxed', ...options });
    this.version(1).stores(SCHEMA_V1);
  }
}
