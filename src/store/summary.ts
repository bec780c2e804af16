// The list's view of a stored row: what the columns and filters need, small enough to load 50,000 at once.
// Written beside each exchange (table `summaries`), so the panel never reads full rows to draw its list.
import type { CaptureInfo, StoredExchange } from '../capture/types';
import type { PreflightState, VerdictKind } from '../cors/types';

/** One line of the list: what the columns and filters need, computed once per stored row. */
export interface RowSummary {
  seq: number;
  /** The exchange id (a cached preflight names the call that filled the cache by it). */
  id: string;
  /** webRequest's requestId of the call ('' when not captured live): finds it again after a restart. */
  requestId: string;
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
  const words =
    (Object.hasOwn(REASONS, base) ? REASONS[base]!(param) : null) ??
    base.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
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
    requestId: row.exchange.capture?.requestId ?? '',
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

/** The calls held for one tab id: a tab (open or closed), or no tab (-1: service workers and the like). */
export interface TabSummary {
  tabId: number;
  calls: number;
  blocked: number;
  /** The page's origin as its first call gave it. */
  initiator: string;
  /** The capture time of its last call. */
  last: number;
}

/** The tabs that hold calls, most recent first, from their rows' summaries. */
export function tabSummaries(
  rows: Iterable<Pick<RowSummary, 'tabId' | 'verdict' | 'initiator' | 'time'>>,
): TabSummary[] {
  const tabs = new Map<number, TabSummary>();
  for (const r of rows) {
    let t = tabs.get(r.tabId);
    if (!t) {
      t = { tabId: r.tabId, calls: 0, blocked: 0, initiator: r.initiator, last: r.time };
      tabs.set(r.tabId, t);
    }
    t.calls++;
    if (r.verdict === 'blocked') t.blocked++;
    t.last = Math.max(t.last, r.time);
  }
  return [...tabs.values()].sort((a, b) => b.last - a.last);
}
