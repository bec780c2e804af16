// Which calls CORS governs, decided once from the evidence a recording has, for capture and HAR import alike.
//
// CORS applies to a request whose mode is "cors" and whose URL (or a redirect) leaves the origin of the page
// or worker that made it (https://fetch.spec.whatwg.org/#main-fetch, "response tainting"). Everything else a
// page loads is not a CORS call: navigations (mode "navigate"), elements without `crossorigin` (mode
// "no-cors"), WebSocket handshakes (mode "websocket", https://websockets.spec.whatwg.org/#concept-websocket-establish),
// data: and blob: URLs (answered by the browser itself, https://fetch.spec.whatwg.org/#scheme-fetch), and
// requests a service worker answered (the page's request never reached the network; the worker's own fetch
// is the CORS call, https://fetch.spec.whatwg.org/#http-fetch step 4).
//
// Every recorded call ends in exactly one class:
// - "cors": a CORS call, to be judged allowed or blocked;
// - "same-origin": made in the page's own origin;
// - "not-governed": CORS does not apply (the reason says why);
// - "cannot-tell": the evidence does not say which (the reason says what is missing). Never judged, never
//   counted as blocked.
//
// The evidence, strongest first: the request's own words (Sec-Fetch-Mode, which Chromium and Firefox send on
// every request; Upgrade: websocket), a preflight (only CORS requests get one), the Origin header (browsers
// send it on every cross-origin CORS request, and on GET or HEAD only then), the recorder's resource type,
// then the page's origin as the recording gives it.
import { getCombined } from '../cors/headers';
import { isSerializedOrigin, normalizeOrigin, originOf, parseUrl, sameOrigin } from '../cors/origin';
import { forbiddenMethod } from '../cors/safelist';
import type { Header } from '../cors/types';

/** https://fetch.spec.whatwg.org/#concept-request-mode */
export type RequestMode = 'navigate' | 'same-origin' | 'no-cors' | 'cors' | 'websocket';

/** https://fetch.spec.whatwg.org/#concept-request-destination ("" is the empty destination: fetch, XHR). */
export type RequestDestination =
  | ''
  | 'audio'
  | 'audioworklet'
  | 'document'
  | 'embed'
  | 'font'
  | 'frame'
  | 'iframe'
  | 'image'
  | 'json'
  | 'manifest'
  | 'object'
  | 'paintworklet'
  | 'report'
  | 'script'
  | 'serviceworker'
  | 'sharedworker'
  | 'style'
  | 'track'
  | 'video'
  | 'webidentity'
  | 'worker'
  | 'xslt';

export type CallClass = 'cors' | 'same-origin' | 'not-governed' | 'cannot-tell';

/** Why a call is in its class. */
export type ClassReason =
  | 'cors'
  | 'same-origin'
  | 'navigation'
  | 'no-cors'
  | 'websocket'
  | 'scheme'
  | 'forbidden-method'
  | 'service-worker'
  | 'no-origin-header'
  | 'origin-unknown'
  | 'mode-unknown'
  | 'outcome-disagrees'
  | 'revalidated'
  /** A proxy's HAR: the proxy recorded no answer to a hop, so what the browser received is not in the file. */
  | 'proxy-no-answer';

export interface CallScope {
  class: CallClass;
  reason: ClassReason;
  /** The reason in one plain sentence. */
  text: string;
  /** The request mode, where the evidence says it. */
  mode: RequestMode | null;
  destination: RequestDestination | null;
  /** The origin of the page or worker that made the call, where the evidence says it. */
  origin: string | null;
}

/** One hop of a call as recorded: its URL and the request headers sent (null: not recorded). */
export interface HopEvidence {
  url: string;
  headers: readonly Header[] | null;
}

/** What a recording says about one call. */
export interface CallEvidence {
  method: string;
  /** Every request hop in order (the first is the request as issued; redirects follow). */
  hops: readonly HopEvidence[];
  /**
   * Whether an Origin header the browser sent would be in `hops[].headers`. False for DevTools' provisional
   * headers (the request's own headers before the network stack added its own).
   */
  originRecorded: boolean;
  /** A CORS preflight was recorded for the call. */
  preflight: boolean;
  /** The recorder's resource type (webRequest's `type`, DevTools' `_resourceType`, CDP's `type`), any case. */
  resourceType: string | null;
  /** The origin of the page or worker that made the call, as the recording gives it (null: not given). */
  pageOrigin: string | null;
  /** The URL of the page the call belongs to, when the recording gives it (a HAR page's URL). */
  pageUrl?: string | null;
  /** The final response's status (101: a WebSocket handshake); null when none arrived. */
  status: number | null;
  /** Answered by a service worker (DevTools' `_fetchedViaServiceWorker`, WebKit's `_fetchType`). */
  servedByServiceWorker?: boolean;
}

