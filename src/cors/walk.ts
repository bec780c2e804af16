// One walk over the recorded wire, under one assumption about the credentials mode: the request as the fetch
// algorithms change it hop by hop (`Fetch`, the spec's request), and what the walk found (`Walk`). The fetch
// steps read and change one Fetch; each returns the finished walk where the call ends, else null to go on:
//   main-fetch.ts  main fetch and HTTP fetch, hop by hop          https://fetch.spec.whatwg.org/#main-fetch
//   preflight.ts   CORS-preflight fetch                           https://fetch.spec.whatwg.org/#cors-preflight-fetch
//   redirect.ts    HTTP-redirect fetch                            https://fetch.spec.whatwg.org/#http-redirect-fetch
//   check.ts       CORS check                                     https://fetch.spec.whatwg.org/#cors-check
//   recording.ts   the end of a recording that stops before the browser did
import type { PreflightCache } from './cache';
import {
  type ChromiumErrorName,
  corsErrorOf,
  NETWORK_ERRORS,
  type NetworkErrorKey,
  netErrorKey,
} from './catalog';
import { parseUrl } from './origin';
import type { PreflightPolicy } from './preflight';
import type { UnsafeHeaderAnalysis } from './safelist';
import { SPEC } from './spec';
import type {
  AddressSpace,
  Check,
  Engine,
  Exchange,
  Header,
  HttpResponse,
  LocalNetworkFacts,
  PreflightState,
  Reason,
  RequestMode,
  Stage,
  VerdictKind,
} from './types';

/** A failed check: Chromium's name for it, and what it read and needed. */
export interface Failure {
  /**
   * Chromium's CorsError name without the leading k: for a Firefox verdict, the name Chromium gives the same
   * failed check (its Firefox reason key is derived from it and the response).
   */
  error: ChromiumErrorName;
  /** Chromium's failed_parameter; null when it reports none. */
  param: string | null;
  /** The header the check read (null: none), what it saw there (null: absent), what it needed. */
  header: string | null;
  seen: string | null;
  required: string | null;
  /** A Local Network Access failure: the address spaces Chromium's line names (null: not known). */
  addressSpace?: { resource: AddressSpace | null; target: AddressSpace | null };
}

export type CacheOp =
  | { op: 'store'; origin: string; url: string; policy: PreflightPolicy; time: number | undefined }
  | { op: 'read'; origin: string; url: string; include: boolean };

/** What one walk over the wire found, under one assumption about the credentials mode. */
export interface Walk {
  verdict: VerdictKind;
  preflight: PreflightState;
  checks: Check[];
  /** The failed check of a blocked call (also of Firefox's network error for a redirect with credentials). */
  failure: Failure | null;
  /** Why a blocked call or a network error failed, as the verdict reports it. */
  reason: Reason | null;
  stage: Stage;
  /** Index of the wire entry whose response decided a failure; -1 when nothing was sent. */
  hop: number;
  /** The URL Chromium names for the failure, and the first URL when a redirect came between. */
  url: string;
  firstUrl: string;
  /**
   * For a network error or a Local Network Access stop: the failing hop was a CORS request (Firefox then logs
   * "CORS request did not succeed").
   */
  corsHop: boolean;
  /** Whether the answer would change with the other credentials mode. */
  credentialsMattered: boolean;
  /** What the call does to the stream's preflight cache, in order: preflights to store, entries it read. */
  cacheOps: CacheOp[];
  /** The Origin header value at the deciding hop ("null" once tainted). */
  originSent: string;
  /** The Origin header value at each hop walked, by wire index. */
  originByHop: string[];
  /** The method and CORS-unsafe header names of the request at the deciding hop. */
  method: string;
  unsafe: string[];
  /** The response that decided an allowed call. */
  finalResponse: HttpResponse | null;
  include: boolean;
  /** Hops whose preflight let Authorization through by `*` alone (Firefox logs a deprecation warning). */
  authorizationByWildcard: number[];
  /** Set when the wire ends before a final response: what the browser would have requested next. */
  ended: { after: 'preflight' | 'redirect'; url: string; method: string; needsPreflight: boolean } | null;
  /** The Local Network Access check, once it applied to a hop (the last one it applied to). */
  localNetwork: LocalNetworkFacts | null;
}

export interface WalkContext {
  cache: PreflightCache;
  engine: Engine;
}

