// HAR 1.2 export of stored calls: one entry per request on the wire, as Chrome DevTools writes its own.
//
// Field decisions (the reader in har-import.ts reads all of them back):
// - Entries follow capture order, and within a call its wire order: preflight, request, redirect hops.
// - A preflight entry has `_resourceType: "preflight"` and `_initiator: { type: "preflight", url, requestId }`
//   (url: the request it asks for; requestId: the call's id), as DevTools writes preflights.
// - A request the browser never sent (the wire ends at a preflight, or is empty) gets an entry of its own
//   with `response.status` 0: the script's request, with no response.
// - A call that failed carries the browser's error for it (the exchange's `netError`, else "net::ERR_FAILED",
//   what a CORS failure reports) on `response._error` (where DevTools writes it) and on `_error`: on its last
//   wire entry, where it ended (a preflight only when it got no response: the browser stopped it), and on the
//   request never sent, as webRequest reported it there (behind a preflight Chromium's Local Network Access
//   check stopped, "net::ERR_FAILED", as DevTools writes it). A response that arrived keeps its real status
//   and headers even when CORS blocked it: the verdict depends on them.
// - `_cors` on every entry: { pair, hop, role, verdict, preflight, addressSpace? (its server's) }; on the call's
//   last entry, the whole verdict too (summary, error, checks, fixes, advice, warnings, exposed, localNetwork)
//   and `call`: what a HAR has no field for (initiator, api, mode, credentials, outcome, the request as the
//   script issued it, the browser's error, the page's address space and Local Network Access permissions, headersJoined).
// - Timings are unknown: blocked, dns, connect and ssl are -1; send, wait and receive 0 (the spec allows
//   no -1 there); `time` 0. startedDateTime is the wire entry's capture time, else the call's.
// - Secrets were redacted at capture and again at export with the list in force (src/capture/redact.ts);
//   Cookie, Set-Cookie and the Authorization headers are redacted here too, whatever reaches this module,
//   `_cors.call.request` included. request/response `cookies` stay empty.
import pkg from '../../package.json' with { type: 'json' };
import { ALWAYS_REDACTED, makeRedactor } from '../capture/redact';
import type { CapturedExchange } from '../capture/types';
import type { Exchange, Header, HttpRequest, Verdict, WireEntry } from '../cors/types';
import type { StoredExchange } from '../store/row';
import type {
  Har,
  HarCorsCall,
  HarCorsRef,
  HarCorsVerdict,
  HarEntry,
  HarInitiator,
  HarNameValue,
  HarPage,
  HarResponse,
} from './har-types';

export interface HarOptions {
  creator?: { name: string; version: string };
  /** The page title for every tab's page (a tab's first initiator when absent). */
  title?: string;
}

export const CORSCOPE_CREATOR = { name: 'CORScope', version: pkg.version };

/** A header name as HTTP spells it: "set-cookie" → "Set-Cookie". */
const titleCase = (name: string) =>
  name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());

export const SANITIZED_COMMENT =
  `Exported by CORScope. Sanitized: the values of ${ALWAYS_REDACTED.map(titleCase).join(', ')} ` +
  "and of the token headers in CORScope's redaction list were replaced at capture, and again at export, " +
  'by "[redacted: N bytes]"; in URLs (and Location, Content-Location, Referer) the values of the token ' +
  'parameters in that list and any password by "[redacted:N-bytes]". Names and lengths are kept. Request ' +
  "and response bodies were not captured. Each entry's _cors field names its call (pair) and hop; the last " +
  'entry of each call carries the CORS verdict, error, checks, fixes and warnings.';

/** The network error DevTools shows for a call CORS blocked. */
export const CORS_NET_ERROR = 'net::ERR_FAILED';

// Rows are redacted with the list in force before they are exported (src/messaging/protocol.ts); whatever
// reaches here, Cookie, Set-Cookie and the Authorization headers never leave with a value.
const always = makeRedactor({ headers: [], params: [] }).headers;

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  206: 'Partial Content',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  304: 'Not Modified',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** DevTools' resource type names for the APIs the exchange format knows. */
const RESOURCE_TYPE: Record<string, string> = {
  fetch: 'fetch',
  xhr: 'xhr',
  image: 'image',
  font: 'font',
  script: 'script',
  stylesheet: 'stylesheet',
  other: 'other',
};

