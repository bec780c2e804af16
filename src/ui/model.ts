// What the UI shows and what it takes: row summaries, the data interfaces the apps get as props, filters.
// No browser APIs here: the glue in extension/ implements PanelSource and Commands.
import type { CaptureInfo, StoredExchange } from '../capture/types';
import type { PreflightState, VerdictKind } from '../cors/types';
import type { Settings } from '../messaging/protocol';

export type { Settings };

/** One line of the list: what the columns and filters need, computed once per stored row. */
export interface RowSummary {
  seq: number;
  /** The exchange id (a cached preflight names the call that filled the cache by it). */
  id: string;
  tabId: number;
  time: number;
  method: string;
  url: string;
  initiator: string;
  status: number | null;
  verdict: VerdictKind;
  preflight: PreflightState;
  /** A few words: for a blocked call Chromium's error in plain words; '' for an allowed one. */
  reason: string;
  /** Chromium's CorsError name, or null. */
  chromium: string | null;
  engine: CaptureInfo['engine'];
  /** The origin of `url` ('' when it does not parse). */
  origin: string;
  /** Lower-case URL and reason, for the text filter. */
  search: string;
}

export interface PanelSource {
  /** Calls onRows with the tab's rows in capture order, again after every change (a clear included). */
  subscribe(tabId: number, onRows: (rows: RowSummary[]) => void): () => void;
  load(seq: number): Promise<StoredExchange | undefined>;
}

export interface Commands {
  clear(tabId?: number): Promise<void>;
  exportJsonl(tabId?: number): Promise<string>;
  getSettings(): Promise<Settings>;
  setSettings(patch: Partial<Settings>): Promise<Settings>;
}

// Chromium's CorsError names (without the Preflight prefix) in a few plain words.
const REASONS: Record<string, (p: string | null) => string> = {
  MissingAllowOriginHeader: () => 'no Access-Control-Allow-Origin',
  AllowOriginMismatch: (p) =>
    p ? `Access-Control-Allow-Origin is ${p}` : 'Access-Control-Allow-Origin names another origin',
  MultipleAllowOriginValues: () => 'several Access-Control-Allow-Origin values',
  InvalidAllowOriginValue: () => 'invalid Access-Control-Allow-Origin',
  WildcardOriginNotAllowed: () => 'wildcard origin with credentials',
  InvalidAllowCredentials: () => "Access-Control-Allow-Credentials is not 'true'",
  CorsDisabledScheme: () => 'scheme not allowed for CORS',
  DisallowedByMode: () => 'cross-origin not allowed by mode',
  InvalidResponse: () => 'invalid response',
  InvalidStatus: () => 'preflight status not ok',
  DisallowedRedirect: () => 'preflight redirected',
  InvalidAllowMethodsPreflightResponse: () => 'unparsable Access-Control-Allow-Methods',
  InvalidAllowHeadersPreflightResponse: () => 'unparsable Access-Control-Allow-Headers',
  MethodDisallowedByPreflightResponse: (p) => `method ${p ? `${p} ` : ''}not in Access-Control-Allow-Methods`,
  HeaderDisallowedByPreflightResponse: (p) => `header ${p ? `${p} ` : ''}not in Access-Control-Allow-Headers`,
  RedirectContainsCredentials: () => 'redirect URL has credentials',
};

/** Chromium's error name in plain words, e.g. "MissingAllowOriginHeader" → "no Access-Control-Allow-Origin". */
export function plainReason(chromium: string, param: string | null): string {
  const preflight = chromium.startsWith('Preflight');
  const base = preflight ? chromium.slice('Preflight'.length) : chromium;
  const words = REASONS[base]?.(param) ?? base.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return preflight && !words.startsWith('preflight') ? `preflight: ${words}` : words;
}

export function originOfUrl(url: string): string {
  try {
    const o = new URL(url).origin;
    return o === 'null' ? '' : o;
  } catch {
    return '';
  }
}

function reasonOf(row: StoredExchange): string {
  const ev = row.evaluation;
  if (ev.verdict === 'blocked' && ev.error?.chromium)
    return plainReason(ev.error.chromium, ev.error.failedParameter);
  if (ev.verdict === 'blocked' || ev.verdict === 'network-error') {
    // "Network error: No response arrived (connection refused, …)." → "No response arrived"
    const s = ev.summary.replace(/^[A-Za-z -]+: /, '');
    return s.split(/ \(|, |\. /)[0]!.replace(/\.$/, '');
  }
  return '';
}

export function summarize(row: StoredExchange): RowSummary {
  const reason = reasonOf(row);
  return {
    seq: row.seq ?? 0,
    id: row.exchange.id,
    tabId: row.tabId,
    time: row.time,
    method: row.method,
    url: row.url,
    initiator: row.initiator,
    status: row.status,
    verdict: row.verdict,
    preflight: row.preflight,
    reason,
    chromium: row.evaluation.error?.chromium ?? null,
    engine: row.exchange.capture?.engine ?? 'chromium',
    origin: originOfUrl(row.url),
    search: `${row.url}\n${reason}`.toLowerCase(),
  };
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
