// The HAR dialects users have, and what each one's entries can say. Every writer follows HAR 1.2 and adds
// its own fields; what matters for CORS is what it records of the browser's outcome and of the headers sent.
//
// - Chrome DevTools ("WebInspector", also Edge): `_resourceType`, `_initiator` {type, url}, preflights as
//   entries of their own, `response._error` for a failed request (status 0 when no response arrived),
//   `response._fetchedViaServiceWorker`. Request headers are "provisional" (the page's own, without Origin,
//   Sec-Fetch-*, Accept-Encoding) when the request never reached the network stack.
// - chrome-har (sitespeed.io, Browsertime): `_resourceType` lower-case, `_initiator` a URL string with
//   `_initiator_type`, `response.fromServiceWorker`; request headers of requestWillBeSent and of its ExtraInfo
//   concatenated (the same header twice, in two cases); failed requests (CORS ones included) are left out.
// - WebPagetest: `_initiator` string, request lines among the headers in some versions.
// - Firefox: no resource type, `_securityState`; a CORS-blocked response is recorded like an allowed one. A
//   request with no response (stopped by its preflight, failed, or still waiting when the file was saved) has
//   status 0 and no headers; older versions (66, 67) leave `response` out of such an entry instead.
// - Safari / WebKit ("WebKit Web Inspector"): `_fetchType` ("Network Load", "Memory Cache", "Disk Cache",
//   "Service Worker"), `response._error`; the page's title is its URL.
// - Playwright (recordHar): `_frameref`, `response._failureText`, status -1 when no response arrived.
// - Proxies (Charles, Fiddler, mitmproxy, HTTP Toolkit, BrowserMob Proxy): the headers as they crossed the wire,
//   no pages (or pages that are not documents); the proxy never learns what the browser decided, nor, for a
//   request it recorded with no response (its own connection failed), what it sent the browser. mitmproxy
//   marks a WebSocket `_resourceType: "websocket"` with `_webSocketMessages`. BrowserMob Proxy (Selenium test
//   runs) writes `response._error` for a connection it could not make itself ("Unable to connect to host").
import type { Header } from '../cors/types';
import type { HarMeta } from './json-stream';

export type HarDialect =
  | 'corscope'
  | 'chrome-devtools'
  | 'chrome-har'
  | 'webpagetest'
  | 'firefox'
  | 'webkit'
  | 'playwright'
  | 'charles'
  | 'fiddler'
  | 'mitmproxy'
  | 'http-toolkit'
  | 'browsermob'
  | 'unknown';

export interface DialectTraits {
  /** Written by a proxy: it saw the wire, not the browser's decisions. */
  proxy: boolean;
  /** A request the browser failed (CORS included) is in the file with its error: no error means success. */
  recordsFailures: boolean;
  /** Chrome's family: request headers may be provisional (see originRecorded). */
  provisionalHeaders: boolean;
  /** An entry without `response` is a request no response arrived for (status 0, no headers), not bad input. */
  omitsNoResponse: boolean;
}

const TRAITS: Record<HarDialect, DialectTraits> = {
  corscope: { proxy: false, recordsFailures: true, provisionalHeaders: false, omitsNoResponse: false },
  'chrome-devtools': {
    proxy: false,
    recordsFailures: true,
    provisionalHeaders: true,
    omitsNoResponse: false,
  },
  // chrome-har leaves failed requests out: those in the file succeeded (or were aborted by the page).
  'chrome-har': { proxy: false, recordsFailures: true, provisionalHeaders: true, omitsNoResponse: false },
  webpagetest: { proxy: false, recordsFailures: false, provisionalHeaders: true, omitsNoResponse: false },
  firefox: { proxy: false, recordsFailures: false, provisionalHeaders: false, omitsNoResponse: true },
  webkit: { proxy: false, recordsFailures: true, provisionalHeaders: false, omitsNoResponse: false },
  // A request that failed before its response keeps the page's provisional headers.
  playwright: { proxy: false, recordsFailures: true, provisionalHeaders: true, omitsNoResponse: false },
  charles: { proxy: true, recordsFailures: false, provisionalHeaders: false, omitsNoResponse: false },
  fiddler: { proxy: true, recordsFailures: false, provisionalHeaders: false, omitsNoResponse: false },
  mitmproxy: { proxy: true, recordsFailures: false, provisionalHeaders: false, omitsNoResponse: false },
  'http-toolkit': { proxy: true, recordsFailures: false, provisionalHeaders: false, omitsNoResponse: false },
  browsermob: { proxy: true, recordsFailures: false, provisionalHeaders: false, omitsNoResponse: false },
  unknown: { proxy: false, recordsFailures: false, provisionalHeaders: true, omitsNoResponse: false },
};

