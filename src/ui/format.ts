// Small text formatters shared by the panel and the popup.

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
