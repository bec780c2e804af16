// The CORS check: https://fetch.spec.whatwg.org/#cors-check, as Chromium's CheckAccessInternal
// (services/network/public/cpp/cors/cors.cc) performs it, with its error names, and as Firefox's
// nsCORSListenerProxy::CheckRequestApproved does (netwerk/protocol/http/nsCORSListenerProxy.cpp).
import { type CorsErrorKey, chromiumName } from './catalog';
import { countHeader, getCombined } from './headers';
import { SPEC } from './spec';
import type { Check, Engine, HttpResponse, Stage } from './types';
import { blocked, type Failure, type Fetch, failure, type Walk } from './walk';

export interface CorsCheckInput {
  response: HttpResponse;
  /** The value the browser sent in Origin: the serialized origin, or "null" once tainted. */
  origin: string;
  include: boolean;
  hop: number;
  checks: Check[];
  engine: Engine;
  /** The response is a preflight's: Chromium names the failure "Preflight" + the check's name. */
  preflight: boolean;
}

export interface CorsCheckResult {
  failure: Failure | null;
  /** True when the answer would differ with the other credentials mode. */
  credentialsMattered: boolean;
}

/**
 * The CORS check of the response at hop `i` of a walk, as the fetch steps run it: null when it passes, else
 * the call blocked at `stage` (a preflight's response fails under Chromium's Preflight names). `origin` is
 * what the response must allow: the Origin the browser sent, unless the engine checks another.
 */
export function corsCheckAt(
  f: Fetch,
  i: number,
  response: HttpResponse,
  stage: Stage,
  origin: string = f.walk.originSent,
): Walk | null {
  const w = f.walk;
  const cc = corsCheck({
    response,
    origin,
    include: f.include,
    hop: i,
    checks: w.checks,
    engine: f.engine,
    preflight: stage === 'preflight',
  });
  if (cc.credentialsMattered) w.credentialsMattered = true;
  return cc.failure ? blocked(f, stage, i, f.url, cc.failure) : null;
}

/**
 * Whether a response passes the CORS check whatever the request's credentials mode (which a recording may
 * not say): its Access-Control-Allow-Origin is exactly `origin` and its Access-Control-Allow-Credentials
 * exactly "true".
 */
export function passesEitherWay(response: HttpResponse, origin: string, engine: Engine): boolean {
  const { failure, credentialsMattered } = corsCheck({
    response,
    origin,
    include: false,
    hop: 0,
    checks: [],
    engine,
    preflight: false,
  });
  return failure === null && !credentialsMattered;
}

/** https://fetch.spec.whatwg.org/#cors-check */
export function corsCheck({
  response,
  origin,
  include,
  hop,
  checks,
  engine,
  preflight,
}: CorsCheckInput): CorsCheckResult {
  // 1. Let origin be the result of getting `Access-Control-Allow-Origin` from response's header list.
  //    (Chromium joins repeated headers with ", ", so two headers read as one value with a comma.)
  const acao = getCombined(response.headers, 'access-control-allow-origin');
  const required = include
    ? `"${origin}" (credentials are included, so "*" is not enough)`
    : `"${origin}" or "*"`;
  // Firefox counts the header lines before anything else (CheckOriginHeader): two lines fail even when
  // both name the origin (CORSMultipleAllowOriginNotAllowed), while one line holding a list is a mismatch.
  const lines = engine === 'firefox' ? countHeader(response.headers, 'access-control-allow-origin') : 0;
  if (lines > 1) {
    checks.push(acaoCheck(hop, required, `${lines} header lines: "${acao}"`, 'fail'));
    return {
      failure: acaoFailure('MultipleAllowOriginValues', acao, acao, origin, preflight),
      credentialsMattered: false,
    };
  }
  // 2. If origin is null, then return failure.
  if (acao === null) {
    checks.push(acaoCheck(hop, required, '(absent)', 'fail'));
    return {
      failure: acaoFailure('MissingAllowOriginHeader', null, acao, origin, preflight),
      credentialsMattered: false,
    };
  }
  // 3. If request's credentials mode is not "include" and origin is `*`, then return success.
  if (acao === '*') {
    if (include) {
      checks.push(acaoCheck(hop, required, '"*"', 'fail'));
      return {
        failure: acaoFailure('WildcardOriginNotAllowed', null, acao, origin, preflight),
        credentialsMattered: true,
      };
    }
    checks.push(acaoCheck(hop, required, '"*"', 'pass'));
    return { failure: null, credentialsMattered: true };
  }
  // 4. If the result of byte-serializing a request origin with request is not origin, then return failure.
  if (acao !== origin) {
    checks.push(acaoCheck(hop, required, `"${acao}"`, 'fail'));
    return {
      failure: acaoFailure(mismatch(acao), acao, acao, origin, preflight),
      credentialsMattered: false,
    };
  }
  checks.push(acaoCheck(hop, required, `"${acao}"`, 'pass'));
  // 5. If request's credentials mode is not "include", then return success.
  const acac = getCombined(response.headers, 'access-control-allow-credentials');
  if (!include) return { failure: null, credentialsMattered: acac !== 'true' };
  // 6-7. Let credentials be the result of getting `Access-Control-Allow-Credentials`; if it is `true`, success.
  //      The comparison is byte-case-sensitive: "True" fails.
  const ok = acac === 'true';
  checks.push({
    rule: 'acac',
    title: 'Access-Control-Allow-Credentials is exactly "true"',
    spec: SPEC.acac,
    hop,
    required: '"true" (credentials are included)',
    seen: acac === null ? '(absent)' : `"${acac}"`,
    result: ok ? 'pass' : 'fail',
  });
  // Chromium reports a missing header as the value ''.
  return {
    failure: ok
      ? null
      : failure(
          chromiumName('InvalidAllowCredentials', preflight),
          acac ?? '',
          'Access-Control-Allow-Credentials',
          acac,
          'true',
        ),
    credentialsMattered: !ok,
  };
}

/** An Access-Control-Allow-Origin failure as Chromium names it for this response (a preflight's or not). */
function acaoFailure(
  key: CorsErrorKey,
  param: string | null,
  acao: string | null,
  origin: string,
  preflight: boolean,
): Failure {
  return failure(chromiumName(key, preflight), param, 'Access-Control-Allow-Origin', acao, origin);
}

/**
 * Chromium's finer diagnosis of an ACAO that is not the origin: a space or comma reads as several values
 * (so "not an origin" is "multiple values"), "null" is a plain mismatch, anything GURL cannot parse is invalid.
 */
function mismatch(acao: string): CorsErrorKey {
  if (acao.includes(' ') || acao.includes(',')) return 'MultipleAllowOriginValues';
  if (acao === 'null') return 'AllowOriginMismatch';
  if (!isValidGurl(acao)) return 'InvalidAllowOriginValue';
  return 'AllowOriginMismatch';
}

/** GURL(value).is_valid(), approximated by the WHATWG URL parser (both need a scheme, special ones a host). */
function isValidGurl(value: string): boolean {
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

function acaoCheck(hop: number, required: string, seen: string, result: 'pass' | 'fail'): Check {
  return {
    rule: 'acao',
    title: 'Access-Control-Allow-Origin allows the origin',
    spec: SPEC.corsCheck,
    hop,
    required,
    seen,
    result,
  };
}
