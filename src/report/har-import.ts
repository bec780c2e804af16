// HAR → exchanges: reads a HAR written by any browser, recorder or proxy (./har-dialect.ts lists them) as a
// stream, rebuilds each call (its preflights and redirect hops) as the exchange format the evaluator reads,
// and decides whether CORS governs it (src/capture/request-mode.ts): only CORS calls are judged.
//
// - CORScope's own HAR: entries carry `_cors.pair`; the call's last entry carries `_cors.call`, what a
//   HAR has no field for (initiator, api, mode, credentials, outcome, the script's request).
// - Chrome DevTools: a preflight is an entry of its own (`_resourceType: "preflight"`, `_initiator.type`
//   "preflight") with no id that links it to its request. It is paired with the request of the same URL,
//   of the method it asks for (Access-Control-Request-Method) and of the same Origin, nearest in time
//   (see ExchangeBuilder). A response CORS blocked keeps its status and headers, with `response._error`
//   "net::ERR_FAILED"; a request its preflight stopped has status 0 and no response headers.
// - Firefox and proxies: no `_resourceType`; a preflight is an OPTIONS request with Access-Control-Request-Method.
// - Playwright's recordHar: no preflights; a blocked call has status -1, `_failureText` and no headers,
//   so the evaluator can only call it a network error: the headers that decided it are not in the file.
// - Redirects: each hop is an entry; `response.redirectURL` (else Location) names the next hop's URL.
//
// The page's origin: the Origin request header (the browser's own word), else the Referer's origin, else the
// origin of the entry's page (DevTools titles a page with its URL), else `_initiator.url`'s origin (last: it
// can be a third-party script's URL rather than the page's). Where none is known, a call that needs it is
// "cannot tell", never judged.
import { makeRedactor, type RedactionPolicy, type Redactor } from '../capture/redact';
import {
  type CallEvidence,
  type CallScope,
  corsScope,
  type HopEvidence,
  isEventSourceRequest,
} from '../capture/request-mode';
import { getCombined, requestedHeaderNames } from '../cors/headers';
import { isLocalNetworkError } from '../cors/local-network';
import { originOf } from '../cors/origin';
import { isRedirectStatus, methodAfterRedirect } from '../cors/redirect';
import { browserAddedHeaderName, corsSafelistedMethod, corsUnsafeRequestHeaderNames } from '../cors/safelist';
import type { Api, Engine, Exchange, Header, HttpRequest, HttpResponse, WireEntry } from '../cors/types';
import { checkEntry, readCors } from './har-checks';
import {
  type DialectTraits,
  dialectTraits,
  type HarDialect,
  harDialect,
  originRecorded,
  requestHeadersSent,
  responseHeadersReceived,
} from './har-dialect';
import { type HarCors, type HarCorsVerdict, isCorsVerdict } from './har-types';
import { type HarIssue, type HarMeta, HarScanner, type ScanLimits, scanHarEntries } from './json-stream';

export type { HarIssue, HarMeta } from './json-stream';

/** One HAR entry, checked and reduced to what rebuilding a call needs. */
export interface HarWire {
  index: number;
  /** startedDateTime, ms since the epoch. */
  time: number;
  method: string;
  url: string;
  requestHeaders: Header[];
  /** null: no response arrived (status 0 or -1 and no headers). */
  response: HttpResponse | null;
  redirectURL: string;
  /** The browser's network error (`_error`, `response._error`, `_failureText`), or null. */
  error: string | null;
  resourceType: string | null;
  initiator: { type: string; url?: string } | null;
  pageref: string | null;
  cors: HarCors | null;
  /** Whether an Origin header the browser sent would be among `requestHeaders` (not provisional headers). */
  originRecorded: boolean;
  /** Answered by a service worker (`_fetchedViaServiceWorker`, chrome-har's `fromServiceWorker`, WebKit's `_fetchType`). */
  servedByServiceWorker: boolean;
}

