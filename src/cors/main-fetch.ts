// Main fetch (https://fetch.spec.whatwg.org/#main-fetch) and HTTP fetch (https://fetch.spec.whatwg.org/#http-fetch)
// walked over the recorded wire, hop by hop, under one engine's rules: Chromium 156 (the default) or Firefox
// ESR 153, whose deviations are named where they happen. A preflight entry goes to the CORS-preflight fetch
// (preflight.ts), a redirect to HTTP-redirect fetch (redirect.ts), every response of a CORS request through
// the CORS check (check.ts); a wire that stops before the browser did ends in recording.ts.
import { corsCheckAt } from './check';
import { getCombined, headersTooBig, parseTokenList } from './headers';
import { localNetworkAccessCheck } from './local-network';
import { blockedAsMixedContent, isHttpScheme, normalizeOrigin, originOf, sameOrigin } from './origin';
import { corsPreflightFetch } from './preflight';
import { endOfRecording } from './recording';
import { httpRedirectFetch, isRedirectStatus, redirectLocation, serializedOrigin } from './redirect';
import {
  browserAddedHeaderName,
  corsSafelistedMethod,
  corsSafelistedResponseHeaderName,
  corsUnsafeRequestHeaderNames,
  forbiddenRequestHeaderName,
  forbiddenResponseHeaderName,
  normalizeMethod,
} from './safelist';
import { SPEC } from './spec';
import type { Engine, Exchange, Header, HttpResponse, RequestMode } from './types';
import { type Fetch, networkError, schemeNotHttp, type Walk, type WalkContext } from './walk';

/**
 * Walks the wire under one credentials assumption. Reads the stream's cache but never writes it
 * (the caller applies `cacheOps` once the assumption is settled).
 */
export function mainFetch(ex: Exchange, include: boolean, ctx: WalkContext): Walk {
  const f = request(ex, include, ctx);
  const wire = ex.wire ?? [];
  if (wire.length === 0) return nothingSent(f);
  for (let i = 0; i < wire.length; i++) {
    const entry = wire[i]!;
    f.url = entry.request.url;
    f.walk.url = f.url;
    f.walk.originSent = serializedOrigin(f);
    f.walk.originByHop[i] = f.walk.originSent;
    // 7. "If ... should fetching request be blocked as mixed content ... returns blocked, then set response
    //    to a network error." Judged only where no response came (one that came shows the browser let it go)
    //    and the browser named no other error: a blocked mixed-content request leaves none (no webRequest
    //    event; DevTools' errorText is empty), and the Local Network Access check may let an HTTPS page call
    //    a plain-http device, failing it for its own reason.
    if (!entry.response && !f.ex.netError && blockedAsMixedContent(f.origin, f.url))
      return networkError(f, 'MixedContent', i, f.url);
    const end =
      entry.type === 'preflight' ? corsPreflightFetch(f, i) : (mainFetchHop(f, i) ?? httpFetch(f, i));
    if (end) return end;
  }
  return endOfRecording(f);
}

/** The request as the page issued it, and an empty walk. */
function request(ex: Exchange, include: boolean, { cache, engine }: WalkContext): Fetch {
  const origin = normalizeOrigin(ex.initiator);
  const author = authorHeaders(ex, engine);
  const method = normalizeMethod(ex.request?.method ?? 'GET');
  const unsafe = corsUnsafeRequestHeaderNames(author.headers, engine);
  const firstUrl = ex.wire?.[0]?.request.url ?? ex.request?.url ?? '';
  return {
    ex,
    engine,
    firefox: engine === 'firefox',
    cache,
    include,
    origin,
    mode: modeOf(ex),
    headersKnown: author.known,
    method,
    headers: author.headers,
    unsafe,
    corsFlag: false,
    opaque: false,
    taintedOrigin: false,
    redirectCount: 0,
    preflightPassedFor: null,
    url: firstUrl,
    locationUrl: null,
    walk: {
      verdict: 'allowed',
      preflight: 'none',
      checks: [],
      failure: null,
      reason: null,
      stage: 'request',
      hop: -1,
      url: firstUrl,
      firstUrl,
      corsHop: false,
      credentialsMattered: false,
      cacheOps: [],
      originSent: origin,
      originByHop: [],
      method,
      unsafe: unsafe.names,
      finalResponse: null,
      include,
      authorizationByWildcard: [],
      ended: null,
      localNetwork: null,
    },
  };
}

function modeOf(ex: Exchange): RequestMode {
  if (ex.mode) return ex.mode;
  for (const w of ex.wire ?? []) {
    if (w.type !== 'request') continue;
    const m = getCombined(w.request.headers, 'sec-fetch-mode');
    if (m === 'cors' || m === 'no-cors' || m === 'same-origin' || m === 'navigate') return m;
    break;
  }
  return 'cors';
}

