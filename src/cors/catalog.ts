// The CORS error catalog: one record per failure CORScope explains, and everything it says about it.
//
// - CORS_ERRORS: Chromium's CorsError names (third_party/blink/renderer/platform/loader/cors/cors_error_string.cc,
//   as Chromium 156 prints them; the recorded lines win over the source). One record serves a check and its
//   "Preflight" twin, the name Chromium gives the same check failing on a preflight.
// - NETWORK_ERRORS: failures with no CORS line (nothing sent, no response, a redirect the browser refuses).
// - FIREFOX_REASONS: Firefox's reason keys (dom/locales/en-US/chrome/security/security.properties).
//
// Each record holds the browser's console wording, the few words the list shows, the plain sentence, the fix
// and the Fetch Standard section. Adding an error is one record here plus the check that detects it (a fetch
// step: main-fetch.ts, preflight.ts, check.ts, redirect.ts). A record says what, never when: detection stays
// in the fetch steps, named as the spec names them.
import { countHeader, getCombined } from './headers';
import { LNA_SPEC, SPEC } from './spec';
import type { Api, Fix, HttpResponse, Reason, Stage } from './types';

// ---------------------------------------------------------------------------------------------------------
// What a record's builders are given

/** What Chromium's wording of a CORS error reads. */
export interface ChromiumWording {
  /** Chromium's failed_parameter ('' when it reports none). */
  param: string;
  /** The API that made the call; undefined: unknown, worded as fetch. */
  api: Api | undefined;
  /** A Local Network Access failure: the server's address space and fetch()'s targetAddressSpace. */
  resourceAddressSpace?: string;
  targetAddressSpace?: string;
}

/** What the plain sentence of a CORS error reads: the response it is about, and what the check read. */
export interface CorsFacts {
  /** "the response from https://api.example", "the preflight (OPTIONS) response from ...", ... */
  what: string;
  /** Chromium's failed_parameter ('' when it reports none). */
  param: string;
  reason: Reason;
  /** The origin of the server that failed, and where the call failed. */
  server: string;
  stage: Stage;
}

/** Firefox's reason for a failed check, judged by Firefox's own rules on the same response. */
export interface FirefoxReason {
  key: FirefoxKey;
  /** The status Firefox appends (" Status code: N."); null prints as "(null)". */
  status: number | null;
}

/**
 * What a fix is built from: the failed response, what the walk found, and the repair's tools. The repair
 * (advice.ts) makes one per round.
 */
export interface CorsFix {
  /** The failed response, and the URL of its request. */
  response: HttpResponse;
  url: string;
  /** The method and the CORS-unsafe header names of the request at that hop. */
  method: string;
  unsafe: readonly string[];
  /** The Origin the browser sent ("null" once a redirect tainted it), and whether credentials are included. */
  originSent: string;
  include: boolean;
  /** The value of Access-Control-Allow-Origin that lets the call through; null (with advice) when none is safe. */
  allowedOrigin(): string | null;
  /** An allow list keeping the valid items the response already sent (no "*" with credentials), plus `add`. */
  listWith(
    header: 'Access-Control-Allow-Methods' | 'Access-Control-Allow-Headers',
    add: readonly string[],
  ): string;
  /** The change of one header on the failed response; null when `value` is (no safe value). */
  set(header: string, value: string | null, why: string): Fix | null;
  /** The failed response answered with another status. */
  status(value: string, why: string): Fix;
  /** No header fix: one piece of advice, then null. */
  advise(text: string): null;
}

/** What a network error's fix is built from: the repair's tools for a response the browser never got. */
export interface NetworkFix {
  /** The next response the browser would have asked for must allow the origin (null when none is safe). */
  nextResponseAllowsOrigin(): Fix | null;
}

const none = (): null => null;

// ---------------------------------------------------------------------------------------------------------
// CORS errors

export interface CorsErrorEntry {
  /** The Fetch Standard section whose check fails. */
  spec: string;
  /** Chromium names this check "Preflight" + the key when it fails on a preflight (PreflightMissingAllowOriginHeader). */
  preflightTwin: boolean;
  /** Chromium's words after "has been blocked by CORS policy: " (and after the preflight prefix). */
  chromium(w: ChromiumWording): string;
  /** Firefox's reason key for the same failure; a function where it depends on the response. null: none. */
  firefox: FirefoxKey | ((response: HttpResponse | null) => FirefoxReason) | null;
  /** A few words for the list ("no Access-Control-Allow-Origin"); `param` null: without the value. */
  words(param: string | null): string;
  /** The plain sentence, after "Blocked: ". */
  sentence(f: CorsFacts): string;
  /** The smallest change that gets past this check (one round of the repair). */
  fix(f: CorsFix): Fix | null;
}

// Chromium's hints, appended for some APIs.
const VALID_VALUE_HINT = ' Have the server send the header with a valid value.';
const XHR_CREDENTIALS_HINT =
  ' The credentials mode of requests initiated by the XMLHttpRequest is controlled by the withCredentials attribute.';
const validValueHint = (api: Api | undefined) =>
  api === undefined || api === 'fetch' ? VALID_VALUE_HINT : '';
const credentialsHint = (api: Api | undefined) => (api === 'xhr' ? XHR_CREDENTIALS_HINT : '');

