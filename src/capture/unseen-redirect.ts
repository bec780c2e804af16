// Where webRequest stops seeing a call: it reports http(s) and ws(s) URLs in both browsers, and ftp: in
// Chromium, and nothing of any other scheme. Recorded in Chromium 156 and Firefox ESR 153: a CORS fetch
// redirected to ftp: gets onBeforeRequest and onErrorOccurred at the ftp: URL in Chromium and no event in
// Firefox; redirected to an unknown scheme, no event in either after the redirect's own. A redirect to data:
// or file: is refused on the redirecting hop, which then ends in onErrorOccurred (ERR_UNSAFE_REDIRECT,
// NS_ERROR_CORRUPTED_CONTENT).
import { getCombined } from '../cors/headers';
import type { Engine, WireEntry } from '../cors/types';

const REPORTED: Record<Engine, ReadonlySet<string>> = {
  chromium: new Set(['http:', 'https:', 'ws:', 'wss:', 'ftp:', 'data:', 'file:']),
  firefox: new Set(['http:', 'https:', 'ws:', 'wss:', 'data:', 'file:']),
};

/**
 * True when `entry` was answered with a redirect to a URL the browser's webRequest does not report: no event
 * of the call follows, so it ends there (whether the page saw it fail or read an opaque redirect is not shown).
 */
export function redirectLeavesWebRequest(entry: WireEntry, engine: Engine): boolean {
  const res = entry.response;
  if (!res || res.status < 300 || res.status >= 400) return false;
  const location = getCombined(res.headers, 'location');
  if (location === null) return false;
  let scheme: string;
  try {
    scheme = new URL(location, entry.request.url).protocol;
  } catch {
    return false;
  }
  return !REPORTED[engine].has(scheme);
}