/** The headers the script set: given, or read off the first request on the wire without the browser's own. */
function authorHeaders(ex: Exchange, engine: Engine): { headers: Header[]; known: boolean } {
  if (ex.request?.headers) {
    return {
      headers: ex.request.headers.filter((h) => !forbiddenRequestHeaderName(h[0].toLowerCase(), engine)),
      known: true,
    };
  }
  const first = ex.wire?.find((w) => w.type === 'request');
  const headers = (first?.request.headers ?? []).filter((h) => !browserAddedHeaderName(h[0].toLowerCase()));
  return { headers, known: false };
}

/** Nothing on the wire: the request was stopped before it was sent, by its mode or for a reason we cannot see. */
function nothingSent(f: Fetch): Walk {
  const url = f.ex.request?.url ?? '';
  // 11. ... request's mode is "same-origin": return a network error.
  if (f.mode === 'same-origin' && !sameOrigin(f.origin, originOf(url))) {
    f.walk.checks.push({
      rule: 'mode',
      title: 'Request mode allows a cross-origin URL',
      spec: SPEC.mainFetch,
      hop: -1,
      required: 'mode "cors" for a cross-origin URL',
      seen: 'mode "same-origin"',
      result: 'fail',
    });
    return networkError(f, 'SameOriginModeCrossOrigin', -1, url, { seen: originOf(url) });
  }
  // https://fetch.spec.whatwg.org/#dom-request: mode "no-cors" with a method that is not CORS-safelisted
  // throws before anything is fetched.
  if (f.mode === 'no-cors' && !corsSafelistedMethod(f.method))
    return networkError(f, 'NoCorsMethodNotSafelisted', -1, url, {
      seen: f.method,
      required: 'GET, HEAD or POST',
    });
  return networkError(f, 'NothingSent', -1, url);
}

/**
 * Main fetch, for the request at hop `i` (the first, or one after a redirect): what its mode makes of a
 * cross-origin URL. Fails the call, or goes on (null).
 */
function mainFetchHop(f: Fetch, i: number): Walk | null {
  const { walk: w, url } = f;
  if (f.corsFlag || f.opaque || (sameOrigin(f.origin, originOf(url)) && !f.taintedOrigin)) return null;
  // 11. "If response is null, then set response to the result of running the steps corresponding to the
  //     first matching statement":
  //     - request's mode is "same-origin": return a network error.
  if (f.mode === 'same-origin')
    return networkError(f, 'SameOriginModeCrossOrigin', i, url, { seen: originOf(url) });
  //     - request's mode is "no-cors": set request's response tainting to "opaque". (A navigation is never
  //       checked either.)
  if (f.mode === 'no-cors' || f.mode === 'navigate') {
    f.opaque = true;
    return null;
  }
  //     - request's current URL's scheme is not an HTTP(S) scheme: return a network error.
  if (!isHttpScheme(url)) return schemeNotHttp(f, 'request', i, url, null);
  //     - otherwise: set request's response tainting to "cors" and run HTTP fetch.
  f.corsFlag = true;
  w.checks.push({
    rule: 'cross-origin',
    title: 'Cross-origin request: CORS applies',
    spec: SPEC.mainFetch,
    hop: i,
    required: `a response that allows ${w.originSent}`,
    seen: `${originOf(url)} is not ${f.taintedOrigin ? `the origin it was redirected from (Origin is "null")` : f.origin}`,
    result: 'info',
  });
  return null;
}

/**
 * HTTP fetch (https://fetch.spec.whatwg.org/#http-fetch) for the request at hop `i`: the preflight it needed,
 * its response, the CORS check, and a redirect handed to HTTP-redirect fetch. Returns the walk when the call
 * ends at this hop, null when a redirect leads on.
 */