// As Chromium 156 prints it (recorded: a fetch redirected to ftp: and to an unknown scheme).
const CORS_ENABLED_SCHEMES =
  'chrome, chrome-experimental-site-token-provider, chrome-extension, chrome-untrusted, data, http, https, isolated-app';

/** The Access-Control-Allow-Origin fix's reason when the header must name the page's origin. */
const exactOrigin = (f: CorsFix) =>
  `The header must name the page's origin exactly (scheme, host and port${f.originSent === 'null' ? '; the Origin sent was "null"' : ''}).`;

/** `location` resolved against `base` without its username and password; null when it is not a URL. */
function withoutUserinfo(location: string, base: string): string | null {
  try {
    const u = new URL(location, base);
    u.username = '';
    u.password = '';
    return u.href;
  } catch {
    return null;
  }
}

export const CORS_ERRORS = {
  MissingAllowOriginHeader: {
    spec: SPEC.corsCheck,
    preflightTwin: true,
    chromium: () => "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
    firefox: 'CORSMissingAllowOrigin',
    words: () => 'no Access-Control-Allow-Origin',
    sentence: ({ what }) => `${what} has no Access-Control-Allow-Origin header`,
    fix: (f) => f.set('Access-Control-Allow-Origin', f.allowedOrigin(), exactOrigin(f)),
  },
  MultipleAllowOriginValues: {
    spec: SPEC.corsCheck,
    preflightTwin: true,
    chromium: ({ param, api }) =>
      `The 'Access-Control-Allow-Origin' header contains multiple values '${param}', but only one is allowed.${validValueHint(api)}`,
    // Firefox counts header lines: one line holding a list is a mismatch, not "multiple".
    firefox: (response) => ({
      key:
        countHeader(response?.headers, 'access-control-allow-origin') > 1
          ? 'CORSMultipleAllowOriginNotAllowed'
          : 'CORSAllowOriginNotMatchingOrigin',
      status: response?.status ?? null,
    }),
    words: () => 'several Access-Control-Allow-Origin values',
    sentence: ({ what, param }) =>
      `${what} sends several values in Access-Control-Allow-Origin ("${param}"); it must be exactly one`,
    fix: (f) =>
      f.set(
        'Access-Control-Allow-Origin',
        f.allowedOrigin(),
        'Send exactly one Access-Control-Allow-Origin header with one origin.',
      ),
  },
  InvalidAllowOriginValue: {
    spec: SPEC.corsCheck,
    preflightTwin: true,
    chromium: ({ param, api }) =>
      `The 'Access-Control-Allow-Origin' header contains the invalid value '${param}'.${validValueHint(api)}`,
    firefox: 'CORSAllowOriginNotMatchingOrigin',
    words: () => 'invalid Access-Control-Allow-Origin',
    sentence: ({ what, param }) =>
      `${what} sends Access-Control-Allow-Origin "${param}", which is not an origin`,
    fix: (f) => f.set('Access-Control-Allow-Origin', f.allowedOrigin(), exactOrigin(f)),
  },
  AllowOriginMismatch: {
    spec: SPEC.corsCheck,
    preflightTwin: true,
    chromium: ({ param, api }) =>
      `The 'Access-Control-Allow-Origin' header has a value '${param}' that is not equal to the supplied origin.${validValueHint(api)}`,
    firefox: 'CORSAllowOriginNotMatchingOrigin',
    words: (param) =>
      param ? `Access-Control-Allow-Origin is ${param}` : 'Access-Control-Allow-Origin names another origin',
    sentence: ({ what, param, reason }) =>
      `${what} allows "${param}", not this page's origin ${reason.required === 'null' ? '(the browser sent Origin: null after a cross-origin redirect)' : reason.required}`,
    fix: (f) => f.set('Access-Control-Allow-Origin', f.allowedOrigin(), exactOrigin(f)),
  },
  WildcardOriginNotAllowed: {
    spec: SPEC.corsCheck,
    preflightTwin: true,
    chromium: ({ api }) =>
      `The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.${credentialsHint(api)}`,
    firefox: 'CORSNotSupportingCredentials',
    words: () => 'wildcard origin with credentials',
    sentence: ({ what }) =>
      `the request includes credentials (cookies), and ${what} answers with Access-Control-Allow-Origin: *, which the browser refuses with credentials`,
    fix: (f) =>
      f.set(
        'Access-Control-Allow-Origin',
        f.allowedOrigin(),
        'With credentials the browser needs the exact origin, not "*".',
      ),
  },
  InvalidAllowCredentials: {
    spec: SPEC.acac,
    preflightTwin: true,
    chromium: ({ param, api }) =>
      `The value of the 'Access-Control-Allow-Credentials' header in the response is '${param}' which must be 'true' when the request's credentials mode is 'include'.${credentialsHint(api)}`,
    firefox: 'CORSMissingAllowCredentials',
    words: () => "Access-Control-Allow-Credentials is not 'true'",
    // Chromium reports a missing header as the value ''.
    sentence: ({ what, param }) =>
      `the request includes credentials, and ${what} ${param === '' ? 'has no Access-Control-Allow-Credentials header' : `sends Access-Control-Allow-Credentials "${param}"`} where "true" is required`,
    fix: (f) =>
      f.set(
        'Access-Control-Allow-Credentials',
        'true',
        'The request includes credentials (cookies or HTTP auth): the response must say exactly "true", lower-case.',
      ),
  },
  PreflightInvalidStatus: {
    spec: SPEC.okStatus,
    preflightTwin: false,
    chromium: () => 'It does not have HTTP ok status.',
    firefox: 'CORSPreflightDidNotSucceed',
    words: () => 'preflight status not ok',
    sentence: ({ what, reason }) => `${what} has status ${reason.seen ?? '?'}; a preflight needs 200-299`,
    fix: (f) => f.status('204', `Answer OPTIONS with 204 (any 2xx); it got ${f.response.status}.`),
  },
  PreflightDisallowedRedirect: {
    spec: SPEC.corsPreflightFetch,
    preflightTwin: false,
    chromium: () => 'Redirect is not allowed for a preflight request.',
    firefox: 'CORSExternalRedirectNotAllowed',
    words: () => 'preflight redirected',
    sentence: ({ what, reason }) =>
      `${what} is a redirect (${reason.seen ?? '?'}), and a preflight may not be redirected`,
    fix: (f) =>
      f.status(
        '204',
        'Answer OPTIONS at this URL directly with 204 and the CORS headers, without redirecting.',
      ),
  },
  InvalidAllowMethodsPreflightResponse: {
    spec: SPEC.acam,
    preflightTwin: false,
    chromium: () => 'Cannot parse Access-Control-Allow-Methods response header field in preflight response.',
    firefox: 'CORSInvalidAllowMethod',
    words: () => 'unparsable Access-Control-Allow-Methods',
    sentence: ({ what, param }) =>
      `${what} has an Access-Control-Allow-Methods the browser cannot parse ("${param}" is not a method name)`,
    fix: (f) =>
      f.set(
        'Access-Control-Allow-Methods',
        f.listWith('Access-Control-Allow-Methods', [f.method]),
        'List methods separated by commas.',
      ),
  },
  InvalidAllowHeadersPreflightResponse: {
    spec: SPEC.acah,
    preflightTwin: false,
    chromium: () => 'Cannot parse Access-Control-Allow-Headers response header field in preflight response.',
    firefox: 'CORSInvalidAllowHeader',
    words: () => 'unparsable Access-Control-Allow-Headers',
    sentence: ({ what, param }) =>
      `${what} has an Access-Control-Allow-Headers the browser cannot parse ("${param}" is not a header name; separate names with commas)`,
    fix: (f) =>
      f.set(
        'Access-Control-Allow-Headers',
        f.listWith('Access-Control-Allow-Headers', f.unsafe),
        'List header names separated by commas.',
      ),
  },
  MethodDisallowedByPreflightResponse: {
    spec: SPEC.acam,
    preflightTwin: false,
    chromium: ({ param }) =>
      `Method ${param} is not allowed by Access-Control-Allow-Methods in preflight response.`,
    firefox: 'CORSMethodNotFound',
    words: (param) => `method ${param ? `${param} ` : ''}not in Access-Control-Allow-Methods`,
    sentence: ({ what, param, reason }) => {
      const acam = reason.seen;
      const caseHint = acam
        ?.toLowerCase()
        .split(/\s*,\s*/)
        .includes(param.toLowerCase())
        ? ' (method names are case-sensitive)'
        : '';
      return `${what} does not allow ${param}${acam === null ? ' (no Access-Control-Allow-Methods)' : ` (Access-Control-Allow-Methods: ${acam})`}${caseHint}`;
    },
    fix: (f) =>
      f.set(
        'Access-Control-Allow-Methods',
        f.listWith('Access-Control-Allow-Methods', [f.method]),
        `${f.method} must be listed exactly as the page sends it (method names are case-sensitive)${credentialsNote(f)}.`,
      ),
  },
  HeaderDisallowedByPreflightResponse: {
    spec: SPEC.acah,
    preflightTwin: false,
    chromium: ({ param }) =>
      `Request header field ${param} is not allowed by Access-Control-Allow-Headers in preflight response.`,
    firefox: 'CORSMissingAllowHeaderFromPreflight',
    words: (param) => `header ${param ? `${param} ` : ''}not in Access-Control-Allow-Headers`,
    sentence: ({ what, param }) => `${what} does not allow the request header ${param}`,
    fix: (f) =>
      f.set(
        'Access-Control-Allow-Headers',
        f.listWith('Access-Control-Allow-Headers', f.unsafe),
        `Every header the page sets that is not safelisted must be listed${credentialsNote(f)}.`,
      ),
  },
  RedirectContainsCredentials: {
    spec: SPEC.httpRedirectFetch,
    preflightTwin: false,
    chromium: ({ param }) =>
      `Redirect location '${param}' contains a username and password, which is disallowed for cross-origin requests.`,
    // Firefox fails the redirect as a request, not a CORS check, and logs no status.
    firefox: () => ({ key: 'CORSDidNotSucceed', status: null }),
    words: () => 'redirect URL has credentials',
    sentence: ({ what }) => `${what} redirects to a URL with a username and password`,
    fix: (f) =>
      f.set(
        'Location',
        withoutUserinfo(getCombined(f.response.headers, 'location') ?? '', f.url),
        'A cross-origin redirect must not carry a username and password in its URL.',
      ),
  },
  CorsDisabledScheme: {
    spec: SPEC.mainFetch,
    preflightTwin: false,
    chromium: () => `Cross origin requests are only supported for protocol schemes: ${CORS_ENABLED_SCHEMES}.`,
    firefox: 'CORSRequestNotHttp',
    words: () => 'scheme not allowed for CORS',
    sentence: () => 'cross-origin requests need http: or https:',
    fix: (f) => f.advise('Cross-origin requests need http: or https: URLs.'),
  },
  // Chromium's names for failures the recordings have not shown it reporting for a call CORScope sees.
  DisallowedByMode: {
    spec: SPEC.mainFetch,
    preflightTwin: false,
    chromium: () => 'Cross origin requests are not allowed by request mode.',
    firefox: null,
    words: () => 'cross-origin not allowed by mode',
    sentence: () => 'the request mode does not allow a cross-origin request',
    fix: none,
  },
  InvalidResponse: {
    spec: SPEC.httpFetch,
    preflightTwin: false,
    chromium: () => 'The response is invalid.',
    firefox: null,
    words: () => 'invalid response',
    sentence: ({ what }) => `${what} is invalid`,
    fix: none,
  },
  // Local Network Access (src/cors/local-network.ts): the check before CORS stopped the request, so no
  // response exists and no header can fix it; the advice comes with the check. Firefox's verdict for the same
  // call is the check's too (a network error where Firefox refuses it).
  LocalNetworkAccessPermissionDenied: {
    spec: LNA_SPEC.check,
    preflightTwin: false,
    chromium: ({ resourceAddressSpace }) =>
      `Permission was denied for this request to access the \`${resourceAddressSpace}\` address space.`,
    firefox: null,
    words: () => `${LOCAL_NETWORK_ACCESS}: no permission`,
    sentence: ({ server, stage, reason }) =>
      `${stopped(stage, server)}: the page is in the \`public\` address space, ${server} in ${spaceWords(reason.seen)}, and the user has not granted the page the ${permissionWords(reason.required)} permission; ${NEVER_SAW}`,
    fix: none,
  },
  InsecureLocalNetwork: {
    spec: LNA_SPEC.secureContext,
    preflightTwin: false,
    chromium: ({ resourceAddressSpace }) =>
      `The request client is not a secure context and the resource is in more-private address space \`${resourceAddressSpace}\`.`,
    firefox: null,
    words: () => `${LOCAL_NETWORK_ACCESS}: page not a secure context`,
    sentence: ({ server, stage, reason }) =>
      `${stopped(stage, server)}: the page is in the \`public\` address space and not a secure context (not HTTPS or localhost), and such a page may not reach ${spaceWords(reason.seen)} at all, even with the permission; ${NEVER_SAW}`,
    fix: none,
  },
  InvalidLocalNetworkAccess: {
    spec: LNA_SPEC.check,
    preflightTwin: false,
    chromium: ({ resourceAddressSpace, targetAddressSpace }) =>
      `Request had a target IP address space of \`${targetAddressSpace}\` yet the resource is in address space \`${resourceAddressSpace}\`.`,
    firefox: null,
    words: () => `${LOCAL_NETWORK_ACCESS}: wrong targetAddressSpace`,
    sentence: ({ server, stage, reason }) =>
      `${stopped(stage, server)}: fetch() named targetAddressSpace "${reason.required}" but ${server} is in ${spaceWords(reason.seen)}, and a server outside the space the request names is refused, permission or not; ${NEVER_SAW}`,
    fix: none,
  },
} satisfies Record<string, CorsErrorEntry>;

