// What to change: the fixes, found by repair, and the advice when no header change is safe. Apply the change
// the failed check asks for (the catalog entry's fix), walk the wire again, repeat: the set is exactly what
// lets the call through, check by check, on the response that needs each change. The walk is handed in, so
// this file knows the fetch steps only by what a walk reports.
import {
  CORS_ERRORS,
  type CorsFix,
  corsErrorOf,
  isNetworkErrorKey,
  NETWORK_ERRORS,
  type NetworkFix,
} from './catalog';
import { getCombined, parseTokenList } from './headers';
import { isSerializedOrigin, normalizeOrigin, originOf } from './origin';
import type { Exchange, Fix, Header, HttpResponse, WireEntry } from './types';
import type { Walk, WalkContext } from './walk';

/** The walk, handed in: the fix search knows the fetch steps only by what a walk reports. */
export interface Walker {
  walk(ex: Exchange, include: boolean, ctx: WalkContext): Walk;
  /** The same engine and preflight cache as the first walk. */
  ctx: WalkContext;
}

// Each round fixes one check; a chain of 20 redirects with preflights needs a few per hop.
const MAX_REPAIRS = 128;

/** The fixes that let a blocked call through, and the advice that goes with them. */
export function repair(ex: Exchange, first: Walk, walker: Walker): { fixes: Fix[]; advice: string[] } {
  const fixes: Fix[] = [];
  const advice: string[] = [];
  let current = ex;
  let w: Walk = first;
  for (let n = 0; n < MAX_REPAIRS && w.verdict !== 'allowed'; n++) {
    const step = nextFix(current, w, advice);
    if (!step) break;
    mergeFix(fixes, step);
    current = applyFixes(ex, fixes);
    w = walker.walk(current, first.include, walker.ctx);
  }
  if (w.verdict !== 'allowed') {
    if (fixes.length)
      advice.push('These changes get the call past the checks shown; something else still stops it.');
    return { fixes, advice };
  }
  const servers = new Set(fixes.filter((f) => f.header !== 'Location').map((f) => originOf(f.url)));
  if (servers.size) {
    const page = normalizeOrigin(ex.initiator);
    advice.push(
      `If you don't control ${[...servers].join(' and ')}, you can't add these headers there: call it from your own server (a same-origin endpoint or proxy on ${page}), or ask the API's owner to allow ${page}.`,
    );
  }
  if (fixes.some((f) => f.header === 'Access-Control-Allow-Origin' && f.value !== '*')) {
    advice.push(
      'Send the exact origin from a list you trust, never whatever Origin the request carries, and add "Vary: Origin" when the value depends on the request.',
    );
  }
  return { fixes, advice };
}

/** Replaces an earlier fix of the same header on the same response. */
function mergeFix(fixes: Fix[], fix: Fix): void {
  const i = fixes.findIndex((f) => f.hop === fix.hop && f.header === fix.header);
  if (i >= 0) fixes[i] = fix;
  else fixes.push(fix);
}

/** The value of ACAO that lets this call through, or null when no header is safe to suggest. */
function allowOriginValue(w: Walk, advice: string[]): string | null {
  if (!isSerializedOrigin(w.originSent)) {
    advice.push(
      'The page\'s origin as recorded is not an origin (scheme://host[:port], or "null"): no Access-Control-Allow-Origin value can be suggested for it.',
    );
    return null;
  }
  if (w.originSent !== 'null') return w.originSent;
  if (!w.include) return '*';
  advice.push(
    w.originSent === 'null' && w.firstUrl !== w.url
      ? 'After a cross-origin redirect the browser sends "Origin: null". Allowing "null" with credentials would let any sandboxed page in: request the final URL directly instead.'
      : 'The page has an opaque origin ("null"). Allowing "null" with credentials would let any sandboxed page in: serve the page from a real origin instead.',
  );
  return null;
}

/** The next change: the catalog's fix for the failed check (or for the network error the walk ended in). */
function nextFix(ex: Exchange, w: Walk, advice: string[]): Fix | null {
  // A failed check: a blocked call, or Firefox's network error for a redirect to a URL with credentials.
  if (w.failure) {
    const entry = ex.wire[w.hop];
    if (!entry?.response) return null;
    return CORS_ERRORS[corsErrorOf(w.failure.error)!.key].fix(
      new FixOnResponse(w, entry, entry.response, advice),
    );
  }
  if (w.verdict !== 'network-error' || !w.reason || !isNetworkErrorKey(w.reason.key)) return null;
  return NETWORK_ERRORS[w.reason.key].fix(new FixAhead(ex, w, advice));
}

/** The repair's tools for a change on the response that failed a check. */
class FixOnResponse implements CorsFix {
  readonly url: string;
  readonly method: string;
  readonly unsafe: readonly string[];
  readonly originSent: string;
  readonly include: boolean;

