// What Chromium 156 puts on the wire for a page's fetch(), so `corscope probe` can send the same: the preflight
// decision, the headers of a preflight and of a request (names, values and order, measured from Debian's
// Chromium against a loopback server), and what a redirect changes (https://fetch.spec.whatwg.org/#http-redirect-fetch).
// Pure: no network here.
import { getDomain } from 'tldts';
import {
  type Api,
  type CredentialsMode,
  corsSafelistedMethod,
  corsUnsafeRequestHeaderNames,
  type Header,
  originOf,
  sameOrigin,
} from '../cors';
import { potentiallyTrustworthy } from '../cors/origin';
import { isRedirectStatus, requestAfterRedirect, taintsOrigin } from '../cors/redirect';
import { forbiddenRequestHeaderName, normalizeMethod } from '../cors/safelist';

/** A non-headless Chromium 156 on Linux: what a developer's browser sends. */
const USER_AGENT =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';
const CLIENT_HINTS: Header[] = [
  ['sec-ch-ua-platform', '"Linux"'],
  ['sec-ch-ua', '"Not:A-Brand";v="8", "Chromium";v="156"'],
  ['sec-ch-ua-mobile', '?0'],
];
const ACCEPT_LANGUAGE = 'en-US,en;q=0.9';

/** A header a script cannot set: the browser drops it (or, for User-Agent, Chromium keeps its own). */
export const browserSetHeader = (name: string): boolean => forbiddenRequestHeaderName(name.toLowerCase());

/** One call as a page's script makes it. */
export interface PageCall {
  /** The page's origin ("null" for an opaque one). */
  origin: string;
  method: string;
  url: string;
  /** The headers the script sets, in its order. */
  headers: Header[];
  body: string | null;
  credentials: CredentialsMode;
  /** The Cookie header the browser would add from its cookie jar when credentials are included. */
  cookie: string | null;
  /** The API the script used, for the console line's words (default fetch). What is sent is fetch()'s. */
  api?: Api;
}

/** Where the request stands in its chain: what the Fetch Standard keeps on the request between hops. */
export interface Hop {
  url: string;
  method: string;
  headers: Header[];
  body: string | null;
  /** Every URL so far, this one last (for Sec-Fetch-Site). */
  urls: string[];
  /** Origin: null after a redirect across origins (https://fetch.spec.whatwg.org/#concept-request-tainted-origin). */
  tainted: boolean;
  /** Response tainting "cors": CORS applies to this hop and every one after it (https://fetch.spec.whatwg.org/#main-fetch). */
  cors: boolean;
}

export function firstHop(call: PageCall): Hop {
  return {
    url: call.url,
    method: normalizeMethod(call.method),
    headers: call.headers,
    body: call.body,
    urls: [call.url],
    tainted: false,
    cors: !sameOrigin(call.origin, originOf(call.url)),
  };
}

/** The Origin header the hop carries. */
export function originSent(call: PageCall, hop: Hop): string {
  return hop.tainted ? 'null' : call.origin;
}

/** The CORS-unsafe request-header names, lower-cased and sorted, as Access-Control-Request-Headers lists them. */
export function unsafeNames(headers: Header[]): string[] {
  return corsUnsafeRequestHeaderNames(headers).names;
}

/** https://fetch.spec.whatwg.org/#cors-preflight-fetch: a CORS request with a method or a header outside the safelists. */
export function needsPreflight(hop: Hop): boolean {
  return hop.cors && (!corsSafelistedMethod(hop.method) || unsafeNames(hop.headers).length > 0);
}

/** A URL's schemeful site: its scheme and registrable domain (the Public Suffix List with private entries), or its host. */
function site(url: string): string | null {
  try {
    const u = new URL(url);
    const host = u.hostname.toLowerCase();
    return `${u.protocol}//${getDomain(host, { allowPrivateDomains: true }) ?? host}`;
  } catch {
    return null;
  }
}

