// The browsers' own words. Chromium: third_party/blink/renderer/platform/loader/cors/cors_error_string.cc
// as Chromium 156 prints it (../shared/reference/cors-errors.md; the recorded lines win over the source).
// Firefox: dom/locales/en-US/chrome/security/security.properties.
import type { Api } from './types';

// The resource kind that opens Chromium's line. webRequest cannot tell fetch() from XHR: an unknown API
// gets fetch's wording, and the panel says the words may differ for XMLHttpRequest.
const KIND: Record<Api, string> = {
  fetch: 'fetch',
  xhr: 'XMLHttpRequest',
  image: 'image',
  font: 'font',
  script: 'script',
  stylesheet: 'CSS stylesheet',
  // Resource::ResourceTypeToString for the rest; an unknown kind is the least certain wording we print.
  other: 'resource',
};

const PREFLIGHT_PREFIX = "Response to preflight request doesn't pass access control check: ";
const VALID_VALUE_HINT = ' Have the server send the header with a valid value.';
const XHR_CREDENTIALS_HINT =
  ' The credentials mode of requests initiated by the XMLHttpRequest is controlled by the withCredentials attribute.';

/**
 * A CorsError without its Preflight prefix where the same check failed on the preflight
 * ("PreflightMissingAllowOriginHeader" → "MissingAllowOriginHeader"); PreflightInvalidStatus and
 * PreflightDisallowedRedirect exist only for preflights and keep their names.
 */
export function baseError(error: string): string {
  return error.startsWith('Preflight') &&
    error !== 'PreflightInvalidStatus' &&
    error !== 'PreflightDisallowedRedirect'
    ? error.slice('Preflight'.length)
    : error;
}

/** The reason text for a CorsError, with the API-specific suffix. */
export function chromiumReason(error: string, param: string | null, api: Api | undefined): string {
  const fetchLike = api === undefined || api === 'fetch';
  const xhr = api === 'xhr';
  const v = param ?? '';
  switch (baseError(error)) {
    case 'DisallowedByMode':
      return 'Cross origin requests are not allowed by request mode.';
    case 'InvalidResponse':
      return 'The response is invalid.';
    case 'WildcardOriginNotAllowed':
      return `The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.${xhr ? XHR_CREDENTIALS_HINT : ''}`;
    case 'MissingAllowOriginHeader':
      return "No 'Access-Control-Allow-Origin' header is present on the requested resource.";
    case 'MultipleAllowOriginValues':
      return `The 'Access-Control-Allow-Origin' header contains multiple values '${v}', but only one is allowed.${fetchLike ? VALID_VALUE_HINT : ''}`;
    case 'InvalidAllowOriginValue':
      return `The 'Access-Control-Allow-Origin' header contains the invalid value '${v}'.${fetchLike ? VALID_VALUE_HINT : ''}`;
    case 'AllowOriginMismatch':
      return `The 'Access-Control-Allow-Origin' header has a value '${v}' that is not equal to the supplied origin.${fetchLike ? VALID_VALUE_HINT : ''}`;
    case 'InvalidAllowCredentials':
      return `The value of the 'Access-Control-Allow-Credentials' header in the response is '${v}' which must be 'true' when the request's credentials mode is 'include'.${xhr ? XHR_CREDENTIALS_HINT : ''}`;
    case 'CorsDisabledScheme':
      return `Cross origin requests are only supported for protocol schemes: ${CORS_ENABLED_SCHEMES}.`;
    case 'PreflightInvalidStatus':
      return 'It does not have HTTP ok status.';
    case 'PreflightDisallowedRedirect':
      return 'Redirect is not allowed for a preflight request.';
    case 'InvalidAllowMethodsPreflightResponse':
      return 'Cannot parse Access-Control-Allow-Methods response header field in preflight response.';
    case 'InvalidAllowHeadersPreflightResponse':
      return 'Cannot parse Access-Control-Allow-Headers response header field in preflight response.';
    case 'MethodDisallowedByPreflightResponse':
      return `Method ${v} is not allowed by Access-Control-Allow-Methods in preflight response.`;
    case 'HeaderDisallowedByPreflightResponse':
      return `Request header field ${v} is not allowed by Access-Control-Allow-Headers in preflight response.`;
    case 'RedirectContainsCredentials':
      return `Redirect location '${v}' contains a username and password, which is disallowed for cross-origin requests.`;
    default:
      return `${error}.`;
  }
}

export const CORS_ENABLED_SCHEMES =
  'chrome, chrome-extension, chrome-untrusted, data, http, https, isolated-app';

