// HTTP-redirect fetch: https://fetch.spec.whatwg.org/#http-redirect-fetch, over a recorded redirect, as
// Chromium and Firefox follow it. Also the one place that says when a redirect makes the Origin "null".
import { isHttpScheme, originOf, parseUrl, sameOrigin } from './origin';
import { corsUnsafeRequestHeaderNames } from './safelist';
import { SPEC } from './spec';
import type { Header, HttpResponse } from './types';
import { blocked, type Fetch, failure, networkError, schemeNotHttp, type Walk } from './walk';

/** https://fetch.spec.whatwg.org/#redirect-status */
export function isRedirectStatus(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

/**
 * https://fetch.spec.whatwg.org/#concept-request-tainted-origin: "If request's current URL's origin is not same
 * origin with locationURL's origin and request's origin is not same origin with request's current URL's
 * origin, then set request's tainted origin flag." From then on the Origin header says "null".
 */
export function taintsOrigin(origin: string, currentUrl: string, locationUrl: string): boolean {
  return (
    !sameOrigin(originOf(currentUrl), originOf(locationUrl)) && !sameOrigin(origin, originOf(currentUrl))
  );
}

/** https://fetch.spec.whatwg.org/#serializing-a-request-origin: "null" once the origin is tainted. */
export function serializedOrigin(f: Pick<Fetch, 'origin' | 'taintedOrigin'>): string {
  return f.taintedOrigin ? 'null' : f.origin;
}

/**
 * Step 12 of HTTP-redirect fetch: "If one of the following is true: actualResponse's status is 301 or 302 and
 * request's method is `POST`; actualResponse's status is 303 and request's method is not `GET` or `HEAD`",
 * the request goes on as `GET` (without its body). Otherwise its method stays.
 */
export function methodAfterRedirect(status: number, method: string): string {
  return ((status === 301 || status === 302) && method === 'POST') ||
    (status === 303 && method !== 'GET' && method !== 'HEAD')
    ? 'GET'
    : method;
}

// https://fetch.spec.whatwg.org/#request-body-header-name: a redirect that drops the body drops these.
const REQUEST_BODY_HEADER_NAMES = new Set([
  'content-encoding',
  'content-language',
  'content-location',
  'content-type',
]);

// https://fetch.spec.whatwg.org/#cors-non-wildcard-request-header-name
const CORS_NON_WILDCARD_REQUEST_HEADER_NAMES = new Set(['authorization']);

/** What the request carries to locationURL: its method, its headers, and whether its body goes too. */
export interface RedirectedRequest {
  method: string;
  headers: Header[];
  keepsBody: boolean;
  /** Step 13 applied: the CORS non-wildcard request-header names (Authorization) were deleted. */
  nonWildcardDeleted: boolean;
}

/**
 * Steps 12-13 of https://fetch.spec.whatwg.org/#http-redirect-fetch, as Chromium 156 and Firefox ESR 153 apply
 * them. 12: a method that changes to `GET` loses its body and every request-body-header name. 13: "If
 * request's current URL's origin is not same origin with locationURL's origin, then for each headerName of
 * CORS non-wildcard request-header name, delete headerName from request's header list." Both browsers do
 * (recorded in Chromium 156: the next preflight no longer asks for authorization and the request arrives
 * without it; Firefox: nsCORSListenerProxy::AsyncOnChannelRedirect, NS_ShouldRemoveAuthHeaderOnRedirect).
 */
export function requestAfterRedirect(
  status: number,
  method: string,
  headers: Header[],
  currentUrl: string,
  locationUrl: string,
): RedirectedRequest {
  const next = methodAfterRedirect(status, method);
  const keepsBody = next === method;
  const nonWildcardDeleted = !sameOrigin(originOf(currentUrl), originOf(locationUrl));
  const out = headers.filter(
    ([n]) =>
      !(!keepsBody && REQUEST_BODY_HEADER_NAMES.has(n.toLowerCase())) &&
      !(nonWildcardDeleted && CORS_NON_WILDCARD_REQUEST_HEADER_NAMES.has(n.toLowerCase())),
  );
  return { method: next, headers: out, keepsBody, nonWildcardDeleted };
}

/**
 * Steps 7-8 and 3-5 of https://fetch.spec.whatwg.org/#http-redirect-fetch, in the order the network layer runs
 * them, before the redirect response's CORS check (main fetch 6.4): the redirect count, then the location
 * URL. Recorded in Chromium 156: a 21st redirect without Access-Control-Allow-Origin fails with
 * net::ERR_TOO_MANY_REDIRECTS, and a Location of `http://[::1` with `Access-Control-Allow-Origin: *` and
 * credentials included with net::ERR_INVALID_REDIRECT, neither with a CORS error. Returns the location URL,
 * or the failed walk.
 */
export function redirectLocation(f: Fetch, i: number, location: string): string | Walk {
  const { url } = f;
  // 7. If request's redirect count is 20, then return a network error. 8. Increase request's redirect count by 1.
  //    (Counted before the location is parsed: where both fail, the count is the error named.)
  if (++f.redirectCount > 20)
    return networkError(f, 'TooManyRedirects', i, url, {
      seen: String(f.redirectCount),
      required: 'at most 20',
      corsHop: f.corsFlag,
    });
  // 3. Let locationURL be actualResponse's location URL given request's current URL's fragment.
  // 5. If locationURL is failure, then return a network error.
  try {
    return new URL(location, url).href;
  } catch {
    return networkError(f, 'InvalidRedirectLocation', i, url, {
      header: 'Location',
      seen: location,
      corsHop: f.corsFlag,
    });
  }
}

/**
 * https://fetch.spec.whatwg.org/#http-redirect-fetch, for the redirect response `res` of hop `i` to `next`
 * (its count, its location URL and its CORS check already passed): fails the call, or sets the request up
 * for the next hop and returns null. `location` is the header as sent.
 */
export function httpRedirectFetch(
  f: Fetch,
  i: number,
  res: HttpResponse,
  location: string,
  next: string,
): Walk | null {
  const { walk: w, url } = f;
  // 6. If locationURL's scheme is not an HTTP(S) scheme, then return a network error.
  if (!isHttpScheme(next)) {
    // The last hop, and the page saw success: redirect mode "manual" (an opaque redirect), never followed.
    if (i === f.ex.wire.length - 1 && f.ex.outcome === 'success') {
      f.locationUrl = next;
      return null;
    }
    // Chromium 156 and Firefox ESR 153 refuse only data: and file: here (net::ERR_UNSAFE_REDIRECT,
    // NS_ERROR_CORRUPTED_CONTENT). Any other scheme they follow, and main fetch's scheme check blocks a
    // CORS request there (CorsDisabledScheme, CORSRequestNotHttp at the new URL): recorded with ftp: and
    // with an unknown scheme.
    const scheme = parseUrl(next)?.scheme;
    if (f.mode === 'cors' && scheme !== 'data:' && scheme !== 'file:')
      return schemeNotHttp(f, 'redirect', i, next, 'Location');
    return networkError(f, 'RedirectNotHttp', i, url, {
      header: 'Location',
      seen: next,
      corsHop: f.corsFlag,
    });
  }
  // 9. If request's mode is "cors", locationURL includes credentials, and request's origin is not same origin
  //    with locationURL's origin, then return a network error.
  // 10. If request's response tainting is "cors" and locationURL includes credentials, then return a network error.
  //    Chromium also counts a tainted origin, reports it as a CORS error and prints the location as ''.
  //    Firefox fails the redirect outside the CORS checks (nsCORSListenerProxy::UpdateChannel,
  //    NS_ERROR_DOM_BAD_URI) and logs only "CORS request did not succeed" for the URL that redirected.
  const nextParsed = parseUrl(next);
  if (
    f.mode === 'cors' &&
    nextParsed?.hasCredentials &&
    (f.taintedOrigin || f.corsFlag || !sameOrigin(f.origin, nextParsed.origin))
  ) {
    w.checks.push({
      rule: 'redirect-credentials',
      title: 'Redirect location has no username or password',
      spec: SPEC.httpRedirectFetch,
      hop: i,
      required: 'a location without user:pass@',
      seen: location,
      result: 'fail',
    });
    const userinfo = failure('RedirectContainsCredentials', '', 'Location', location, null);
    if (f.firefox) {
      // A network error, not a CORS verdict; the failure still names the check, for the repair to fix.
      w.failure = userinfo;
      w.stage = 'redirect';
      return networkError(f, 'RedirectCredentialsRefused', i, url, {
        header: 'Location',
        seen: location,
        corsHop: true,
      });
    }
    return blocked(f, 'redirect', i, url, userinfo);
  }
  if (taintsOrigin(f.origin, url, next)) f.taintedOrigin = true;
  w.checks.push({
    rule: 'redirect',
    title: 'Redirect followed',
    spec: SPEC.httpRedirectFetch,
    hop: i,
    required: 'the next hop is checked on its own',
    seen: `${res.status} to ${next}${f.taintedOrigin ? ' (Origin is now "null")' : ''}`,
    result: 'info',
  });
  // 12-13. The method, its body and the CORS non-wildcard request-header names (Authorization).
  const after = requestAfterRedirect(res.status, f.method, f.headers, url, next);
  f.method = after.method;
  f.headers = after.headers;
  if (f.headersKnown) f.unsafe = corsUnsafeRequestHeaderNames(f.headers, f.engine);
  else if (after.nonWildcardDeleted) {
    // The script's headers are unknown, the names from the preflight stand for them.
    const names = f.unsafe.names.filter((n) => !CORS_NON_WILDCARD_REQUEST_HEADER_NAMES.has(n));
    f.unsafe = { names, reasons: f.unsafe.reasons };
  }
  w.method = f.method;
  w.unsafe = f.unsafe.names;
  f.locationUrl = next;
  return null;
}