function httpFetch(f: Fetch, i: number): Walk | null {
  const { walk: w, url, include } = f;
  const entry = f.ex.wire[i]!;
  if (f.corsFlag) {
    // 6.1. "If makeCORSPreflight is true and one of these conditions is true": there is no method cache entry
    //      match for request's method (not CORS-safelisted), or a CORS-unsafe request-header name has no
    //      header-name cache entry match; then run a CORS-preflight fetch.
    const { method, unsafe } = f;
    const needs = !corsSafelistedMethod(method) || unsafe.names.length > 0;
    const reasons: string[] = [];
    if (!corsSafelistedMethod(method)) reasons.push(`${method} is not GET, HEAD or POST`);
    for (const n of unsafe.names) reasons.push(`${n}: ${unsafe.reasons.get(n) ?? 'not safelisted'}`);
    w.checks.push({
      rule: 'preflight-needed',
      title: 'Is a preflight needed?',
      spec: SPEC.unsafeHeaderNames,
      hop: i,
      required: 'a preflight unless the method is GET, HEAD or POST and every header is safelisted',
      seen: needs ? `needed: ${reasons.join('; ')}` : 'not needed',
      result: 'info',
    });
    if (needs && f.preflightPassedFor !== url) {
      // Needed, and none went out right before: the browser used its preflight cache. Firefox keys its
      // preflight cache by the page's own origin even once a redirect made the Origin "null"
      // (StartCORSPreflight uses the loading principal); Chromium by the Origin sent.
      const cacheOrigin = f.firefox ? f.origin : w.originSent;
      if (w.preflight === 'none') w.preflight = 'cached';
      const cached = f.cache.lookup(cacheOrigin, url, method, unsafe.names, include, entry.time ?? f.ex.time);
      w.cacheOps.push({ op: 'read', origin: cacheOrigin, url, include });
      w.checks.push({
        rule: 'preflight-cache',
        title: 'Preflight served from the cache',
        spec: SPEC.corsPreflightCache,
        hop: i,
        required: `a cached preflight for ${w.originSent} → ${url} allowing ${method}${unsafe.names.length ? ` and ${unsafe.names.join(', ')}` : ''}`,
        seen: cached
          ? `the preflight of ${cached.id}`
          : 'no earlier preflight in this recording covers it; the browser had one cached from before',
        result: 'info',
        ...(cached ? { servedBy: { id: cached.id, expires: cached.expires } } : {}),
      });
    }
  }
  f.preflightPassedFor = null;
  // 6.3. Set response to the result of running HTTP-network-or-cache fetch: the connection first passes the
  //      Local Network Access check (no-cors and navigations included).
  const lna = localNetworkAccessCheck(f, i);
  if (lna) return lna;
  const res = entry.response;
  if (!res) return networkError(f, 'NoResponse', i, url, { corsHop: f.corsFlag });
  if (!f.firefox && headersTooBig(res.headers)) return networkError(f, 'ResponseHeadersTooBig', i, url);
  // 8. If actualResponse's status is a redirect status, then ... HTTP-redirect fetch; but first
  // 6.4. "If request's response tainting is "cors" and a CORS check for request and response returns failure,
  //      then return a network error": the redirect response itself must pass it. The network layer counts
  //      the redirect and parses its location before that check (redirectLocation).
  const location = isRedirectStatus(res.status) ? getCombined(res.headers, 'location') : null;
  if (location !== null) {
    const next = redirectLocation(f, i, location);
    if (typeof next !== 'string') return next;
    if (f.corsFlag) {
      const failed = corsCheckAt(f, i, res, 'redirect');
      if (failed) return failed;
    }
    return httpRedirectFetch(f, i, res, location, next);
  }
  // The final response.
  w.hop = i;
  w.finalResponse = res;
  if (f.opaque) {
    w.verdict = 'opaque';
    w.checks.push({
      rule: 'no-cors',
      title: f.mode === 'navigate' ? 'Navigation: CORS does not apply' : 'Mode "no-cors": an opaque response',
      spec: SPEC.mainFetch,
      hop: i,
      required: 'nothing: the page cannot read the response',
      seen: `${res.status}`,
      result: 'info',
    });
    return w;
  }
  if (!f.corsFlag) {
    w.verdict = 'same-origin';
    return w;
  }
  // 6.4. The CORS check of the final response.
  const failed = corsCheckAt(f, i, res, 'request');
  if (failed) return failed;
  w.verdict = 'allowed';
  // `*` exposes every header only when credentials are not included: what script can read depends on them.
  if (exposesAll(res)) w.credentialsMattered = true;
  return w;
}

/** Access-Control-Expose-Headers lists `*`. */
function exposesAll(res: HttpResponse): boolean {
  const aceh = getCombined(res.headers, 'access-control-expose-headers');
  return !!aceh?.includes('*') && corsExposedHeaderNames(res).has('*');
}

/**
 * Main fetch 14.3: the CORS-exposed header-name list, from Access-Control-Expose-Headers, lower-case. A
 * value that does not parse exposes nothing extra (Blink's HTTPHeaderNameListParser clears the list).
 */
function corsExposedHeaderNames(res: HttpResponse): Set<string> {
  const aceh = parseTokenList(getCombined(res.headers, 'access-control-expose-headers'));
  return new Set('items' in aceh ? aceh.items.map((n) => n.toLowerCase()) : []);
}

/** What script can read of an allowed walk's final response ([] for another walk). */
export function exposedOf(w: Walk): string[] {
  return w.verdict === 'allowed' && w.finalResponse ? exposedHeaders(w.finalResponse, w.include) : [];
}

/** https://fetch.spec.whatwg.org/#cors-filtered-response: the header names script can read. */
export function exposedHeaders(res: HttpResponse, include: boolean): string[] {
  const listed = corsExposedHeaderNames(res);
  const all = !include && listed.has('*');
  const out = new Set<string>();
  for (const [name] of res.headers) {
    const lower = name.toLowerCase();
    if (forbiddenResponseHeaderName(lower)) continue;
    if (all || corsSafelistedResponseHeaderName(lower) || listed.has(lower)) out.add(lower);
  }
  return [...out].sort();
}