function hasPreflightPrefix(error: string): boolean {
  return error.startsWith('Preflight');
}

export interface ConsoleContext {
  api: Api | undefined;
  /** The URL whose response failed. */
  url: string;
  /** The URL the page asked for, when a redirect came between. */
  firstUrl: string;
  /** The page's origin as Chromium prints it (the real one, even after a tainting redirect). */
  origin: string;
}

/** Chromium's whole console line for a CORS failure. */
export function chromiumConsoleLine(error: string, param: string | null, ctx: ConsoleContext): string {
  const kind = KIND[ctx.api ?? 'fetch'];
  const redirected = ctx.firstUrl !== ctx.url ? `(redirected from '${ctx.firstUrl}') ` : '';
  const prefix = hasPreflightPrefix(error) ? PREFLIGHT_PREFIX : '';
  return `Access to ${kind} at '${ctx.url}' ${redirected}from origin '${ctx.origin}' has been blocked by CORS policy: ${prefix}${chromiumReason(error, param, ctx.api)}`;
}

/** The line Chromium prints for a cross-origin fetch in mode "same-origin" (no CORS line at all). */
export function sameOriginModeLine(url: string, origin: string): string {
  return `Fetch API cannot load ${url}. Request mode is "same-origin" but the URL's origin is not same as the request origin ${origin}.`;
}

// Firefox's reasons: key → text, {v} the value. Firefox quotes with ‘ ’.
const FIREFOX_REASON: Record<string, string> = {
  CORSDisabled: 'CORS disabled',
  CORSDidNotSucceed: 'CORS request did not succeed',
  CORSOriginHeaderNotAdded: 'CORS header ‘Origin’ cannot be added',
  CORSExternalRedirectNotAllowed: 'CORS request external redirect not allowed',
  CORSRequestNotHttp: 'CORS request not http',
  CORSMissingAllowOrigin: 'CORS header ‘Access-Control-Allow-Origin’ missing',
  CORSMultipleAllowOriginNotAllowed: 'Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed',
  CORSAllowOriginNotMatchingOrigin: 'CORS header ‘Access-Control-Allow-Origin’ does not match ‘{v}’',
  CORSNotSupportingCredentials:
    'Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘*’',
  CORSMethodNotFound: 'Did not find method in CORS header ‘Access-Control-Allow-Methods’',
  CORSMissingAllowCredentials: 'expected ‘true’ in CORS header ‘Access-Control-Allow-Credentials’',
  CORSPreflightDidNotSucceed: 'CORS preflight response did not succeed',
  CORSInvalidAllowMethod: 'invalid token ‘{v}’ in CORS header ‘Access-Control-Allow-Methods’',
  CORSInvalidAllowHeader: 'invalid token ‘{v}’ in CORS header ‘Access-Control-Allow-Headers’',
  CORSMissingAllowHeaderFromPreflight:
    'header ‘{v}’ is not allowed according to header ‘Access-Control-Allow-Headers’ from CORS preflight response',
};

// Reasons after which Firefox appends " Status code: N." (recorded in Firefox ESR 153).
const FIREFOX_WITH_STATUS = new Set([
  'CORSMissingAllowOrigin',
  'CORSPreflightDidNotSucceed',
  'CORSDidNotSucceed',
]);

/**
 * The warning Firefox ESR 153 logs when `*` in Access-Control-Allow-Headers lets Authorization through
 * (security.properties CORSAllowHeaderFromPreflightDeprecation; recorded verbatim, a warning, not an error).
 */
export function firefoxAuthorizationWildcardWarning(url: string): string {
  return `Cross-Origin Request Warning: The Same Origin Policy will disallow reading the remote resource at ${url} soon. (Reason: When the \`Access-Control-Allow-Headers\` is \`*\`, the \`Authorization\` header is not covered. To include the \`Authorization\` header, it must be explicitly listed in CORS header \`Access-Control-Allow-Headers\`).`;
}

/** Firefox's console line: "Cross-Origin Request Blocked: ... (Reason: ...)." */
export function firefoxConsoleLine(
  key: string,
  param: string | null,
  url: string,
  status: number | null,
): string {
  const reason = (FIREFOX_REASON[key] ?? key).replace('{v}', param ?? '');
  // Firefox wraps the URL in quotes for this one message only (its string has ‘%1$S’).
  const where = key === 'CORSNotSupportingCredentials' ? `‘${url}’` : url;
  const tail = FIREFOX_WITH_STATUS.has(key) ? ` Status code: ${status ?? '(null)'}.` : '';
  return `Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at ${where}. (Reason: ${reason}).${tail}`;
}
