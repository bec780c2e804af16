// The CORS-preflight fetch: https://fetch.spec.whatwg.org/#cors-preflight-fetch, as Chromium performs it
// (services/network/cors/preflight_controller.cc and preflight_result.cc) and as Firefox does
// (netwerk/protocol/http/nsCORSListenerProxy.cpp, nsCORSPreflightListener), over a recorded preflight.
import { corsCheckAt } from './check';
import { getCombined, headersTooBig, parseTokenList, requestedHeaderNames } from './headers';
import { localNetworkAccessCheck } from './local-network';
import { isRedirectStatus } from './redirect';
import { corsSafelistedMethod } from './safelist';
import { SPEC } from './spec';
import type { Check, Engine, Header } from './types';
import { blocked, type Failure, type Fetch, failure, networkError, type Walk } from './walk';

/** The parsed policy a successful preflight grants: what the browser keeps in its preflight cache. */
export interface PreflightPolicy {
  /** Allowed methods, byte-case-sensitive as sent (Access-Control-Allow-Methods). */
  methods: string[];
  /** Allowed header names, lower-cased (Access-Control-Allow-Headers). */
  headers: string[];
  /** Whether the preflight was made for a request whose credentials mode is "include". */
  include: boolean;
  /** Seconds the entry lives: default 5, capped at the engine's MAX_AGE_CAP; 0 means not cached. */
  maxAge: number;
  /** The max-age as the server sent it (null when absent or unparsable). */
  maxAgeSent: number | null;
}

/**
 * How long each engine keeps a preflight at most; the spec leaves the cap to the browser. Chromium:
 * preflight_result.cc kMaxTimeout (2 h). Firefox: nsCORSPreflightListener::AddResultToCache, "Cap at 24 hours".
 */
export const MAX_AGE_CAP: Record<Engine, number> = { chromium: 7200, firefox: 86400 };
// https://fetch.spec.whatwg.org/#http-access-control-max-age: "If max-age is null, then set max-age to 5."
// Firefox uses the same (PREFLIGHT_DEFAULT_EXPIRY_SECONDS, "chosen to be compatible with Chromium").
const DEFAULT_MAX_AGE = 5;

export const ENGINE_NAME: Record<Engine, string> = { chromium: 'Chromium', firefox: 'Firefox' };

/** The two allow lists' names, as the checks table and the fixes spell them. */
export type AllowList = 'Access-Control-Allow-Methods' | 'Access-Control-Allow-Headers';

/**
 * Extracts ACAM or ACAH as a list of tokens (the spec's "extracting header list values"); a value that is not
 * a token fails with InvalidAllowMethodsPreflightResponse or InvalidAllowHeadersPreflightResponse, the item
 * as its parameter (Firefox: CORSInvalidAllowMethod / CORSInvalidAllowHeader with the same token).
 */
function parseAllowList(
  headers: Header[],
  list: AllowList,
  hop: number,
  checks: Check[],
): { items: string[] } | { failure: Failure } {
  const methods = list === 'Access-Control-Allow-Methods';
  const value = getCombined(headers, list.toLowerCase());
  const parsed = parseTokenList(value);
  if ('items' in parsed) return parsed;
  checks.push(
    parseCheck(
      methods ? 'acam-syntax' : 'acah-syntax',
      list,
      methods ? SPEC.acam : SPEC.acah,
      hop,
      value!,
      parsed.bad,
    ),
  );
  const error = methods ? 'InvalidAllowMethodsPreflightResponse' : 'InvalidAllowHeadersPreflightResponse';
  return { failure: failure(error, parsed.bad, list, value, null) };
}

/**
 * Access-Control-Max-Age as each engine reads it. Chromium: absent or not an integer → 5 s; negative → 0
 * (not cached); capped at 7200 s. Firefox (nsCORSPreflightListener::AddResultToCache): absent or empty → 5 s;
 * anything but the digits 0-9 → not cached at all; capped at 86400 s; 0 → not cached.
 */
function preflightMaxAge(headers: Header[], engine: Engine): Pick<PreflightPolicy, 'maxAge' | 'maxAgeSent'> {
  const raw = getCombined(headers, 'access-control-max-age');
  const cap = MAX_AGE_CAP[engine];
  if (engine === 'firefox') {
    if (raw === null || raw === '') return { maxAge: DEFAULT_MAX_AGE, maxAgeSent: null };
    if (!/^\d+$/.test(raw)) return { maxAge: 0, maxAgeSent: null };
    return { maxAge: Math.min(Number(raw), cap), maxAgeSent: Number(raw) };
  }
  const maxAgeSent = raw !== null && /^[-+]?\d+$/.test(raw) ? Number(raw) : null;
  const maxAge = maxAgeSent === null ? DEFAULT_MAX_AGE : Math.min(Math.max(0, maxAgeSent), cap);
  return { maxAge, maxAgeSent };
}