const MODES = new Set<RequestMode>(['navigate', 'same-origin', 'no-cors', 'cors', 'websocket']);

// Recorders' resource types → the destination they stand for (webRequest, CDP/DevTools, Playwright,
// Firefox's cause types); "" where the Fetch Standard's destination is the empty string.
const DESTINATION_OF_TYPE: Record<string, RequestDestination> = {
  main_frame: 'document',
  document: 'document',
  sub_frame: 'iframe',
  iframe: 'iframe',
  subdocument: 'iframe',
  frame: 'frame',
  stylesheet: 'style',
  style: 'style',
  script: 'script',
  module: 'script',
  image: 'image',
  imageset: 'image',
  img: 'image',
  font: 'font',
  media: 'video',
  texttrack: 'track',
  object: 'object',
  xmlhttprequest: '',
  xhr: '',
  fetch: '',
  eventsource: '',
  ping: '',
  beacon: '',
  csp_report: 'report',
  cspviolationreport: 'report',
  manifest: 'manifest',
  websocket: '',
};

const FETCH_DESTS = new Set<string>([
  '',
  'audio',
  'audioworklet',
  'document',
  'embed',
  'font',
  'frame',
  'iframe',
  'image',
  'json',
  'manifest',
  'object',
  'paintworklet',
  'report',
  'script',
  'serviceworker',
  'sharedworker',
  'style',
  'track',
  'video',
  'webidentity',
  'worker',
  'xslt',
]);

const lowerType = (t: string | null) => (t ? t.toLowerCase() : null);

/** The request's destination: Sec-Fetch-Dest, else what the recorder's resource type stands for. */
export function requestDestination(
  headers: readonly Header[] | null,
  resourceType: string | null,
): RequestDestination | null {
  const dest = getCombined(headers ?? undefined, 'sec-fetch-dest');
  if (dest !== null) {
    const d = dest === 'empty' ? '' : dest;
    if (FETCH_DESTS.has(d)) return d as RequestDestination;
  }
  const t = lowerType(resourceType);
  return t && t in DESTINATION_OF_TYPE ? DESTINATION_OF_TYPE[t]! : null;
}

const WEBSOCKET_TYPES = new Set(['websocket']);
const NAVIGATION_TYPES = new Set(['main_frame', 'sub_frame', 'document', 'iframe', 'subdocument', 'frame']);
// Only these APIs issue requests in mode "cors" whatever the page does: XHR, EventSource, and fonts (CSS
// Fonts: font fetches are CORS requests). fetch() may be "no-cors" or "same-origin" too.
const ALWAYS_CORS_TYPES = new Set(['xhr', 'eventsource', 'font']);

function isWebSocketScheme(url: string): boolean {
  const s = parseUrl(url)?.scheme;
  return s === 'ws:' || s === 'wss:';
}

/**
 * The request's mode (https://fetch.spec.whatwg.org/#concept-request-mode) as far as the evidence says it;
 * null when it does not.
 */
export function requestMode(ev: CallEvidence): RequestMode | null {
  const first = ev.hops[0];
  const headers = first?.headers ?? null;
  const type = lowerType(ev.resourceType);
  if (
    (first && isWebSocketScheme(first.url)) ||
    ev.status === 101 ||
    (type !== null && WEBSOCKET_TYPES.has(type)) ||
    getCombined(headers ?? undefined, 'upgrade')?.toLowerCase() === 'websocket'
  )
    return 'websocket';
  // A redirect keeps the mode; a later hop's headers may be recorded where the first's were provisional.
  const declared = firstHeader(ev, 'sec-fetch-mode');
  if (declared !== null && MODES.has(declared as RequestMode)) return declared as RequestMode;
  if (ev.preflight) return 'cors';
  if (type !== null && NAVIGATION_TYPES.has(type)) return 'navigate';
  if (first && ev.pageUrl && stripFragment(first.url) === stripFragment(ev.pageUrl)) return 'navigate';
  if (type !== null && ALWAYS_CORS_TYPES.has(type)) return 'cors';
  // Browsers send Origin with a GET or HEAD only in mode "cors" (and on WebSocket handshakes, above).
  const method = ev.method.toUpperCase();
  if ((method === 'GET' || method === 'HEAD') && firstHeader(ev, 'origin') !== null) return 'cors';
  return null;
}

