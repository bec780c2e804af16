// HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/) as CORScope writes it, with the custom
// fields Chrome DevTools writes (`_initiator`, `_resourceType`, `response._error`) and CORScope's `_cors`.
import type {
  AddressSpace,
  Api,
  Check,
  CorsErrorInfo,
  CredentialsMode,
  Fix,
  Header,
  LocalNetworkAccess,
  LocalNetworkFacts,
  PreflightState,
  RequestMode,
  VerdictKind,
  Warning,
} from '../cors/types';

export interface HarNameValue {
  name: string;
  value: string;
  comment?: string;
}

export interface HarCreator {
  name: string;
  version: string;
  comment?: string;
}

export interface HarPage {
  startedDateTime: string;
  id: string;
  title: string;
  pageTimings: { onContentLoad?: number; onLoad?: number; comment?: string };
  comment?: string;
}

export interface HarRequest {
  method: string;
  url: string;
  httpVersion: string;
  cookies: HarNameValue[];
  headers: HarNameValue[];
  queryString: HarNameValue[];
  postData?: { mimeType: string; text?: string; params?: HarNameValue[] };
  headersSize: number;
  bodySize: number;
  comment?: string;
}

export interface HarResponse {
  status: number;
  statusText: string;
  httpVersion: string;
  cookies: HarNameValue[];
  headers: HarNameValue[];
  content: { size: number; mimeType: string; compression?: number; text?: string; encoding?: string };
  redirectURL: string;
  headersSize: number;
  bodySize: number;
  /** Chrome DevTools: the network error, e.g. "net::ERR_FAILED"; null when the request did not fail. */
  _error?: string | null;
  comment?: string;
}

export interface HarTimings {
  blocked?: number;
  dns?: number;
  connect?: number;
  send: number;
  wait: number;
  receive: number;
  ssl?: number;
  comment?: string;
}

/** What a wire entry was to its call. `unsent`: the request the browser never sent (its preflight failed). */
export type HarCorsRole = 'request' | 'preflight' | 'unsent';

/** The call-level facts a HAR has no field for, so that an import rebuilds the exchange exactly. */
export interface HarCorsCall {
  initiator: string;
  api?: Api;
  mode?: RequestMode;
  credentials?: CredentialsMode;
  outcome?: 'success' | 'error';
  /** The request as the page issued it (the script's headers), before any preflight or redirect. */
  request: { method: string; url: string; headers?: Header[]; targetAddressSpace?: string };
  time?: number;
  tabId?: number;
  /** The browser's error for the call (the exchange's `netError`); null when capture saw none. */
  netError?: string | null;
  /** The page's address space and Local Network Access permissions, when known. */
  addressSpace?: AddressSpace;
  localNetworkAccess?: LocalNetworkAccess;
  /** The recorder joined repeated response header lines (Firefox capture): the entries' headers are as joined. */
  headersJoined?: boolean;
}

/** `_cors` on every entry: which call and hop it is, and that call's verdict. */
export interface HarCorsRef {
  /** The exchange id: every entry of one call carries the same one. */
  pair: string;
  /** Index into the exchange's wire; `wire.length` for the request the browser never sent. */
  hop: number;
  role: HarCorsRole;
  verdict: VerdictKind;
  preflight: PreflightState;
  /** The address space of this entry's server, when known. */
  addressSpace?: AddressSpace;
  /**
   * Read, never written: exports made before the call's error lived only in `call.netError` wrote the error of a
   * request the browser stopped here; the call ended at that request, so the import takes it as the call's.
   */
  netError?: string;
}

/** `_cors` on the entry that carries the verdict (the last entry of its call): the whole explanation. */
export interface HarCorsVerdict extends HarCorsRef {
  summary: string;
  error: CorsErrorInfo | null;
  checks: Check[];
  fixes: Fix[];
  advice: string[];
  warnings: Warning[];
  exposed?: string[];
  localNetwork?: LocalNetworkFacts;
  call: HarCorsCall;
}

export type HarCors = HarCorsRef | HarCorsVerdict;

export const isCorsVerdict = (c: HarCors): c is HarCorsVerdict => 'call' in c;

export interface HarInitiator {
  type: string;
  url?: string;
  lineNumber?: number;
  requestId?: string;
  stack?: unknown;
}

export interface HarEntry {
  pageref?: string;
  startedDateTime: string;
  time: number;
  request: HarRequest;
  response: HarResponse;
  cache: Record<string, unknown>;
  timings: HarTimings;
  serverIPAddress?: string;
  connection?: string;
  comment?: string;
  /** Chrome DevTools: "fetch", "xhr", "preflight", "image", ... */
  _resourceType?: string;
  _initiator?: HarInitiator | null;
  /** Chrome's network error (also on `response._error`, where Chrome writes it); Playwright: `_failureText`. */
  _error?: string | null;
  _cors?: HarCors;
}

export interface HarLog {
  version: string;
  creator: HarCreator;
  browser?: HarCreator;
  pages?: HarPage[];
  entries: HarEntry[];
  comment?: string;
}

export interface Har {
  log: HarLog;
}