/** The request as the fetch algorithms see it at the current hop, and the walk being written. */
export interface Fetch {
  readonly ex: Exchange;
  readonly engine: Engine;
  readonly firefox: boolean;
  readonly cache: PreflightCache;
  /** Whether credentials are included (the assumption this walk makes). */
  readonly include: boolean;
  /** The request's origin, serialized: the page's. */
  readonly origin: string;
  readonly mode: RequestMode;
  /** Whether the script's headers were given (else read off the wire, and learnt from a preflight). */
  readonly headersKnown: boolean;
  /** The request's method and the script's headers, with their CORS-unsafe names: a redirect may change them. */
  method: string;
  headers: Header[];
  unsafe: UnsafeHeaderAnalysis;
  /** The CORS flag: a cross-origin request in mode "cors" (response tainting "cors"), or a preflight went out. */
  corsFlag: boolean;
  /** Response tainting "opaque": mode "no-cors" (or a navigation) went cross-origin; nothing is checked. */
  opaque: boolean;
  /** https://fetch.spec.whatwg.org/#concept-request-tainted-origin: the Origin is now "null". */
  taintedOrigin: boolean;
  /** https://fetch.spec.whatwg.org/#concept-request-redirect-count */
  redirectCount: number;
  /** The URL a preflight just passed for: the request right after it needed no cached one. */
  preflightPassedFor: string | null;
  /** The URL of the hop being walked, and where the last redirect pointed. */
  url: string;
  locationUrl: string | null;
  readonly walk: Walk;
}

/** The call is blocked: `failure` at hop `hop` (`url`), found at `stage`. */
export function blocked(f: Fetch, stage: Stage, hop: number, url: string, failure: Failure): Walk {
  const w = f.walk;
  w.verdict = 'blocked';
  w.stage = stage;
  w.hop = hop;
  w.url = url;
  w.failure = failure;
  w.reason = {
    key: corsErrorOf(failure.error)!.key,
    header: failure.header,
    seen: failure.seen,
    required: failure.required,
    hop,
  };
  return w;
}

/**
 * Main fetch, step 11: "request's current URL's scheme is not an HTTP(S) scheme: return a network error", for a
 * CORS request at `url` (reached at hop `hop`, or by its redirect): Chromium blocks it as CorsDisabledScheme.
 * `via` is the header that led there (Location), when a redirect did.
 */
export function schemeNotHttp(f: Fetch, stage: Stage, hop: number, url: string, via: string | null): Walk {
  const scheme = parseUrl(url)?.scheme ?? url;
  f.walk.checks.push({
    rule: 'scheme',
    title: 'Cross-origin requests use HTTP(S)',
    spec: SPEC.mainFetch,
    hop,
    required: 'http: or https:',
    seen: via ? `${scheme} (redirected to ${url})` : scheme,
    result: 'fail',
  });
  return blocked(f, stage, hop, url, failure('CorsDisabledScheme', null, via, scheme, 'http: or https:'));
}

/** What a network error read, when it read something. */
export interface NetworkDetail {
  header?: string;
  seen?: string;
  required?: string;
  /** The failing hop was a CORS request: Firefox's CORS listener saw it fail. */
  corsHop?: boolean;
}

/**
 * The call failed outside CORS (`key` in the catalog's NETWORK_ERRORS) at hop `hop` (`url`). Where the wire
 * does not show why (the record is `unexplained`), the browser's own error string names the failure when it
 * can (a refused connection, an empty reply, an extension's block).
 */
export function networkError(
  f: Fetch,
  key: NetworkErrorKey,
  hop: number,
  url: string,
  detail: NetworkDetail = {},
): Walk {
  const w = f.walk;
  const named = 'unexplained' in NETWORK_ERRORS[key] ? netErrorKey(f.ex.netError) : null;
  w.verdict = 'network-error';
  w.hop = hop;
  w.url = url;
  w.corsHop = detail.corsHop ?? false;
  w.reason = named
    ? { key: named, header: null, seen: f.ex.netError!, required: null, hop }
    : {
        key,
        header: detail.header ?? null,
        seen: detail.seen ?? null,
        required: detail.required ?? null,
        hop,
      };
  return w;
}

/** One failure the check found, with the header it read. */
export function failure(
  error: ChromiumErrorName,
  param: string | null,
  header: string | null,
  seen: string | null,
  required: string | null,
): Failure {
  return { error, param, header, seen, required };
}
