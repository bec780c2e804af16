// The seam between webRequest and pairing: one small, browser-neutral event shape.
// extension/background.ts turns Chromium's (or Firefox's) webRequest details into RequestEvents;
// pairing (./pairing.ts) is a pure state machine over them, tested with recorded event sequences.
import type { Engine, Header } from '../cors/types';

/** The webRequest events pairing can read, by the name of their listener. */
export type RawKind = 'onSendHeaders' | 'onHeadersReceived' | 'onCompleted' | 'onErrorOccurred';

/**
 * The events capture listens to in each browser: every listener costs every page. Chromium reports a call
 * CORS blocked with onErrorOccurred right after its headers, so a call answered with no error is allowed
 * (pairing settles it, see SETTLE_MS) and onCompleted is not needed. Firefox ends a blocked call in
 * onCompleted like an allowed one, and that is where pairing learns a call ended.
 */
export const LISTENED: Record<Engine, readonly RawKind[]> = {
  chromium: ['onSendHeaders', 'onHeadersReceived', 'onErrorOccurred'],
  firefox: ['onSendHeaders', 'onHeadersReceived', 'onCompleted', 'onErrorOccurred'],
};

/** webRequest details, narrowed to the fields we read (Chromium and Firefox shapes). */
export interface RawDetails {
  requestId: string;
  url: string;
  method: string;
  tabId: number;
  frameId: number;
  /** Chromium 106+. */
  documentId?: string;
  /** Chromium: "prerender" for a page loading in the background under the tab's id. */
  documentLifecycle?: string;
  /** Chromium: the serialized origin of the initiator ("null" if opaque). */
  initiator?: string;
  /** Firefox: the URLs of the requesting document and of its top document. */
  originUrl?: string;
  documentUrl?: string;
  type: string;
  timeStamp: number;
  requestHeaders?: { name: string; value?: string; binaryValue?: ArrayLike<number> }[];
  responseHeaders?: { name: string; value?: string; binaryValue?: ArrayLike<number> }[];
  statusCode?: number;
  error?: string;
  fromCache?: boolean;
}

export interface RequestEvent {
  kind: 'send' | 'response' | 'complete' | 'error';
  requestId: string;
  url: string;
  method: string;
  tabId: number;
  frameId: number;
  documentId: string | null;
  /** Serialized origin of the requesting document or worker; "null" if opaque; "" if unknown. */
  initiator: string;
  /** webRequest's resource type: "xmlhttprequest", "image", "font", "script", "stylesheet", ... */
  resourceType: string;
  time: number;
  /** send: the request headers as sent; response: the response headers (sensitive values redacted). */
  headers?: Header[];
  /** response, complete: the status code. */
  status?: number;
  /** error: the browser's error string ("net::ERR_FAILED"). */
  error?: string;
}
