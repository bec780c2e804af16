// What the UI shows and what it takes: row summaries, the data interfaces the apps get as props, filters.
// No browser APIs here: the glue in extension/ implements PanelSource and Commands.
import type { StoredExchange } from '../capture/types';
import type { VerdictKind } from '../cors/types';
import type { ExportFormat, Settings } from '../messaging/protocol';
import type { RowSummary } from '../store/summary';

export { originOfUrl, plainReason, type RowSummary, summarize } from '../store/summary';
export type { ExportFormat, Settings };

export interface PanelSource {
  /** Calls onRows with the tab's rows in capture order, again after every change (a clear included). */
  subscribe(tabId: number, onRows: (rows: RowSummary[]) => void): () => void;
  load(seq: number): Promise<StoredExchange | undefined>;
}

export interface Commands {
  clear(tabId?: number): Promise<void>;
  /** JSON Lines, HAR 1.2 JSON and the Markdown report of a tab (all tabs when absent), in capture order. */
  exportJsonl(tabId?: number): Promise<string>;
  exportHar(tabId?: number): Promise<string>;
  exportMarkdown(tabId?: number): Promise<string>;
  getSettings(): Promise<Settings>;
  setSettings(patch: Partial<Settings>): Promise<Settings>;
  /** When capture began listening in this browser session; null when unknown (an import has none). */
  captureStartedAt?(): Promise<number | null>;
}

/** The export of a tab in one format. */
export function exportAs(commands: Commands, format: ExportFormat, tabId?: number): Promise<string> {
  if (format === 'har') return commands.exportHar(tabId);
  if (format === 'markdown') return commands.exportMarkdown(tabId);
  return commands.exportJsonl(tabId);
}

export interface Filters {
  blockedOnly?: boolean;
  /** '' or undefined: any verdict. */
  verdict?: VerdictKind | '';
  /** Matched case-insensitively against the URL and the reason. */
  text?: string;
  method?: string;
  origin?: string;
}

export function filterRows(rows: readonly RowSummary[], f: Filters): RowSummary[] {
  const text = f.text?.trim().toLowerCase() ?? '';
  const verdict = f.blockedOnly ? 'blocked' : f.verdict || '';
  if (f.blockedOnly && f.verdict && f.verdict !== 'blocked') return [];
  const method = f.method ?? '';
  const origin = f.origin ?? '';
  if (!text && !verdict && !method && !origin) return rows.slice();
  const out: RowSummary[] = [];
  for (const r of rows) {
    if (verdict && r.verdict !== verdict) continue;
    if (method && r.method !== method) continue;
    if (origin && r.origin !== origin) continue;
    if (text && !r.search.includes(text)) continue;
    out.push(r);
  }
  return out;
}

/** The distinct values of one field, sorted: for the method and origin selects. */
export function distinct(rows: readonly RowSummary[], key: 'method' | 'origin'): string[] {
  const set = new Set<string>();
  for (const r of rows) if (r[key]) set.add(r[key]);
  return [...set].sort();
}

export const VERDICTS: VerdictKind[] = ['allowed', 'blocked', 'opaque', 'same-origin', 'network-error'];
