// Which calls need a preflight: https://fetch.spec.whatwg.org/#cors-safelisted-method and
// https://fetch.spec.whatwg.org/#cors-unsafe-request-header-names, as Chromium implements them
// (services/network/public/cpp/cors/cors.cc), and where Firefox differs, as Firefox does.
import type { Engine, Header } from './types';

/** https://fetch.spec.whatwg.org/#cors-safelisted-method: GET, HEAD or POST, byte-case-sensitive. */
export function corsSafelistedMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'POST';
}

/**
 * https://fetch.spec.whatwg.org/#forbidden-method: CONNECT, TRACE or TRACK, byte-case-insensitive. No page can
 * use one.
 */
export function forbiddenMethod(method: string): boolean {
  return /^(connect|trace|track)$/i.test(method);
}

const NORMALIZED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);

/** https://fetch.spec.whatwg.org/#concept-method-normalize: only these six are upper-cased ("patch" stays "patch"). */
export function normalizeMethod(method: string): string {
  const upper = method.toUpperCase();
  return NORMALIZED_METHODS.has(upper) ? upper : method;
}

const FORBIDDEN_REQUEST_HEADERS = new Set([
  'accept-charset',
  'accept-encoding',
  'access-control-request-headers',
  'access-control-request-method',
  'connection',
  'content-length',
  'cookie',
  'cookie2',
  'date',
  'dnt',
  'expect',
  'host',
  'keep-alive',
  'origin',
  'referer',
  'set-cookie',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'via',
]);

/**
 * https://fetch.spec.whatwg.org/#forbidden-request-header: a script cannot set these; the browser does.
 * Chromium also keeps User-Agent here (net::HttpUtil::IsSafeHeader) and Access-Control-Request-Private-Network.
 * Firefox lets a script set User-Agent, as the spec does since 2015 (nsContentUtils::IsForbiddenRequestHeader
 * lost it in Firefox 43), so there a script's User-Agent is an unsafe header that needs a preflight.
 */
export function forbiddenRequestHeaderName(lowerName: string, engine: Engine = 'chromium'): boolean {
  return (
    FORBIDDEN_REQUEST_HEADERS.has(lowerName) ||
    lowerName.startsWith('proxy-') ||
    lowerName.startsWith('sec-') ||
    (engine === 'chromium' &&
      (lowerName === 'user-agent' || lowerName === 'access-control-request-private-network'))
  );
}

/**
 * Headers the browser adds to a request after the CORS decision, never counted as the script's: the
 * forbidden names (User-Agent among them in Chromium) and BROWSER_ADDED below. Used only when the script's
 * own headers are unknown and have to be read off the wire (a preflight's Access-Control-Request-Headers
 * says what the script set, when there is one).
 */
export function browserAddedHeaderName(lowerName: string): boolean {
  return forbiddenRequestHeaderName(lowerName) || BROWSER_ADDED.has(lowerName);
}

/**
 * The headers the HTTP cache adds to revalidate a stored response: `If-None-Match` from its `ETag`,
 * `If-Modified-Since` from its `Last-Modified` (https://fetch.spec.whatwg.org/#http-network-or-cache-fetch).
 */
export const CACHE_REVALIDATION_HEADERS: readonly string[] = ['if-none-match', 'if-modified-since'];

// Added by the browser after the CORS decision: Priority (Firefox), the Cache-Control / Pragma pair of
// DevTools' "Disable cache", the HTTP cache's revalidation headers, Upgrade-Insecure-Requests (navigations),
// X-Client-Data (Chrome, to Google's hosts), and a multipart body's part headers, which Firefox's HAR export
// appends to a request's headers.
const BROWSER_ADDED = new Set([
  'priority',
  'cache-control',
  'pragma',
  ...CACHE_REVALIDATION_HEADERS,
  'if-match',
  'if-unmodified-since',
  'if-range',
  'upgrade-insecure-requests',
  'x-client-data',
  'content-disposition',
]);

