// The list's view of a stored row: what the columns and filters need, small enough to load 50,000 at once.
// Written with the rows of each write (its ListChunk in table `lists`, see db.ts), so the panel never reads
// full rows to draw its list.
import type { CaptureInfo } from '../capture/types';
import { isLocalNetworkKey, networkWords, plainReason } from '../cors/catalog';
import { networkFacts } from '../cors/sentence';
import type { PreflightState, Verdict, VerdictKind } from '../cors/types';
import type { StoredExchange } from './row';

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
  /** Stopped by the Local Network Access check (before CORS): a category of its own in the list. */
  localNetwork?: boolean;
  engine: CaptureInfo['engine'];
  /** The origin of `url` ('' when it does not parse). */
  origin: string;
  /** Lower-case URL and reason, for the text filter. */
  search: string;
}

/** The list's origin of a URL: its serialized origin, or '' when it has none (opaque, or not a URL). */
export function listOrigin(url: string): string {
  try {
    const o = new URL(url).origin;
    return o === 'null' ? '' : o;
  } catch {
    return '';
  }
}

/** The list's few words for a failed call, from the verdict's error and reason (the catalog's words). */
function listReason(ev: Verdict): string {
  if (ev.verdict === 'blocked' && ev.error?.chromium)
    return plainReason(ev.error.chromium, ev.error.failedParameter);
  if (ev.verdict !== 'blocked' && ev.verdict !== 'network-error') return '';
  const facts = networkFacts(ev);
  // A row stored before verdicts carried a reason: its sentence as it stands.
  return facts ? networkWords(facts) : ev.summary;
}

export function summarize(row: StoredExchange): RowSummary {
  const reason = listReason(row.evaluation);
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
    localNetwork: isLocalNetworkKey(row.evaluation.reason?.key ?? ''),
    engine: row.exchange.capture?.engine ?? 'chromium',
    origin: listOrigin(row.url),
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
