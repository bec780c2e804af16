// The evaluator: one exchange as it crossed the wire → what the browser decided, and why.
// Main fetch (https://fetch.spec.whatwg.org/#main-fetch) walked over the recorded wire, hop by hop, under one
// engine's rules: Chromium 156 (the default) or Firefox ESR 153, whose deviations are named where they happen.
import { advise } from './advice';
import { PreflightCache } from './cache';
import { corsCheck, type Failure } from './check';
import { getCombined, normalizeValue, parseTokenList } from './headers';
import { baseError, chromiumConsoleLine, firefoxConsoleLine, sameOriginModeLine } from './messages';
import { isHttpScheme, normalizeOrigin, originOf, parseUrl, sameOrigin } from './origin';
import {
  authorizationByWildcard,
  ENGINE_NAME,
  headersNotAllowed,
  isOkStatus,
  isRedirectStatus,
  MAX_AGE_CAP,
  methodAllowed,
  type PreflightPolicy,
  parseAllowList,
  preflightMaxAge,
} from './preflight';
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
import type {
  Check,
  CorsErrorInfo,
  Engine,
  EvaluatorOptions,
  Exchange,
  Header,
  HttpResponse,
  PreflightState,
  RequestMode,
  Stage,
  Verdict,
  VerdictKind,
} from './types';

export type CacheOp =
  | { op: 'store'; origin: string; url: string; policy: PreflightPolicy; time: number | undefined }
  | { op: 'read'; origin: string; url: string; include: boolean };

/** What one walk over the wire found, under one assumption about the credentials mode. */
export interface Walk {
  verdict: VerdictKind;
  preflight: PreflightState;
  checks: Check[];
  /** The failed check of a blocked call (also of Firefox's network error for a redirect with credentials). */
  failure: Failure | null;
  stage: Stage;
  /** Index of the wire entry whose response decided a failure; -1 when nothing was sent. */
  hop: number;
  /** The URL Chromium names for the failure, and the first URL when a redirect came between. */
  url: string;
  firstUrl: string;
  /** For a network error: the console line, if the browser prints one we can know. */
  networkLine: string | null;
  /** For a network error: the failing hop was a CORS request (Firefox logs "CORS request did not succeed"). */
  corsHop: boolean;
  /** A plain sentence for a network error or an incomplete recording. */
  reason: string | null;
  /** Whether the answer would change with the other credentials mode. */
  credentialsMattered: boolean;
  /** What the call does to the stream's preflight cache, in order: preflights to store, entries it read. */
  cacheOps: CacheOp[];
  /** The Origin header value at the deciding hop ("null" once tainted). */
  originSent: string;
  /** The method and CORS-unsafe header names of the request at the deciding hop. */
  method: string;
  unsafe: string[];
  /** The response that decided an allowed call. */
  finalResponse: HttpResponse | null;
  include: boolean;
  /** Hops whose preflight let Authorization through by `*` alone (Firefox logs a deprecation warning). */
  authorizationByWildcard: number[];
  /** Set when the wire ends before a final response: what the browser would have requested next. */
  ended: { after: 'preflight' | 'redirect'; url: string; method: string; needsPreflight: boolean } | null;
}

// Chromium refuses a response whose header block passes 256 KiB: net::ERR_RESPONSE_HEADERS_TOO_BIG.
const MAX_HEADER_BYTES = 256 * 1024;

function headerBytes(headers: Header[]): number {
  let n = 0;
  for (const h of headers) n += h[0].length + h[1].length + 4;
  return n;
}

const BODY_HEADERS = new Set(['content-encoding', 'content-language', 'content-location', 'content-type']);

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

/** Access-Control-Request-Headers of a preflight, as the list of names the browser asked for. */
function requestedHeaderNames(headers: Header[] | undefined): string[] {
  const acrh = getCombined(headers, 'access-control-request-headers');
  if (acrh === null) return [];
  return acrh
    .split(',')
    .map((n) => normalizeValue(n).toLowerCase())
    .filter((n) => n !== '')
    .sort();
}

export interface WalkContext {
  cache: PreflightCache;
  engine: Engine;
}

/**
 * Walks the wire under one credentials assumption. Reads the stream's cache but never writes it
 * (the caller applies `cacheOps` once the assumption is settled).
 */
