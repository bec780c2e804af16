// What pairing builds a call from: the call and the preflight as they wait in pairing, the key that finds
// a preflight's call (computed here and nowhere else), and the small readings of events every part shares.
import { getCombined, requestedHeaderNames } from '../../cors/headers';
import { browserAddedHeaderName, corsUnsafeRequestHeaderNames } from '../../cors/safelist';
import type { Engine, Header, WireEntry } from '../../cors/types';
import type { RequestEvent } from '../events';

/** A finished preflight waits this long (in event time) for its request before it stands alone. */
export const ORPHAN_MS = 5_000;
/** A call with its response headers but no end after this long is emitted on what it has. */
export const STALLED_MS = 30_000;

/** Errors of a call the browser never sent, or cancelled before any answer: not a decision CORS made. */
export const NOT_SENT = new Set(['net::ERR_ABORTED', 'net::ERR_CACHE_MISS', 'NS_BINDING_ABORTED']);
/** The error a browser gives for a call CORS stopped: Chromium's says nothing more; nor does Firefox's. */
export const CORS_FAILED = new Set(['net::ERR_FAILED', 'NS_ERROR_DOM_BAD_URI']);

/** What the browser reported about a call's end: undefined when it reported nothing that decides. */
export type Outcome = 'success' | 'error' | undefined;

/** Where a request was made: webRequest gives a preflight the same four as its request. */
export interface Place {
  tabId: number;
  frameId: number;
  documentId: string | null;
  /** Serialized origin of the requesting document or worker, as webRequest gives it. */
  initiator: string;
}

/** A call in flight: its request, every hop with the preflight sent for it, and what is known missing. */
export interface Call extends Place {
  requestId: string;
  resourceType: string;
  method: string;
  url: string;
  wire: WireEntry[];
  start: number;
  last: number;
  ambiguous: boolean;
  recovered: boolean;
  missing: string[];
  netError?: string;
  headersLost?: boolean;
  /** Chromium: event time of the final answer the call settles on, if no error follows it. */
  answered?: number;
  /**
   * Capture is on only for some sites (../sites.ts), and part of the call went elsewhere, out of sight:
   * "entered" from a hop on another site, or "left" by a redirect to another site.
   */
  outside?: 'entered' | 'left';
}

/** A preflight in flight, or finished and waiting for its request. */
export interface Preflight extends Place {
  requestId: string;
  /** pairingKey() of the request it was sent for. */
  key: string;
  /** Access-Control-Request-Headers as the browser sent it, normalized (sorted, lower-case). */
  acrh: string;
  acrm: string;
  resourceType: string;
  entry: WireEntry;
  /** Event time it finished (or started, while in flight). */
  time: number;
  /** Another preflight with the same key was in flight or waiting at the same time. */
  concurrent: boolean;
  recovered: boolean;
}

/** The method part of the key when it is not known (a preflight whose send a stopped worker saw). */
export const ANY_METHOD = '';

/**
 * The pairing key: nothing links a preflight to its request in webRequest, so a preflight is found by where
 * it was made and what it asks for (the URL, and in Access-Control-Request-Method the request's method).
 */
export function pairingKey(place: Place, url: string, method: string): string {
  return `${place.tabId}\u0001${place.frameId}\u0001${place.documentId ?? ''}\u0001${place.initiator}\u0001${method}\u0001${url}`;
}

/**
 * The preflight an event shows: sent (its request headers say what it asks for), or only answered (a
 * stopped worker saw it sent: what it asked for is unknown, its key has no method).
 */
export function newPreflight(ev: RequestEvent, sent: boolean): Preflight {
  const headers = sent ? (ev.headers ?? []) : [];
  const acrm = askedMethod(headers);
  return {
    requestId: ev.requestId,
    key: pairingKey(ev, ev.url, sent ? acrm : ANY_METHOD),
    acrm,
    acrh: askedHeaders(headers),
    tabId: ev.tabId,
    frameId: ev.frameId,
    documentId: ev.documentId,
    initiator: ev.initiator,
    resourceType: ev.resourceType,
    entry: {
      type: 'preflight',
      request: { method: ev.method, url: ev.url, headers },
      response: sent ? null : { status: ev.status ?? 0, headers: ev.headers ?? [] },
      time: ev.time,
    },
    time: ev.time,
    concurrent: false,
    recovered: !sent,
  };
}

/** A CORS preflight: OPTIONS with Access-Control-Request-Method. */
export function isPreflight(ev: RequestEvent): boolean {
  return ev.method === 'OPTIONS' && getCombined(ev.headers, 'access-control-request-method') !== null;
}

/** The method a preflight asks for (Access-Control-Request-Method). */
export function askedMethod(headers: Header[]): string {
  return getCombined(headers, 'access-control-request-method') ?? '';
}

/** The header names a preflight asks for (Access-Control-Request-Headers), normalized: sorted, lower-case. */
export function askedHeaders(headers: Header[]): string {
  return requestedHeaderNames(headers)
    .map((n) => n.toLowerCase())
    .sort()
    .join(',');
}

/** The unsafe header names the browser would list for a request sent with these headers. */
export function unsafeNamesOf(headers: Header[], engine: Engine = 'chromium'): string {
  const own = headers.filter((h) => !browserAddedHeaderName(h[0].toLowerCase()));
  return corsUnsafeRequestHeaderNames(own, engine).names.join(',');
}

/** A hop answered with a redirect the browser follows (a 3xx with Location, as webRequest reports them). */
export function isRedirect(entry: WireEntry | undefined): boolean {
  const r = entry?.response;
  return !!r && r.status >= 300 && r.status < 400 && getCombined(r.headers, 'location') !== null;
}

/** The call's current hop: the last entry of its wire. */
export function currentHop(call: Call): WireEntry | undefined {
  return call.wire[call.wire.length - 1];
}

export function newCall(ev: RequestEvent): Call {
  return {
    requestId: ev.requestId,
    tabId: ev.tabId,
    frameId: ev.frameId,
    documentId: ev.documentId,
    initiator: ev.initiator,
    resourceType: ev.resourceType,
    method: ev.method,
    url: ev.url,
    wire: [],
    start: ev.time,
    last: ev.time,
    ambiguous: false,
    recovered: false,
    missing: [],
  };
}

/** A request hop as sent (no answer yet). */
export function requestEntry(ev: RequestEvent, headers: Header[] = []): WireEntry {
  return {
    type: 'request',
    request: { method: ev.method, url: ev.url, headers },
    response: null,
    time: ev.time,
  };
}

/** A call made of a preflight alone: its request never came (blocked, or lost). */
export function loneCall(pf: Preflight): Call {
  return {
    requestId: pf.requestId,
    tabId: pf.tabId,
    frameId: pf.frameId,
    documentId: pf.documentId,
    initiator: pf.initiator,
    resourceType: pf.resourceType,
    method: pf.acrm || 'GET',
    url: pf.entry.request.url,
    wire: [pf.entry],
    start: pf.entry.time ?? pf.time,
    last: pf.time,
    ambiguous: pf.concurrent,
    recovered: pf.recovered,
    missing: [],
  };
}
