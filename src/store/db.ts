// The IndexedDB schema, through Dexie. Only src/store and extension/ touch browser storage.
import Dexie, { type DexieOptions, type EntityTable, type Table } from 'dexie';
import type { StoredExchange, TabCounts } from '../capture/types';
import type { RowSummary } from './summary';

export const DB_NAME = 'corscope';

/**
 * Schema, version 1:
 * - `exchanges`: one row per evaluated cross-origin call. `seq` auto-increments, so key order is
 *   capture order; `[tabId+seq]` lists a tab in capture order, `[tabId+verdict]` counts a tab's verdicts
 *   (entries with equal keys sort by primary key, so those lists are in capture order too).
 *   `exchange.capture.requestId` finds a call again after the service worker restarted.
 * - `summaries`: the list's view of each row (RowSummary), same `seq`, written in the same transaction:
 *   the panel loads 50,000 of these without reading a single full exchange.
 * - `counts`: per-tab counts of calls CORS does not govern (same-origin, no-cors).
 */
export const SCHEMA_V1 = {
  exchanges: '++seq, tabId, time, verdict, [tabId+seq], [tabId+verdict], exchange.capture.requestId',
  summaries: 'seq, [tabId+seq]',
  counts: 'tabId',
} as const;

export class CorscopeDB extends Dexie {
  /** Keyed by `seq` (StoredExchange.seq is optional only because add() assigns it). */
  exchanges!: Table<StoredExchange, number>;
  summaries!: Table<RowSummary, number>;
  counts!: EntityTable<TabCounts, 'tabId'>;

  /** `options` lets tests inject fake-indexeddb's `indexedDB` and `IDBKeyRange`. */
  constructor(options: DexieOptions = {}, name: string = DB_NAME) {
    // A capture log can lose its last writes on a crash: relaxed durability is much faster in Chromium.
    super(name, { chromeTransactionDurability: 'relaxed', ...options });
    this.version(1).stores(SCHEMA_V1);
  }
}