/** https://w3c.github.io/webappsec-fetch-metadata/#sec-fetch-site-header, over every URL of the chain. */
function secFetchSite(origin: string, urls: readonly string[]): 'same-origin' | 'same-site' | 'cross-site' {
  if (urls.every((u) => sameOrigin(origin, originOf(u)))) return 'same-origin';
  const mine = origin === 'null' ? null : site(origin);
  if (mine !== null && urls.every((u) => site(u) === mine)) return 'same-site';
  return 'cross-site';
}

/** https://w3c.github.io/webappsec-referrer-policy/#referrer-policy-strict-origin-when-cross-origin, from the page's origin. */
function referer(call: PageCall, url: string): string | null {
  if (call.origin === 'null') return null;
  if (call.origin.startsWith('https:') && !potentiallyTrustworthy(url)) return null;
  return `${call.origin}/`;
}

const hasHeader = (headers: Header[], name: string) => headers.some(([n]) => n.toLowerCase() === name);

/** Chromium asks for no encoding with a Range request (measured), and for br and zstd only over a trustworthy URL. */
const acceptEncoding = (url: string, headers: Header[] = []) =>
  hasHeader(headers, 'range')
    ? 'identity'
    : potentiallyTrustworthy(url)
      ? 'gzip, deflate, br, zstd'
      : 'gzip, deflate';

const hostOf = (url: string) => new URL(url).host;

/**
 * The preflight's headers in Chromium's order. Chromium sends Sec-Fetch-Site and Sec-Fetch-Dest only to a
 * potentially trustworthy URL, but Sec-Fetch-Mode to any (measured).
 */
export function preflightHeaders(call: PageCall, hop: Hop): Header[] {
  const names = unsafeNames(hop.headers);
  const trustworthy = potentiallyTrustworthy(hop.url);
  const out: Header[] = [
    ['Host', hostOf(hop.url)],
    ['Connection', 'keep-alive'],
    ['Accept', '*/*'],
    ['Access-Control-Request-Method', hop.method],
  ];
  if (names.length) out.push(['Access-Control-Request-Headers', names.join(',')]);
  out.push(['Origin', originSent(call, hop)], ['User-Agent', USER_AGENT], ['Sec-Fetch-Mode', 'cors']);
  if (trustworthy)
    out.push(['Sec-Fetch-Site', secFetchSite(call.origin, hop.urls)], ['Sec-Fetch-Dest', 'empty']);
  const ref = referer(call, hop.url);
  if (ref) out.push(['Referer', ref]);
  out.push(['Accept-Encoding', acceptEncoding(hop.url)], ['Accept-Language', ACCEPT_LANGUAGE]);
  return out;
}

/**
 * The request's headers. Chromium's fixed ones keep their order (Host, Connection, Content-Length first;
 * Accept, Origin, the Sec-Fetch-* headers, Referer, Accept-Encoding and Accept-Language last); the script's
 * headers, User-Agent and the client hints in between come in the order of a hash map in Chromium, which
 * this does not try to copy. Sec-Fetch-* and br/zstd go only to a potentially trustworthy URL.
 */
