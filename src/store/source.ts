// The panel's and popup's view of the database: a tab's summaries, live (Dexie liveQuery), and full rows
// on demand. Pages read; only the background writes.
import Dexie, { liveQuery } from 'dexie';
import type { StoredExchange } from '../capture/types';
import { CorscopeDB, rowOf } from './db';
import type { RowSummary } from './summary';

/** Rows painted before the rest of a large log is read. */
export const FIRST_PAGE = 200;

export interface LiveSource {
  subscribe(tabId: number, onRows: (rows: RowSummary[]) => void): () => void;
  load(seq: number): Promise<StoredExchange | undefined>;
}

export function dexieSource(db: CorscopeDB = new CorscopeDB()): LiveSource {
  return {
    subscribe(tabId, onRows) {
      const range = (from: number) =>
        db.calls.where('[tabId+seq]').between([tabId, from], [tabId, Dexie.maxKey], false, true);
      let rows: RowSummary[] = [];
      let last = 0;
      let closed = false;
      let live: { unsubscribe(): void } | null = null;
      // First paint: the first rows at once, then the whole log, then only what changes.
      void (async () => {
        const first = await range(Dexie.minKey as unknown as number)
          .limit(FIRST_PAGE)
          .toArray();
        if (closed) return;
        onRows(first);
        rows = first;
        if (first.length === FIRST_PAGE) {
          rows = await range(Dexie.minKey as unknown as number).toArray();
          if (closed) return;
          onRows(rows);
        }
        last = rows[rows.length - 1]?.seq ?? 0;
        // Watch for changes once the first rows are on screen.
        await new Promise((r) => setTimeout(r, 0));
        if (closed) return;
        live = liveQuery(async () => {
          // The count sees every change to the tab (a clear, retention); new rows come after `last`.
          const [count, fresh] = await Promise.all([
            db.calls.where('[tabId+seq]').between([tabId, Dexie.minKey], [tabId, Dexie.maxKey]).count(),
            range(last).toArray(),
          ]);
          return { count, fresh };
        }).subscribe({
          next: async ({ count, fresh }) => {
            if (closed) return;
            if (count === rows.length + fresh.length) {
              if (!fresh.length) return;
              rows = rows.concat(fresh);
            } else {
              // Rows went away (cleared, or dropped by retention): read the tab again.
              rows = await range(Dexie.minKey as unknown as number).toArray();
            }
            last = rows[rows.length - 1]?.seq ?? 0;
            onRows(rows);
          },
          error: () => {},
        });
      })();
      return () => {
        closed = true;
        live?.unsubscribe();
      };
    },
    load: async (seq) => {
      return rowOf(await db.bodies.where('first').belowOrEqual(seq).last(), seq);
    },
  };
}
