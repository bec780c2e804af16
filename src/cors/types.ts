// The exchange format (input) and the verdict (output): tests/fixtures/exchange/FORMAT.md.
import type { ChromiumErrorName, ErrorKey, FirefoxKey } from './catalog';

/** A header as it crossed the wire: [name, value], name in the case it was seen. */
export type Header = [name: string, value: string];

/** Whose rules decide a verdict: Chromium 156 (the default) or Firefox ESR 153. */
export type Engine = 'chromium' | 'firefox';

export interface EvaluatorOptions {
  /** Default 'chromium'. */
  engine?: Engine;
}

export type Api = 'fetch' | 'xhr' | 'image' | 'font' | 'script' | 'stylesheet' | 'other';
export type RequestMode = 'cors' | 'no-cors' | 'same-origin' | 'navigate';
export type CredentialsMode = 'omit' | 'same-origin' | 'include';

/**
 * An IP address space (https://wicg.github.io/local-network-access/#ip-address-space-section), from the least
 * private to the most: the public internet, the local network, the user's own machine.
 */
export type AddressSpace = 'public' | 'local' | 'loopback';

/** A Local Network Access permission's state: "denied" means not granted (refused, or still at "prompt"). */
export type PermissionState = 'granted' | 'denied';

/**
 * The page's Local Network Access permissions: one state for both (`loopback-network` and `local-network`),
 * or one per address space it covers.
 */
export type LocalNetworkAccess = PermissionState | { local?: PermissionState; loopback?: PermissionState };

export interface HttpRequest {
  method: string;
  url: string;
  headers?: Header[];
  /** fetch()'s `targetAddressSpace` option as the script passed it ("private" reads as "local"). */
  targetAddressSpace?: string;
}

export interface HttpResponse {
  status: number;
  headers: Header[];
  /** The address space of the server that answered. */
  addressSpace?: AddressSpace;
}

export interface WireEntry {
  type: 'preflight' | 'request';
  request: HttpRequest;
  /** null: no response arrived (refused, reset, or stopped before it was answered). */
  response: HttpResponse | null;
  /** Optional capture time of the request, ms since the epoch (the extension and HAR import fill it). */
  time?: number;
  /** No response: the address space of the server that was to answer. */
  addressSpace?: AddressSpace;
}

export interface Exchange {
  id: string;
  /** Serialized origin of the requesting document or worker; "null" if opaque. */
  initiator: string;
  api?: Api;
  mode?: RequestMode;
  credentials?: CredentialsMode;
  /** The request as the page issued it, before any preflight or redirect. */
  request: HttpRequest;
  wire: WireEntry[];
  outcome?: 'success' | 'error';
  /**
   * The browser's own error string for the call, when it reported one: webRequest's onErrorOccurred `error`,
   * a HAR's `_error` or `_failureText` ("net::ERR_CONNECTION_REFUSED", "NS_ERROR_NET_RESET"). A call ends where
   * it failed, so it is the error of the last wire entry. A CORS failure reports "net::ERR_FAILED" (Chromium)
   * or "NS_ERROR_DOM_BAD_URI" (Firefox); a Local Network Access stop
   * "net::ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS" or "NS_ERROR_LOCAL_NETWORK_ACCESS_DENIED" (local-network.ts);
   * any other string names a failure that is not CORS (catalog.ts, NETWORK_ERRORS).
   */
  netError?: string;
  /** Optional: when the call started, ms since the epoch. Used for preflight-cache expiry. */
  time?: number;
  /**
   * The recorder joined each response header's repeated lines into one value with ", " (Firefox's webRequest
   * does): a comma in Access-Control-Allow-Origin is read as several lines (src/cors/joined-lines.ts).
   */
  headersJoined?: boolean;
  /** The address space of the page (the initiator), when known. */
  addressSpace?: AddressSpace;
  /** The page's Local Network Access permissions, when known. */
  localNetworkAccess?: LocalNetworkAccess;
}

/** The verdicts, in the order lists and filters show them. */
export const VERDICT_KINDS = [
  'allowed',
  'blocked',
  'opaque',
  'same-origin',
  'network-error',
  'cannot-tell',
] as const;
export type VerdictKind = (typeof VERDICT_KINDS)[number];
export type PreflightState = 'none' | 'sent' | 'cached';
export type Stage = 'preflight' | 'request' | 'redirect';