export function walk(ex: Exchange, include: boolean, ctx: WalkContext): Walk {
  const { engine } = ctx;
  const firefox = engine === 'firefox';
  const origin = normalizeOrigin(ex.initiator);
  const mode = modeOf(ex);
  const wire = ex.wire ?? [];
  const checks: Check[] = [];
  const author = authorHeaders(ex, engine);
  let method = normalizeMethod(ex.request?.method ?? 'GET');
  let headers = author.headers;
  let unsafe = corsUnsafeRequestHeaderNames(headers, engine);
  const firstUrl = wire[0]?.request.url ?? ex.request?.url ?? '';
  const result: Walk = {
    verdict: 'allowed',
    preflight: 'none',
    checks,
    failure: null,
    stage: 'request',
    hop: -1,
    url: firstUrl,
    firstUrl,
    networkLine: null,
    corsHop: false,
    reason: null,
    credentialsMattered: false,
    cacheOps: [],
    originSent: origin,
    method,
    unsafe: unsafe.names,
    finalResponse: null,
    include,
    authorizationByWildcard: [],
    ended: null,
  };
  const fail = (stage: Stage, hop: number, url: string, failure: Failure): Walk => {
    result.verdict = 'blocked';
    result.stage = stage;
    result.hop = hop;
    result.url = url;
    result.failure = failure;
    return result;
  };
  // corsHop: the failing request was a CORS one, so Firefox's CORS listener saw it fail.
  const networkError = (
    hop: number,
    url: string,
    reason: string,
    line: string | null = null,
    corsHop = false,
  ): Walk => {
    result.verdict = 'network-error';
    result.hop = hop;
    result.url = url;
    result.reason = reason;
    result.networkLine = line;
    result.corsHop = corsHop;
    return result;
  };

  if (wire.length === 0) {
    const url = ex.request?.url ?? '';
    const cross = !sameOrigin(origin, originOf(url));
    if (mode === 'same-origin' && cross) {
      checks.push({
        rule: 'mode',
        title: 'Request mode allows a cross-origin URL',
        spec: SPEC.mainFetch,
        hop: -1,
        required: 'mode "cors" for a cross-origin URL',
        seen: 'mode "same-origin"',
        result: 'fail',
      });
      return networkError(
        -1,
        url,
        'The request mode is "same-origin" but the URL is on another origin, so the browser never sent it.',
        sameOriginModeLine(url, origin),
      );
    }
    if (mode === 'no-cors' && !corsSafelistedMethod(method)) {
      return networkError(
        -1,
        url,
        `Mode "no-cors" allows only GET, HEAD and POST; ${method} was refused before it was sent.`,
      );
    }
    return networkError(
      -1,
      url,
      'Nothing was sent: the browser stopped the request before it reached the network.',
    );
  }

  let corsFlag = false;
  let tainted = false;
  let noCors = false;
  let redirects = 0;
  let preflightPassedFor: string | null = null;
  let lastCheckedUrl = firstUrl;
  let nextUrl: string | null = null;

  for (let i = 0; i < wire.length; i++) {
    const w = wire[i]!;
    const url = w.request.url;
    lastCheckedUrl = url;
    result.url = url;
    const originSent = tainted ? 'null' : origin;
    result.originSent = originSent;
    // Firefox keys its preflight cache by the page's own origin even once a redirect made the Origin "null"
    // (StartCORSPreflight uses the loading principal); Chromium by the Origin sent.
    const cacheOrigin = firefox ? origin : originSent;

    if (w.type === 'preflight') {
      result.preflight = 'sent';
      corsFlag = true;
      if (!author.known) {
        // The script's headers are unknown: the preflight tells which unsafe names the browser saw.
        const acrm = getCombined(w.request.headers, 'access-control-request-method');
        if (acrm) method = acrm;
        unsafe = { names: requestedHeaderNames(w.request.headers), reasons: new Map() };
        result.unsafe = unsafe.names;
        result.method = method;
      }
      checks.push({
        rule: 'preflight-sent',
        title: 'Preflight request (OPTIONS)',
        spec: SPEC.corsPreflightFetch,
        hop: i,
        required: `Access-Control-Request-Method: ${method}${unsafe.names.length ? `, Access-Control-Request-Headers: ${unsafe.names.join(',')}` : ''}`,
        seen: `OPTIONS ${url} with Origin: ${originSent}`,
        result: 'info',
      });
      const res = w.response;
      if (!res)
        return networkError(
          i,
          url,
          'The preflight got no response (connection refused, reset or aborted).',
          null,
          true,
        );
      // Firefox's own header-size limit is not modelled.
      if (!firefox && headerBytes(res.headers) > MAX_HEADER_BYTES) {
        return networkError(
          i,
          url,
          'The preflight response headers pass 256 KiB; Chromium refuses them (net::ERR_RESPONSE_HEADERS_TOO_BIG).',
        );
      }
      // A preflight must not be redirected. Chromium stops at the redirect itself, before any header check;
      // Firefox runs the CORS check on the redirect response first (nsCORSListenerProxy::AsyncOnChannelRedirect
      // → CheckRequestApproved), then its preflight listener refuses the redirect (CORSExternalRedirectNotAllowed).
      const location = isRedirectStatus(res.status) ? getCombined(res.headers, 'location') : null;
      const redirected = (): Walk => {
        checks.push({
          rule: 'preflight-no-redirect',
          title: 'Preflight is not redirected',
          spec: SPEC.corsPreflightFetch,
          hop: i,
          required: 'a direct answer, not a redirect',
          seen: `${res.status} to ${location}`,
          result: 'fail',
        });
        return fail('preflight', i, url, { error: 'PreflightDisallowedRedirect', param: null });
      };
      if (location !== null && !firefox) return redirected();
      // Step 7: "If a CORS check for request and response returns success and response's status is an ok
      // status". Both browsers run the CORS check first, then the status (Chromium: preflight_controller.cc;
      // Firefox: the preflight's nsCORSListenerProxy, then nsCORSPreflightListener).
      const cc = corsCheck({ response: res, origin: originSent, include, hop: i, checks, engine });
      if (cc.credentialsMattered) result.credentialsMattered = true;
      if (cc.failure)
        return fail('preflight', i, url, { error: `Preflight${cc.failure.error}`, param: cc.failure.param });
      if (location !== null) return redirected();
      const ok = isOkStatus(res.status);
      checks.push({
        rule: 'preflight-ok-status',
        title: 'Preflight response has an ok status (200-299)',
        spec: SPEC.okStatus,
        hop: i,
        required: '200-299',
        seen: String(res.status),
        result: ok ? 'pass' : 'fail',
      });
      if (!ok) return fail('preflight', i, url, { error: 'PreflightInvalidStatus', param: null });
      // Chromium parses both allow lists before it checks the method; Firefox checks the method as soon as it
      // has read Access-Control-Allow-Methods, before it reads Access-Control-Allow-Headers
      // (nsCORSPreflightListener::CheckPreflightRequestApproved).
      const methods = parseAllowList(res.headers, 'Access-Control-Allow-Methods', i, checks);
      if ('failure' in methods) return fail('preflight', i, url, methods.failure);
      const policy: PreflightPolicy = {
        methods: methods.items,
        headers: [],
        include,
        ...preflightMaxAge(res.headers, engine),
      };
      const checkMethod = (): Walk | null => {
        const how = methodAllowed(policy, method);
        if (policy.methods.includes('*') && how !== 'listed' && how !== 'safelisted')
          result.credentialsMattered = true;
        checks.push({
          rule: 'acam',
          title: 'Access-Control-Allow-Methods allows the method',
          spec: SPEC.acam,
          hop: i,
          required: corsSafelistedMethod(method)
            ? `nothing: ${method} is safelisted`
            : `${method} (exact case)${include ? '' : ' or *'}`,
          seen:
            displayHeader(res.headers, 'access-control-allow-methods') +
            (how === 'wildcard' ? ' (wildcard)' : ''),
          result: how ? 'pass' : 'fail',
        });
        return how
          ? null
          : fail('preflight', i, url, { error: 'MethodDisallowedByPreflightResponse', param: method });
      };
      if (firefox) {
        const failed = checkMethod();
        if (failed) return failed;
      }
      const names = parseAllowList(res.headers, 'Access-Control-Allow-Headers', i, checks);
      if ('failure' in names) return fail('preflight', i, url, names.failure);
      policy.headers = names.items.map((n) => n.toLowerCase());
      if (!firefox) {
        const failed = checkMethod();
        if (failed) return failed;
      }
      if (policy.headers.includes('*') && unsafe.names.length > 0) result.credentialsMattered = true;
      const missing = headersNotAllowed(policy, unsafe.names);
      const byWildcard = authorizationByWildcard(policy, unsafe.names);
      // Firefox ESR 153 warns "the `Authorization` header is not covered" and lets it through (recorded).
      if (byWildcard && firefox) result.authorizationByWildcard.push(i);
      const wildcardNote = include ? '' : ' (or *)';
      checks.push({
        rule: 'acah',
        title: 'Access-Control-Allow-Headers allows every non-safelisted header',
        spec: SPEC.acah,
        hop: i,
        required: unsafe.names.length
          ? `${unsafe.names.join(', ')}${wildcardNote}`
          : 'nothing: no non-safelisted headers',
        seen:
          displayHeader(res.headers, 'access-control-allow-headers') +
          (include && policy.headers.includes('*') ? ' ("*" is literal when credentials are included)' : '') +
          (byWildcard ? ' (* covers authorization here; the Fetch Standard says it must be listed)' : ''),
        result: missing.length ? 'fail' : 'pass',
      });
      if (missing.length) {
        return fail('preflight', i, url, {
          error: 'HeaderDisallowedByPreflightResponse',
          param: missing[0]!,
        });
      }
      checks.push({
        rule: 'max-age',
        title: 'Preflight result is cached',
        spec: SPEC.maxAge,
        hop: i,
        required: `Access-Control-Max-Age seconds (default 5, ${ENGINE_NAME[engine]} caps at ${MAX_AGE_CAP[engine]})`,
        seen: maxAgeSeen(res.headers, policy, engine),
        result: 'info',
      });
      result.cacheOps.push({ op: 'store', origin: cacheOrigin, url, policy, time: w.time ?? ex.time });
      preflightPassedFor = url;
      continue;
    }

    // An actual request (the first, or one after a redirect).
    const cross = !sameOrigin(origin, originOf(url));
    if (!corsFlag && !noCors && (cross || tainted)) {
      // Main fetch: a cross-origin URL in mode "same-origin" is a network error; "no-cors" is opaque;
      // "cors" sets the response tainting to "cors" for the rest of the chain.
      if (mode === 'same-origin') {
        return networkError(
          i,
          url,
          'The request mode is "same-origin" but the URL is on another origin.',
          sameOriginModeLine(url, origin),
        );
      }
      if (mode === 'no-cors' || mode === 'navigate') {
        noCors = true;
      } else {
        if (!isHttpScheme(url)) {
          checks.push({
            rule: 'scheme',
            title: 'Cross-origin requests use HTTP(S)',
            spec: SPEC.mainFetch,
            hop: i,
            required: 'http: or https:',
            seen: parseUrl(url)?.scheme ?? url,
            result: 'fail',
          });
          return fail('request', i, url, { error: 'CorsDisabledScheme', param: null });
        }
        corsFlag = true;
        checks.push({
          rule: 'cross-origin',
          title: 'Cross-origin request: CORS applies',
          spec: SPEC.mainFetch,
          hop: i,
          required: `a response that allows ${originSent}`,
          seen: `${originOf(url)} is not ${tainted ? `the origin it was redirected from (Origin is "null")` : origin}`,
          result: 'info',
        });
      }
    }

    if (corsFlag) {
      const needs = !corsSafelistedMethod(method) || unsafe.names.length > 0;
      const reasons: string[] = [];
      if (!corsSafelistedMethod(method)) reasons.push(`${method} is not GET, HEAD or POST`);
      for (const n of unsafe.names) reasons.push(`${n}: ${unsafe.reasons.get(n) ?? 'not safelisted'}`);
      checks.push({
        rule: 'preflight-needed',
        title: 'Is a preflight needed?',
        spec: SPEC.unsafeHeaderNames,
        hop: i,
        required: 'a preflight unless the method is GET, HEAD or POST and every header is safelisted',
        seen: needs ? `needed: ${reasons.join('; ')}` : 'not needed',
        result: 'info',
      });
      if (needs && preflightPassedFor !== url) {
        // Needed, and none went out right before: the browser used its preflight cache.
        if (result.preflight === 'none') result.preflight = 'cached';
        const entry = ctx.cache.lookup(cacheOrigin, url, method, unsafe.names, include, w.time ?? ex.time);
        result.cacheOps.push({ op: 'read', origin: cacheOrigin, url, include });
        checks.push({
          rule: 'preflight-cache',
          title: 'Preflight served from the cache',
          spec: SPEC.corsPreflightCache,
          hop: i,
          required: `a cached preflight for ${originSent} → ${url} allowing ${method}${unsafe.names.length ? ` and ${unsafe.names.join(', ')}` : ''}`,
          seen: entry
            ? `the preflight of ${entry.id}`
            : 'no earlier preflight in this recording covers it; the browser had one cached from before',
          result: 'info',
          ...(entry ? { servedBy: { id: entry.id, expires: entry.expires } } : {}),
        });
      }
    }
    preflightPassedFor = null;

    const res = w.response;
    if (!res) {
      return networkError(
        i,
        url,
        'No response arrived (connection refused, reset, or the request was aborted).',
        null,
        corsFlag,
      );
    }
    if (!firefox && headerBytes(res.headers) > MAX_HEADER_BYTES) {
      return networkError(
        i,
        url,
        'The response headers pass 256 KiB; Chromium refuses them (net::ERR_RESPONSE_HEADERS_TOO_BIG).',
      );
    }
    const location = isRedirectStatus(res.status) ? getCombined(res.headers, 'location') : null;
    if (location !== null) {
      // HTTP-redirect fetch. With the CORS flag set, the redirect response itself must pass the CORS check.
      if (corsFlag) {
        const cc = corsCheck({ response: res, origin: originSent, include, hop: i, checks, engine });
        if (cc.credentialsMattered) result.credentialsMattered = true;
        if (cc.failure) return fail('redirect', i, url, cc.failure);
      }
      if (++redirects > 20) return networkError(i, url, 'More than 20 redirects.', null, corsFlag);
      let next: string;
      try {
        next = new URL(location, url).href;
      } catch {
        return networkError(
          i,
          url,
          `The redirect location "${location}" is not a valid URL.`,
          null,
          corsFlag,
        );
      }
      if (!isHttpScheme(next)) {
        return networkError(i, url, `Redirect to a URL that is not HTTP(S) (${next}).`, null, corsFlag);
      }
      const nextParsed = parseUrl(next);
      // Steps 9-10: in mode "cors", a location with credentials is a network error when it leaves the origin,
      // the chain is tainted, or the CORS flag is set. Chromium reports it as a CORS error and prints the
      // location as ''; Firefox fails the redirect outside the CORS checks (nsCORSListenerProxy::UpdateChannel,
      // NS_ERROR_DOM_BAD_URI) and logs only "CORS request did not succeed" for the URL that redirected.
      if (
        mode === 'cors' &&
        nextParsed?.hasCredentials &&
        (tainted || corsFlag || !sameOrigin(origin, nextParsed.origin))
      ) {
        checks.push({
          rule: 'redirect-credentials',
          title: 'Redirect location has no username or password',
          spec: SPEC.httpRedirectFetch,
          hop: i,
          required: 'a location without user:pass@',
          seen: location,
          result: 'fail',
        });
        if (firefox) {
          // A network error, not a CORS verdict; the failure still names the check, for the repair to fix.
          result.failure = { error: 'RedirectContainsCredentials', param: '' };
          result.stage = 'redirect';
          return networkError(
            i,
            url,
            'The redirect location carries a username and password, which Firefox refuses for a cross-origin request.',
            null,
            true,
          );
        }
        return fail('redirect', i, url, { error: 'RedirectContainsCredentials', param: '' });
      }
      // The origin becomes "null" once the chain leaves an origin that is not the request's own.
      if (!sameOrigin(originOf(url), originOf(next)) && !sameOrigin(origin, originOf(url))) tainted = true;
      checks.push({
        rule: 'redirect',
        title: 'Redirect followed',
        spec: SPEC.httpRedirectFetch,
        hop: i,
        required: 'the next hop is checked on its own',
        seen: `${res.status} to ${next}${tainted ? ' (Origin is now "null")' : ''}`,
        result: 'info',
      });
      // Step 12: 301/302 turn POST into GET, 303 turns anything but GET/HEAD into GET; the body goes.
      if (
        ((res.status === 301 || res.status === 302) && method === 'POST') ||
        (res.status === 303 && method !== 'GET' && method !== 'HEAD')
      ) {
        method = 'GET';
        headers = headers.filter((h) => !BODY_HEADERS.has(h[0].toLowerCase()));
        if (author.known) unsafe = corsUnsafeRequestHeaderNames(headers, engine);
      }
      // HTTP-redirect fetch drops the CORS non-wildcard request-header names (Authorization) on a cross-origin
      // redirect, so the next preflight no longer asks for it. Firefox does (nsCORSListenerProxy::
      // AsyncOnChannelRedirect, NS_ShouldRemoveAuthHeaderOnRedirect); Chromium 156 is left as recorded.
      if (firefox && unsafe.names.includes('authorization') && !sameOrigin(originOf(url), originOf(next))) {
        headers = headers.filter((h) => h[0].toLowerCase() !== 'authorization');
        unsafe = { names: unsafe.names.filter((n) => n !== 'authorization'), reasons: unsafe.reasons };
      }
      result.method = method;
      result.unsafe = unsafe.names;
      nextUrl = next;
      continue;
    }

    // The final response.
    result.hop = i;
    result.finalResponse = res;
    if (noCors) {
      result.verdict = 'opaque';
      checks.push({
        rule: 'no-cors',
        title: mode === 'navigate' ? 'Navigation: CORS does not apply' : 'Mode "no-cors": an opaque response',
        spec: SPEC.mainFetch,
        hop: i,
        required: 'nothing: the page cannot read the response',
        seen: `${res.status}`,
        result: 'info',
      });
      break;
    }
    if (!corsFlag) {
      result.verdict = 'same-origin';
      break;
    }
    const cc = corsCheck({ response: res, origin: originSent, include, hop: i, checks, engine });
    if (cc.credentialsMattered) result.credentialsMattered = true;
    if (cc.failure) return fail('request', i, url, cc.failure);
    result.verdict = 'allowed';
    break;
  }

  if (result.finalResponse === null && result.verdict === 'allowed') {
    // The wire ended before a final response: a preflight with no request after it, or a redirect not followed.
    const last = wire[wire.length - 1]!;
    const needsPreflight = !corsSafelistedMethod(method) || unsafe.names.length > 0;
    if (last.type === 'preflight') {
      result.ended = { after: 'preflight', url: lastCheckedUrl, method, needsPreflight };
      return networkError(
        wire.length - 1,
        lastCheckedUrl,
        'The preflight passed but the request itself was never recorded (the browser stopped it for a reason outside CORS, or the recording is incomplete).',
      );
    }
    const next = nextUrl ?? lastCheckedUrl;
    const nextCors = corsFlag || tainted || !sameOrigin(origin, originOf(next));
    result.ended = { after: 'redirect', url: next, method, needsPreflight: nextCors && needsPreflight };
    result.originSent = tainted ? 'null' : origin;
    if (ex.outcome === 'success') {
      result.verdict = 'opaque';
      result.reason =
        'The redirect was not followed: redirect mode "manual" gives the page an opaque-redirect response.';
      return result;
    }
    return networkError(
      wire.length - 1,
      lastCheckedUrl,
      'The redirect was not followed (redirect mode "error", or the recording ends here).',
    );
  }
  return result;
}