/** A call rebuilt from HAR entries. */
export interface ImportedExchange {
  exchange: Exchange;
  /** Indexes into log.entries of the entries it was built from, in wire order. */
  entries: number[];
  /** The verdict CORScope stored for the call, when the HAR is CORScope's. */
  recorded: HarCorsVerdict | null;
  /** Whether CORS governs the call (only a "cors" call is judged), and why. */
  scope: CallScope;
  /**
   * Where the call's outcome comes from: the browser's own record of it (an error, or a file whose writer
   * records every failure), or nothing (the verdict rests on the headers alone).
   */
  outcomeFrom: 'browser' | 'headers';
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function headerList(v: unknown, field: string): Header[] | string {
  if (!Array.isArray(v)) return `${field}: required: an array of {name, value}`;
  const out: Header[] = [];
  for (let i = 0; i < v.length; i++) {
    const h = v[i] as unknown;
    if (!isObj(h) || typeof h.name !== 'string' || typeof h.value !== 'string')
      return `${field}[${i}]: must be {name, value} with string name and value`;
    out.push([h.name, h.value]);
  }
  return out;
}

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** The response of an entry no response arrived for. */
const NO_RESPONSE: Record<string, unknown> = { status: 0, headers: [] };

/** Checks one entry; returns what the importer needs, or the issue that makes it unusable. */
export function readEntry(
  value: unknown,
  index: number,
  traits: DialectTraits = dialectTraits('unknown'),
): HarWire | HarIssue {
  const bad = (field: string, message: string): HarIssue => ({
    entry: index,
    field,
    message: `${field}: ${message}; entry skipped`,
    level: 'error',
  });
  if (!isObj(value)) return bad('(entry)', 'must be an object');
  const time = typeof value.startedDateTime === 'string' ? Date.parse(value.startedDateTime) : Number.NaN;
  if (Number.isNaN(time)) return bad('startedDateTime', 'required: an ISO 8601 date and time');
  const req = value.request;
  if (!isObj(req)) return bad('request', 'required: an object');
  if (typeof req.method !== 'string' || req.method === '') return bad('request.method', 'required: a string');
  if (typeof req.url !== 'string' || req.url === '') return bad('request.url', 'required: a string');
  const rawRequestHeaders = headerList(req.headers, 'request.headers');
  if (typeof rawRequestHeaders === 'string') return headerIssue(index, rawRequestHeaders);
  // HTTP/2 pseudo-headers (":authority", ":status") are not headers a script or a CORS check sees.
  const requestHeaders = requestHeadersSent(rawRequestHeaders);
  // Older Firefox leaves `response` out of an entry no response arrived for: status 0 and no headers, as
  // Firefox writes it now.
  const res = value.response === undefined && traits.omitsNoResponse ? NO_RESPONSE : value.response;
  if (!isObj(res)) return bad('response', 'required: an object');
  if (typeof res.status !== 'number' || !Number.isFinite(res.status))
    return bad('response.status', 'required: a number');
  const rawResponseHeaders = headerList(res.headers, 'response.headers');
  if (typeof rawResponseHeaders === 'string') return headerIssue(index, rawResponseHeaders);
  const responseHeaders = responseHeadersReceived(rawResponseHeaders);
  const wrong = checkEntry({
    method: req.method,
    status: res.status,
    headers: [
      { field: 'request.headers', headers: requestHeaders },
      { field: 'response.headers', headers: responseHeaders },
    ],
  });
  if (wrong) return bad(wrong.field, wrong.message);
  const cors = readCors(value._cors);
  if (cors && 'message' in cors) return bad(cors.field, cors.message);
  const error =
    text(value._error) ?? text(res._error) ?? text(value._failureText) ?? text(res._failureText) ?? null;
  let response: HttpResponse | null = { status: res.status, headers: responseHeaders };
  if (res.status <= 0) {
    // DevTools writes 0 for a call that failed, with the headers when they had arrived (a CORS failure);
    // Playwright writes -1. Without headers nothing arrived that a CORS check could read.
    response = responseHeaders.length
      ? { status: statusOf(res.headers, responseHeaders), headers: responseHeaders }
      : null;
  }
  // DevTools writes `_initiator` as an object; chrome-har and WebPagetest as a URL with `_initiator_type`.
  const init = isObj(value._initiator)
    ? value._initiator
    : typeof value._initiator === 'string'
      ? { type: text(value._initiator_type) ?? 'other', url: value._initiator }
      : null;
  return {
    index,
    time,
    method: req.method,
    url: req.url,
    requestHeaders,
    response,
    redirectURL: typeof res.redirectURL === 'string' ? res.redirectURL : '',
    error,
    resourceType: text(value._resourceType),
    initiator:
      init && typeof init.type === 'string'
        ? { type: init.type, ...(typeof init.url === 'string' ? { url: init.url } : {}) }
        : null,
    pageref: text(value.pageref),
    cors,
    originRecorded: originRecorded(
      rawRequestHeaders,
      rawRequestHeaders.length !== requestHeaders.length &&
        rawRequestHeaders.some((h) => h[0].startsWith(':')),
      traits,
    ),
    servedByServiceWorker:
      res._fetchedViaServiceWorker === true ||
      res.fromServiceWorker === true ||
      value._fetchType === 'Service Worker',
  };
}

function headerIssue(index: number, message: string): HarIssue {
  return {
    entry: index,
    field: message.slice(0, message.indexOf(':')),
    message: `${message}; entry skipped`,
    level: 'error',
  };
}

/** A failed call's status is not in the entry: read it off ":status", else assume a redirect or a 200. */
function statusOf(raw: unknown, headers: Header[]): number {
  if (Array.isArray(raw)) {
    for (const h of raw) if (isObj(h) && h.name === ':status') return Number(h.value) || 200;
  }
  return getCombined(headers, 'location') !== null ? 302 : 200;
}

const isPreflight = (w: HarWire): boolean =>
  w.cors
    ? w.cors.role === 'preflight'
    : w.resourceType === 'preflight' ||
      w.initiator?.type === 'preflight' ||
      (w.method.toUpperCase() === 'OPTIONS' &&
        getCombined(w.requestHeaders, 'access-control-request-method') !== null &&
        getCombined(w.requestHeaders, 'origin') !== null);

function resolveUrl(location: string, base: string): string {
  try {
    return new URL(location, base).href;
  } catch {
    return location;
  }
}

/** The next hop a redirect leads to, with the method the Fetch Standard gives it (#http-redirect-fetch). */
function redirectOf(w: HarWire): { url: string; method: string } | null {
  if (!w.response || !isRedirectStatus(w.response.status)) return null;
  const location = w.redirectURL || getCombined(w.response.headers, 'location');
  if (!location) return null;
  return {
    url: resolveUrl(location, w.url),
    method: methodAfterRedirect(w.response.status, w.method.toUpperCase()),
  };
}

const API: Record<string, Api> = {
  fetch: 'fetch',
  xhr: 'xhr',
  xmlhttprequest: 'xhr',
  image: 'image',
  font: 'font',
  script: 'script',
  stylesheet: 'stylesheet',
  other: 'other',
  // Chromium words an EventSource's failure "Access to resource at".
  eventsource: 'other',
};

function webOrigin(url: string | undefined): string | null {
  if (!url || !/^https?:/i.test(url)) return null;
  const o = originOf(url);
  return o && o !== 'null' ? o : null;
}

const NOT_CORS_MODES = new Set(['navigate', 'no-cors', 'same-origin', 'websocket']);

/** Whether a request needs a preflight (a CORS request with a method or header outside the safelists). */
function needsPreflight(w: HarWire): boolean {
  const mode = getCombined(w.requestHeaders, 'sec-fetch-mode');
  if (mode !== null && NOT_CORS_MODES.has(mode)) return false;
  if (!corsSafelistedMethod(w.method.toUpperCase())) return true;
  const author = w.requestHeaders.filter((h) => !browserAddedHeaderName(h[0].toLowerCase()));
  return corsUnsafeRequestHeaderNames(author).names.length > 0;
}

interface Group {
  pair: string | null;
  hops: HarWire[];
  verdict: HarCorsVerdict | null;
  /** CORScope: the entry that carries the verdict has arrived. */
  complete: boolean;
  lastTime: number;
  lastIndex: number;
  /** The trailing preflight waits for its request ("METHOD url"), sent with this Origin at this time. */
  awaitRequest: { key: string; origin: string | null; time: number } | null;
  /** A lone preflight: the earlier request without one that it belongs to, unless its own request follows. */
  fallback: Group | null;
  /** The lone preflight that may turn out to be this call's. */
  heldBy: Group | null;
  /** The last hop was redirected: "METHOD url" of the next hop. */
  awaitRedirect: string | null;
  /** A request that needed a preflight and has none before it yet: its key, Origin, time and place. */
  needsPreflight: { key: string; origin: string | null; time: number; hop: number } | null;
  /** Handed out, or merged into another call. */
  done: boolean;
  /** The lookup lists it is in, to leave them when it is done. */
  listed: [Map<string, Group[]>, string][];
}

export interface BuilderOptions {
  /** log.pages, to find a page's origin by an entry's pageref. */
  pages?: unknown;
  /** Who wrote the HAR (./har-dialect.ts); default unknown. */
  dialect?: HarDialect;
  /** A preflight and its request are at most this far apart in time. Default 10 s. */
  pairMs?: number;
  /** A call with no entry for this many entries, or this long, is complete. Defaults: 1,000 and 60 s. */
  settleEntries?: number;
  settleMs?: number;
}

const CORS_SCOPE: CallScope = {
  class: 'cors',
  reason: 'cors',
  text: 'A CORS request.',
  mode: 'cors',
  destination: null,
  origin: null,
};

const PROXY_NO_ANSWER =
  'The proxy recorded no answer from the server (its own connection failed); what the browser received from the proxy is not in the file.';

const keyOf = (method: string, url: string) => `${method.toUpperCase()} ${url}`;
/** Clock skew allowed between a request's time and its preflight's (ms). */
const SKEW = 5;

const originsMatch = (a: string | null, b: string | null) =>
  !a || !b || a === 'null' || b === 'null' || a === b;

/**
 * Rebuilds calls from HAR entries given in file order; hands each call out once no later entry can join it.
 *
 * Chromium issues a request, then sends its preflight: the request's time is never after its preflight's.
 * DevTools logs the two in either order. So a preflight pairs with the request of its URL, method and
 * Origin issued at or before it and nearest to it: one listed later (whose time is not after the
 * preflight's), else one listed earlier that has no preflight yet. A request listed later and issued
 * after the preflight is another call; where no earlier one waits, it is the preflight's own (Firefox
 * stamps a request after its preflight).
 */
export class ExchangeBuilder {
  readonly issues: HarIssue[];
  private readonly pairMs: number;
  private readonly settleEntries: number;
  private readonly settleMs: number;
  private pageUrls = new Map<string, string>();
  private traits: DialectTraits;
  private queue: Group[] = [];
  private latest = Number.NEGATIVE_INFINITY;
  private byPair = new Map<string, Group>();
  private lonePreflights = new Map<string, Group[]>();
  private awaitingRedirect = new Map<string, Group[]>();
  private needingPreflight = new Map<string, Group[]>();