const LOCAL_NETWORK_ACCESS = 'Local Network Access';

/** The failures the Local Network Access check reports (Chromium's names, and Firefox's refusal). */
const LOCAL_NETWORK_KEYS: ReadonlySet<string> = new Set([
  'LocalNetworkAccessPermissionDenied',
  'InsecureLocalNetwork',
  'InvalidLocalNetworkAccess',
  'LocalNetworkAccessRefused',
]);

/** Whether a catalog key (a verdict's `reason.key`) is a Local Network Access failure. */
export function isLocalNetworkKey(key: string): boolean {
  return LOCAL_NETWORK_KEYS.has(key);
}

const stageWords = (stage: Stage) =>
  stage === 'preflight' ? 'preflight' : stage === 'redirect' ? 'redirected request' : 'request';

const stopped = (stage: Stage, server: string) =>
  `Chromium's ${LOCAL_NETWORK_ACCESS} check stopped the ${stageWords(stage)} to ${server} before it was sent`;

const NEVER_SAW = 'the server never saw it (no response header can change that)';

/** An address space as the sentences name it; null: the check's own words when CORScope cannot see it. */
const spaceWords = (space: string | null) =>
  space
    ? `the \`${space}\` address space`
    : 'a more private address space (`local` or `loopback`; which one, the recording does not say)';