/** The max-age check's "seen": what was sent and how long the engine keeps the preflight. */
function maxAgeSeen(headers: Header[], policy: PreflightPolicy, engine: Engine): string {
  const raw = getCombined(headers, 'access-control-max-age');
  if (engine === 'firefox' && raw !== null && policy.maxAge === 0) return `"${raw}": not cached`;
  return policy.maxAgeSent === null
    ? `absent: cached ${policy.maxAge} s`
    : `${policy.maxAgeSent}: cached ${policy.maxAge} s`;
}

/** Header value for the checks table: the combined value in quotes, or "(absent)". */
function displayHeader(headers: Header[], name: string): string {
  const v = getCombined(headers, name);
  return v === null ? '(absent)' : `"${v}"`;
}

/** https://fetch.spec.whatwg.org/#cors-filtered-response: the header names script can read. */
export function exposedHeaders(res: HttpResponse, include: boolean): string[] {
  const aceh = parseTokenList(getCombined(res.headers, 'access-control-expose-headers'));
  // A value that does not parse exposes nothing extra (Blink's HTTPHeaderNameListParser clears the list).
  const listed = new Set('items' in aceh ? aceh.items.map((n) => n.toLowerCase()) : []);
  const all = !include && listed.has('*');
  const out = new Set<string>();
  for (const [name] of res.headers) {
    const lower = name.toLowerCase();
    if (forbiddenResponseHeaderName(lower)) continue;
    if (all || corsSafelistedResponseHeaderName(lower) || listed.has(lower)) out.add(lower);
  }
  return [...out].sort();
}

