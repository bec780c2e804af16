// Redaction at capture: secret values never reach storage or exports. Presence and length are kept,
// so the evaluator still sees that a Cookie or Authorization header was sent.
import type { Header } from '../cors/types';

export const DEFAULT_REDACTED = ['cookie', 'set-cookie', 'authorization', 'proxy-authorization'];

export function redactedMarker(length: number): string {
  return `[redacted: ${length} bytes]`;
}

export const REDACTED_PATTERN = /^\[redacted: \d+ bytes\]$/;

/** Returns a redactor for the default names plus `extra` (case-insensitive). */
export function makeRedactor(extra: readonly string[] = []): (headers: Header[]) => Header[] {
  const names = new Set([...DEFAULT_REDACTED, ...extra.map((n) => n.trim().toLowerCase()).filter(Boolean)]);
  return (headers) => {
    let out: Header[] | null = null;
    for (let i = 0; i < headers.length; i++) {
      const h = headers[i]!;
      if (names.has(h[0].toLowerCase()) && !REDACTED_PATTERN.test(h[1])) {
        out ??= headers.slice();
        out[i] = [h[0], redactedMarker(h[1].length)];
      }
    }
    return out ?? headers;
  };
}