/** The first value of a request header on any hop, in hop order. */
function firstHeader(ev: CallEvidence, name: string): string | null {
  for (const h of ev.hops) {
    const v = getCombined(h.headers ?? undefined, name);
    if (v !== null) return v;
  }
  return null;
}

/**
 * An EventSource's request, as the wire shows it: a GET whose only headers of its own are
 * Accept: text/event-stream and, on a reconnection, Last-Event-ID (measured in Chromium 156: webRequest gives
 * it type "xmlhttprequest", like fetch() and XHR, whose headers are alike). A fetch() that sets exactly that
 * Accept and nothing else looks the same; only the console line's first words depend on it.
 */
export function isEventSourceRequest(method: string, headers: readonly Header[] | null | undefined): boolean {
  if (method.toUpperCase() !== 'GET' || !headers) return false;
  let accept = false;
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (lower === 'accept') {
      if (value.trim().toLowerCase() !== 'text/event-stream') return false;
      accept = true;
    } else if (lower !== 'last-event-id' && !EVENTSOURCE_OTHERS.has(lower) && !lower.startsWith('sec-'))
      return false;
  }
  return accept;
}

// Headers an EventSource's request carries that the browser adds (Chromium, Firefox).
const EVENTSOURCE_OTHERS = new Set([
  'host',
  'connection',
  'origin',
  'referer',
  'user-agent',
  'accept-encoding',
  'accept-language',
  'cookie',
  'cache-control',
  'pragma',
  'priority',
  'te',
  'dnt',
]);

const stripFragment = (url: string) => {
  const i = url.indexOf('#');
  return i === -1 ? url : url.slice(0, i);
};

const HTTP_SCHEMES = new Set(['http:', 'https:', 'ws:', 'wss:']);

function scope(
  cls: CallClass,
  reason: ClassReason,
  text: string,
  mode: RequestMode | null,
  destination: RequestDestination | null,
  origin: string | null,
): CallScope {
  return { class: cls, reason, text, mode, destination, origin };
}

/** Every hop's URL is in `origin`. */
function allSameOrigin(ev: CallEvidence, origin: string): boolean {
  return ev.hops.every((h) => sameOrigin(origin, originOf(h.url)));
}

/**
 * The origin the call was made from, as recorded: the Origin header of its first hop when recorded (the
 * browser's own word), else the page's origin as the recording gives it; null when neither is known. Not yet
 * checked to be an origin.
 */
function recordedCallerOrigin(ev: CallEvidence): string | null {
  const sent = getCombined(ev.hops[0]?.headers ?? undefined, 'origin');
  if (sent !== null) return sent;
  if (ev.pageOrigin) return ev.pageOrigin;
  // A same-origin request redirected away: the first hop that left sent the page's origin.
  for (let i = 1; i < ev.hops.length; i++) {
    const later = getCombined(ev.hops[i]!.headers ?? undefined, 'origin');
    if (later !== null) return later;
  }
  return null;
}

/** The origin the call was made from, normalized; null when not known or not an origin. */
function callerOrigin(ev: CallEvidence): string | null {
  const raw = recordedCallerOrigin(ev);
  return raw !== null && isSerializedOrigin(raw) ? normalizeOrigin(raw) : null;
}

/** A later hop carries an Origin header and leaves the caller's origin: the chain became a CORS request. */
function corsAfterRedirect(ev: CallEvidence, origin: string | null): boolean {
  for (let i = 1; i < ev.hops.length; i++) {
    const h = ev.hops[i]!;
    if (getCombined(h.headers ?? undefined, 'origin') === null) continue;
    if (!origin || !sameOrigin(origin, originOf(h.url))) return true;
  }
  return false;
}