export function requestHeaders(call: PageCall, hop: Hop): Header[] {
  const trustworthy = potentiallyTrustworthy(hop.url);
  const out: Header[] = [
    ['Host', hostOf(hop.url)],
    ['Connection', 'keep-alive'],
  ];
  // Chromium's network stack sends Content-Length: 0 for a POST or PUT without a body (measured).
  if (hop.body !== null) out.push(['Content-Length', String(Buffer.byteLength(hop.body))]);
  else if (hop.method === 'POST' || hop.method === 'PUT') out.push(['Content-Length', '0']);
  // The page adds the client hints when the call's first URL is potentially trustworthy, and every redirected
  // hop keeps them, whatever its URL (measured).
  const hints = potentiallyTrustworthy(hop.urls[0]!);
  if (hints) out.push(CLIENT_HINTS[0]!);
  out.push(['User-Agent', USER_AGENT]);
  for (const h of hop.headers) if (!browserSetHeader(h[0])) out.push(h);
  // fetch() with a string body and no Content-Type: https://fetch.spec.whatwg.org/#concept-bodyinit-extract
  if (hop.body !== null && !hasHeader(hop.headers, 'content-type'))
    out.push(['Content-Type', 'text/plain;charset=UTF-8']);
  if (hints) out.push(CLIENT_HINTS[1]!, CLIENT_HINTS[2]!);
  if (!hasHeader(hop.headers, 'accept')) out.push(['Accept', '*/*']);
  // https://fetch.spec.whatwg.org/#append-a-request-origin-header: on a CORS request, and on any but GET and HEAD.
  if (hop.cors || (hop.method !== 'GET' && hop.method !== 'HEAD'))
    out.push(['Origin', originSent(call, hop)]);
  const siteValue = secFetchSite(call.origin, hop.urls);
  if (trustworthy) {
    out.push(['Sec-Fetch-Site', siteValue], ['Sec-Fetch-Mode', 'cors'], ['Sec-Fetch-Dest', 'empty']);
    // https://privacycg.github.io/storage-access-headers/: on a credentialed cross-site request.
    if (call.credentials === 'include' && siteValue === 'cross-site')
      out.push(['Sec-Fetch-Storage-Access', 'none']);
  }
  const ref = referer(call, hop.url);
  if (ref) out.push(['Referer', ref]);
  out.push(['Accept-Encoding', acceptEncoding(hop.url, hop.headers)], ['Accept-Language', ACCEPT_LANGUAGE]);
  if (call.cookie !== null && includesCredentials(call, hop)) out.push(['Cookie', call.cookie]);
  return out;
}

/** https://fetch.spec.whatwg.org/#concept-request-credentials-mode: whether cookies go with this hop. */
function includesCredentials(call: PageCall, hop: Hop): boolean {
  return call.credentials === 'include' || (call.credentials === 'same-origin' && !hop.cors);
}

/** The Location of a redirect response resolved against its URL; null when the response is not a redirect. */
export function redirectTarget(status: number, headers: Header[], url: string): string | null {
  if (!isRedirectStatus(status)) return null;
  const location = headers.find(([n]) => n.toLowerCase() === 'location')?.[1];
  if (location === undefined) return null;
  try {
    return new URL(location, url).href;
  } catch {
    return null;
  }
}

/** Why the browser stops at a redirect instead of following it, or null when it follows it. */
export function redirectRefusal(call: PageCall, hop: Hop, next: string): string | null {
  let u: URL;
  try {
    u = new URL(next);
  } catch {
    return `the redirect location ${next} is not a URL`;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    return `the redirect goes to a ${u.protocol} URL, which fetch does not follow`;
  if (hop.urls.length > 20) return 'more than 20 redirects';
  if ((u.username || u.password) && (hop.cors || !sameOrigin(call.origin, u.origin)))
    return 'the redirect location carries a username and password, which a CORS request may not follow';
  return null;
}

/**
 * https://fetch.spec.whatwg.org/#http-redirect-fetch steps 12-14 (requestAfterRedirect, taintsOrigin): 301/302
 * turn POST into GET and 303 anything but GET and HEAD, dropping the body and its headers; a redirect to another
 * origin drops Authorization and, from a cross-origin URL, makes Origin "null".
 */
export function followRedirect(call: PageCall, hop: Hop, status: number, next: string): Hop {
  const { method, headers, keepsBody } = requestAfterRedirect(status, hop.method, hop.headers, hop.url, next);
  const tainted = hop.tainted || taintsOrigin(call.origin, hop.url, next);
  const cors = hop.cors || tainted || !sameOrigin(call.origin, originOf(next));
  const body = keepsBody ? hop.body : null;
  return { url: next, method, headers, body, urls: [...hop.urls, next], tainted, cors };
}