  constructor(
    private readonly w: Walk,
    private readonly entry: WireEntry,
    readonly response: HttpResponse,
    private readonly advice: string[],
  ) {
    this.url = entry.request.url;
    this.method = w.method;
    this.unsafe = w.unsafe;
    this.originSent = w.originSent;
    this.include = w.include;
  }

  allowedOrigin(): string | null {
    return allowOriginValue(this.w, this.advice);
  }

  listWith(
    header: 'Access-Control-Allow-Methods' | 'Access-Control-Allow-Headers',
    add: readonly string[],
  ): string {
    const current = getCombined(this.response.headers, header.toLowerCase());
    return tokenListWith(current, add, this.include, header === 'Access-Control-Allow-Headers');
  }

  set(header: string, value: string | null, why: string): Fix | null {
    return value === null ? null : this.fix('set', header, value, why);
  }

  status(value: string, why: string): Fix {
    return this.fix('status', 'status', value, why);
  }

  advise(text: string): null {
    this.advice.push(text);
    return null;
  }

  private fix(action: Fix['action'], header: string, value: string, why: string): Fix {
    const { entry } = this;
    return {
      on: entry.type,
      hop: this.w.hop,
      url: this.url,
      method: entry.request.method,
      action,
      header,
      value,
      why,
    };
  }
}

/** The repair's tools for a response the browser never got (the recording ended first). */
class FixAhead implements NetworkFix {
  constructor(
    private readonly ex: Exchange,
    private readonly w: Walk,
    private readonly advice: string[],
  ) {}

  nextResponseAllowsOrigin(): Fix | null {
    // The browser never got this far: the next response will need to allow the origin too.
    const { w } = this;
    if (!w.ended) return null;
    const value = allowOriginValue(w, this.advice);
    if (value === null) return null;
    const on = w.ended.after === 'redirect' && w.ended.needsPreflight ? 'preflight' : 'request';
    return {
      on,
      hop: this.ex.wire.length,
      url: w.ended.url,
      method: on === 'preflight' ? 'OPTIONS' : w.ended.method,
      action: 'set',
      header: 'Access-Control-Allow-Origin',
      value,
      why:
        on === 'preflight'
          ? 'The browser will preflight the redirected request; that preflight response must allow the origin.'
          : 'The browser never got this response; when it does, it must allow the origin too.',
    };
  }
}

/** A comma-separated list keeping the valid tokens already sent (no "*" with credentials), plus `add`. */
function tokenListWith(
  current: string | null,
  add: readonly string[],
  include: boolean,
  lower: boolean,
): string {
  const out: string[] = [];
  const seen = new Set<string>();
  const push = (t: string) => {
    const key = lower ? t.toLowerCase() : t;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(t);
  };
  for (const raw of (current ?? '').split(',')) {
    const item = raw.trim();
    if (item === '' || (include && item === '*')) continue;
    if ('items' in parseTokenList(item)) push(item);
  }
  for (const t of add) push(t);
  return out.join(', ');
}

/**
 * Where a fix goes: "the preflight (OPTIONS) response from URL" or "the response to METHOD URL"; `url` and
 * `method` quote each for the output (Markdown code, say).
 */
export function fixTarget(f: Fix, url = (s: string) => s, method = url): string {
  return f.on === 'preflight'
    ? `the preflight (OPTIONS) response from ${url(f.url)}`
    : `the response to ${method(f.method)} ${url(f.url)}`;
}

/**
 * Applies fixes to a copy of an exchange: each fix edits the response of the wire entry it names (`hop`);
 * a fix for a response the browser never got adds that entry at the end of the wire.
 */
export function applyFixes(ex: Exchange, fixes: readonly Fix[]): Exchange {
  const wire: WireEntry[] = ex.wire.map((e) => ({
    ...e,
    response: e.response ? { status: e.response.status, headers: e.response.headers.slice() } : null,
  }));
  for (const f of fixes) {
    let entry = wire[f.hop];
    if (!entry) {
      entry = {
        type: f.on,
        request: { method: f.on === 'preflight' ? 'OPTIONS' : f.method, url: f.url, headers: [] },
        response: { status: 200, headers: [] },
      };
      wire[f.hop] = entry;
    }
    const res: HttpResponse = entry.response ?? { status: 200, headers: [] };
    entry.response = res;
    if (f.action === 'status') {
      res.status = Number(f.value);
      res.headers = res.headers.filter((h) => h[0].toLowerCase() !== 'location');
      continue;
    }
    const lower = f.header.toLowerCase();
    res.headers = res.headers.filter((h) => h[0].toLowerCase() !== lower);
    if (f.action === 'set' && f.value !== null) res.headers.push([f.header, f.value] as Header);
  }
  return { ...ex, wire };
}