/** Evaluates a stream of exchanges in order, carrying the preflight cache from one to the next. */
export class Evaluator {
  readonly engine: Engine;
  readonly cache: PreflightCache;
  /** Per server origin, the request origins it echoed in ACAO with credentials allowed. */
  private readonly echoed = new Map<string, Set<string>>();

  constructor(options: EvaluatorOptions = {}) {
    this.engine = options.engine ?? 'chromium';
    this.cache = new PreflightCache(this.engine);
  }

  evaluate(ex: Exchange): Verdict {
    const ctx: WalkContext = { cache: this.cache, engine: this.engine };
    let chosen: Walk;
    let credentialsNote: Check | null = null;
    if (ex.credentials) {
      chosen = walk(ex, ex.credentials === 'include', ctx);
    } else {
      const sent = sentCookie(ex);
      const first = walk(ex, sent, ctx);
      chosen = first;
      if (first.credentialsMattered) {
        const other = walk(ex, !sent, ctx);
        if (other.verdict !== first.verdict || other.failure?.error !== first.failure?.error) {
          // Where the answer depends on the credentials mode, the outcome the browser reported decides;
          // without one, what was sent does (a Cookie header means "include").
          const decisive = !!ex.outcome && explains(other, ex.outcome) !== explains(first, ex.outcome);
          if (decisive && explains(other, ex.outcome!) > explains(first, ex.outcome!)) chosen = other;
          const basis = decisive
            ? `the page saw ${ex.outcome === 'success' ? 'success' : 'an error'}`
            : sent
              ? 'a Cookie header was sent'
              : 'no Cookie header was sent';
          credentialsNote = {
            rule: 'credentials-mode',
            title: 'Credentials mode (not recorded)',
            spec: SPEC.credentials,
            hop: -1,
            required: 'the verdict depends on whether credentials are included',
            seen: `assumed ${chosen.include ? '"include"' : '"same-origin" (not included cross-origin)'} because ${basis}`,
            result: 'info',
          };
        }
      }
    }
    for (const o of chosen.cacheOps) {
      if (o.op === 'store') this.cache.store(o.origin, o.url, ex.id, o.policy, o.time);
      else this.cache.read(o.origin, o.url, o.include);
    }
    // Firefox drops its cached preflights for a URL whose CORS request failed (the cache ignores this for
    // Chromium): after a blocked call, or a network error its CORS listener saw.
    if (chosen.verdict === 'blocked' || (chosen.verdict === 'network-error' && chosen.corsHop))
      this.cache.evict(normalizeOrigin(ex.initiator), chosen.url);
    const verdict = this.finish(ex, chosen, credentialsNote);
    return verdict;
  }

