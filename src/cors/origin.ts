// Origins: https://html.spec.whatwg.org/multipage/browsers.html#concept-origin
// URLs in an exchange are already serialized by the browser; we parse only what we need.

const DEFAULT_PORT: Record<string, string> = { 'http:': '80', 'https:': '443', 'ws:': '80', 'wss:': '443' };
const AUTHORITY = /^([a-zA-Z][a-zA-Z0-9+.-]*:)\/\/([^/?#]*)/;

export interface ParsedUrl {
  /** Lower-case scheme with its colon, e.g. "https:". */
  scheme: string;
  /** Serialized origin ("null" when opaque). */
  origin: string;
  hasCredentials: boolean;
}

const cache = new Map<string, ParsedUrl | null>();

/** Parses a URL far enough to know its origin; null when it is not a URL at all. */
export function parseUrl(url: string): ParsedUrl | null {
  let hit = cache.get(url);
  if (hit !== undefined) return hit;
  hit = parseUncached(url);
  if (cache.size > 5000) cache.clear();
  cache.set(url, hit);
  return hit;
}

function parseUncached(url: string): ParsedUrl | null {
  const m = AUTHORITY.exec(url);
  if (m && m[1]!.toLowerCase() in DEFAULT_PORT) {
    const scheme = m[1]!.toLowerCase();
    let authority = m[2]!;
    const at = authority.lastIndexOf('@');
    const userinfo = at >= 0 ? authority.slice(0, at) : '';
    const hasCredentials = userinfo !== '' && userinfo !== ':';
    if (at >= 0) authority = authority.slice(at + 1);
    let host = authority;
    let port = '';
    const close = authority.lastIndexOf(']');
    const colon = authority.lastIndexOf(':');
    if (colon > close) {
      host = authority.slice(0, colon);
      port = authority.slice(colon + 1);
      if (port !== '' && !/^\d+$/.test(port)) return null;
      if (port !== '') port = String(Number(port));
    }
    if (host === '') return null;
    host = host.toLowerCase();
    if (port === DEFAULT_PORT[scheme]) port = '';
    return { scheme, origin: `${scheme}//${host}${port ? `:${port}` : ''}`, hasCredentials };
  }
  try {
    const u = new URL(url);
    return { scheme: u.protocol, origin: u.origin, hasCredentials: u.username !== '' || u.password !== '' };
  } catch {
    return null;
  }
}

/** The serialized origin of a URL, "null" for an opaque one or a string that is not a URL. */
export function originOf(url: string): string {
  return parseUrl(url)?.origin ?? 'null';
}

/** https://w3c.github.io/webappsec-secure-contexts/#potentially-trustworthy-url (http(s) URLs only). */
export function potentiallyTrustworthy(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol === 'https:' || u.protocol === 'wss:') return true;
  const host = u.hostname.toLowerCase();
  return (
    /^127(\.\d{1,3}){3}$/.test(host) ||
    host === '[::1]' ||
    host === 'localhost' ||
    host.endsWith('.localhost')
  );
}

/**
 * https://w3c.github.io/webappsec-mixed-content/#should-block-fetch, as Chromium 156 applies it to fetch and XHR
 * (recorded): a page served over HTTPS may not fetch an http: URL that is not potentially trustworthy.
 */
export function blockedAsMixedContent(pageOrigin: string, url: string): boolean {
  return pageOrigin.startsWith('https:') && parseUrl(url)?.scheme === 'http:' && !potentiallyTrustworthy(url);
}

export function isHttpScheme(url: string): boolean {
  const s = parseUrl(url)?.scheme;
  return s === 'http:' || s === 'https:';
}

/**
 * Same origin: https://html.spec.whatwg.org/multipage/browsers.html#same-origin
 * An opaque origin is same origin only with itself, and a serialized "null" cannot tell which one it was,
 * so two "null"s are never treated as the same origin.
 */
export function sameOrigin(a: string, b: string): boolean {
  return a !== 'null' && a.toLowerCase() === b.toLowerCase();
}

// scheme "://" host [":" port]: a domain or IPv4 address (letters, digits, "-", "_", dots between labels) or an
// IPv6 address in brackets. No path, query, user info, list or wildcard.
const SERIALIZED_ORIGIN =
  /^[a-z][a-z0-9+.-]*:\/\/(?:\[[0-9a-f:.]+\]|[a-z0-9_-]+(?:\.[a-z0-9_-]+)*)(?::\d{1,5})?$/i;

/**
 * Whether a string is an origin as browsers serialize it
 * (https://html.spec.whatwg.org/multipage/browsers.html#ascii-serialisation-of-an-origin): "null" (opaque), or
 * scheme://host[:port]. What the page's origin may be: anything else ("*", a URL with a path, a list of
 * origins) is not an origin, and nothing is judged or advised for it.
 */
export function isSerializedOrigin(s: string): boolean {
  return s === 'null' || SERIALIZED_ORIGIN.test(s);
}

/** Normalizes an initiator as given in an exchange ("HTTP://A.com:80" → "http://a.com"). */
export function normalizeOrigin(initiator: string): string {
  if (initiator === 'null' || initiator === '') return 'null';
  const parsed = parseUrl(initiator);
  return parsed ? parsed.origin : initiator;
}
