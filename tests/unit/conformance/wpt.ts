// Shared pieces of the WPT conformance tables: the hosts of WPT's default server config and
// emulations of the server-side resources the upstream tests talk to. Each emulation says which
// upstream file it follows; the test files build exchanges out of these responses.
import type { Exchange, Header, HttpResponse, Verdict, WireEntry } from '../../../src/cors/index';
import { fakeExchange } from '../../factories';

// tools/serve defaults: browser_host web-platform.test, subdomains www1/www2, http ports 8000 and 8001.
export const ORIGIN = 'http://web-platform.test:8000';
export const REMOTE = 'http://www1.web-platform.test:8000';
export const REMOTE2 = 'http://www2.web-platform.test:8000';
/** get_host_info().HTTP_ORIGIN_WITH_DIFFERENT_PORT */
export const OTHER_PORT = 'http://web-platform.test:8001';

/** What every conformance case asserts; `chromium` only where Chromium's CorsError name is known. */
export interface Expectation {
  verdict: Verdict['verdict'];
  preflight: Verdict['preflight'];
  /** Chromium's CorsError name for a blocked call; omitted where it cannot be determined. */
  chromium?: string;
}

/** The asserted slice of a verdict, so a mismatch shows every field at once. */
export function observed(v: Verdict, want: Expectation): Expectation {
  const out: Expectation = { verdict: v.verdict, preflight: v.preflight };
  if (want.chromium !== undefined) out.chromium = v.error?.chromium ?? '(no error)';
  return out;
}

/** An exchange whose wire is given hop by hop. `headers` are the headers the script set. */
export function exchange(opts: {
  api: 'fetch' | 'xhr';
  method: string;
  url: string;
  headers?: Header[];
  credentials?: Exchange['credentials'];
  wire: WireEntry[];
}): Exchange {
  return fakeExchange({
    initiator: ORIGIN,
    api: opts.api,
    mode: 'cors',
    credentials: opts.credentials ?? 'same-origin',
    request: { method: opts.method, url: opts.url, headers: opts.headers ?? [] },
    wire: opts.wire,
  });
}

// ---------------------------------------------------------------------------------------------
// fetch/api/resources/preflight.py
// ---------------------------------------------------------------------------------------------

export interface PreflightPyParams {
  /** ?origin=: one ACAO header per ", "-separated value; absent: ACAO "*". */
  origin?: string;
  /** ?credentials: ACAC "true". */
  credentials?: boolean;
  /** ?max_age= (preflight only). */
  maxAge?: string;
  /** ?allow_headers= (preflight only; sent even when empty). */
  allowHeaders?: string;
  /** ?allow_methods= (preflight only; sent even when empty). */
  allowMethods?: string;
  /** ?preflight_status= (preflight only, default 200). */
  preflightStatus?: number;
}

function preflightPyCommon(p: PreflightPyParams): Header[] {
  const h: Header[] = [['Content-Type', 'text/plain']];
  if (p.origin !== undefined)
    for (const o of p.origin.split(', ')) h.push(['Access-Control-Allow-Origin', o]);
  else h.push(['Access-Control-Allow-Origin', '*']);
  if (p.credentials) h.push(['Access-Control-Allow-Credentials', 'true']);
  return h;
}

/** preflight.py answering an OPTIONS request. */
export function preflightPyOptions(p: PreflightPyParams): HttpResponse {
  const h = preflightPyCommon(p);
  if (p.maxAge !== undefined) h.push(['Access-Control-Max-Age', p.maxAge]);
  if (p.allowHeaders !== undefined) h.push(['Access-Control-Allow-Headers', p.allowHeaders]);
  if (p.allowMethods !== undefined) h.push(['Access-Control-Allow-Methods', p.allowMethods]);
  return { status: p.preflightStatus ?? 200, headers: h };
}

/** preflight.py answering the actual request: it reports what it saw in x-* headers. */
export function preflightPyActual(
  p: PreflightPyParams,
  seen: { origin: string | null; didPreflight: boolean; controlRequestHeaders?: string },
): HttpResponse {
  const h = preflightPyCommon(p);
  h.push(
    [
      'Access-Control-Expose-Headers',
      'x-did-preflight, x-control-request-headers, x-referrer, x-preflight-referrer, x-origin',
    ],
    ['x-did-preflight', seen.didPreflight ? '1' : '0'],
  );
  if (seen.controlRequestHeaders !== undefined)
    h.push(['x-control-request-headers', seen.controlRequestHeaders]);
  h.push(
    ['x-preflight-referrer', seen.didPreflight ? `${ORIGIN}/` : ''],
    ['x-referrer', `${ORIGIN}/`],
    ['x-origin', seen.origin ?? ''],
  );
  return { status: 200, headers: h };
}

// ---------------------------------------------------------------------------------------------
// fetch/api/resources/redirect.py
// ---------------------------------------------------------------------------------------------

/**
 * redirect.py answering a GET: ACAO echoes Origin with ACAC "true" (ACAO "*" when no Origin came),
 * and Location is the target with the request's own query appended plus "&count=1".
 */
export function redirectPy(status: number, requestOrigin: string | null, location: string): HttpResponse {
  const h: Header[] = [
    ['Content-Type', 'text/plain'],
    ['Cache-Control', 'no-cache'],
    ['Pragma', 'no-cache'],
  ];
  if (requestOrigin !== null) {
    h.push(['Access-Control-Allow-Origin', requestOrigin], ['Access-Control-Allow-Credentials', 'true']);
  } else {
    h.push(['Access-Control-Allow-Origin', '*']);
  }
  h.push(['Location', location]);
  return { status, headers: h };
}

// ---------------------------------------------------------------------------------------------
// cors/resources/cors-makeheader.py
// ---------------------------------------------------------------------------------------------

/**
 * cors-makeheader.py: ACAO set to ?origin= unless it is "none", a second ACAO for ?origin2=, a 302 with
 * Location for ?location=, and a JSON body echoing the request headers.
 * (At the stored upstream revision the origin2 branch misspells `request` and the shouldFail helper of
 * cors/origin.htm requests "cors-makeheader.pu"; both are typos, so the tables model the intended response.)
 */
export function corsMakeheader(
  origin: string,
  opts: { origin2?: string; location?: string } = {},
): HttpResponse {
  const h: Header[] = [];
  if (origin !== 'none') h.push(['Access-Control-Allow-Origin', origin]);
  if (opts.origin2 !== undefined) h.push(['Access-Control-Allow-Origin', opts.origin2]);
  if (opts.location !== undefined) {
    h.push(['Location', opts.location]);
    return { status: 302, headers: h };
  }
  h.push(['Content-Type', 'text/html']);
  return { status: 200, headers: h };
}