  constructor(opts: BuilderOptions = {}, issues: HarIssue[] = []) {
    this.issues = issues;
    this.pairMs = opts.pairMs ?? 10_000;
    this.settleEntries = opts.settleEntries ?? 1_000;
    this.settleMs = opts.settleMs ?? 60_000;
    this.traits = dialectTraits(opts.dialect ?? 'unknown');
    if (opts.pages !== undefined) this.setPages(opts.pages);
  }

  setDialect(dialect: HarDialect): void {
    this.traits = dialectTraits(dialect);
  }

  setPages(pages: unknown): void {
    if (!Array.isArray(pages)) return;
    for (const p of pages) {
      if (!isObj(p) || typeof p.id !== 'string') continue;
      // DevTools, chrome-har and WebKit title a page with its URL; Firefox with its document's title.
      if (typeof p.title === 'string' && webOrigin(p.title)) this.pageUrls.set(p.id, p.title);
    }
  }

  /** Adds one entry (in file order); returns the calls that are now complete, in call order. */
  add(w: HarWire): ImportedExchange[] {
    this.latest = Math.max(this.latest, w.time);
    if (w.cors) this.addCorscope(w);
    else if (isPreflight(w)) this.addPreflight(w);
    else this.addRequest(w);
    return this.drain(w.index, false);
  }