const permissionWords = (permission: string | null) =>
  permission ? `"${permission}"` : '"local-network" or "loopback-network"';

/** The allow-list fixes' note on `*`, which is literal with credentials. */
function credentialsNote(f: CorsFix): string {
  return f.include ? '; "*" does not count when credentials are included' : '';
}

export type CorsErrorKey = keyof typeof CORS_ERRORS;

/** The checks Chromium names "Preflight" + key when they fail on a preflight. */
type PreflightTwin = {
  [K in CorsErrorKey]: (typeof CORS_ERRORS)[K]['preflightTwin'] extends true ? K : never;
}[CorsErrorKey];

/** Every CorsError name Chromium gives a failure CORScope explains (without the leading k). */
export type ChromiumErrorName = CorsErrorKey | `Preflight${PreflightTwin}`;

const PREFLIGHT = 'Preflight';

/** The name Chromium gives the failure of check `key`, on a preflight or not. */
export function chromiumName(key: CorsErrorKey, onPreflight: boolean): ChromiumErrorName {
  return onPreflight && CORS_ERRORS[key].preflightTwin ? (`${PREFLIGHT}${key}` as ChromiumErrorName) : key;
}

/**
 * The catalog key of a Chromium name ("PreflightMissingAllowOriginHeader" → "MissingAllowOriginHeader"), and
 * whether it is a Preflight twin; null for a name the catalog does not know (a row stored by another version).
 */