// Chromium safelists client-hint headers too (cors.cc kSafelistedNames), with value rules of its own.
// The sec-ch-* hints are forbidden names (sec- prefix), so a script never counts them anyway.
const DECIMAL = /^\d+(\.\d+)?$/;
const DIGITS = /^\d+$/;
const ECT = new Set(['slow-2g', '2g', '3g', '4g']);
function chromiumClientHint(lowerName: string, value: string): boolean {
  switch (lowerName) {
    case 'dpr':
    case 'device-memory':
    case 'downlink':
      return DECIMAL.test(value);
    case 'width':
    case 'viewport-width':
    case 'rtt':
      return DIGITS.test(value);
    case 'ect':
      return ECT.has(value);
    case 'save-data':
      return value === 'on';
    case 'intervention':
      return true;
    default:
      return false;
  }
}

/** https://fetch.spec.whatwg.org/#cors-unsafe-request-header-byte */
function isUnsafeByte(c: number): boolean {
  return (
    (c < 0x20 && c !== 0x09) ||
    c === 0x22 ||
    c === 0x28 ||
    c === 0x29 ||
    c === 0x3a ||
    c === 0x3c ||
    c === 0x3e ||
    c === 0x3f ||
    c === 0x40 ||
    c === 0x5b ||
    c === 0x5c ||
    c === 0x5d ||
    c === 0x7b ||
    c === 0x7d ||
    c === 0x7f
  );
}

function hasUnsafeByte(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (isUnsafeByte(value.charCodeAt(i))) return true;
  return false;
}

/** Accept-Language / Content-Language: only 0-9 A-Z a-z, space, and * , - . ; = */
function isLanguageValue(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const ok =
      (c >= 0x30 && c <= 0x39) ||
      (c >= 0x41 && c <= 0x5a) ||
      (c >= 0x61 && c <= 0x7a) ||
      c === 0x20 ||
      c === 0x2a ||
      c === 0x2c ||
      c === 0x2d ||
      c === 0x2e ||
      c === 0x3b ||
      c === 0x3d;
    if (!ok) return false;
  }
  return true;
}

const SAFE_CONTENT_TYPES = new Set([
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'text/plain',
]);

/**
 * Firefox's deviation from the safelist (nsContentUtils::IsCORSSafelistedRequestHeader), as recorded in
 * Firefox ESR 153 (tests/fixtures/webrequest-firefox/firefox-safelist.json): a byte above 0x7F (any non-ASCII
 * character) makes Accept and Content-Type unsafe, where the spec lets it pass; and a Content-Type with a comma
 * (a list, not one media type: "text/plain;a=1,2") is unsafe too.
 */
function firefoxUnsafeValue(lowerName: string, value: string): string | null {
  if (lowerName !== 'accept' && lowerName !== 'content-type') return null;
  for (let i = 0; i < value.length; i++)
    if (value.charCodeAt(i) > 0x7f) return 'value has a byte above 0x7F, which Firefox never safelists here';
  if (lowerName === 'content-type' && value.includes(','))
    return 'value is not one media type (it has a comma), which Firefox never safelists';
  return null;
}

