// The panel's and popup's view of the database: a tab's summaries, live (Dexie liveQuery), and full rows
// on demand. Pages read; only the background writes.
import { liveQuery } from 'dexie';
import { CorscopeDB, type ListChunk, rowOf } from './db';
import type { StoredExchange } from './row';
import { type RowSummary, type TabSummary, tabSummaries } from './summary';

/** Rows painted before the rest of a large log is read. */
export const FIRST_PAGE = 200;

export interface LiveSource {
  subscribe(tabId: number, onRows: (rows: RowSummary[]) => void): () => void;
  load(seq: number): Promise<StoredExchange | undefined>;
  /** Every tab id that holds calls (closed tabs and no tab included), live. */
  tabs(onTabs: (tabs: TabSummary[]) => void): () => void;
}

export function dexieSource(db: CorscopeDB = new CorscopeDB()): LiveSource {
  return {
    subscribe(tabId, onRows) {
      let rows: RowSummary[] = [];
      /** The chunks `rows` came from, by key, with their sizes then: one that shrank or went took rows. */
      let held = new Map<number, number>();
      let last = 0;
      let closed = false;
      let live: { unsubscribe(): void } | null = null;
      /** The tab's rows after seq `from` in `chunks`, added to `into`. */
      const take = (chunks: ListChunk[], from: number, into: RowSummary[]): RowSummary[] => {
        for (const chunk of chunks) {
          const before = into.length;
          for (const r of chunk.rows) if (r.tabId === tabId && r.seq > from) into.push(r);
          if (into.length > before) held.set(chunk.first, chunk.n);
        }
        return into;
      };
      const tabChunks = () => db.lists.where('tabs').equals(tabId);
      const readAll = async (): Promise<RowSummary[]> => {
        held = new Map();
        return take(await tabChunks().toArray(), 0, []);
      };
      // First paint: the first rows at once, then the whole log, then only what changes.
      void (async () => {
        const first: RowSummary[] = [];
        await tabChunks()
          .until(() => first.length >= FIRST_PAGE)
          .each((chunk) => {
            take([chunk], 0, first);
          });
        if (closed) return;
        rows = first;
        onRows(rows);
        if (first.length >= FIRST_PAGE) {
          rows = await readAll();
          if (closed) return;
          onRows(rows);
        }
        last = rows[rows.length - 1]?.seq ?? 0;
        // Watch for changes once the first rows are on screen.
        await new Promise((r) => setTimeout(r, 0));
        if (closed) return;
        live = liveQuery(async () => {
          // The chunks' keys and sizes show every deletion (a clear, retention); new rows come after `last`.
          const [sizes, fresh] = await Promise.all([
            db.lists.orderBy('[first+n]').keys(),
            db.lists.where('last').above(last).toArray(),
          ]);
          return { sizes: sizes as unknown as [number, number][], fresh };
        }).subscribe({
          next: async ({ sizes, fresh }) => {
            if (closed) return;
            const now = new Map(sizes);
            if ([...held].every(([first, size]) => now.get(first) === size)) {
              const more = take(fresh, last, []);
              if (!more.length) return;
              rows = rows.concat(more);
            } else {
              // Rows went away (cleared, or dropped by retention): read the tab again.
              rows = await readAll();
            }
            last = rows[rows.length - 1]?.seq ?? last;
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
    tabs(onTabs) {
      const live = liveQuery(async () => {
        const rows: RowSummary[] = [];
        await db.lists.each((chunk) => {
          rows.push(...chunk.rows);
        });
        return tabSummaries(rows);
      }).subscribe({ next: onTabs, error: () => {} });
      return () => live.unsubscribe();
    },
  };
}