export function corsErrorOf(name: string): { key: CorsErrorKey; twin: boolean } | null {
  if (Object.hasOwn(CORS_ERRORS, name)) return { key: name as CorsErrorKey, twin: false };
  const base = name.startsWith(PREFLIGHT) ? name.slice(PREFLIGHT.length) : '';
  if (Object.hasOwn(CORS_ERRORS, base) && CORS_ERRORS[base as CorsErrorKey].preflightTwin)
    return { key: base as CorsErrorKey, twin: true };
  return null;
}

/** Chromium puts "Response to preflight request doesn't pass access control check: " before these names' words. */
export function hasPreflightPrefix(name: ChromiumErrorName): boolean {
  return name.startsWith(PREFLIGHT);
}

/**
 * A Chromium name in a few plain words for the list: "PreflightMissingAllowOriginHeader" → "preflight: no
 * Access-Control-Allow-Origin". A name the catalog does not know (a row stored by another version) is spelled
 * out from its words.
 */
export function plainReason(name: string, param: string | null): string {
  const known = corsErrorOf(name);
  if (known) {
    const words = CORS_ERRORS[known.key].words(param);
    return known.twin ? `preflight: ${words}` : words;
  }
  const preflight = name.startsWith(PREFLIGHT);
  const base = preflight ? name.slice(PREFLIGHT.length) : name;
  const words = base.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return preflight && !words.startsWith('preflight') ? `preflight: ${words}` : words;
}

// ---------------------------------------------------------------------------------------------------------
// Network errors: the call failed with no CORS line.

/** What a network error's words read: its reason, and whether the failed request was a preflight. */
export interface NetworkFacts {
  reason: Reason;
  onPreflight: boolean;
}

export interface NetworkErrorEntry {
  /** The Fetch Standard section that makes it a network error. */
  spec: string;
  /**
   * The error strings the browser reports for it (webRequest's onErrorOccurred `error`, a HAR's `_error`), as
   * recorded. A string ending in "*" names a family ("net::ERR_CERT_*").
   */
  netError?: { chromium?: readonly string[]; firefox?: readonly string[] };
  /**
   * The wire does not show why the call failed (no response, nothing sent, the recording stops): an error
   * string of the browser's that names another record explains it instead (see netErrorKey).
   */
  unexplained?: true;
  /** Not a CORS matter at all: the browser, or an extension in it, stopped the request for another reason. */
  notCors?: true;
  /** What to do instead, for a record that is not a CORS matter. */
  advice?: string;
  /** The whole line Chromium prints for it, when it prints one. */
  chromiumLine?(at: { url: string; origin: string }): string;
  /** A few words for the list, where they are fewer than the clause's. */
  words?(f: NetworkFacts): string;
  /** The plain sentence's main clause, after "Network error: ". */
  clause(f: NetworkFacts): string;
  /** What follows the clause in parentheses, if anything. */
  detail?(f: NetworkFacts): string;
  /** The fix, when a header change can help (the browser never got as far as the failed check). */
  fix(f: NetworkFix): Fix | null;
}

const SAME_ORIGIN_MODE = 'The request mode is "same-origin" but the URL is on another origin';

/** The browser's error string, shown after a clause that names it in words. */
const reported = ({ reason }: NetworkFacts) => reason.seen ?? '';
const preflightOr = (onPreflight: boolean, preflight: string, request: string) =>
  onPreflight ? preflight : request;