const NO_BODY = new Set(['GET', 'HEAD', 'OPTIONS']);

function headerValue(headers: readonly Header[] | undefined, name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers?.find((h) => h[0].toLowerCase() === lower)?.[1];
}

function nameValues(headers: readonly Header[] | undefined): HarNameValue[] {
  return always([...(headers ?? [])]).map(([name, value]) => ({ name, value }));
}

function queryString(url: string): HarNameValue[] {
  try {
    return [...new URL(url).searchParams].map(([name, value]) => ({ name, value }));
  } catch {
    return [];
  }
}

function httpVersion(headers: readonly Header[] | undefined): string {
  return headers?.some((h) => h[0].startsWith(':')) ? 'HTTP/2.0' : 'HTTP/1.1';
}

function harRequest(req: HttpRequest): HarEntry['request'] {
  const headers = req.headers;
  return {
    method: req.method,
    url: req.url.split('#', 1)[0]!,
    httpVersion: httpVersion(headers),
    cookies: [],
    headers: nameValues(headers),
    queryString: queryString(req.url),
    headersSize: -1,
    bodySize: NO_BODY.has(req.method.toUpperCase()) ? 0 : -1,
  };
}

function noResponse(error: string | null): HarResponse {
  return {
    status: 0,
    statusText: '',
    httpVersion: '',
    cookies: [],
    headers: [],
    content: { size: 0, mimeType: 'x-unknown' },
    redirectURL: '',
    headersSize: -1,
    bodySize: -1,
    _error: error,
  };
}

function harResponse(w: WireEntry, error: string | null): HarResponse {
  const res = w.response;
  if (!res) return noResponse(error ?? CORS_NET_ERROR);
  const length = Number.parseInt(headerValue(res.headers, 'content-length') ?? '', 10);
  return {
    status: res.status,
    statusText: STATUS_TEXT[res.status] ?? '',
    httpVersion: httpVersion(w.request.headers),
    cookies: [],
    headers: nameValues(res.headers),
    content: {
      size: Number.isFinite(length) && length >= 0 ? length : 0,
      mimeType: headerValue(res.headers, 'content-type') ?? 'x-unknown',
    },
    redirectURL: headerValue(res.headers, 'location') ?? '',
    headersSize: -1,
    bodySize: -1,
    _error: error,
  };
}

const isoTime = (ms: number | undefined): string => new Date(ms ?? 0).toISOString();

function callOf(ex: Exchange | CapturedExchange, tabId: number | undefined): HarCorsCall {
  const capture = 'capture' in ex ? ex.capture : undefined;
  return {
    initiator: ex.initiator,
    ...(ex.api !== undefined ? { api: ex.api } : {}),
    ...(ex.mode !== undefined ? { mode: ex.mode } : {}),
    ...(ex.credentials !== undefined ? { credentials: ex.credentials } : {}),
    ...(ex.outcome !== undefined ? { outcome: ex.outcome } : {}),
    request: {
      method: ex.request.method,
      url: ex.request.url,
      ...(ex.request.headers ? { headers: always(ex.request.headers) } : {}),
      ...(ex.request.targetAddressSpace !== undefined
        ? { targetAddressSpace: ex.request.targetAddressSpace }
        : {}),
    },
    ...(ex.time !== undefined ? { time: ex.time } : {}),
    ...(tabId !== undefined ? { tabId } : {}),
    ...(capture ? { netError: ex.netError ?? null } : ex.netError ? { netError: ex.netError } : {}),
    ...(ex.addressSpace ? { addressSpace: ex.addressSpace } : {}),
    ...(ex.localNetworkAccess ? { localNetworkAccess: ex.localNetworkAccess } : {}),
    ...(ex.headersJoined ? { headersJoined: true } : {}),
  };
}

