// Redaction: the one rule for secrets, applied at capture (each webRequest event, before pairing), at HAR
// import (each rebuilt call, before it is evaluated) and at export (each stored row, with the list in force
// then). Values are replaced, names and lengths kept, so the evaluator still sees that a Cookie or an
// Authorization header was sent and the panel can say how long a token was.
//
// - Headers: Cookie, Set-Cookie, Authorization and Proxy-Authorization always; the names in the settings'
//   list too (by default the usual token headers). Their values become "[redacted: N bytes]".
// - URLs (every request URL, and the Location, Content-Location and Referer headers): the values of the
//   query and fragment parameters whose names are in the settings' list (by default the usual token
//   parameters), and a password in the URL, become "[redacted:N-bytes]" (no space: it stays one URL).
import type { Exchange, Header } from '../cors/types';

/** Header names whose values are never kept, whatever the settings say. */
export const ALWAYS_REDACTED = ['cookie', 'set-cookie', 'authorization', 'proxy-authorization'];

/** Token headers redacted by default: the settings list them, and the user can edit the list. */
export const DEFAULT_REDACTED_HEADERS = [
  'x-api-key',
  'x-auth-token',
  'x-csrf-token',
  'x-xsrf-token',
  'x-access-token',
  'x-amz-security-token',
];

/** Query (and fragment) parameters redacted by default: the settings list them, and the user can edit it. */
export const DEFAULT_REDACTED_PARAMS = [
  'access_token',
  'token',
  'code',
  'key',
  'sig',
  'password',
  'api_key',
  'apikey',
  'id_token',
  'refresh_token',
  'client_secret',
  'signature',
  'x-amz-signature',
  'x-amz-credential',
  'x-amz-security-token',
];

/** How many redacted URLs a redactor keeps (webRequest gives a call's URL again in each of its events). */
const RECENT_URLS = 1_000;

/** Headers whose value is a URL: its parameters are redacted as a request URL's are. */
const URL_HEADERS = new Set(['location', 'content-location', 'referer']);

function redactedMarker(length: number): string {
  return `[redacted: ${length} bytes]`;
}

/** The marker inside a URL: no space, so the URL stays one word. */
function urlMarker(length: number): string {
  return `[redacted:${length}-bytes]`;
}

export const REDACTED_PATTERN = /^\[redacted: \d+ bytes\]$/;
const URL_MARKER = /^\[redacted:\d+-bytes\]$/;

/** What to redact besides ALWAYS_REDACTED: header names and URL parameter names (case-insensitive). */
export interface RedactionPolicy {
  headers: readonly string[];
  params: readonly string[];
}

const DEFAULT_POLICY: RedactionPolicy = {
  headers: DEFAULT_REDACTED_HEADERS,
  params: DEFAULT_REDACTED_PARAMS,
};

export interface Redactor {
  headers(headers: Header[]): Header[];
  url(url: string): string;
  /** The exchange with its URLs and headers redacted (the same object when nothing changed). */
  exchange<T extends Exchange>(ex: T): T;
  /**
   * Anything derived from an exchange (a stored row, a verdict) with the exchange's secrets replaced
   * wherever they appear in its text: for rows stored under an older list, before they are exported.
   */
  derived<T extends { exchange: Exchange }>(value: T): T;
}

const names = (list: readonly string[]) => list.map((n) => n.trim().toLowerCase()).filter(Boolean);

/** The redactor for a policy; the default list when none is given. */
export function makeRedactor(policy: Partial<RedactionPolicy> = DEFAULT_POLICY): Redactor {
  const headerNames = new Set([...ALWAYS_REDACTED, ...names(policy.headers ?? DEFAULT_REDACTED_HEADERS)]);
  const params = new Set(names(policy.params ?? DEFAULT_REDACTED_PARAMS));

  // A call's URL comes with each of its events: the last ones redacted are kept.
  const recent = new Map<string, string>();
  const url = (u: string): string => {
    let out = recent.get(u);
    if (out === undefined) {
      out = redactUrl(u, params);
      if (recent.size >= RECENT_URLS) recent.clear();
      recent.set(u, out);
    }
    return out;
  };

  const headers = (list: Header[]): Header[] => {
    let out: Header[] | null = null;
    for (let i = 0; i < list.length; i++) {
      const [name, value] = list[i]!;
      const lower = name.toLowerCase();
      let v = value;
      if (headerNames.has(lower)) {
        if (!REDACTED_PATTERN.test(value)) v = redactedMarker(value.length);
      } else if (URL_HEADERS.has(lower)) v = url(value);
      if (v !== value) {
        out ??= list.slice();
        out[i] = [name, v];
      }
    }
    return out ?? list;
  };

  const exchange = <T extends Exchange>(ex: T): T => {
    const request = redactRequest(ex.request, url, headers);
    let wireChanged = false;
    const wire = ex.wire.map((w) => {
      const req = redactRequest(w.request, url, headers);
      const resHeaders = w.response ? headers(w.response.headers) : null;
      if (req === w.request && (!w.response || resHeaders === w.response.headers)) return w;
      wireChanged = true;
      return { ...w, request: req, response: w.response && { ...w.response, headers: resHeaders! } };
    });
    if (request === ex.request && !wireChanged) return ex;
    return { ...ex, request, wire };
  };

  const derived = <T extends { exchange: Exchange }>(value: T): T => {
    const ex = value.exchange;
    const redacted = exchange(ex);
    if (redacted === ex) return value;
    // Every text that quotes a value now redacted: the URLs (as given and as a URL parser writes them)
    // and the header values.
    const swaps = new Map<string, string>();
    const pair = (from: string, to: string) => {
      if (from !== to && from.length >= 4) swaps.set(from, to);
    };
    const urls = (a: string, b: string) => {
      pair(a, b);
      const ha = hrefOf(a);
      const hb = hrefOf(b);
      if (ha && hb) pair(ha, hb);
    };
    const headerPairs = (a: Header[] | undefined, b: Header[] | undefined) =>
      a?.forEach(([, v], i) => {
        const to = b?.[i]?.[1] ?? v;
        if (v !== to) urls(v, to);
      });
    urls(ex.request.url, redacted.request.url);
    headerPairs(ex.request.headers, redacted.request.headers);
    ex.wire.forEach((w, i) => {
      const r = redacted.wire[i]!;
      urls(w.request.url, r.request.url);
      headerPairs(w.request.headers, r.request.headers);
      headerPairs(w.response?.headers, r.response?.headers);
    });
    const keys = [...swaps.keys()].sort((a, b) => b.length - a.length);
    const swap = (s: string) => {
      let out = s;
      for (const k of keys) if (out.includes(k)) out = out.split(k).join(swaps.get(k)!);
      return out;
    };
    const { exchange: _ex, ...rest } = value;
    return { ...(mapStrings(rest, swap) as Omit<T, 'exchange'>), exchange: redacted } as T;
  };

  return { headers, url, exchange, derived };
}

