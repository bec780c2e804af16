// "Copy as curl" for one request on the wire: POSIX-shell quoted, redacted values as a placeholder.
import { REDACTED_PATTERN } from '../capture/redact';
import type { HttpRequest } from '../cors/types';

export const REDACTED_PLACEHOLDER = '<redacted>';

// curl computes these itself, or they would be wrong without the body.
const SKIP = new Set(['host', 'content-length', 'connection']);

/** Single-quotes a word for a POSIX shell: nothing inside is expanded. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function isRedacted(value: string): boolean {
  return REDACTED_PATTERN.test(value);
}

/** A curl command line for the request, with -i to show the response headers. */
export function curlFor(request: HttpRequest): string {
  const parts = ['curl', '-i'];
  const method = request.method;
  if (method === 'HEAD') parts.push('--head');
  else if (method !== 'GET') parts.push('-X', shellQuote(method));
  parts.push(shellQuote(request.url));
  const headers = request.headers ?? [];
  // Decode what the server compresses for the browser's Accept-Encoding.
  if (headers.some(([n]) => n.toLowerCase() === 'accept-encoding')) parts.push('--compressed');
  for (const [name, value] of headers) {
    if (SKIP.has(name.toLowerCase())) continue;
    const v = isRedacted(value) ? REDACTED_PLACEHOLDER : value;
    parts.push('-H', shellQuote(`${name}: ${v}`));
  }
  return parts.join(' ');
}
