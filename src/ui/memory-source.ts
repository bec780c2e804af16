// An in-memory PanelSource (and Commands), no storage and no browser: the panel shows an imported HAR through
// it (PanelApp), and the UI tests drive the panel and the popup with it.

import { redactorOf } from '../capture/redact';
import { exportText, normalizeSettings } from '../messaging/protocol';
import type { StoredExchange } from '../store/row';
import {
  type Commands,
  type PanelSource,
  type RowSummary,
  type Settings,
  summarize,
  type TabSummary,
  tabSummaries,
} from './model';

export interface MemorySource extends PanelSource {
  /** Appends rows (numbering those without a seq) and notifies subscribers. */
  add(...rows: StoredExchange[]): void;
  /** Removes a tab's rows (all rows without a tab id) and notifies subscribers. */
  clear(tabId?: number): void;
  /** The stored rows of a tab (all rows without a tab id), in capture order. */
  all(tabId?: number): StoredExchange[];
}

export function memorySource(initial: StoredExchange[] = []): MemorySource {
  const rows: StoredExchange[] = [];
  const summaries: RowSummary[] = [];
  const listeners = new Set<{ tabId: number; onRows: (rows: RowSummary[]) => void }>();
  const tabListeners = new Set<(tabs: TabSummary[]) => void>();
  let next = 1;

  const notify = () => {
    for (const l of listeners) l.onRows(summaries.filter((s) => s.tabId === l.tabId));
    for (const l of tabListeners) l(tabSummaries(summaries));
  };
  const push = (row: StoredExchange) => {
    const seq = row.seq ?? next;
    next = Math.max(next, seq + 1);
    const stored = { ...row, seq };
    rows.push(stored);
    summaries.push(summarize(stored));
  };
  for (const r of initial) push(r);

  return {
    subscribe(tabId, onRows) {
      const l = { tabId, onRows };
      listeners.add(l);
      onRows(summaries.filter((s) => s.tabId === tabId));
      return () => listeners.delete(l);
    },
    async load(seq) {
      return rows.find((r) => r.seq === seq);
    },
    tabs(onTabs) {
      tabListeners.add(onTabs);
      onTabs(tabSummaries(summaries));
      return () => tabListeners.delete(onTabs);
    },
    add(...more) {
      for (const r of more) push(r);
      notify();
    },
    all(tabId) {
      return rows.filter((r) => tabId === undefined || r.tabId === tabId);
    },
    clear(tabId) {
      const keep = (t: number) => tabId !== undefined && t !== tabId;
      const kept = rows.filter((r) => keep(r.tabId));
      rows.length = 0;
      summaries.length = 0;
      for (const r of kept) push(r);
      notify();
    },
  };
}

/**
 * In-memory Commands over a memorySource: clear and export act on its rows, exports as the background's, with
 * the redaction list in force at export (`listInForce`: where the list is kept; by default these commands'
 * own settings), so rows read before a name was added leave without its value.
 */
export function memoryCommands(
  source: MemorySource,
  settings: Settings = normalizeSettings({}),
  listInForce?: () => Promise<Settings>,
): Commands {
  let current = { ...settings };
  const exported = async (tabId: number | undefined) => {
    const redact = redactorOf(listInForce ? await listInForce() : current);
    return source.all(tabId).map((row) => redact.derived(row));
  };
  return {
    async clear(tabId) {
      source.clear(tabId);
    },
    async exportJsonl(tabId) {
      return exportText(await exported(tabId), 'jsonl');
    },
    async exportHar(tabId) {
      return exportText(await exported(tabId), 'har');
    },
    async exportMarkdown(tabId) {
      return exportText(await exported(tabId), 'markdown');
    },
    async exportFile(format, tabId, onProgress) {
      const rows = await exported(tabId);
      onProgress?.(0, rows.length);
      const blob = new Blob([exportText(rows, format)]);
      onProgress?.(rows.length, rows.length);
      return blob;
    },
    async getSettings() {
      return { ...current };
    },
    async status() {
      const stored = source.all().length;
      return {
        ok: true,
        lastError: null,
        droppedRows: 0,
        pending: 0,
        stored,
        settings: { ...current },
        captureStartedAt: null,
      };
    },
    async setSettings(patch) {
      current = { ...current, ...patch };
      return { ...current };
    },
  };
}