  /**
   * The error, in the engine's words: Chromium's line for a Chromium verdict; for a Firefox verdict, Firefox's
   * line as `console` (and `firefoxConsole`) and the name Chromium gives the same check as `chromium`.
   */
  private finish(ex: Exchange, w: Walk, credentialsNote: Check | null): Verdict {
    const origin = normalizeOrigin(ex.initiator);
    const checks = credentialsNote ? [credentialsNote, ...w.checks] : w.checks;
    const firefox = this.engine === 'firefox';
    let error: CorsErrorInfo | null = null;
    if (w.verdict === 'blocked' && w.failure) {
      const { error: name, param } = w.failure;
      const response = w.hop >= 0 ? (ex.wire[w.hop]?.response ?? null) : null;
      const ff = firefoxReason(name, param, response);
      const ffLine = ff.key ? firefoxConsoleLine(ff.key, ff.param, w.url, ff.status) : null;
      error = {
        stage: w.stage,
        chromium: name,
        firefox: ff.key,
        console: firefox
          ? ffLine
          : chromiumConsoleLine(name, param, { api: ex.api, url: w.url, firstUrl: w.firstUrl, origin }),
        firefoxConsole: ffLine,
        failedParameter: param,
        url: w.url,
        hop: w.hop,
      };
    } else if (w.verdict === 'network-error') {
      // Firefox logs "CORS request did not succeed" (Status code: (null)) when its CORS listener sees the
      // request fail (nsCORSListenerProxy::CheckRequestApproved, CORSDidNotSucceed2).
      const didNotSucceed = firefox && w.corsHop;
      const ffLine = didNotSucceed ? firefoxConsoleLine('CORSDidNotSucceed', null, w.url, null) : null;
      error = {
        stage: w.hop >= 0 && ex.wire[w.hop]?.type === 'preflight' ? 'preflight' : 'request',
        chromium: null,
        firefox: didNotSucceed ? 'CORSDidNotSucceed' : null,
        console: firefox ? ffLine : w.networkLine,
        firefoxConsole: ffLine,
        failedParameter: null,
        url: w.url,
        hop: w.hop,
      };
    }
    const verdict: Verdict = {
      id: ex.id,
      engine: this.engine,
      verdict: w.verdict,
      preflight: w.preflight,
      error,
      summary: '',
      checks,
      fixes: [],
      advice: [],
      warnings: [],
    };
    if (w.verdict === 'allowed' && w.finalResponse)
      verdict.exposed = exposedHeaders(w.finalResponse, w.include);
    advise(ex, w, verdict, { cache: this.cache, echoed: this.echoed, engine: this.engine });
    return verdict;
  }
}