function isSafelistedContentType(value: string): boolean {
  if (hasUnsafeByte(value)) return false;
  const semi = value.indexOf(';');
  const essence = (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase();
  return SAFE_CONTENT_TYPES.has(essence);
}

/**
 * https://fetch.spec.whatwg.org/#simple-range-header-value: "bytes=" start "-" [end], no whitespace;
 * a suffix range (bytes=-500) is not safelisted, nor is start > end.
 * Chromium lower-cases the value before parsing, so "Bytes=0-" passes there; Firefox follows the spec
 * (nsContentUtils::ParseSingleRangeRequest), where "bytes" is byte-case-sensitive.
 */
function isSafelistedRange(value: string, engine: Engine): boolean {
  const m = (engine === 'chromium' ? /^bytes=(\d+)-(\d*)$/i : /^bytes=(\d+)-(\d*)$/).exec(value);
  if (!m) return false;
  if (m[2] === '') return true;
  return Number(m[1]) <= Number(m[2]);
}

/**
 * https://fetch.spec.whatwg.org/#cors-safelisted-request-header, with Chromium's client-hint extras
 * (Firefox has none: nsContentUtils::IsCORSSafelistedRequestHeader).
 */
export function corsSafelistedRequestHeader(
  lowerName: string,
  value: string,
  engine: Engine = 'chromium',
): boolean {
  if (value.length > 128) return false;
  if (engine === 'firefox' && firefoxUnsafeValue(lowerName, value)) return false;
  switch (lowerName) {
    case 'accept':
      return !hasUnsafeByte(value);
    case 'accept-language':
    case 'content-language':
      return isLanguageValue(value);
    case 'content-type':
      return isSafelistedContentType(value);
    case 'range':
      return isSafelistedRange(value, engine);
    default:
      return engine === 'chromium' && chromiumClientHint(lowerName, value);
  }
}

export interface UnsafeHeaderAnalysis {
  /** Sorted, lower-cased, de-duplicated: what the browser puts in Access-Control-Request-Headers. */
  names: string[];
  /** Why each name is unsafe, for the checks table. */
  reasons: Map<string, string>;
}

/**
 * https://fetch.spec.whatwg.org/#cors-unsafe-request-header-names (Chromium's
 * CorsUnsafeNotForbiddenRequestHeaderNames: forbidden names are the browser's, never counted).
 */
export function corsUnsafeRequestHeaderNames(
  headers: readonly Header[],
  engine: Engine = 'chromium',
): UnsafeHeaderAnalysis {
  const unsafe = new Set<string>();
  const reasons = new Map<string, string>();
  const potentiallyUnsafe: string[] = [];
  let safelistValueSize = 0;
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (forbiddenRequestHeaderName(lower, engine)) continue;
    if (corsSafelistedRequestHeader(lower, value, engine)) {
      potentiallyUnsafe.push(lower);
      safelistValueSize += value.length;
    } else {
      unsafe.add(lower);
      if (!reasons.has(lower)) reasons.set(lower, unsafeReason(lower, value, engine));
    }
  }
  if (safelistValueSize > 1024) {
    for (const name of potentiallyUnsafe) {
      unsafe.add(name);
      if (!reasons.has(name))
        reasons.set(name, `safelisted values add up to ${safelistValueSize} bytes, over the 1024-byte limit`);
    }
  }
  return { names: [...unsafe].sort(), reasons };
}

function unsafeReason(lower: string, value: string, engine: Engine): string {
  if (value.length > 128) return `value is ${value.length} bytes, over the 128-byte limit`;
  const firefox = engine === 'firefox' ? firefoxUnsafeValue(lower, value) : null;
  if (firefox) return firefox;
  switch (lower) {
    case 'accept':
      return 'value has a byte that is not allowed in a safelisted Accept';
    case 'accept-language':
    case 'content-language':
      return 'value has a character other than letters, digits, space and * , - . ; =';
    case 'content-type':
      return 'only application/x-www-form-urlencoded, multipart/form-data and text/plain are safelisted';
    case 'range':
      return 'only a single "bytes=start-" or "bytes=start-end" range is safelisted';
    default:
      return 'not a CORS-safelisted request header';
  }
}

const SAFELISTED_RESPONSE_HEADERS = new Set([
  'cache-control',
  'content-language',
  'content-length',
  'content-type',
  'expires',
  'last-modified',
  'pragma',
]);

/** https://fetch.spec.whatwg.org/#cors-safelisted-response-header-name (without the exposed list). */
export function corsSafelistedResponseHeaderName(lowerName: string): boolean {
  return SAFELISTED_RESPONSE_HEADERS.has(lowerName);
}

/** https://fetch.spec.whatwg.org/#forbidden-response-header-name: never visible to script. */
export function forbiddenResponseHeaderName(lowerName: string): boolean {
  return lowerName === 'set-cookie' || lowerName === 'set-cookie2';
}