/** The class of one recorded call: whether CORS governs it, and why (see the top of this file). */
export function corsScope(ev: CallEvidence): CallScope {
  const first = ev.hops[0];
  const headers = first?.headers ?? null;
  const destination = requestDestination(headers, ev.resourceType);
  const url = first?.url ?? '';
  const scheme = parseUrl(url)?.scheme ?? url.slice(0, url.indexOf(':') + 1).toLowerCase();
  const page = ev.pageOrigin && isSerializedOrigin(ev.pageOrigin) ? normalizeOrigin(ev.pageOrigin) : null;
  if (!HTTP_SCHEMES.has(scheme)) {
    return scope(
      'not-governed',
      'scheme',
      `${scheme || 'This'} URL is answered by the browser itself; CORS applies only to HTTP(S) requests.`,
      null,
      destination,
      page,
    );
  }
  // https://fetch.spec.whatwg.org/#forbidden-method: no page can make a CONNECT, TRACE or TRACK request. A
  // proxy's HAR lists the HTTPS tunnels it opened as CONNECT entries.
  if (forbiddenMethod(ev.method)) {
    const method = ev.method.toUpperCase();
    return scope(
      'not-governed',
      'forbidden-method',
      `${method} is a forbidden method, which no page can use: a proxy's tunnel, not a CORS call.`,
      null,
      destination,
      page,
    );
  }
  const mode = requestMode(ev);
  if (mode === 'websocket') {
    return scope(
      'not-governed',
      'websocket',
      'A WebSocket handshake: CORS does not apply (the server checks the Origin header itself).',
      mode,
      destination,
      callerOrigin(ev),
    );
  }
  if (ev.servedByServiceWorker) {
    return scope(
      'not-governed',
      'service-worker',
      "Answered by the page's service worker, not the network: the worker's own request is the one CORS checks.",
      mode,
      destination,
      page,
    );
  }
  if (mode === 'navigate') {
    return scope(
      'not-governed',
      'navigation',
      `A navigation (${destination === 'iframe' || destination === 'frame' ? 'a frame' : 'a page'} loading): CORS does not apply.`,
      mode,
      destination,
      page,
    );
  }
  const raw = recordedCallerOrigin(ev);
  if (raw !== null && !isSerializedOrigin(raw)) {
    return scope(
      'cannot-tell',
      'origin-unknown',
      'The Origin recorded for this call is not an origin (scheme://host[:port], or "null"), so the page\'s origin is unknown and so is whether this request left it.',
      mode,
      destination,
      null,
    );
  }
  const origin = callerOrigin(ev);
  if (mode === 'no-cors') {
    if (origin && allSameOrigin(ev, origin))
      return scope('same-origin', 'same-origin', 'Same-origin request.', mode, destination, origin);
    return scope(
      'not-governed',
      'no-cors',
      'Loaded in mode "no-cors" (an element without a crossorigin attribute, or fetch with mode "no-cors"): CORS does not apply; the page cannot read the response.',
      mode,
      destination,
      origin,
    );
  }
  const sentOrigin = getCombined(headers ?? undefined, 'origin');
  if (mode === 'cors' || mode === 'same-origin' || sentOrigin !== null || ev.preflight) {
    if (sentOrigin === null && mode !== 'same-origin' && ev.originRecorded && !ev.preflight) {
      // Browsers send Origin on every cross-origin CORS request: without one it stayed in its own origin,
      // unless a redirect took it away (the hop that left carries Origin, or is known to be elsewhere).
      const left = corsAfterRedirect(ev, page) || (page !== null && !allSameOrigin(ev, page));
      if (!left) return scope('same-origin', 'same-origin', 'Same-origin request.', mode, destination, page);
    }
    if (origin === null) {
      return scope(
        'cannot-tell',
        'origin-unknown',
        "The page's origin is not in the recording (no Origin or Referer header, no page URL), so whether this request left it is unknown.",
        mode,
        destination,
        null,
      );
    }
    if (mode === null && sentOrigin !== null) {
      // Origin on a POST (or another method) is sent in every mode: a form, a beacon, a no-cors fetch.
      return scope(
        'cannot-tell',
        'mode-unknown',
        `The request mode was not recorded (no Sec-Fetch-Mode, no resource type): a ${ev.method.toUpperCase()} with an Origin header may be a CORS request, a form submission or a no-cors fetch.`,
        null,
        destination,
        origin,
      );
    }
    if (allSameOrigin(ev, origin) && origin !== 'null')
      return scope('same-origin', 'same-origin', 'Same-origin request.', mode, destination, origin);
    return scope('cors', 'cors', 'A CORS request.', mode ?? 'cors', destination, origin);
  }
  // Mode unknown and no Origin header.
  if (page && allSameOrigin(ev, page))
    return scope('same-origin', 'same-origin', 'Same-origin request.', null, destination, page);
  if (ev.originRecorded) {
    return scope(
      'not-governed',
      'no-origin-header',
      'Sent without an Origin header, which browsers add to every cross-origin CORS request: not a CORS call.',
      null,
      destination,
      page,
    );
  }
  return scope(
    'cannot-tell',
    page ? 'mode-unknown' : 'origin-unknown',
    page
      ? 'The request mode was not recorded and the recorded headers may be incomplete (provisional), so whether CORS applied is unknown.'
      : "Neither the page's origin nor the request mode is in the recording.",
    null,
    destination,
    page,
  );
}