/** The HAR entries of one call: its wire in order, plus the request the browser never sent, if any. */
export function entriesOf(
  ex: Exchange | CapturedExchange,
  v: Verdict,
  opts: { time?: number; tabId?: number; pageref?: string } = {},
): HarEntry[] {
  const time = ex.time ?? opts.time;
  // The error the browser reported for a call that failed, else DevTools' generic one; for the request never
  // sent, what webRequest reported for it where capture saw it.
  const failed = v.verdict === 'blocked' || v.verdict === 'network-error';
  const netError = failed ? (ex.netError ?? CORS_NET_ERROR) : null;
  const unsentError = failed ? (('capture' in ex ? ex.capture.netError : null) ?? netError) : null;
  const unsent = ex.wire.length === 0 || ex.wire[ex.wire.length - 1]!.type === 'preflight';
  const last = unsent ? ex.wire.length : ex.wire.length - 1;
  // The wire's last entry has the call's error, a preflight only where it got no response (it was stopped).
  const ended = (w: WireEntry, hop: number) => hop === ex.wire.length - 1 && (!unsent || !w.response);
  const ref = (hop: number, role: HarCorsRef['role']): HarCorsRef => ({
    pair: ex.id,
    hop,
    role,
    verdict: v.verdict,
    preflight: v.preflight,
  });
  const full = (r: HarCorsRef): HarCorsVerdict => ({
    ...r,
    summary: v.summary,
    error: v.error,
    checks: v.checks,
    fixes: v.fixes,
    advice: v.advice,
    warnings: v.warnings,
    ...(v.exposed ? { exposed: v.exposed } : {}),
    ...(v.localNetwork ? { localNetwork: v.localNetwork } : {}),
    call: callOf(ex, opts.tabId),
  });
  const resourceType = ex.api && Object.hasOwn(RESOURCE_TYPE, ex.api) ? RESOURCE_TYPE[ex.api]! : 'other';
  const scriptInitiator: HarInitiator =
    ex.initiator === 'null' ? { type: 'other' } : { type: 'script', url: ex.initiator };
  const entry = (
    at: number | undefined,
    request: HarEntry['request'],
    response: HarResponse,
    resourceType: string,
    initiator: HarInitiator,
    cors: HarCorsRef,
  ): HarEntry => ({
    ...(opts.pageref ? { pageref: opts.pageref } : {}),
    startedDateTime: isoTime(at),
    time: 0,
    request,
    response,
    cache: {},
    timings: { blocked: -1, dns: -1, connect: -1, ssl: -1, send: 0, wait: 0, receive: 0 },
    _resourceType: resourceType,
    _initiator: initiator,
    ...(response._error ? { _error: response._error } : {}),
    _cors: cors,
  });
  const entries = ex.wire.map((w, hop) => {
    const space = w.response?.addressSpace ?? w.addressSpace;
    const r = { ...ref(hop, w.type), ...(space ? { addressSpace: space } : {}) };
    const preflight = w.type === 'preflight';
    return entry(
      w.time ?? time,
      harRequest(w.request),
      harResponse(w, ended(w, hop) ? netError : null),
      preflight ? 'preflight' : resourceType,
      preflight ? { type: 'preflight', url: w.request.url, requestId: ex.id } : scriptInitiator,
      hop === last ? full(r) : r,
    );
  });
  if (unsent) {
    // A request never sent failed, whatever the verdict says.
    entries.push(
      entry(
        ex.wire[ex.wire.length - 1]?.time ?? time,
        harRequest(ex.request),
        noResponse(unsentError ?? CORS_NET_ERROR),
        resourceType,
        scriptInitiator,
        full(ref(ex.wire.length, 'unsent')),
      ),
    );
  }
  return entries;
}

/** Stored calls → a HAR 1.2 log, entries in capture order; one page per tab. Pure. */
export function toHar(rows: readonly StoredExchange[], opts: HarOptions = {}): Har {
  const ordered = rows.every((r) => r.seq !== undefined)
    ? [...rows].sort((a, b) => a.seq! - b.seq!)
    : [...rows];
  const pages = new Map<number, HarPage>();
  const entries: HarEntry[] = [];
  for (const row of ordered) {
    let page = pages.get(row.tabId);
    if (!page) {
      page = {
        startedDateTime: isoTime(row.time),
        id: `tab-${row.tabId}`,
        title: opts.title ?? row.initiator,
        pageTimings: { onContentLoad: -1, onLoad: -1 },
        comment: `Calls captured in browser tab ${row.tabId}.`,
      };
      pages.set(row.tabId, page);
    }
    entries.push(
      ...entriesOf(row.exchange, row.evaluation, { time: row.time, tabId: row.tabId, pageref: page.id }),
    );
  }
  return {
    log: {
      version: '1.2',
      creator: opts.creator ?? CORSCOPE_CREATOR,
      pages: [...pages.values()],
      entries,
      comment: SANITIZED_COMMENT,
    },
  };
}
