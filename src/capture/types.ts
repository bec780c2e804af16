import type { Engine, Exchange } from '../cors/types';

/** What capture knows about a call beyond the exchange format. */
export interface CaptureInfo {
  tabId: number;
  frameId: number;
  documentId: string | null;
  /** webRequest's requestId of the actual request (or of the preflight, for a request never seen). */
  requestId: string;
  /** webRequest's resource type of the call. */
  resourceType: string;
  /** The engine the call ran in: its explanation is the one to show. */
  engine: Engine;
  /** Identical concurrent calls paired first-in-first-out: the preflight may belong to a twin. */
  ambiguous: boolean;
  /** Rebuilt after the service worker restarted: some events may be missing (see `missing`). */
  recovered: boolean;
  /** What is known to be missing from the recording, in plain words; null when complete. */
  missing: string | null;
  /** The response headers that decide the verdict were lost in a restart: the verdict is the browser's outcome only. */
  headersLost: boolean;
  /** The browser's error for the call ("net::ERR_FAILED", "net::ERR_CONNECTION_REFUSED"); null if none. */
  netError: string | null;
}

/** An exchange as capture builds it: the format of tests/fixtures/exchange/FORMAT.md plus `capture`. */
export interface CapturedExchange extends Exchange {
  time: number;
  capture: CaptureInfo;
}