export interface CorsErrorInfo {
  stage: Stage;
  /** Chromium's CorsError name without the leading k; null for a network error. */
  chromium: ChromiumErrorName | null;
  /** Firefox's reason key without a trailing digit; null where Firefox prints no reason. */
  firefox: FirefoxKey | null;
  /** The whole console line Chromium prints, or null where it prints none we can know. */
  console: string | null;
  /** The line Firefox prints for the same failure, when it names one. */
  firefoxConsole: string | null;
  /** The offending value, method or header name, as the browser reports it. */
  failedParameter: string | null;
  /** The URL of the response (or redirect location) that failed. */
  url: string;
  /** Index into `wire` of the entry whose response failed; -1 when nothing was sent. */
  hop: number;
}

/**
 * Why a call failed, as fields a consumer reads instead of the sentence: the catalog entry (src/cors/catalog.ts)
 * and what the deciding check read.
 */
export interface Reason {
  /** The catalog's key: a CorsError name (a Preflight twin under its plain name) or a network error's. */
  key: ErrorKey;
  /** The header the deciding check read; null when it read none (a status, a scheme, a missing response). */
  header: string | null;
  /** What the browser saw there (the combined header value, a status, a method, a URL); null when absent. */
  seen: string | null;
  /** What the check needed (the Origin sent, "true", the method, the header name); null when nothing nameable. */
  required: string | null;
  /** Index into `wire` of the entry that decided; -1 when nothing was sent. */
  hop: number;
}

export type CheckResult = 'pass' | 'fail' | 'info';

/** The rules a verdict's checks name, each pushed by the fetch step that applies it. */
export type CheckRule =
  // main fetch (src/cors/main-fetch.ts)
  | 'mode'
  | 'scheme'
  | 'cross-origin'
  | 'no-cors'
  | 'preflight-needed'
  | 'preflight-cache'
  // CORS-preflight fetch (src/cors/preflight.ts)
  | 'preflight-sent'
  | 'preflight-no-redirect'
  | 'preflight-ok-status'
  | 'acam-syntax'
  | 'acah-syntax'
  | 'acam'
  | 'acah'
  | 'max-age'
  // CORS check (src/cors/check.ts)
  | 'acao'
  | 'acac'
  // HTTP-redirect fetch (src/cors/redirect.ts)
  | 'redirect-credentials'
  | 'redirect'
  // the credentials mode inferred (src/cors/credentials.ts), a recording cut short by a restart (src/capture)
  | 'credentials-mode'
  | 'recording'
  // the Local Network Access check (src/cors/local-network.ts), before CORS, on every connection
  | 'local-network-access';

/** One rule the browser applied, in the order it applied it. */
export interface Check {
  rule: CheckRule;
  /** What the rule is, in a few plain words. */
  title: string;
  /** The Fetch Standard section the rule comes from. */
  spec: string;
  /** Index into `wire` of the entry the rule looked at; -1 for the request as issued. */
  hop: number;
  required: string;
  seen: string;
  result: CheckResult;
  /** For a preflight served from the cache: the exchange whose preflight filled it. */
  servedBy?: { id: string; expires: number | null };
}

/** One change to a response's headers that lets a blocked call through. */
export interface Fix {
  /** Which response needs the change. */
  on: 'preflight' | 'request';
  /** Index into `wire` of that response; `wire.length` or more for one the browser has not got yet. */
  hop: number;
  /** The URL of that response and the method of its request. */
  url: string;
  method: string;
  action: 'set' | 'remove' | 'status';
  /** Header name, or "status" for action "status". */
  header: string;
  /** The value to send (null for remove). */
  value: string | null;
  why: string;
}

export interface Warning {
  code:
    | 'origin-reflected-with-credentials'
    | 'null-origin-allowed'
    | 'missing-vary-origin'
    | 'wildcard-with-set-cookie'
    | 'wildcard-ignored-with-credentials'
    | 'max-age-above-cap'
    | 'authorization-covered-by-wildcard'
    | 'api-unknown'
    | 'private-network-access-obsolete';
  message: string;
  hop: number;
}

/** A Local Network Access permission, by the address space it opens. */
export type LocalNetworkPermission = 'local-network' | 'loopback-network';

/**
 * What the Local Network Access check (before CORS) saw of a call that it applies to: a page in the public
 * address space reaching a more private one, or a call the browser reported the check stopped.
 */
