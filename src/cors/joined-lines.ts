// Repeated response header lines that reached the recorder joined into one value. Firefox's webRequest hands
// an extension each header once, its repeated lines joined with ", " (recorded in Firefox ESR 153:
// tests/fixtures/webrequest-firefox/acao-repeated.json), while Firefox's own CORS check counts the lines
// (CheckOriginHeader: two are "Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed"). A comma
// cannot come from one valid origin, so a joined Access-Control-Allow-Origin holding one is read as that many
// lines, and the verdict says so, with the line Firefox logs were it one line holding a list ("does not match").
import { getCombined } from './headers';
import { firefoxConsoleLine } from './messages';
import { SPEC } from './spec';
import type { Check, Exchange, Header, WireEntry } from './types';

const ACAO = 'access-control-allow-origin';

/**
 * The exchange with each joined Access-Control-Allow-Origin holding a comma split into its lines, and the
 * note that says so; the exchange itself (and no note) when nothing was joined.
 */
export function splitJoinedLines(ex: Exchange): { ex: Exchange; note: Check | null } {
  if (!ex.headersJoined) return { ex, note: null };
  let note: Check | null = null;
  const wire = ex.wire.map((w, hop) => {
    const headers = w.response?.headers;
    const value = getCombined(headers, ACAO);
    if (!headers || value === null || !value.includes(',')) return w;
    const lines = value.split(',').map((v) => v.trim());
    note ??= {
      rule: 'recording',
      title: 'Repeated header lines, joined by the recorder',
      spec: SPEC.corsCheck,
      hop,
      required: 'each Access-Control-Allow-Origin line as it was received',
      seen: `Access-Control-Allow-Origin "${value}" as Firefox handed it on, its lines joined: read as ${lines.length} lines (a comma cannot be part of one origin). One line holding that list looks the same, and Firefox then logs: ${oneLine(value, w)}`,
      result: 'info',
    };
    const split: Header[] = [];
    for (const h of headers) {
      if (h[0].toLowerCase() === ACAO) for (const v of lines) split.push([h[0], v]);
      else split.push(h);
    }
    return { ...w, response: { ...w.response!, headers: split } };
  });
  return note ? { ex: { ...ex, wire }, note } : { ex, note: null };
}

/** Firefox's line for a response whose one Access-Control-Allow-Origin line holds `value`. */
function oneLine(value: string, hop: WireEntry): string {
  return firefoxConsoleLine(
    'CORSAllowOriginNotMatchingOrigin',
    value,
    hop.request.url,
    hop.response?.status ?? null,
  );
}