/** How well a walk explains what the browser reported: a CORS failure explains an error best. */
function explains(w: Walk, outcome: 'success' | 'error'): number {
  const ok = w.verdict === 'allowed' || w.verdict === 'opaque' || w.verdict === 'same-origin';
  if (outcome === 'success') return ok ? 2 : 0;
  return w.verdict === 'blocked' ? 2 : w.verdict === 'network-error' ? 1 : 0;
}

function sentCookie(ex: Exchange): boolean {
  for (const w of ex.wire ?? []) if (getCombined(w.request.headers, 'cookie') !== null) return true;
  return false;
}

/** Firefox's reason key for the same failure, judged by Firefox's own rules on the same response. */
function firefoxReason(
  error: string,
  param: string | null,
  response: HttpResponse | null,
): { key: string | null; param: string | null; status: number | null } {
  const status = response?.status ?? null;
  const base = baseError(error);
  switch (base) {
    case 'MissingAllowOriginHeader':
      return { key: 'CORSMissingAllowOrigin', param: null, status };
    case 'MultipleAllowOriginValues': {
      // Firefox counts header lines: one line holding a list is a mismatch, not "multiple".
      let lines = 0;
      for (const [n] of response?.headers ?? [])
        if (n.toLowerCase() === 'access-control-allow-origin') lines++;
      return lines > 1
        ? { key: 'CORSMultipleAllowOriginNotAllowed', param: null, status }
        : { key: 'CORSAllowOriginNotMatchingOrigin', param, status };
    }
    case 'InvalidAllowOriginValue':
    case 'AllowOriginMismatch':
      return { key: 'CORSAllowOriginNotMatchingOrigin', param, status };
    case 'WildcardOriginNotAllowed':
      return { key: 'CORSNotSupportingCredentials', param: null, status };
    case 'InvalidAllowCredentials':
      return { key: 'CORSMissingAllowCredentials', param: null, status };
    case 'PreflightInvalidStatus':
      return { key: 'CORSPreflightDidNotSucceed', param: null, status };
    case 'PreflightDisallowedRedirect':
      return { key: 'CORSExternalRedirectNotAllowed', param: null, status };
    case 'InvalidAllowMethodsPreflightResponse':
      return { key: 'CORSInvalidAllowMethod', param, status };
    case 'InvalidAllowHeadersPreflightResponse':
      return { key: 'CORSInvalidAllowHeader', param, status };
    case 'MethodDisallowedByPreflightResponse':
      return { key: 'CORSMethodNotFound', param: null, status };
    case 'HeaderDisallowedByPreflightResponse':
      return { key: 'CORSMissingAllowHeaderFromPreflight', param, status };
    case 'RedirectContainsCredentials':
      // Firefox treats it as a failed request, not a CORS check.
      return { key: 'CORSDidNotSucceed', param: null, status: null };
    case 'CorsDisabledScheme':
      return { key: 'CORSRequestNotHttp', param: null, status };
    default:
      return { key: null, param: null, status };
  }
}

/** Evaluates every exchange of a stream, in order. */
export function evaluateAll(exchanges: Iterable<Exchange>, options: EvaluatorOptions = {}): Verdict[] {
  const ev = new Evaluator(options);
  const out: Verdict[] = [];
  for (const ex of exchanges) out.push(ev.evaluate(ex));
  return out;
}