  /** The input ended: every call still open is complete. */
  finish(): ImportedExchange[] {
    return this.drain(Number.POSITIVE_INFINITY, true);
  }

  private newGroup(w: HarWire, pair: string | null = null): Group {
    const g: Group = {
      pair,
      hops: [w],
      verdict: null,
      complete: false,
      lastTime: w.time,
      lastIndex: w.index,
      awaitRequest: null,
      fallback: null,
      heldBy: null,
      awaitRedirect: null,
      needsPreflight: null,
      done: false,
      listed: [],
    };
    this.queue.push(g);
    return g;
  }

  private push(g: Group, w: HarWire): void {
    g.hops.push(w);
    g.lastTime = Math.max(g.lastTime, w.time);
    g.lastIndex = Math.max(g.lastIndex, w.index);
  }

  private list(map: Map<string, Group[]>, key: string, g: Group): void {
    const list = map.get(key);
    if (list) list.push(g);
    else map.set(key, [g]);
    g.listed.push([map, key]);
  }

  private unlist(g: Group, map: Map<string, Group[]>): void {
    g.listed = g.listed.filter(([m, key]) => {
      if (m !== map) return true;
      const list = m.get(key);
      const at = list?.indexOf(g) ?? -1;
      if (list && at !== -1) list.splice(at, 1);
      if (list && !list.length) m.delete(key);
      return false;
    });
  }

  private addCorscope(w: HarWire): void {
    const cors = w.cors!;
    const open = this.byPair.get(cors.pair);
    const g = open && !open.complete ? open : this.newGroup(w, cors.pair);
    if (g === open) this.push(g, w);
    this.byPair.set(cors.pair, g);
    if (isCorsVerdict(cors)) {
      g.verdict = cors;
      g.complete = true;
      this.byPair.delete(cors.pair);
    }
  }