export interface LocalNetworkFacts {
  /** The page's address space: as recorded, or inferred from the browser's refusal; null when unknown. */
  initiator: AddressSpace | null;
  /** The address space of the server at the deciding hop; null when unknown. */
  resource: AddressSpace | null;
  /** fetch()'s targetAddressSpace as the browser reads it; null when not given (or ignored: Firefox). */
  target: AddressSpace | null;
  /** Whether the page is a secure context (its origin is potentially trustworthy). */
  secureContext: boolean;
  /** The permission the call needs; null when the server's space is unknown. */
  permission: LocalNetworkPermission | null;
  /** That permission's state as recorded or inferred; null when unknown. */
  permissionState: PermissionState | null;
  /** Index into `wire` of the hop the check decided at. */
  hop: number;
  /** Whether the check stopped the call. */
  blocked: boolean;
  /** Where the address spaces come from, in plain words ("recorded", "the browser's error ..."). */
  basis: string;
}

/** The verdict under one value of an input the recording does not give. */
export interface Reading {
  /** The condition, in plain words ("if the request did not include credentials"). */
  when: string;
  verdict: VerdictKind;
  preflight: PreflightState;
  error: CorsErrorInfo | null;
  summary: string;
  reason: Reason | null;
  fixes: Fix[];
  exposed?: string[];
}

/**
 * A verdict that depends on an input the recording does not give, and nothing recorded shows (the page's
 * outcome, the browser's error, what was sent): the verdict under each value the input may take, with its
 * console line. The verdict's own fields give the reading of `assumed`.
 */
export interface DependsOn {
  /**
   * "credentials": whether the request included credentials (cookies, HTTP authentication). Its values:
   * "omit" (not included: credentials "omit", or "same-origin", fetch's default, on a cross-origin call) and
   * "include" (credentials "include", XHR's withCredentials).
   */
  input: 'credentials';
  /** Each value the input may take, with the verdict under it. */
  readings: Record<string, Reading>;
  /** The value whose reading the verdict's own fields give: the default ("omit" for credentials). */
  assumed: string;
  /** Why nothing settles it, in plain words. */
  basis: string;
}

export type CauseKind = 'error-response' | 'preflight-refused' | 'not-cors';

/** What really failed, when CORS only reported it (src/cors/messenger.ts; tests/fixtures/exchange/FORMAT.md). */
export interface Cause {
  kind: CauseKind;
  /** What really failed, in plain sentences: said before the CORS part. */
  summary: string;
  /** What to do first. */
  fix: string;
  /** The status of the response that failed; null when none arrived. */
  status: number | null;
  /** Index into wire of that response; -1 when nothing was sent. */
  hop: number;
  /** Who answered it, as its own headers say (Server, Via, a CDN's header); null when they do not say. */
  answeredBy: string | null;
  /** The same server's answers that carry CORS headers: so its CORS setup works elsewhere. */
  corsElsewhere: {
    /** Other calls (in the tab or file) it answered with Access-Control-Allow-Origin, and a few of their ids. */
    calls: number;
    ids: string[];
    /** This call's own hops it answered with Access-Control-Allow-Origin (its preflight, a redirect). */
    hops: number[];
    /** The Server headers of those answers, when they name one. */
    servers: string[];
  };
}

export interface Verdict {
  id: string;
  /** The engine whose rules produced this verdict. */
  engine: Engine;
  verdict: VerdictKind;
  preflight: PreflightState;
  error: CorsErrorInfo | null;
  /** One plain sentence: what happened. */
  summary: string;
  /** For a blocked call or a network error: why, as fields (the catalog key and what was read); else null. */
  reason: Reason | null;
  checks: Check[];
  fixes: Fix[];
  /** The server is not ours: a fix needs a proxy or the API owner (set when no header fix applies to the caller). */
  advice: string[];
  warnings: Warning[];
  /** For an allowed call: the response header names script can read, lower-case, sorted. */
  exposed?: string[];
  /** The Local Network Access check, when it applied to the call (src/cors/local-network.ts). */
  localNetwork?: LocalNetworkFacts;
  /** Present when the verdict depends on an input the recording does not give (tests/fixtures/exchange/FORMAT.md). */
  dependsOn?: DependsOn;
  /** Present when CORS only reported another failure: what really failed (set by the pass over a tab's or file's calls). */
  cause?: Cause;
  /**
   * Present with verdict "cannot-tell": why the evidence does not say (src/cors/recorded-outcome.ts).
   * "outcome-disagrees": the browser recorded success where the recorded headers would block the call;
   * "revalidated": the deciding header is absent from a 304 answering the browser's revalidation of its cache,
   * and the check read the cached response, which the recording does not hold.
   */
  cannotTell?: { reason: 'outcome-disagrees' | 'revalidated' };
}
