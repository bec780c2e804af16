// "Copy as curl" for one request on the wire, quoted for bash as Chrome DevTools' "Copy as cURL (bash)"
// quotes it, redacted values as a placeholder. Whatever a page or a HAR put in the request stays one inert
// word when the command is pasted into a terminal: no control character reaches the terminal or readline.
import { REDACTED_PATTERN } from '../capture/redact';
import type { HttpRequest } from '../cors/types';
import { bashQuote } from './shell';

export const REDACTED_PLACEHOLDER = '<redacted>';

// curl computes these itself, or they would be wrong without the body.
const SKIP = new Set(['host', 'content-length', 'connection']);

export function isRedacted(value: string): boolean {
  return REDACTED_PATTERN.test(value);
}

/**
 * A curl command line for the request, with -i to show the response headers; null for a URL that is not
 * http(s) (curl would read another scheme, or a word starting with "-", as something else).
 */
export function curlFor(request: HttpRequest): string | null {
  if (!/^https?:\/\//i.test(request.url)) return null;
  const parts = ['curl', '-i'];
  const method = request.method;
  if (method === 'HEAD') parts.push('--head');
  else if (method !== 'GET') parts.push('-X', bashQuote(method));
  // curl reads [ ] { } in a URL as a glob pattern: escaped as DevTools does.
  parts.push(bashQuote(request.url).replace(/[[{}\]]/g, '\\$&'));
  const headers = request.headers ?? [];
  // Decode what the server compresses for the browser's Accept-Encoding.
  if (headers.some(([n]) => n.toLowerCase() === 'accept-encoding')) parts.push('--compressed');
  for (const [name, value] of headers) {
    if (SKIP.has(name.toLowerCase())) continue;
    const v = isRedacted(value) ? REDACTED_PLACEHOLDER : value;
    parts.push('-H', bashQuote(`${name}: ${v}`));
  }
  return parts.join(' ');
}