  private addPreflight(w: HarWire): void {
    const key = keyOf(getCombined(w.requestHeaders, 'access-control-request-method') ?? 'GET', w.url);
    const origin = getCombined(w.requestHeaders, 'origin');
    // The preflight of a redirected call's next hop.
    const redirected = this.awaitingRedirect.get(key)?.find((c) => !c.awaitRequest);
    if (redirected) {
      this.push(redirected, w);
      redirected.awaitRequest = { key, origin, time: w.time };
      return;
    }
    const g = this.newGroup(w);
    g.awaitRequest = { key, origin, time: w.time };
    this.list(this.lonePreflights, key, g);
    // An earlier request without a preflight, issued at or before this one: nearest in time.
    let best: Group | null = null;
    for (const c of this.needingPreflight.get(key) ?? []) {
      const need = c.needsPreflight!;
      if (c.heldBy || !originsMatch(origin, need.origin)) continue;
      if (need.time > w.time + SKEW || w.time - need.time > this.pairMs) continue;
      if (!best || need.time >= best.needsPreflight!.time) best = c;
    }
    if (best) {
      g.fallback = best;
      best.heldBy = g;
    }
  }

  /** The lone preflight `p` belongs to the earlier request it held: it goes before that request's hop. */
  private merge(p: Group): void {
    const c = p.fallback!;
    p.fallback = null;
    c.heldBy = null;
    c.hops.splice(c.needsPreflight!.hop, 0, p.hops[0]!);
    c.lastIndex = Math.max(c.lastIndex, p.lastIndex);
    c.lastTime = Math.max(c.lastTime, p.lastTime);
    c.needsPreflight = null;
    this.unlist(c, this.needingPreflight);
    p.done = true;
    this.unlist(p, this.lonePreflights);
  }

  private release(p: Group): void {
    if (p.fallback) p.fallback.heldBy = null;
    p.fallback = null;
  }

  private addRequest(w: HarWire): void {
    const key = keyOf(w.method, w.url);
    const origin = getCombined(w.requestHeaders, 'origin');
    let g: Group | null = null;
    let preflighted = false;
    // The next hop of a redirected call (its preflight, if any, came first and waits with it).
    const redirected = this.awaitingRedirect.get(key)?.[0];
    if (redirected) {
      g = redirected;
      // The call moved on to its next hop: a preflight for the last one came already, or never will.
      if (g.heldBy) this.merge(g.heldBy);
      else if (g.needsPreflight) {
        g.needsPreflight = null;
        this.unlist(g, this.needingPreflight);
      }
      preflighted = g.awaitRequest?.key === key;
      g.awaitRequest = null;
      g.awaitRedirect = null;
      this.unlist(g, this.awaitingRedirect);
    } else {
      // The request a lone preflight asked for.
      for (const p of [...(this.lonePreflights.get(key) ?? [])]) {
        const wait = p.awaitRequest!;
        if (!originsMatch(origin, wait.origin)) continue;
        if (w.time > wait.time + SKEW && p.fallback && !p.fallback.done && p.fallback.needsPreflight) {
          // Issued after the preflight: not its request; the preflight was the earlier request's.
          this.merge(p);
          continue;
        }
        g = p;
        break;
      }
      if (g) {
        this.release(g);
        this.unlist(g, this.lonePreflights);
        g.awaitRequest = null;
        preflighted = true;
      }
    }
    if (g) this.push(g, w);
    else g = this.newGroup(w);
    if (!preflighted && needsPreflight(w)) {
      g.needsPreflight = { key, origin, time: w.time, hop: g.hops.length - 1 };
      this.list(this.needingPreflight, key, g);
    } else if (g.needsPreflight) {
      g.needsPreflight = null;
      this.unlist(g, this.needingPreflight);
    }
    const next = redirectOf(w);
    if (next) {
      g.awaitRedirect = keyOf(next.method, next.url);
      this.list(this.awaitingRedirect, g.awaitRedirect, g);
    }
  }

  private quiet(g: Group, index: number): boolean {
    return index - g.lastIndex >= this.settleEntries || this.latest - g.lastTime >= this.settleMs;
  }

  /** Whether no later entry can join the call: complete, or nothing heard of it for a while. */
  private settled(g: Group, index: number, ending: boolean): boolean {
    if (g.heldBy && (ending || this.quiet(g.heldBy, index))) this.merge(g.heldBy);
    if (ending || g.complete) return true;
    if (g.heldBy) return false;
    if (g.pair === null && !g.awaitRequest && !g.awaitRedirect && !g.needsPreflight) return true;
    return this.quiet(g, index);
  }

