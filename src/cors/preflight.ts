// The CORS-preflight fetch: https://fetch.spec.whatwg.org/#cors-preflight-fetch, as Chromium performs it
// (services/network/cors/preflight_controller.cc and preflight_result.cc) and as Firefox does
// (netwerk/protocol/http/nsCORSListenerProxy.cpp, nsCORSPreflightListener).
import type { Failure } from './check';
import { getCombined, parseTokenList } from './headers';
import { corsSafelistedMethod } from './safelist';
import { SPEC } from './spec';
import type { Check, Engine, Header } from './types';

/** The parsed policy a successful preflight grants: what the browser keeps in its preflight cache. */
export interface PreflightPolicy {
  /** Allowed methods, byte-case-sensitive as sent (Access-Control-Allow-Methods). */
  methods: string[];
  /** Allowed header names, lower-cased (Access-Control-Allow-Headers). */
  headers: string[];
  /** Whether the preflight was made for a request whose credentials mode is "include". */
  include: boolean;
  /** Seconds the entry lives: default 5, capped at the engine's MAX_AGE_CAP; 0 means not cached. */
  maxAge: number;
  /** The max-age as the server sent it (null when absent or unparsable). */
  maxAgeSent: number | null;
}

/**
 * How long each engine keeps a preflight at most; the spec leaves the cap to the browser. Chromium:
 * preflight_result.cc kMaxTimeout (2 h). Firefox: nsCORSPreflightListener::AddResultToCache, "Cap at 24 hours".
 */
export const MAX_AGE_CAP: Record<Engine, number> = { chromium: 7200, firefox: 86400 };
// https://fetch.spec.whatwg.org/#http-access-control-max-age: "If max-age is null, then set max-age to 5."
// Firefox uses the same (PREFLIGHT_DEFAULT_EXPIRY_SECONDS, "chosen to be compatible with Chromium").
export const DEFAULT_MAX_AGE = 5;

export const ENGINE_NAME: Record<Engine, string> = { chromium: 'Chromium', firefox: 'Firefox' };

/** The two allow lists' names, as the checks table and the fixes spell them. */
export type AllowList = 'Access-Control-Allow-Methods' | 'Access-Control-Allow-Headers';

/**
 * Extracts ACAM or ACAH as a list of tokens (the spec's "extracting header list values"); a value that is not
 * a token fails with InvalidAllowMethodsPreflightResponse or InvalidAllowHeadersPreflightResponse, the item
 * as its parameter (Firefox: CORSInvalidAllowMethod / CORSInvalidAllowHeader with the same token).
 */
export function parseAllowList(
  headers: Header[],
  list: AllowList,
  hop: number,
  checks: Check[],
): { items: string[] } | { failure: Failure } {
  const methods = list === 'Access-Control-Allow-Methods';
  const value = getCombined(headers, list.toLowerCase());
  const parsed = parseTokenList(value);
  if ('items' in parsed) return parsed;
  checks.push(
    parseCheck(
      methods ? 'acam-syntax' : 'acah-syntax',
      list,
      methods ? SPEC.acam : SPEC.acah,
      hop,
      value!,
      parsed.bad,
    ),
  );
  const error = methods ? 'InvalidAllowMethodsPreflightResponse' : 'InvalidAllowHeadersPreflightResponse';
  return { failure: { error, param: parsed.bad } };
}

/**
 * Access-Control-Max-Age as each engine reads it. Chromium: absent or not an integer → 5 s; negative → 0
 * (not cached); capped at 7200 s. Firefox (nsCORSPreflightListener::AddResultToCache): absent or empty → 5 s;
 * anything but the digits 0-9 → not cached at all; capped at 86400 s; 0 → not cached.
 */
export function preflightMaxAge(
  headers: Header[],
  engine: Engine,
): Pick<PreflightPolicy, 'maxAge' | 'maxAgeSent'> {
  const raw = getCombined(headers, 'access-control-max-age');
  const cap = MAX_AGE_CAP[engine];
  if (engine === 'firefox') {
    if (raw === null || raw === '') return { maxAge: DEFAULT_MAX_AGE, maxAgeSent: null };
    if (!/^\d+$/.test(raw)) return { maxAge: 0, maxAgeSent: null };
    return { maxAge: Math.min(Number(raw), cap), maxAgeSent: Number(raw) };
  }
  const maxAgeSent = raw !== null && /^[-+]?\d+$/.test(raw) ? Number(raw) : null;
  const maxAge = maxAgeSent === null ? DEFAULT_MAX_AGE : Math.min(Math.max(0, maxAgeSent), cap);
  return { maxAge, maxAgeSent };
}

function parseCheck(
  rule: string,
  header: string,
  spec: string,
  hop: number,
  value: string,
  bad: string,
): Check {
  return {
    rule,
    title: `${header} parses as a comma-separated list of tokens`,
    spec,
    hop,
    required: 'tokens separated by commas',
    seen: `"${value}" ("${bad}" is not a token)`,
    result: 'fail',
  };
}

/**
 * Step 7 of the spec's preflight: "If request's method is not in methods, request's method is not a
 * CORS-safelisted method, and request's credentials mode is "include" or methods does not contain `*`,
 * then return a network error." Byte-case-sensitive: `put` does not allow PUT.
 */
export function methodAllowed(
  policy: PreflightPolicy,
  method: string,
): 'listed' | 'safelisted' | 'wildcard' | null {
  if (policy.methods.includes(method)) return 'listed';
  if (corsSafelistedMethod(method)) return 'safelisted';
  if (!policy.include && policy.methods.includes('*')) return 'wildcard';
  return null;
}

/**
 * Step 8: every CORS-unsafe request-header name must be in headerNames, or `*` must be there and
 * credentials not included. The spec keeps Authorization out of `*` (a CORS non-wildcard request-header
 * name), but neither browser does yet: with credentials not included, `*` covers Authorization in
 * Chromium 156 (its NonWildcardRequestHeadersSupport is off) and in Firefox ESR 153, whose
 * network.cors_preflight.authorization_covered_by_wildcard is true (recorded in both: a fetch with
 * Authorization under ACAH `*` is sent and read; Firefox logs a warning, see authorizationByWildcard).
 * Returns the names not allowed, in the order given (sorted: both browsers report the first).
 */
export function headersNotAllowed(policy: PreflightPolicy, unsafeNames: readonly string[]): string[] {
  const wildcard = !policy.include && policy.headers.includes('*');
  if (wildcard) return [];
  return unsafeNames.filter((n) => !policy.headers.includes(n));
}

/**
 * True when `*` alone lets Authorization through (credentials not included, Authorization not listed by
 * name): what the Fetch Standard forbids (https://fetch.spec.whatwg.org/#cors-non-wildcard-request-header-name)
 * and what Firefox ESR 153 allows only by its deprecated exception, logging the console warning
 * CORSAllowHeaderFromPreflightDeprecation (nsCORSPreflightListener::CheckPreflightRequestApproved).
 */
export function authorizationByWildcard(policy: PreflightPolicy, unsafeNames: readonly string[]): boolean {
  return (
    !policy.include &&
    policy.headers.includes('*') &&
    unsafeNames.includes('authorization') &&
    !policy.headers.includes('authorization')
  );
}

/** https://fetch.spec.whatwg.org/#ok-status */
export function isOkStatus(status: number): boolean {
  return status >= 200 && status <= 299;
}

export function isRedirectStatus(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}