function parseCheck(
  rule: 'acam-syntax' | 'acah-syntax',
  header: string,
  spec: string,
  hop: number,
  value: string,
  bad: string,
): Check {
  return {
    rule,
    title: `${header} parses as a comma-separated list of tokens`,
    spec,
    hop,
    required: 'tokens separated by commas',
    seen: `"${value}" ("${bad}" is not a token)`,
    result: 'fail',
  };
}

/**
 * Step 7.5 of the CORS-preflight fetch: "If request's method is not in methods, request's method is not a
 * CORS-safelisted method, and request's credentials mode is "include" or methods does not contain `*`,
 * then return a network error." Byte-case-sensitive: `put` does not allow PUT.
 */
export function methodAllowed(
  policy: PreflightPolicy,
  method: string,
): 'listed' | 'safelisted' | 'wildcard' | null {
  if (policy.methods.includes(method)) return 'listed';
  if (corsSafelistedMethod(method)) return 'safelisted';
  if (!policy.include && policy.methods.includes('*')) return 'wildcard';
  return null;
}

/**
 * Steps 7.6-7.7: every CORS-unsafe request-header name must be in headerNames, or `*` must be there and
 * credentials not included. The spec keeps Authorization out of `*` (a CORS non-wildcard request-header
 * name), but neither browser does yet: with credentials not included, `*` covers Authorization in
 * Chromium 156 (its NonWildcardRequestHeadersSupport is off) and in Firefox ESR 153, whose
 * network.cors_preflight.authorization_covered_by_wildcard is true (recorded in both: a fetch with
 * Authorization under ACAH `*` is sent and read; Firefox logs a warning, see authorizationByWildcard).
 * Returns the names not allowed, in the order given (sorted: both browsers report the first).
 */
export function headersNotAllowed(policy: PreflightPolicy, unsafeNames: readonly string[]): string[] {
  const wildcard = !policy.include && policy.headers.includes('*');
  if (wildcard) return [];
  return unsafeNames.filter((n) => !policy.headers.includes(n));
}

/**
 * True when `*` alone lets Authorization through (credentials not included, Authorization not listed by
 * name): what the Fetch Standard forbids (https://fetch.spec.whatwg.org/#cors-non-wildcard-request-header-name)
 * and what Firefox ESR 153 allows only by its deprecated exception, logging the console warning
 * CORSAllowHeaderFromPreflightDeprecation (nsCORSPreflightListener::CheckPreflightRequestApproved).
 */
export function authorizationByWildcard(policy: PreflightPolicy, unsafeNames: readonly string[]): boolean {
  return (
    !policy.include &&
    policy.headers.includes('*') &&
    unsafeNames.includes('authorization') &&
    !policy.headers.includes('authorization')
  );
}

/** https://fetch.spec.whatwg.org/#ok-status */
function isOkStatus(status: number): boolean {
  return status >= 200 && status <= 299;
}

/**
 * https://fetch.spec.whatwg.org/#cors-preflight-fetch, for the recorded preflight at hop `i`: fails the call,
 * or records what the preflight allowed (a cache entry to store) and returns null.
 */