  private drain(index: number, ending: boolean): ImportedExchange[] {
    const out: ImportedExchange[] = [];
    while (this.queue.length) {
      const g = this.queue[0]!;
      if (!g.done) {
        if (!this.settled(g, index, ending)) break;
        // A lone preflight whose request never came belongs to the earlier request it held.
        if (g.fallback && !g.fallback.done) {
          this.merge(g);
          continue;
        }
        g.done = true;
        if (g.pair && this.byPair.get(g.pair) === g) this.byPair.delete(g.pair);
        for (const [map] of [...g.listed]) this.unlist(g, map);
        out.push(this.build(g));
      }
      this.queue.shift();
    }
    return out;
  }

  private build(g: Group): ImportedExchange {
    if (g.verdict) return this.buildCorscope(g, g.verdict);
    if (g.pair) {
      this.issues.push({
        entry: g.hops[g.hops.length - 1]!.index,
        field: '_cors',
        message: `call ${g.pair}: the entry that carries its verdict is missing; rebuilt from ${g.hops.length} ${g.hops.length === 1 ? 'entry' : 'entries'}`,
        level: 'error',
      });
    }
    return this.buildFromWire(g);
  }

  private wireEntry(w: HarWire, type: WireEntry['type']): WireEntry {
    // The server's address space: CORScope's own HAR records it (DevTools' HAR does not).
    const space = w.cors?.addressSpace;
    return {
      type,
      request: { method: w.method, url: w.url, headers: w.requestHeaders },
      response: w.response && space ? { ...w.response, addressSpace: space } : w.response,
      time: w.time,
      ...(w.response === null && space ? { addressSpace: space } : {}),
    };
  }

  private buildCorscope(g: Group, v: HarCorsVerdict): ImportedExchange {
    const hops = g.hops.filter((h) => h.cors!.role !== 'unsent').sort((a, b) => a.cors!.hop - b.cors!.hop);
    const call = v.call;
    // The call's error; older exports wrote the stopped request's own on its entry, where the call ended.
    const netError = hops[hops.length - 1]?.cors?.netError || call.netError;
    const exchange: Exchange = {
      id: v.pair,
      initiator: call.initiator,
      ...(call.api !== undefined ? { api: call.api } : {}),
      ...(call.mode !== undefined ? { mode: call.mode } : {}),
      ...(call.credentials !== undefined ? { credentials: call.credentials } : {}),
      request: call.request,
      wire: hops.map((h) => this.wireEntry(h, h.cors!.role === 'preflight' ? 'preflight' : 'request')),
      ...(call.outcome !== undefined ? { outcome: call.outcome } : {}),
      ...(netError ? { netError } : {}),
      ...(call.time !== undefined ? { time: call.time } : {}),
      ...(call.addressSpace ? { addressSpace: call.addressSpace } : {}),
      ...(call.localNetworkAccess ? { localNetworkAccess: call.localNetworkAccess } : {}),
      ...(call.headersJoined ? { headersJoined: true } : {}),
    };
    // CORScope stores CORS calls; a sample set's exchanges may hold others, which its verdict names.
    const scope: CallScope =
      v.verdict === 'same-origin'
        ? { ...CORS_SCOPE, class: 'same-origin', reason: 'same-origin', text: 'Same-origin request.' }
        : v.verdict === 'opaque' && (call.mode === 'no-cors' || call.mode === 'navigate')
          ? {
              ...CORS_SCOPE,
              class: 'not-governed',
              reason: call.mode === 'navigate' ? 'navigation' : 'no-cors',
              text:
                call.mode === 'navigate'
                  ? 'A navigation: CORS does not apply.'
                  : 'Loaded in mode "no-cors": CORS does not apply; the page cannot read the response.',
            }
          : { ...CORS_SCOPE };
    scope.mode = call.mode ?? 'cors';
    scope.origin = call.initiator;
    return {
      exchange,
      entries: g.hops.map((h) => h.index),
      recorded: v,
      scope,
      outcomeFrom: call.outcome ? 'browser' : 'headers',
    };
  }

