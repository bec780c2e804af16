// The CORS-preflight fetch: https://fetch.spec.whatwg.org/#cors-preflight-fetch, as Chromium performs it
// (services/network/cors/preflight_controller.cc and preflight_result.cc).
import type { Failure } from './check';
import { getCombined, parseTokenList } from './headers';
import { corsSafelistedMethod } from './safelist';
import { SPEC } from './spec';
import type { Check, Header } from './types';

/** The parsed policy a successful preflight grants: what Chromium keeps in its preflight cache. */
export interface PreflightPolicy {
  /** Allowed methods, byte-case-sensitive as sent (Access-Control-Allow-Methods). */
  methods: string[];
  /** Allowed header names, lower-cased (Access-Control-Allow-Headers). */
  headers: string[];
  /** Whether the preflight was made for a request whose credentials mode is "include". */
  include: boolean;
  /** Seconds the entry lives: default 5, capped at 7200 by Chromium. */
  maxAge: number;
  /** The max-age as the server sent it (null when absent or unparsable). */
  maxAgeSent: number | null;
}

// Chromium caps max-age at 7200 s (preflight_result.cc kMaxTimeout); the spec leaves the cap to the browser.
export const CHROMIUM_MAX_AGE_CAP = 7200;
// https://fetch.spec.whatwg.org/#http-access-control-max-age: "If max-age is null, then set max-age to 5."
export const DEFAULT_MAX_AGE = 5;

/** Parses ACAM, ACAH and max-age. Step 3-5 of the preflight's result handling in the spec. */
export function parsePreflightPolicy(
  headers: Header[],
  include: boolean,
  hop: number,
  checks: Check[],
): { policy: PreflightPolicy } | { failure: Failure } {
  // Let methods be the result of extracting header list values given `Access-Control-Allow-Methods`.
  const acam = getCombined(headers, 'access-control-allow-methods');
  const methods = parseTokenList(acam);
  if ('bad' in methods) {
    checks.push(
      parseCheck('acam-syntax', 'Access-Control-Allow-Methods', SPEC.acam, hop, acam!, methods.bad),
    );
    return { failure: { error: 'InvalidAllowMethodsPreflightResponse', param: methods.bad } };
  }
  // Let headerNames be the result of extracting header list values given `Access-Control-Allow-Headers`.
  const acah = getCombined(headers, 'access-control-allow-headers');
  const names = parseTokenList(acah);
  if ('bad' in names) {
    checks.push(parseCheck('acah-syntax', 'Access-Control-Allow-Headers', SPEC.acah, hop, acah!, names.bad));
    return { failure: { error: 'InvalidAllowHeadersPreflightResponse', param: names.bad } };
  }
  const rawMaxAge = getCombined(headers, 'access-control-max-age');
  // Chromium: absent or not an integer → 5 s; negative → 0 (not cached); capped at 7200 s.
  const maxAgeSent = rawMaxAge !== null && /^[-+]?\d+$/.test(rawMaxAge) ? Number(rawMaxAge) : null;
  const maxAge =
    maxAgeSent === null ? DEFAULT_MAX_AGE : Math.min(Math.max(0, maxAgeSent), CHROMIUM_MAX_AGE_CAP);
  return {
    policy: {
      methods: methods.items,
      headers: names.items.map((n) => n.toLowerCase()),
      include,
      maxAge,
      maxAgeSent,
    },
  };
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
 * credentials not included. The spec keeps Authorization out of `*`; Chromium 156 still lets `*` cover it
 * (recorded: its NonWildcardRequestHeadersSupport is off), so the wildcard covers every name here.
 * Returns the names not allowed, in the order given (sorted: Chromium reports the first).
 */
export function headersNotAllowed(policy: PreflightPolicy, unsafeNames: readonly string[]): string[] {
  if (!policy.include && policy.headers.includes('*')) return [];
  return unsafeNames.filter((n) => !policy.headers.includes(n));
}

/** https://fetch.spec.whatwg.org/#ok-status */
export function isOkStatus(status: number): boolean {
  return status >= 200 && status <= 299;
}

export function isRedirectStatus(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}