export function corsPreflightFetch(f: Fetch, i: number): Walk | null {
  const { walk: w, url, engine, firefox, include } = f;
  const entry = f.ex.wire[i]!;
  const originSent = w.originSent;
  w.preflight = 'sent';
  f.corsFlag = true;
  if (!f.headersKnown) {
    // The script's headers are unknown: the preflight tells which method and unsafe names the browser saw.
    const acrm = getCombined(entry.request.headers, 'access-control-request-method');
    if (acrm) f.method = acrm;
    f.unsafe = {
      names: requestedHeaderNames(entry.request.headers)
        .map((n) => n.toLowerCase())
        .sort(),
      reasons: new Map(),
    };
    w.unsafe = f.unsafe.names;
    w.method = f.method;
  }
  const { method, unsafe } = f;
  // 1-5. A request `OPTIONS` with Access-Control-Request-Method (request's method) and, when the CORS-unsafe
  //      request-header names are not empty, Access-Control-Request-Headers (those names).
  w.checks.push({
    rule: 'preflight-sent',
    title: 'Preflight request (OPTIONS)',
    spec: SPEC.corsPreflightFetch,
    hop: i,
    required: `Access-Control-Request-Method: ${method}${unsafe.names.length ? `, Access-Control-Request-Headers: ${unsafe.names.join(',')}` : ''}`,
    seen: `OPTIONS ${url} with Origin: ${originSent}`,
    result: 'info',
  });
  // 6. Let response be the result of running HTTP-network-or-cache fetch given preflight: the connection
  //    first passes the Local Network Access check.
  const lna = localNetworkAccessCheck(f, i);
  if (lna) return lna;
  const res = entry.response;
  if (!res) return networkError(f, 'NoResponse', i, url, { corsHop: true });
  if (!firefox && headersTooBig(res.headers)) return networkError(f, 'ResponseHeadersTooBig', i, url);
  // A preflight must not be redirected. Chromium stops at the redirect itself, before any header check;
  // Firefox runs the CORS check on the redirect response first (nsCORSListenerProxy::AsyncOnChannelRedirect
  // → CheckRequestApproved), then its preflight listener refuses the redirect (CORSExternalRedirectNotAllowed).
  const location = isRedirectStatus(res.status) ? getCombined(res.headers, 'location') : null;
  if (location !== null && !firefox) return redirected(f, i, res.status, location);
  // 7. "If a CORS check for request and response returns success and response's status is an ok status".
  //    Both browsers run the CORS check first, then the status (Chromium: preflight_controller.cc;
  //    Firefox: the preflight's nsCORSListenerProxy, then nsCORSPreflightListener).
  //    Firefox checks a preflight against the page's own origin even after a cross-origin redirect made its
  //    Origin header "null" (the preflight channel carries the loading principal, as its cache key does):
  //    recorded in Firefox ESR 153, a preflight answered "null" fails there ("does not match ‘null’") and
  //    one answered with the page's origin passes, while the request's own answer is checked against "null".
  const failed = corsCheckAt(f, i, res, 'preflight', firefox ? f.origin : originSent);
  if (failed) return failed;
  if (location !== null) return redirected(f, i, res.status, location);
  const ok = isOkStatus(res.status);
  w.checks.push({
    rule: 'preflight-ok-status',
    title: 'Preflight response has an ok status (200-299)',
    spec: SPEC.okStatus,
    hop: i,
    required: '200-299',
    seen: String(res.status),
    result: ok ? 'pass' : 'fail',
  });
  // 8. Otherwise, return a network error.
  if (!ok)
    return blocked(
      f,
      'preflight',
      i,
      url,
      failure('PreflightInvalidStatus', null, null, String(res.status), '200-299'),
    );
  // 7.1. Let methods be the result of extracting header list values given `Access-Control-Allow-Methods`.
  // 7.3. If methods is failure, then return a network error.
  //      Chromium parses both allow lists before it checks the method; Firefox checks the method as soon as it
  //      has read Access-Control-Allow-Methods, before it reads Access-Control-Allow-Headers
  //      (nsCORSPreflightListener::CheckPreflightRequestApproved).
  const methods = parseAllowList(res.headers, 'Access-Control-Allow-Methods', i, w.checks);
  if ('failure' in methods) return blocked(f, 'preflight', i, url, methods.failure);
  const policy: PreflightPolicy = {
    methods: methods.items,
    headers: [],
    include,
    ...preflightMaxAge(res.headers, engine),
  };
  // 7.5. The method (checkMethod): Firefox checks it here, Chromium once both lists are read.
  if (firefox) {
    const failed = checkMethod(f, i, res.headers, policy);
    if (failed) return failed;
  }
  // 7.2. Let headerNames be the result of extracting header list values given `Access-Control-Allow-Headers`.
  // 7.3. If headerNames is failure, then return a network error.
  const names = parseAllowList(res.headers, 'Access-Control-Allow-Headers', i, w.checks);
  if ('failure' in names) return blocked(f, 'preflight', i, url, names.failure);
  policy.headers = names.items.map((n) => n.toLowerCase());
  if (!firefox) {
    const failed = checkMethod(f, i, res.headers, policy);
    if (failed) return failed;
  }
  // 7.6-7.7. Every CORS-unsafe request-header name must be in headerNames (or `*` without credentials).
  if (policy.headers.includes('*') && unsafe.names.length > 0) w.credentialsMattered = true;
  const missing = headersNotAllowed(policy, unsafe.names);
  const byWildcard = authorizationByWildcard(policy, unsafe.names);
  // Firefox ESR 153 warns "the `Authorization` header is not covered" and lets it through (recorded).
  if (byWildcard && firefox) w.authorizationByWildcard.push(i);
  const acah = getCombined(res.headers, 'access-control-allow-headers');
  w.checks.push({
    rule: 'acah',
    title: 'Access-Control-Allow-Headers allows every non-safelisted header',
    spec: SPEC.acah,
    hop: i,
    required: unsafe.names.length
      ? `${unsafe.names.join(', ')}${include ? '' : ' (or *)'}`
      : 'nothing: no non-safelisted headers',
    seen:
      displayValue(acah) +
      (include && policy.headers.includes('*') ? ' ("*" is literal when credentials are included)' : '') +
      (byWildcard ? ' (* covers authorization here; the Fetch Standard says it must be listed)' : ''),
    result: missing.length ? 'fail' : 'pass',
  });
  if (missing.length) {
    return blocked(
      f,
      'preflight',
      i,
      url,
      failure(
        'HeaderDisallowedByPreflightResponse',
        missing[0]!,
        'Access-Control-Allow-Headers',
        acah,
        missing[0]!,
      ),
    );
  }
  // 7.8-7.10. max-age: Access-Control-Max-Age, 5 when absent, capped by the engine.
  w.checks.push({
    rule: 'max-age',
    title: 'Preflight result is cached',
    spec: SPEC.maxAge,
    hop: i,
    required: `Access-Control-Max-Age seconds (default 5, ${ENGINE_NAME[engine]} caps at ${MAX_AGE_CAP[engine]})`,
    seen: maxAgeSeen(res.headers, policy, engine),
    result: 'info',
  });
  // 7.12-7.13. Create or update the cache entries: applied once the credentials mode is settled.
  // Firefox keys its preflight cache by the page's own origin even once a redirect made the Origin "null"
  // (StartCORSPreflight uses the loading principal); Chromium by the Origin sent.
  const cacheOrigin = firefox ? f.origin : originSent;
  w.cacheOps.push({ op: 'store', origin: cacheOrigin, url, policy, time: entry.time ?? f.ex.time });
  f.preflightPassedFor = url;
  return null;
}