  private buildFromWire(g: Group): ImportedExchange {
    const hops = [...g.hops];
    let request: HttpRequest | null = null;
    let unsent: HarWire | null = null;
    // A request its preflight stopped: DevTools lists it after the preflight, failed, with no response.
    const last = hops[hops.length - 1]!;
    const before = hops[hops.length - 2];
    if (
      hops.length >= 2 &&
      before &&
      isPreflight(before) &&
      !isPreflight(last) &&
      last.response === null &&
      (last.error === null || last.error === 'net::ERR_FAILED')
    ) {
      unsent = hops.pop()!;
      request = {
        method: unsent.method,
        url: unsent.url,
        headers: unsent.requestHeaders.filter((h) => !browserAddedHeaderName(h[0].toLowerCase())),
      };
    }
    const firstRequest = hops.find((h) => !isPreflight(h)) ?? unsent;
    if (!request) {
      if (firstRequest) request = { method: firstRequest.method, url: firstRequest.url };
      else {
        // Only a preflight: the request's method and unsafe header names are what it asked for.
        const p = hops[0]!;
        const names = requestedHeaderNames(p.requestHeaders);
        request = {
          method: getCombined(p.requestHeaders, 'access-control-request-method') ?? 'GET',
          url: p.url,
          // Values unknown; "(unknown)" is outside every value safelist, as the names asked for were.
          headers: names.map((n): Header => [n, '(unknown)']),
        };
      }
    }
    const first = g.hops[0]!;
    const final = unsent ?? hops[hops.length - 1]!;
    // The page's outcome: a CORS or network failure is an error; a call the page aborted after its response
    // arrived (DevTools writes "net::ERR_ABORTED" for a body never read) tells nothing. Without an error, only
    // a writer that records every failure says the call succeeded. A request listed after its preflight with
    // no response and no error is not a failure the browser reported: Firefox writes that shape for a request
    // its preflight stopped, one the page aborted and one still waiting when the file was saved, DevTools for
    // one still waiting; taken as an error, it would decide a credentials mode nothing shows.
    // (An unsent request's error, when it has one, is "net::ERR_FAILED": the last test covers it.)
    const failed =
      (unsent === null && final.response === null) ||
      (final.error !== null && final.error !== 'net::ERR_ABORTED');
    // A call of only a preflight: what became of its request is not in the file (chrome-har leaves out
    // failed requests), so only a failed preflight says anything.
    const requestSeen = !!firstRequest;
    const outcome: Exchange['outcome'] = failed
      ? 'error'
      : final.error === null && this.traits.recordsFailures && requestSeen
        ? 'success'
        : undefined;
    // A proxy's "error" is its own (the connection it made), not the browser's decision.
    const outcomeFrom = outcome && !(this.traits.proxy && final.response !== null) ? 'browser' : 'headers';
    // The browser's own error string for a call that failed (a proxy's is its own connection's): the call ended
    // at the first hop with no answer, so that hop's error is the call's. DevTools writes a preflight's own
    // failure (a refused connection, a Local Network Access stop) on the preflight, and only "net::ERR_FAILED"
    // or nothing on the request behind it; a proxy's file keeps only a Local Network Access stop's name.
    const stopped = hops.find((h) => h.response === null)?.error ?? null;
    const netError = this.traits.proxy
      ? isLocalNetworkError(stopped)
        ? stopped
        : null
      : (stopped ?? (failed ? final.error : null));
    const scope = this.proxyNoAnswer(g.hops, netError, corsScope(this.evidence(g.hops, unsent)));
    const type = firstRequest?.resourceType?.toLowerCase();
    const api = type
      ? Object.hasOwn(API, type)
        ? API[type]
        : undefined
      : firstRequest && isEventSourceRequest(firstRequest.method, firstRequest.requestHeaders)
        ? 'other'
        : undefined;
    const exchange: Exchange = {
      id: `e${first.index}`,
      initiator: scope.origin ?? 'null',
      ...(api ? { api } : {}),
      request,
      wire: hops.map((h) => this.wireEntry(h, isPreflight(h) ? 'preflight' : 'request')),
      ...(outcome ? { outcome } : {}),
      ...(netError ? { netError } : {}),
      time: Math.min(...g.hops.map((h) => h.time)),
    };
    return { exchange, entries: g.hops.map((h) => h.index), recorded: null, scope, outcomeFrom };
  }

  /**
   * A proxy's entry with no response is the proxy's own connection to the server getting no answer: the
   * browser did send the request (so no mixed-content block stopped it), and what it received from the proxy
   * (an error page the proxy did not record, a closed connection) is not in the file. A CORS call with such a
   * hop, a preflight included, cannot be told, unless the file names a Local Network Access stop (netError).
   */
  private proxyNoAnswer(hops: HarWire[], netError: string | null, scope: CallScope): CallScope {
    if (!this.traits.proxy || scope.class !== 'cors' || netError || hops.every((h) => h.response !== null))
      return scope;
    return { ...scope, class: 'cannot-tell', reason: 'proxy-no-answer', text: PROXY_NO_ANSWER };
  }