export const dialectTraits = (d: HarDialect): DialectTraits => TRAITS[d];

const CREATORS: [RegExp, HarDialect][] = [
  [/^corscope/i, 'corscope'],
  [/^webinspector$/i, 'chrome-devtools'],
  [/^chrome-har/i, 'chrome-har'],
  [/webpagetest/i, 'webpagetest'],
  [/firefox/i, 'firefox'],
  [/^webkit/i, 'webkit'],
  [/^playwright/i, 'playwright'],
  [/charles/i, 'charles'],
  [/fiddler/i, 'fiddler'],
  [/mitmproxy/i, 'mitmproxy'],
  [/http ?toolkit/i, 'http-toolkit'],
  [/browsermob/i, 'browsermob'],
];

/** The writer of a HAR, by its `log.creator` (else `log.browser`) name. */
export function harDialect(meta: HarMeta): HarDialect {
  for (const who of [meta.creator, meta.browser]) {
    const name = who !== null && typeof who === 'object' ? (who as { name?: unknown }).name : undefined;
    if (typeof name !== 'string') continue;
    for (const [re, d] of CREATORS) if (re.test(name.trim())) return d;
  }
  return 'unknown';
}

// https://httpwg.org/specs/rfc9110.html#fields.names: a field name is a token.
/**
 * Lines some writers list among the headers that are not headers: HTTP/2 pseudo-headers (":authority"),
 * and the request or status line ("GET /x HTTP/1.1", "HTTP/1.1 200 OK"). Any other name that is not a
 * token is bad input, which the import reports (./har-checks.ts).
 */
const NOT_A_HEADER = /^:|^[A-Z]+ \S+ HTTP\/\d(\.\d)?$|^HTTP\/\d(\.\d)? \d{3}\b/;

/**
 * A request's headers as the browser sent them: no HTTP/2 pseudo-headers, no request line some writers list
 * as a header ("GET /x HTTP/1.1"), and each name once. A browser never sends a request header twice; a
 * writer that merged two views of the request (chrome-har: the page's and the network's, in two cases)
 * lists it twice, and the later one (the network's) is what crossed the wire.
 */
export function requestHeadersSent(headers: readonly Header[]): Header[] {
  const out: Header[] = [];
  let seen: Map<string, number> | null = null;
  for (const h of headers) {
    if (NOT_A_HEADER.test(h[0])) continue;
    const lower = h[0].toLowerCase();
    seen ??= new Map();
    const at = seen.get(lower);
    if (at === undefined) {
      seen.set(lower, out.length);
      out.push(h);
    } else out[at] = h;
  }
  return out;
}

/** A response's headers: the pseudo-headers and lines that are not headers dropped; repeats kept (they matter). */
export function responseHeadersReceived(headers: readonly Header[]): Header[] {
  let clean = true;
  for (const h of headers) if (NOT_A_HEADER.test(h[0])) clean = false;
  return clean ? (headers as Header[]) : headers.filter((h) => !NOT_A_HEADER.test(h[0]));
}

/** Headers only the network stack adds: a list without any of them is the page's provisional one. */
const NETWORK_ADDED = ['accept-encoding', 'sec-fetch-mode', 'host', 'connection'];

/** Whether an Origin header the browser sent would be among these request headers. */
export function originRecorded(raw: readonly Header[], hadPseudo: boolean, traits: DialectTraits): boolean {
  if (!traits.provisionalHeaders || hadPseudo) return true;
  for (const [name] of raw) if (NETWORK_ADDED.includes(name.toLowerCase())) return true;
  return false;
}
