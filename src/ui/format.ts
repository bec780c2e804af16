// Small text formatters shared by the panel, the popup and the command line.
import type { Fix, WireEntry } from '../cors/types';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Local wall-clock time with milliseconds: "14:03:07.125". */
export function clock(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** The last part of a spec link, e.g. "https://fetch.spec.whatwg.org/#cors-check" → "#cors-check". */
export function specAnchor(url: string): string {
  const i = url.indexOf('#');
  return i >= 0 ? url.slice(i) : url;
}

/** Only http(s) links are rendered as links. */
export function safeHref(url: string): string | undefined {
  return /^https?:\/\//i.test(url) ? url : undefined;
}

export const MDN_CORS_ERRORS = 'https://developer.mozilla.org/docs/Web/HTTP/Guides/CORS/Errors/';

/** What each wire entry is: the preflight, the request, or a request that follows a redirect. */
export function entryLabel(wire: readonly WireEntry[], i: number): string {
  const w = wire[i]!;
  if (w.type === 'preflight') return 'Preflight';
  return wire.slice(0, i).some((e) => e.type === 'request') ? 'Redirected request' : 'Request';
}

/** Where a redirect response sends the browser, or null for any other response. */
export function redirectLocation(w: WireEntry): string | null {
  const h = w.response?.headers.find(([n]) => n.toLowerCase() === 'location');
  return h && w.response && w.response.status >= 300 && w.response.status < 400 ? h[1] : null;
}

/** One fix in a few words: "set Access-Control-Allow-Origin: https://app.example", "answer with status 204". */
export function fixText(f: Fix): string {
  if (f.action === 'status') return `answer with status ${f.value}`;
  if (f.action === 'remove') return `remove ${f.header}`;
  return `set ${f.header}: ${f.value}`;
}
