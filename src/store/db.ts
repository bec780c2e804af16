// The IndexedDB schema, through Dexie. Only src/store and extension/ touch browser storage.
import Dexie, { type DexieOptions, type EntityTable, type Table, type Transaction } from 'dexie';
import type { StoredExchange, TabCounts } from '../capture/types';
import { type RowSummary, summarize } from './summary';

export const DB_NAME = 'corscope';

/**
 * The full rows of one write, as one record: IndexedDB's cost is per record written (about as much for a
 * small record as for a large one), so a batch of exchanges costs one record here plus one summary each.
 */
export interface BodyChunk {
  /** The first seq in `seqs`: the key. */
  first: number;
  /** The last seq in `seqs`: retention deletes chunks wholly below a cut. */
  last: number;
  /** The seqs of the rows, ascending, and beside each its tab and its JSON (the StoredExchange). */
  seqs: number[];
  tabIds: number[];
  rows: string[];
  /** The distinct tabs in the chunk (multi-entry index): clearing a tab finds its chunks. */
  tabs: number[];
}

/** A chunk of rows whose seqs are assigned. */
export function chunkOf(rows: StoredExchange[]): BodyChunk {
  const seqs = rows.map((r) => r.seq!);
  const tabIds = rows.map((r) => r.tabId);
  return {
    first: seqs[0]!,
    last: seqs[seqs.length - 1]!,
    seqs,
    tabIds,
    rows: rows.map((r) => JSON.stringify(r)),
    tabs: [...new Set(tabIds)],
  };
}

/** Row `seq` of a chunk, or undefined when the chunk does not hold it. */
export function rowOf(chunk: BodyChunk | undefined, seq: number): StoredExchange | undefined {
  const i = chunk ? chunk.seqs.indexOf(seq) : -1;
  return i < 0 ? undefined : (JSON.parse(chunk!.rows[i]!) as StoredExchange);
}

/**
 * Schema, version 2:
 * - `calls`: one RowSummary per evaluated cross-origin call, the row's index. `seq` auto-increments,
 *   so key order is capture order; `[tabId+seq]` lists or clears a tab in capture order,
 *   `[tabId+verdict]` counts a tab's verdicts (equal index keys sort by primary key, so those lists are in
 *   capture order too), `time` and `verdict` serve queries over all tabs, `requestId` finds a call again
 *   after the service worker restarted. The panel draws its list from these alone.
 * - `bodies`: the full rows (exchange and verdict), a BodyChunk per write, written in the same
 *   transaction as their summaries. A row exists while its summary does.
 * - `counts`: per-tab counts of calls CORS does not govern (same-origin, no-cors).
 * Version 1 kept one `exchanges` record per row and a `summaries` record beside it; the upgrade moves
 * them into `calls` and chunks.
 */
export const SCHEMA_V1 = {
  exchanges: '++seq, tabId, time, verdict, [tabId+seq], [tabId+verdict], exchange.capture.requestId',
  summaries: 'seq, [tabId+seq]',
  counts: 'tabId',
} as const;

export const SCHEMA = {
  exchanges: null,
  summaries: null,
  calls: '++seq, time, verdict, [tabId+seq], [tabId+verdict], requestId',
  bodies: 'first, last, *tabs',
  counts: 'tabId',
} as const;

export class CorscopeDB extends Dexie {
  /** Keyed by `seq` (optional only because add() assigns it). */
  calls!: Table<RowSummary, number>;
  bodies!: Table<BodyChunk, number>;
  counts!: EntityTable<TabCounts, 'tabId'>;

  /** `options` lets tests inject fake-indexeddb's `indexedDB` and `IDBKeyRange`. */
  constructor(options: DexieOptions = {}, name: string = DB_NAME) {
    // A capture log can lose its last writes on a crash: relaxed durability is much faster in Chromium.
    super(name, { chromeTransactionDurability: 'relaxed', ...options });
    this.version(1).stores(SCHEMA_V1);
    this.version(2).stores(SCHEMA).upgrade(upgradeV1);
  }
}

/** Version 1 → 2: each 200 rows of `exchanges` become a chunk and their summaries `calls`, same seqs. */
async function upgradeV1(tx: Transaction): Promise<void> {
  const old = tx.table<StoredExchange, number>('exchanges');
  const calls = tx.table<RowSummary, number>('calls');
  const bodies = tx.table<BodyChunk, number>('bodies');
  let after = -Infinity;
  for (;;) {
    const rows = await old.where(':id').above(after).limit(200).toArray();
    if (!rows.length) break;
    await calls.bulkPut(rows.map(summarize));
    await bodies.add(chunkOf(rows));
    after = rows[rows.length - 1]!.seq!;
  }
}