export const NETWORK_ERRORS = {
  SameOriginModeCrossOrigin: {
    spec: SPEC.mainFetch,
    chromiumLine: ({ url, origin }) =>
      `Fetch API cannot load ${url}. Request mode is "same-origin" but the URL's origin is not same as the request origin ${origin}.`,
    words: () => SAME_ORIGIN_MODE,
    clause: ({ reason }) =>
      reason.hop < 0 ? `${SAME_ORIGIN_MODE}, so the browser never sent it` : SAME_ORIGIN_MODE,
    fix: none,
  },
  NoCorsMethodNotSafelisted: {
    spec: SPEC.safelistedMethod,
    words: () => 'Mode "no-cors" allows only GET',
    clause: ({ reason }) =>
      `Mode "no-cors" allows only GET, HEAD and POST; ${reason.seen} was refused before it was sent`,
    fix: none,
  },
  NothingSent: {
    spec: SPEC.mainFetch,
    unexplained: true,
    clause: () => 'Nothing was sent: the browser stopped the request before it reached the network',
    fix: none,
  },
  NoResponse: {
    spec: SPEC.httpFetch,
    unexplained: true,
    clause: ({ onPreflight }) => (onPreflight ? 'The preflight got no response' : 'No response arrived'),
    detail: ({ onPreflight }) =>
      onPreflight
        ? 'connection refused, reset or aborted'
        : 'connection refused, reset, or the request was aborted',
    fix: none,
  },
  // What the browser's error string says when no response arrived (recorded in Chromium 156 and Firefox ESR
  // 153 unless marked): not a CORS failure, whatever the page's "TypeError" suggests.
  ConnectionRefused: {
    spec: SPEC.httpFetch,
    netError: { chromium: ['net::ERR_CONNECTION_REFUSED'], firefox: ['NS_ERROR_CONNECTION_REFUSED'] },
    words: () => 'Connection refused',
    clause: ({ onPreflight }) =>
      `The connection${preflightOr(onPreflight, ' for the preflight', '')} was refused: nothing listens at that host and port (the server is down, or the URL's port is wrong)`,
    detail: reported,
    fix: none,
  },
  EmptyResponse: {
    spec: SPEC.httpFetch,
    netError: { chromium: ['net::ERR_EMPTY_RESPONSE'] },
    words: () => 'Empty reply',
    clause: ({ onPreflight }) =>
      `The server closed the connection without ${preflightOr(onPreflight, 'answering the preflight', 'sending a response')} (an empty reply: it crashed or timed out on this request, or a proxy dropped it)`,
    detail: reported,
    fix: none,
  },
  // Firefox reports an empty reply as a closed or reset connection (recorded: NS_ERROR_NET_RESET for a GET,
  // NS_ERROR_NET_ON_RECEIVING_FROM for a PUT).
  ConnectionClosed: {
    spec: SPEC.httpFetch,
    netError: { firefox: ['NS_ERROR_NET_RESET', 'NS_ERROR_NET_ON_RECEIVING_FROM'] },
    words: () => 'Connection closed',
    clause: ({ onPreflight }) =>
      `The connection closed before ${preflightOr(onPreflight, 'the preflight was answered', 'a response arrived')} (an empty reply or a reset: the server crashed or timed out on this request, or a proxy dropped it)`,
    detail: reported,
    fix: none,
  },
  NameNotResolved: {
    spec: SPEC.httpFetch,
    netError: { chromium: ['net::ERR_NAME_NOT_RESOLVED'], firefox: ['NS_ERROR_UNKNOWN_HOST'] },
    words: () => 'Host name not resolved',
    clause: () => "The URL's host name did not resolve (DNS): check the host",
    detail: reported,
    fix: none,
  },
  // Chromium names every certificate error net::ERR_CERT_… (recorded: ERR_CERT_AUTHORITY_INVALID); Firefox's
  // webRequest gives the certificate error's own message.
  CertificateError: {
    spec: SPEC.httpFetch,
    netError: {
      chromium: ['net::ERR_CERT_*'],
      firefox: ['The certificate is not trusted because it is self-signed.'],
    },
    notCors: true,
    advice:
      'Serve a certificate the browser trusts for this host name (in development, trust your own certificate authority on this machine).',
    words: () => 'TLS certificate refused',
    clause: () =>
      "The browser refused the server's TLS certificate, so the request never went out: not a CORS matter; fix the certificate",
    detail: reported,
    fix: none,
  },
  BlockedByClient: {
    spec: SPEC.mainFetch,
    netError: { chromium: ['net::ERR_BLOCKED_BY_CLIENT'] },
    notCors: true,
    advice:
      'Allow the request in the blocking extension, or try without it; visitors who run the same extension are blocked too, so do not depend on a URL blockers match.',
    words: () => 'Blocked by an extension',
    clause: () =>
      'An extension in the browser (an ad or tracker blocker, a privacy tool) blocked the request before it was sent: not a CORS matter',
    detail: reported,
    fix: none,
  },
  // Main fetch step 7 ("should fetching request be blocked as mixed content"): a page served over HTTPS may
  // not fetch an http: URL that is not potentially trustworthy. Chromium stops it before the network
  // (recorded: no webRequest event, DevTools' loadingFailed with an empty error and blockedReason "mixed-content").
  MixedContent: {
    spec: SPEC.mixedContent,
    notCors: true,
    advice: 'Call the https: URL (serve the API over HTTPS).',
    words: () => 'Blocked as mixed content',
    clause: () =>
      'Blocked as mixed content: the page is served over HTTPS and the URL is plain http:, so the browser never sent it; not a CORS matter: call the https: URL',
    fix: none,
  },
  Aborted: {
    spec: SPEC.mainFetch,
    netError: { chromium: ['net::ERR_ABORTED'], firefox: ['NS_BINDING_ABORTED'] },
    words: () => 'Cancelled',
    clause: () => 'The request was cancelled (the page aborted it, or navigated away) before it was answered',
    fix: none,
  },
  // Any other error string the browser reported: a failure that is not CORS, named as the browser names it.
  BrowserNetworkError: {
    spec: SPEC.httpFetch,
    words: ({ reason }) => `Failed: ${reason.seen ?? 'network error'}`,
    clause: ({ reason }) => `The request failed with ${reason.seen ?? 'a network error'}, not a CORS error`,
    fix: none,
  },
  ResponseHeadersTooBig: {
    spec: SPEC.httpFetch,
    netError: { chromium: ['net::ERR_RESPONSE_HEADERS_TOO_BIG'] },
    clause: ({ onPreflight }) =>
      `The ${onPreflight ? 'preflight response' : 'response'} headers pass 256 KiB; Chromium refuses them`,
    detail: () => 'net::ERR_RESPONSE_HEADERS_TOO_BIG',
    fix: none,
  },
  TooManyRedirects: {
    spec: SPEC.httpRedirectFetch,
    netError: { chromium: ['net::ERR_TOO_MANY_REDIRECTS'], firefox: ['NS_ERROR_REDIRECT_LOOP'] },
    words: () => 'Redirect loop (more than 20 redirects)',
    clause: () => 'More than 20 redirects: a redirect loop, not a CORS failure',
    fix: none,
  },
  InvalidRedirectLocation: {
    spec: SPEC.httpRedirectFetch,
    netError: { chromium: ['net::ERR_INVALID_REDIRECT'] },
    clause: ({ reason }) => `The redirect location "${reason.seen}" is not a valid URL`,
    fix: none,
  },
  // Step 6 of HTTP-redirect fetch refuses every location that is not HTTP(S). Chromium 156 and Firefox ESR 153
  // refuse only data: and file: here; they follow a redirect to any other scheme into the CORS check of main
  // fetch (CorsDisabledScheme, CORSRequestNotHttp): see redirect.ts.
  RedirectNotHttp: {
    spec: SPEC.httpRedirectFetch,
    netError: { chromium: ['net::ERR_UNSAFE_REDIRECT'], firefox: ['NS_ERROR_CORRUPTED_CONTENT'] },
    words: () => 'Redirect to a data: or file: URL',
    clause: () => 'The browser refuses to follow a redirect to a data: or file: URL',
    detail: ({ reason }) => reason.seen ?? '',
    fix: none,
  },
  // Firefox fails the redirect outside its CORS checks (nsCORSListenerProxy::UpdateChannel); its fix is the
  // CORS check's, RedirectContainsCredentials, which the walk keeps as the failure.
  RedirectCredentialsRefused: {
    spec: SPEC.httpRedirectFetch,
    words: () => 'The redirect location carries a username and password',
    clause: () =>
      'The redirect location carries a username and password, which Firefox refuses for a cross-origin request',
    fix: none,
  },
  // The recording ends before the browser's last step: what the browser would have needed next.
  RequestNotRecorded: {
    spec: SPEC.httpFetch,
    unexplained: true,
    clause: () => 'The preflight passed but the request itself was never recorded',
    detail: () => 'the browser stopped it for a reason outside CORS, or the recording is incomplete',
    fix: (f) => f.nextResponseAllowsOrigin(),
  },
  RedirectNotFollowed: {
    spec: SPEC.httpRedirectFetch,
    unexplained: true,
    clause: () => 'The redirect was not followed',
    detail: () => 'redirect mode "error", or the recording ends here',
    fix: (f) => f.nextResponseAllowsOrigin(),
  },
  // Firefox's Local Network Access check (src/cors/local-network.ts) refused the request: Firefox reports it as
  // a network error ("CORS request did not succeed" for a CORS request, nothing for an element's load).
  LocalNetworkAccessRefused: {
    spec: LNA_SPEC.check,
    words: () => `${LOCAL_NETWORK_ACCESS}: no permission`,
    clause: ({ reason, onPreflight }) =>
      `Firefox's ${LOCAL_NETWORK_ACCESS} check refused the ${onPreflight ? 'preflight' : 'request'} before it was sent: the page is in the \`public\` address space, the server in ${spaceWords(reason.seen)}, and the user has not granted the page the ${permissionWords(reason.required)} permission; the server never saw it`,
    fix: none,
  },
  // A call whose response headers died with a restarted service worker (src/capture): no explanation.
  AnswerLost: {
    spec: SPEC.mainFetch,
    words: () => 'The call failed',
    clause: () =>
      'The call failed, or its end was not seen: its response headers were lost when the service worker restarted, so CORScope cannot say why',
    fix: none,
  },
} satisfies Record<string, NetworkErrorEntry>;