  /** What the call's entries say about its mode and its page (see src/capture/request-mode.ts). */
  private evidence(all: HarWire[], unsent: HarWire | null): CallEvidence {
    const requests = all.filter((h) => !isPreflight(h));
    const preflight = requests.length !== all.length;
    // A call of only a preflight: the preflight's Origin and URL stand for the request it asked about.
    const shown = requests.length ? requests : all;
    const hops: HopEvidence[] = shown.map((h) => ({ url: h.url, headers: h.requestHeaders }));
    const first = shown[0]!;
    const last = (unsent ?? all[all.length - 1])!;
    const pageUrl = first.pageref ? (this.pageUrls.get(first.pageref) ?? null) : null;
    // A preflight's Origin is the browser's word for the page, even where the request's headers are provisional.
    const preflightOrigin = preflight
      ? (all.map((h) => (isPreflight(h) ? getCombined(h.requestHeaders, 'origin') : null)).find((o) => o) ??
        null)
      : null;
    return {
      method: requests.length
        ? first.method
        : (getCombined(first.requestHeaders, 'access-control-request-method') ?? 'GET'),
      hops,
      originRecorded: requests.length ? first.originRecorded : true,
      preflight,
      resourceType: requests.length ? first.resourceType : null,
      pageOrigin: preflightOrigin ?? this.pageOriginOf(shown, pageUrl),
      pageUrl,
      status: last.response?.status ?? null,
      servedByServiceWorker: all.some((h) => h.servedByServiceWorker),
    };
  }

  /** The page's origin as the entries give it: the Referer's, else the page's, else the initiator URL's. */
  private pageOriginOf(hops: HarWire[], pageUrl: string | null): string | null {
    for (const h of hops) {
      const fromReferer = webOrigin(getCombined(h.requestHeaders, 'referer') ?? undefined);
      if (fromReferer) return fromReferer;
    }
    const page = webOrigin(pageUrl ?? undefined);
    if (page) return page;
    const first = hops[0]!;
    return first.initiator?.type !== 'preflight' ? webOrigin(first.initiator?.url) : null;
  }
}

/**
 * The engine whose rules fit a HAR: Firefox's for a HAR Firefox wrote (its `log.creator` or `log.browser`
 * names Firefox), else null (Chromium's, the default). Known once the scanner has read `log`'s head.
 */
export function harEngine(meta: HarMeta): Engine | null {
  const named = (v: unknown) =>
    v !== null && typeof v === 'object' && /firefox/i.test(String((v as { name?: unknown }).name));
  return named(meta.creator) || named(meta.browser) ? 'firefox' : null;
}

export interface ImportOptions extends BuilderOptions, ScanLimits {
  /**
   * What to redact in each call before it is handed out, as capture does (src/capture/redact.ts); default:
   * the default list. Cookie, Set-Cookie and the Authorization headers are redacted whatever it says.
   */
  redact?: RedactionPolicy;
}

/** A streaming import: `calls(chunks)` yields each call as soon as it is complete; memory stays bounded. */
export class HarImport {
  readonly issues: HarIssue[] = [];
  /** Who wrote the file, once its first entry has been read. */
  dialect: HarDialect = 'unknown';
  private readonly scanner: HarScanner;
  private readonly builderOptions: BuilderOptions;
  private readonly redactor: Redactor;

  constructor(opts: ImportOptions = {}) {
    this.scanner = new HarScanner(opts);
    this.builderOptions = opts;
    this.redactor = makeRedactor(opts.redact);
  }

  get meta(): HarMeta {
    return this.scanner.meta;
  }

  /** Entries read whole from the file (usable or not). */
  get entriesRead(): number {
    return this.scanner.entriesSeen;
  }

  async *calls(
    chunks: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
  ): AsyncGenerator<ImportedExchange> {
    const builder = new ExchangeBuilder(this.builderOptions, this.issues);
    // The scanner's issues concern the entry it just read: they come before what the entry itself causes.
    const scanned = () => this.issues.push(...this.scanner.issues.splice(0));
    let pagesSet = false;
    let traits: DialectTraits | null = null;
    for await (const { index, value } of scanHarEntries(chunks, this.scanner)) {
      scanned();
      if (!pagesSet && this.scanner.meta.pages !== undefined) {
        builder.setPages(this.scanner.meta.pages);
        pagesSet = true;
      }
      if (!traits) {
        // Known from the first entry on: writers put log.creator before log.entries.
        this.dialect = this.builderOptions.dialect ?? harDialect(this.scanner.meta);
        builder.setDialect(this.dialect);
        traits = dialectTraits(this.dialect);
      }
      const w = readEntry(value, index, traits);
      if ('level' in w) this.issues.push(w);
      else for (const x of builder.add(w)) yield this.redacted(x);
    }
    scanned();
    if (!pagesSet && this.scanner.meta.pages !== undefined) builder.setPages(this.scanner.meta.pages);
    for (const x of builder.finish()) yield this.redacted(x);
  }

  /** One rebuilt call with its secrets redacted, in the exchange and in the verdict the file carried. */
  private redacted(x: ImportedExchange): ImportedExchange {
    const out = this.redactor.derived(x);
    return out === x ? x : { ...out, entries: x.entries };
  }
}
