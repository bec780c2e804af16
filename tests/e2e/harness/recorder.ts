// Reads what the raw recorder extension (tests/e2e/recorder) saw: every chrome.webRequest event of six
// kinds, in delivery order, with the details Chromium passed to the listener.
import { resolve } from 'node:path';
import type { Worker } from 'playwright-core';

export const RECORDER_DIR = resolve(import.meta.dirname, '../recorder');

export type RecordedKind =
  | 'onBeforeRequest'
  | 'onSendHeaders'
  | 'onHeadersReceived'
  | 'onBeforeRedirect'
  | 'onCompleted'
  | 'onErrorOccurred';

/** chrome.webRequest details as delivered (a superset of src/capture/events.ts RawDetails). */
export interface RecordedDetails {
  requestId: string;
  url: string;
  method: string;
  tabId: number;
  frameId: number;
  parentFrameId?: number;
  documentId?: string;
  parentDocumentId?: string;
  documentLifecycle?: string;
  frameType?: string;
  initiator?: string;
  type: string;
  timeStamp: number;
  requestHeaders?: { name: string; value?: string }[];
  responseHeaders?: { name: string; value?: string }[];
  statusCode?: number;
  statusLine?: string;
  redirectUrl?: string;
  error?: string;
  fromCache?: boolean;
  ip?: string;
  [key: string]: unknown;
}

export interface RecordedEvent {
  kind: RecordedKind;
  details: RecordedDetails;
}

/** Removes and returns every event recorded so far. */
export function takeEvents(serviceWorker: Worker): Promise<RecordedEvent[]> {
  return serviceWorker.evaluate(() => (globalThis as unknown as { __take(): RecordedEvent[] }).__take());
}

/** The option lists each listener was registered with (and any Chromium rejected). */
export function registration(serviceWorker: Worker): Promise<Record<string, unknown>> {
  return serviceWorker.evaluate(
    () => (globalThis as unknown as { __registration: Record<string, unknown> }).__registration,
  );
}

const TERMINAL = new Set<RecordedKind>(['onCompleted', 'onErrorOccurred']);

/**
 * Collects events until every request that `keep` selects has ended (onCompleted or onErrorOccurred)
 * and nothing new arrived for `quietMs`, or until `timeoutMs`. Returns the kept events in order;
 * events `keep` rejects are dropped.
 */
export function collectEvents(
  serviceWorker: Worker,
  keep: (e: RecordedEvent) => boolean,
  opts: { quietMs?: number; timeoutMs?: number } = {},
): Promise<RecordedEvent[]> {
  return collectFrom(() => takeEvents(serviceWorker), keep, opts);
}

/** collectEvents over any source of recorded events (Firefox's recorder is read from one of its pages). */
export async function collectFrom(
  take: () => Promise<RecordedEvent[]>,
  keep: (e: RecordedEvent) => boolean,
  { quietMs = 300, timeoutMs = 10_000 } = {},
): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  const deadline = Date.now() + timeoutMs;
  let lastChange = Date.now();
  for (;;) {
    const batch = (await take()).filter(keep);
    if (batch.length) {
      events.push(...batch);
      lastChange = Date.now();
    }
    const open = new Set<string>();
    for (const e of events) {
      if (TERMINAL.has(e.kind)) open.delete(e.details.requestId);
      else if (e.kind === 'onBeforeRequest') open.add(e.details.requestId);
    }
    const now = Date.now();
    if ((open.size === 0 && now - lastChange >= quietMs) || now > deadline) return events;
    await new Promise((r) => setTimeout(r, 50));
  }
}