/**
 * What a CORS failure reports, and nothing more (recorded): Chromium's net::ERR_FAILED (which it also gives a
 * few other failures) and Firefox's NS_ERROR_DOM_BAD_URI.
 */
const CORS_FAILURE_NET_ERRORS: readonly string[] = ['net::ERR_FAILED', 'NS_ERROR_DOM_BAD_URI'];

/**
 * The record the browser's error string names: a network error that is not CORS. Null when there is none, or
 * when it is what a CORS failure reports (it says nothing more).
 */
export function netErrorKey(netError: string | null | undefined): NetworkErrorKey | null {
  if (!netError || CORS_FAILURE_NET_ERRORS.includes(netError)) return null;
  for (const [key, entry] of Object.entries(NETWORK_ERRORS) as [NetworkErrorKey, NetworkErrorEntry][]) {
    const strings = [...(entry.netError?.chromium ?? []), ...(entry.netError?.firefox ?? [])];
    if (strings.some((s) => (s.endsWith('*') ? netError.startsWith(s.slice(0, -1)) : s === netError)))
      return key;
  }
  return 'BrowserNetworkError';
}

/**
 * Firefox's reason for a network error its CORS listener saw: "CORS request did not succeed", except for a
 * connection that closed after the request went out, before any answer (NS_ERROR_NET_ON_RECEIVING_FROM,
 * recorded for an empty reply to a PUT): its CORS check finds no response headers to read, and Firefox logs
 * "Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed", with no status. The same string on a hop
 * that was answered (a redirect Firefox refused to follow, recorded for one to a URL with a username and
 * password) did not succeed.
 */
