// What the UI shows and what it takes: row summaries, the data interfaces the apps get as props, filters.
// No browser APIs here: the glue in extension/ implements PanelSource and Commands.

import { hostOf, siteHosts, siteMatcher } from '../capture/sites';
import type { VerdictKind } from '../cors/types';
import type { ExportFormat, Settings, StatusResponse } from '../messaging/protocol';
import type { StoredExchange } from '../store/row';
import type { RowSummary, TabSummary } from '../store/summary';

export { plainReason } from '../cors/catalog';
export { VERDICT_KINDS } from '../cors/types';
export { listOrigin, type RowSummary, summarize, type TabSummary, tabSummaries } from '../store/summary';
export type { ExportFormat, Settings, StatusResponse };

/** webRequest's tab id for calls made by no tab: service workers, and others the browser gives no tab. */
export const NO_TAB = -1;

export interface PanelSource {
  /** Calls onRows with the tab's rows in capture order, again after every change (a clear included). */
  subscribe(tabId: number, onRows: (rows: RowSummary[]) => void): () => void;
  load(seq: number): Promise<StoredExchange | undefined>;
  /** Calls onTabs with every tab id that holds calls, again after every change. */
  tabs(onTabs: (tabs: TabSummary[]) => void): () => void;
}

/** Export progress: rows written, of how many. */
export type Progress = (done: number, total: number) => void;

export interface Commands {
  clear(tabId?: number): Promise<void>;
  /** JSON Lines, HAR 1.2 JSON and the Markdown report of a tab (all tabs when absent), in capture order. */
  exportJsonl(tabId?: number): Promise<string>;
  exportHar(tabId?: number): Promise<string>;
  exportMarkdown(tabId?: number): Promise<string>;
  /** The export of a tab (all tabs when absent) as a file, built in pieces: any size. */
  exportFile(format: ExportFormat, tabId?: number, onProgress?: Progress): Promise<Blob>;
  getSettings(): Promise<Settings>;
  setSettings(patch: Partial<Settings>): Promise<Settings>;
  /** The store's status (errors, rows dropped, rows stored) and the settings. */
  status(): Promise<StatusResponse>;
}

export interface Filters {
  blockedOnly?: boolean;
  /** Only the calls the Local Network Access check stopped. */
  localNetworkOnly?: boolean;
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
  const lna = f.localNetworkOnly ?? false;
  if (!text && !verdict && !method && !origin && !lna) return rows.slice();
  const out: RowSummary[] = [];
  for (const r of rows) {
    if (lna && !r.localNetwork) continue;
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

/**
 * What the pages say about "Capture on: only these sites" for a page (null: nothing to say): that nothing is
 * captured when no site is listed, and when the page's own site is not listed, that only its calls to the
 * listed sites are.
 */
export function captureScopeNote(settings: Settings | null, pageUrl: string | null): string | null {
  if (settings?.captureOn !== 'listed') return null;
  const hosts = siteHosts(settings.captureSites);
  if (!hosts.length)
    return 'Capture is on only for the sites listed in the settings, and none is listed: nothing is captured.';
  if (pageUrl === null || siteMatcher(hosts)(pageUrl)) return null;
  return `This page (${hostOf(pageUrl) || pageUrl}) is outside the sites capture is on (${hosts.join(', ')}): only its calls to those sites are captured.`;
}
