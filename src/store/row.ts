// What the store keeps: one row per evaluated call, with the fields the UI filters on, and per tab the counts
// of the calls that are not CORS calls. Capture (src/capture/controller.ts) and HAR import
// (src/ui/import-har.ts) build rows with toRow.
import type { CapturedExchange } from '../capture/types';
import type { PreflightState, Verdict, VerdictKind } from '../cors/types';

/** One row in IndexedDB: the exchange, its verdict, and the fields the UI filters on. */
export interface StoredExchange {
  /** Auto-increment primary key: capture order. */
  seq?: number;
  tabId: number;
  time: number;
  verdict: VerdictKind;
  preflight: PreflightState;
  method: string;
  url: string;
  initiator: string;
  /** Status of the final response; null when none arrived. */
  status: number | null;
  exchange: CapturedExchange;
  evaluation: Verdict;
}

/** Per-tab counts of the calls that are not CORS calls (stored as counts, not in full). */
export interface TabCounts {
  tabId: number;
  sameOrigin: number;
  /** Not governed by CORS (navigations, no-cors loads, WebSockets, ...), and those the evidence cannot class. */
  noCors: number;
}

/** The row of an evaluated exchange. */
export function toRow(ex: CapturedExchange, evaluation: Verdict): StoredExchange {
  let status: number | null = null;
  for (let i = ex.wire.length - 1; i >= 0; i--) {
    const r = ex.wire[i]!.response;
    if (r) {
      status = r.status;
      break;
    }
  }
  return {
    tabId: ex.capture.tabId,
    time: ex.time,
    verdict: evaluation.verdict,
    preflight: evaluation.preflight,
    method: ex.request.method,
    url: ex.request.url,
    initiator: ex.initiator,
    status,
    exchange: ex,
    evaluation,
  };
}