/** A redirected preflight: Chromium and Firefox refuse it (PreflightDisallowedRedirect). */
function redirected(f: Fetch, i: number, status: number, location: string): Walk {
  f.walk.checks.push({
    rule: 'preflight-no-redirect',
    title: 'Preflight is not redirected',
    spec: SPEC.corsPreflightFetch,
    hop: i,
    required: 'a direct answer, not a redirect',
    seen: `${status} to ${location}`,
    result: 'fail',
  });
  const why = failure('PreflightDisallowedRedirect', null, null, String(status), null);
  return blocked(f, 'preflight', i, f.url, why);
}

/**
 * 7.5. "If request's method is not in methods, request's method is not a CORS-safelisted method, and request's
 * credentials mode is "include" or methods does not contain `*`, then return a network error."
 */
function checkMethod(f: Fetch, i: number, headers: Header[], policy: PreflightPolicy): Walk | null {
  const { walk: w, method, include } = f;
  const how = methodAllowed(policy, method);
  if (policy.methods.includes('*') && how !== 'listed' && how !== 'safelisted') w.credentialsMattered = true;
  const acam = getCombined(headers, 'access-control-allow-methods');
  w.checks.push({
    rule: 'acam',
    title: 'Access-Control-Allow-Methods allows the method',
    spec: SPEC.acam,
    hop: i,
    required: corsSafelistedMethod(method)
      ? `nothing: ${method} is safelisted`
      : `${method} (exact case)${include ? '' : ' or *'}`,
    seen: displayValue(acam) + (how === 'wildcard' ? ' (wildcard)' : ''),
    result: how ? 'pass' : 'fail',
  });
  if (how) return null;
  const why = failure(
    'MethodDisallowedByPreflightResponse',
    method,
    'Access-Control-Allow-Methods',
    acam,
    method,
  );
  return blocked(f, 'preflight', i, f.url, why);
}

/** The max-age check's "seen": what was sent and how long the engine keeps the preflight. */
function maxAgeSeen(headers: Header[], policy: PreflightPolicy, engine: Engine): string {
  const raw = getCombined(headers, 'access-control-max-age');
  if (engine === 'firefox' && raw !== null && policy.maxAge === 0) return `"${raw}": not cached`;
  return policy.maxAgeSent === null
    ? `absent: cached ${policy.maxAge} s`
    : `${policy.maxAgeSent}: cached ${policy.maxAge} s`;
}

/** A header value for the checks table: the combined value in quotes, or "(absent)". */
function displayValue(v: string | null): string {
  return v === null ? '(absent)' : `"${v}"`;
}