/**
 * The redactor the settings' lists ask for (the default parameters where none are given): at capture, at HAR
 * import and at export.
 */
export function redactorOf(lists: {
  redactHeaders: readonly string[];
  redactParams?: readonly string[];
}): Redactor {
  return makeRedactor({ headers: lists.redactHeaders, params: lists.redactParams });
}

function redactRequest<R extends { url: string; headers?: Header[] }>(
  req: R,
  url: (u: string) => string,
  headers: (h: Header[]) => Header[],
): R {
  const u = url(req.url);
  const h = req.headers ? headers(req.headers) : req.headers;
  return u === req.url && h === req.headers ? req : { ...req, url: u, headers: h };
}

function hrefOf(url: string): string | null {
  try {
    return new URL(url).href;
  } catch {
    return null;
  }
}

/** Every string in a JSON value mapped through `f` (objects and arrays copied). */
function mapStrings(v: unknown, f: (s: string) => string): unknown {
  if (typeof v === 'string') return f(v);
  if (Array.isArray(v)) return v.map((x) => mapStrings(x, f));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = mapStrings(x, f);
    return out;
  }
  return v;
}

const SCHEME_AUTHORITY = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)/i;

/**
 * A URL (absolute or relative) with the values of the listed query and fragment parameters, and its
 * password, replaced by "[redacted:N-bytes]". Cheap when there is nothing to redact: no "?", "#" or "@".
 */
export function redactUrl(url: string, params: ReadonlySet<string>): string {
  const q = url.indexOf('?');
  const h = url.indexOf('#');
  const at = url.indexOf('@');
  if (q === -1 && h === -1 && at === -1) return url;
  let out = url;
  if (at !== -1) {
    const m = SCHEME_AUTHORITY.exec(out);
    const userinfo = m?.[2]?.lastIndexOf('@') ?? -1;
    if (m && userinfo !== -1) {
      // Both the user name (a token often travels there) and the password: lengths kept, and a URL
      // that carried credentials still carries some, for the redirect-credentials check.
      const info = m[2]!.slice(0, userinfo);
      // A user name already redacted holds a ":" of its own.
      const colon = info.startsWith('[redacted:') ? info.indexOf(':', info.indexOf(']')) : info.indexOf(':');
      const mark = (s: string) => (s && !URL_MARKER.test(s) ? urlMarker(s.length) : s);
      const redacted =
        colon === -1 ? mark(info) : `${mark(info.slice(0, colon))}:${mark(info.slice(colon + 1))}`;
      out = `${m[1]}${redacted}${out.slice(m[1]!.length + info.length)}`;
    }
  }
  if (!params.size) return out;
  const hs = out.indexOf('#');
  const qs = out.indexOf('?');
  // The query only when its "?" comes before any "#"; a "?" inside the fragment starts the fragment's
  // parameters (a hash router's "#/callback?code=...").
  const queryEnd = hs === -1 ? out.length : hs;
  let result = out.slice(0, queryEnd);
  if (qs !== -1 && qs < queryEnd) {
    result = out.slice(0, qs + 1) + redactParams(out.slice(qs + 1, queryEnd), params);
  }
  if (hs === -1) return result;
  const fragment = out
    .slice(hs + 1)
    .split('?')
    .map((part) => redactParams(part, params))
    .join('?');
  return `${result}#${fragment}`;
}

function redactParams(text: string, params: ReadonlySet<string>): string {
  if (!text.includes('=')) return text;
  return text
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq === -1) return pair;
      const value = pair.slice(eq + 1);
      if (!value || URL_MARKER.test(value) || !params.has(paramName(pair.slice(0, eq)))) return pair;
      return `${pair.slice(0, eq)}=${urlMarker(value.length)}`;
    })
    .join('&');
}

function paramName(raw: string): string {
  // Nothing to decode: most names are plain.
  if (!raw.includes('%') && !raw.includes('+')) return raw.trim().toLowerCase();
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' ')).trim().toLowerCase();
  } catch {
    return raw.toLowerCase();
  }
}