export function firefoxNetworkReason(netError: string | null | undefined, answered = false): FirefoxReason {
  return netError === 'NS_ERROR_NET_ON_RECEIVING_FROM' && !answered
    ? { key: 'CORSMultipleAllowOriginNotAllowed', status: null }
    : { key: 'CORSDidNotSucceed', status: null };
}

export type NetworkErrorKey = keyof typeof NETWORK_ERRORS;

/** A key of the catalog: what a verdict's `reason.key` holds. */
export type ErrorKey = CorsErrorKey | NetworkErrorKey;

export function isNetworkErrorKey(key: string): key is NetworkErrorKey {
  return Object.hasOwn(NETWORK_ERRORS, key);
}

function networkEntry(f: NetworkFacts): NetworkErrorEntry {
  return NETWORK_ERRORS[f.reason.key as NetworkErrorKey];
}

/** A network error's sentence without "Network error: ": its clause, its detail in parentheses, a period. */
export function networkSentence(f: NetworkFacts): string {
  const entry = networkEntry(f);
  const detail = entry.detail?.(f);
  return `${entry.clause(f)}${detail ? ` (${detail})` : ''}.`;
}

/** A network error's main clause: the report's words for it. */
export function networkClause(f: NetworkFacts): string {
  return networkEntry(f).clause(f);
}

/** A network error in a few words for the list. */
export function networkWords(f: NetworkFacts): string {
  const entry = networkEntry(f);
  return entry.words?.(f) ?? entry.clause(f);
}

// ---------------------------------------------------------------------------------------------------------
// Firefox's reasons: key → text ({v}: the value; Firefox quotes with ‘ ’).

interface FirefoxReasonText {
  text: string;
  /** Firefox appends " Status code: N." (recorded in Firefox ESR 153). */
  status?: true;
  /** Firefox wraps the URL in quotes for this message only (its string has ‘%1$S’). */
  quotesUrl?: true;
}

export const FIREFOX_REASONS = {
  CORSDisabled: { text: 'CORS disabled' },
  CORSDidNotSucceed: { text: 'CORS request did not succeed', status: true },
  CORSOriginHeaderNotAdded: { text: 'CORS header ‘Origin’ cannot be added' },
  CORSExternalRedirectNotAllowed: { text: 'CORS request external redirect not allowed' },
  CORSRequestNotHttp: { text: 'CORS request not http' },
  CORSMissingAllowOrigin: { text: 'CORS header ‘Access-Control-Allow-Origin’ missing', status: true },
  CORSMultipleAllowOriginNotAllowed: {
    text: 'Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed',
  },
  CORSAllowOriginNotMatchingOrigin: {
    text: 'CORS header ‘Access-Control-Allow-Origin’ does not match ‘{v}’',
  },
  CORSNotSupportingCredentials: {
    text: 'Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘*’',
    quotesUrl: true,
  },
  CORSMethodNotFound: { text: 'Did not find method in CORS header ‘Access-Control-Allow-Methods’' },
  CORSMissingAllowCredentials: { text: 'expected ‘true’ in CORS header ‘Access-Control-Allow-Credentials’' },
  CORSPreflightDidNotSucceed: { text: 'CORS preflight response did not succeed', status: true },
  CORSInvalidAllowMethod: { text: 'invalid token ‘{v}’ in CORS header ‘Access-Control-Allow-Methods’' },
  CORSInvalidAllowHeader: { text: 'invalid token ‘{v}’ in CORS header ‘Access-Control-Allow-Headers’' },
  CORSMissingAllowHeaderFromPreflight: {
    text: 'header ‘{v}’ is not allowed according to header ‘Access-Control-Allow-Headers’ from CORS preflight response',
  },
} satisfies Record<string, FirefoxReasonText>;

export type FirefoxKey = keyof typeof FIREFOX_REASONS;

/** Firefox's reason for the failure `key`, on `response` (the one that failed; null if none). */
export function firefoxReasonOf(key: CorsErrorKey, response: HttpResponse | null): FirefoxReason | null {
  const firefox: CorsErrorEntry['firefox'] = CORS_ERRORS[key].firefox;
  if (firefox === null) return null;
  if (typeof firefox === 'function') return firefox(response);
  return { key: firefox, status: response?.status ?? null };
}
