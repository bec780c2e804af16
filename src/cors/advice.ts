// What to change (fixes), in plain words (summary, advice), and what is risky (warnings).
// Fixes are found by repair: apply the change the failure asks for, walk the wire again, repeat, so the set
// is exactly what lets the call through, check by check, on the response that needs each change.
import type { PreflightCache } from './cache';
import type { Walk } from './evaluate';
import { walk } from './evaluate';
import { getCombined, parseTokenList } from './headers';
import { baseError, firefoxAuthorizationWildcardWarning } from './messages';
import { normalizeOrigin, originOf } from './origin';
import { ENGINE_NAME, MAX_AGE_CAP } from './preflight';
import type { Engine, Exchange, Fix, Header, HttpResponse, Verdict, Warning, WireEntry } from './types';

export interface AdviceState {
  cache: PreflightCache;
  /** Per server origin, the request origins it echoed in ACAO with credentials allowed (this stream). */
  echoed: Map<string, Set<string>>;
  /** Whose rules the verdict follows: the fixes must pass under the same engine. */
  engine: Engine;
}

export function advise(ex: Exchange, w: Walk, verdict: Verdict, state: AdviceState): void {
  verdict.summary = summarize(ex, w);
  verdict.warnings = warnings(ex, w, state);
  if (w.verdict === 'blocked') {
    const { fixes, advice } = repair(ex, w, state);
    verdict.fixes = fixes;
    verdict.advice = advice;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Fixes

// Each round fixes one check; a chain of 20 redirects with preflights needs a few per hop.
const MAX_REPAIRS = 128;

function repair(
  ex: Exchange,
  first: Walk,
  { cache, engine }: AdviceState,
): { fixes: Fix[]; advice: string[] } {
  const fixes: Fix[] = [];
  const advice: string[] = [];
  let current = ex;
  let w: Walk = first;
  for (let n = 0; n < MAX_REPAIRS && w.verdict !== 'allowed'; n++) {
    const step = nextFix(current, w, advice);
    if (!step) break;
    mergeFix(fixes, step);
    current = applyFixes(ex, fixes);
    w = walk(current, first.include, { cache, engine });
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
  if (w.originSent !== 'null') return w.originSent;
  if (!w.include) return '*';
  advice.push(
    w.originSent === 'null' && w.firstUrl !== w.url
      ? 'After a cross-origin redirect the browser sends "Origin: null". Allowing "null" with credentials would let any sandboxed page in: request the final URL directly instead.'
      : 'The page has an opaque origin ("null"). Allowing "null" with credentials would let any sandboxed page in: serve the page from a real origin instead.',
  );
  return null;
}

function nextFix(ex: Exchange, w: Walk, advice: string[]): Fix | null {
  if (w.verdict === 'network-error' && w.ended) {
    // The browser never got this far: the next response will need to allow the origin too.
    const value = allowOriginValue(w, advice);
    if (value === null) return null;
    const on = w.ended.after === 'redirect' && w.ended.needsPreflight ? 'preflight' : 'request';
    return {
      on,
      hop: ex.wire.length,
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
  // A failed check: a blocked call, or Firefox's network error for a redirect to a URL with credentials.
  if (!w.failure) return null;
  const entry = ex.wire[w.hop];
  if (!entry?.response) return null;
  const on = entry.type;
  const url = entry.request.url;
  const method = entry.request.method;
  const res = entry.response;
  const base = baseError(w.failure.error);
  const fix = (header: string, value: string | null, why: string, action: Fix['action'] = 'set'): Fix => ({
    on,
    hop: w.hop,
    url,
    method,
    action,
    header,
    value,
    why,
  });
  switch (base) {
    case 'MissingAllowOriginHeader':
    case 'MultipleAllowOriginValues':
    case 'InvalidAllowOriginValue':
    case 'AllowOriginMismatch':
    case 'WildcardOriginNotAllowed': {
      const value = allowOriginValue(w, advice);
      if (value === null) return null;
      const why =
        base === 'MultipleAllowOriginValues'
          ? 'Send exactly one Access-Control-Allow-Origin header with one origin.'
          : base === 'WildcardOriginNotAllowed'
            ? 'With credentials the browser needs the exact origin, not "*".'
            : `The header must name the page's origin exactly (scheme, host and port${w.originSent === 'null' ? '; the Origin sent was "null"' : ''}).`;
      return fix('Access-Control-Allow-Origin', value, why);
    }
    case 'InvalidAllowCredentials':
      return fix(
        'Access-Control-Allow-Credentials',
        'true',
        'The request includes credentials (cookies or HTTP auth): the response must say exactly "true", lower-case.',
      );
    case 'PreflightInvalidStatus':
      return fix('status', '204', `Answer OPTIONS with 204 (any 2xx); it got ${res.status}.`, 'status');
    case 'PreflightDisallowedRedirect':
      return fix(
        'status',
        '204',
        'Answer OPTIONS at this URL directly with 204 and the CORS headers, without redirecting.',
        'status',
      );
    case 'InvalidAllowMethodsPreflightResponse':
    case 'MethodDisallowedByPreflightResponse': {
      const value = tokenListWith(
        getCombined(res.headers, 'access-control-allow-methods'),
        [w.method],
        w.include,
        false,
      );
      return fix(
        'Access-Control-Allow-Methods',
        value,
        base === 'InvalidAllowMethodsPreflightResponse'
          ? 'List methods separated by commas.'
          : `${w.method} must be listed exactly as the page sends it (method names are case-sensitive)${w.include ? '; "*" does not count when credentials are included' : ''}.`,
      );
    }
    case 'InvalidAllowHeadersPreflightResponse':
    case 'HeaderDisallowedByPreflightResponse': {
      const value = tokenListWith(
        getCombined(res.headers, 'access-control-allow-headers'),
        w.unsafe,
        w.include,
        true,
      );
      return fix(
        'Access-Control-Allow-Headers',
        value,
        base === 'InvalidAllowHeadersPreflightResponse'
          ? 'List header names separated by commas.'
          : `Every header the page sets that is not safelisted must be listed${w.include ? '; "*" does not count when credentials are included' : ''}.`,
      );
    }
    case 'RedirectContainsCredentials': {
      const location = getCombined(res.headers, 'location') ?? '';
      let stripped: string;
      try {
        const u = new URL(location, url);
        u.username = '';
        u.password = '';
        stripped = u.href;
      } catch {
        return null;
      }
      return fix(
        'Location',
        stripped,
        'A cross-origin redirect must not carry a username and password in its URL.',
      );
    }
    default:
      if (base === 'CorsDisabledScheme') advice.push('Cross-origin requests need http: or https: URLs.');
      return null;
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

// ---------------------------------------------------------------------------------------------------------
// Plain words

function host(url: string): string {
  return originOf(url);
}

function plainReason(ex: Exchange, w: Walk): string {
  const f = w.failure!;
  const v = f.param ?? '';
  const entry = ex.wire[w.hop];
  const res = entry?.response;
  const base = baseError(f.error);
  const what =
    w.stage === 'preflight'
      ? `the preflight (OPTIONS) response from ${host(w.url)}`
      : w.stage === 'redirect'
        ? `the redirect response from ${host(w.url)}`
        : `the response from ${host(w.url)}`;
  switch (base) {
    case 'MissingAllowOriginHeader':
      return `${what} has no Access-Control-Allow-Origin header`;
    case 'AllowOriginMismatch':
      return `${what} allows "${v}", not this page's origin ${w.originSent === 'null' ? '(the browser sent Origin: null after a cross-origin redirect)' : w.originSent}`;
    case 'MultipleAllowOriginValues':
      return `${what} sends several values in Access-Control-Allow-Origin ("${v}"); it must be exactly one`;
    case 'InvalidAllowOriginValue':
      return `${what} sends Access-Control-Allow-Origin "${v}", which is not an origin`;
    case 'WildcardOriginNotAllowed':
      return `the request includes credentials (cookies), and ${what} answers with Access-Control-Allow-Origin: *, which the browser refuses with credentials`;
    case 'InvalidAllowCredentials':
      return `the request includes credentials, and ${what} ${v === '' ? 'has no Access-Control-Allow-Credentials header' : `sends Access-Control-Allow-Credentials "${v}"`} where "true" is required`;
    case 'PreflightInvalidStatus':
      return `${what} has status ${res?.status ?? '?'}; a preflight needs 200-299`;
    case 'PreflightDisallowedRedirect':
      return `${what} is a redirect (${res?.status ?? '?'}), and a preflight may not be redirected`;
    case 'InvalidAllowMethodsPreflightResponse':
      return `${what} has an Access-Control-Allow-Methods the browser cannot parse ("${v}" is not a method name)`;
    case 'InvalidAllowHeadersPreflightResponse':
      return `${what} has an Access-Control-Allow-Headers the browser cannot parse ("${v}" is not a header name; separate names with commas)`;
    case 'MethodDisallowedByPreflightResponse': {
      const acam = res ? getCombined(res.headers, 'access-control-allow-methods') : null;
      const caseHint = acam
        ?.toLowerCase()
        .split(/\s*,\s*/)
        .includes(v.toLowerCase())
        ? ' (method names are case-sensitive)'
        : '';
      return `${what} does not allow ${v}${acam === null ? ' (no Access-Control-Allow-Methods)' : ` (Access-Control-Allow-Methods: ${acam})`}${caseHint}`;
    }
    case 'HeaderDisallowedByPreflightResponse':
      return `${what} does not allow the request header ${v}`;
    case 'RedirectContainsCredentials':
      return `${what} redirects to a URL with a username and password`;
    case 'CorsDisabledScheme':
      return 'cross-origin requests need http: or https:';
    default:
      return f.error;
  }
}

function summarize(ex: Exchange, w: Walk): string {
  const method = ex.request?.method ?? ex.wire[0]?.request.method ?? 'GET';
  switch (w.verdict) {
    case 'allowed': {
      const acao = w.finalResponse
        ? getCombined(w.finalResponse.headers, 'access-control-allow-origin')
        : null;
      const pf =
        w.preflight === 'sent'
          ? ' after a preflight'
          : w.preflight === 'cached'
            ? ' using a cached preflight'
            : '';
      return `Allowed: ${host(w.url)} answered ${method}${pf} with Access-Control-Allow-Origin: ${acao}.`;
    }
    case 'blocked': {
      const never = w.stage === 'preflight' ? `, so the browser never sent the ${w.method}` : '';
      return `Blocked: ${plainReason(ex, w)}${never}.`;
    }
    case 'opaque':
      return (
        w.reason ?? 'Opaque: mode "no-cors"; the call went through but the page cannot read the response.'
      );
    case 'same-origin':
      return 'Same-origin: CORS does not apply.';
    default:
      return `Network error: ${w.reason ?? 'the request failed outside CORS.'}`;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Warnings: calls that work (or not) but show a risky policy.

function warnings(ex: Exchange, w: Walk, state: AdviceState): Warning[] {
  const out: Warning[] = [];
  const origin = normalizeOrigin(ex.initiator);
  const wire = ex.wire ?? [];
  let tainted = false;
  let nullWarned = false;
  let varyWarned = false;
  const last = w.hop >= 0 ? w.hop : wire.length - 1;
  for (let i = 0; i <= last && i < wire.length; i++) {
    const e = wire[i]!;
    const res = e.response;
    if (!res) continue;
    const sent = getCombined(e.request.headers, 'origin') ?? (tainted ? 'null' : origin);
    const acao = getCombined(res.headers, 'access-control-allow-origin');
    const acac = getCombined(res.headers, 'access-control-allow-credentials') === 'true';
    if (acao === 'null' && !nullWarned) {
      nullWarned = true;
      out.push({
        code: 'null-origin-allowed',
        hop: i,
        message: `${originOf(e.request.url)} allows the origin "null". Sandboxed iframes, data: URLs and local files all send "null", so any site can make a page that passes this check.`,
      });
    }
    if (acao !== null && acao !== '*' && acac && acao === sent) {
      const server = originOf(e.request.url);
      let set = state.echoed.get(server);
      if (!set) {
        set = new Set();
        state.echoed.set(server, set);
      }
      set.add(acao);
      if (acao === 'null' || set.size > 1) {
        out.push({
          code: 'origin-reflected-with-credentials',
          hop: i,
          message: `${server} echoes the request's Origin (${[...set].slice(0, 3).join(', ')}${set.size > 3 ? ', …' : ''}) with Access-Control-Allow-Credentials: true. If it reflects any origin, every site can read this user's data: check Origin against an allowlist.`,
        });
      }
    }
    if (e.type === 'request' && acao !== null && acao !== '*' && !varyWarned) {
      const vary = (getCombined(res.headers, 'vary') ?? '').toLowerCase();
      if (!/(^|,)\s*(origin|\*)\s*(,|$)/.test(vary)) {
        varyWarned = true;
        out.push({
          code: 'missing-vary-origin',
          hop: i,
          message: `${originOf(e.request.url)} names one origin in Access-Control-Allow-Origin without "Vary: Origin". If the value depends on the request's Origin, a cache can serve one site's answer to another: add "Vary: Origin".`,
        });
      }
    }
    if (acao === '*' && res.headers.some((h) => h[0].toLowerCase() === 'set-cookie')) {
      out.push({
        code: 'wildcard-with-set-cookie',
        hop: i,
        message: `${originOf(e.request.url)} answers with Access-Control-Allow-Origin: * and sets a cookie. A cookie meant for this API should not ride on a response that every site may read.`,
      });
    }
    if (e.type === 'preflight') {
      if (w.authorizationByWildcard.includes(i)) {
        out.push({
          code: 'authorization-covered-by-wildcard',
          hop: i,
          message: `Access-Control-Allow-Headers: * lets Authorization through only by a deprecated Firefox exception; the Fetch Standard says * never covers Authorization. List Authorization by name. Firefox's console: ${firefoxAuthorizationWildcardWarning(e.request.url)}`,
        });
      }
      if (w.include) {
        for (const name of ['Access-Control-Allow-Methods', 'Access-Control-Allow-Headers']) {
          const v = getCombined(res.headers, name.toLowerCase());
          if (v?.split(',').some((t) => t.trim() === '*')) {
            out.push({
              code: 'wildcard-ignored-with-credentials',
              hop: i,
              message: `${name}: * means the literal name "*" when credentials are included; browsers do not treat it as a wildcard. List the names.`,
            });
          }
        }
      }
      const maxAge = getCombined(res.headers, 'access-control-max-age');
      const cap = MAX_AGE_CAP[state.engine];
      if (maxAge !== null && /^\d+$/.test(maxAge) && Number(maxAge) > cap) {
        const name = ENGINE_NAME[state.engine];
        const other = state.engine === 'firefox' ? 'chromium' : 'firefox';
        out.push({
          code: 'max-age-above-cap',
          hop: i,
          message: `Access-Control-Max-Age: ${maxAge} is above ${name}'s cap of ${cap} s (${cap / 3600} h); ${name} caches the preflight for ${cap} s, ${ENGINE_NAME[other]} for at most ${MAX_AGE_CAP[other]} s.`,
        });
      }
    }
    if (
      e.type === 'request' &&
      res.status >= 300 &&
      res.status < 400 &&
      getCombined(res.headers, 'location')
    ) {
      try {
        const next = new URL(getCombined(res.headers, 'location')!, e.request.url).href;
        if (originOf(next) !== originOf(e.request.url) && originOf(e.request.url) !== origin) tainted = true;
      } catch {
        // an unparsable location ends the chain; the walk reports it
      }
    }
  }
  return out;
}
