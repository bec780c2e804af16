// Scoping: which finished calls are CORS calls, decided by the request-mode decision HAR import uses too
// (../request-mode.ts), and the exchange a CORS call becomes. The one place pairing asks that decision.
import { getCombined } from '../../cors/headers';
import { originOf, sameOrigin } from '../../cors/origin';
import type { Api, Engine, Header, WireEntry } from '../../cors/types';
import { type CallScope, corsScope, isEventSourceRequest } from '../request-mode';
import type { CapturedExchange } from '../types';
import { type Call, isRedirect, type Outcome } from './call';

const API_BY_TYPE: Record<string, Api> = {
  image: 'image',
  imageset: 'image',
  font: 'font',
  script: 'script',
  stylesheet: 'stylesheet',
};

/** Whether the sites capture is on can judge a call that went partly elsewhere (see Call.outside). */
export function judgeable(call: Call, outcome: Outcome): boolean {
  // A call that came from a hop on another site carries that hop's Origin: its checks are not the ones seen.
  if (call.outside === 'entered') return false;
  // A redirect to another site: an error reported on the redirect is the redirect's (its CORS check); with
  // none, the call went on out of sight.
  return call.outside !== 'left' || outcome === 'error';
}

/**
 * The first request of a call, sent with an Origin that is not its initiator's: a redirect on a site
 * outside those capture is on led here (the Origin became "null"), so the call began out of sight.
 */
export function enteredFromElsewhere(call: Call, headers: readonly Header[]): boolean {
  const origin = getCombined(headers, 'origin');
  return origin !== null && origin.toLowerCase() !== call.initiator.toLowerCase();
}

/** A redirect's Location, resolved against the hop's URL; null when there is none or it is not a URL. */
export function redirectTarget(hop: WireEntry): string | null {
  const location = hop.response ? getCombined(hop.response.headers, 'location') : null;
  if (location === null) return null;
  try {
    return new URL(location, hop.request.url).href;
  } catch {
    return null;
  }
}

/** The extension's own requests (its pages, its worker) are never the page's. */
export function fromExtension(call: Call): boolean {
  return call.initiator.startsWith('chrome-extension:') || call.initiator.startsWith('moz-extension:');
}

/** The call's class, from what webRequest showed of it (its initiator is the page's own origin). */
export function callScope(call: Call): CallScope {
  const requests = call.wire.filter((e) => e.type === 'request');
  const preflight = requests.length !== call.wire.length;
  if (call.wire.length === 0) {
    // Never sent and no preflight: a fetch the browser refused outright. Kept when cross-origin.
    const cross = !sameOrigin(call.initiator, originOf(call.url));
    const cls = !cross ? 'same-origin' : call.resourceType === 'xmlhttprequest' ? 'cors' : 'not-governed';
    return {
      class: cls,
      reason: cls === 'not-governed' ? 'no-cors' : cls,
      text: '',
      mode: null,
      destination: null,
      origin: call.initiator,
    };
  }
  const lost = call.recovered && call.missing.length > 0;
  const hops: { url: string; headers: Header[] | null }[] = (requests.length ? requests : call.wire).map(
    (e) => ({ url: e.request.url, headers: e.request.headers ?? null }),
  );
  // Ended in an error on a redirect the browser refused to follow (to a URL with a username and password,
  // say): the request was bound for its target, so a call that began same-origin left it there.
  const last = call.wire[call.wire.length - 1];
  const refused = call.netError && last && isRedirect(last) ? redirectTarget(last) : null;
  if (refused) hops.push({ url: refused, headers: null });
  const scope = corsScope({
    method: call.method,
    hops,
    // A worker that restarted may have lost the request's headers: they are empty, not complete.
    originRecorded: !(lost && !requests.some((e) => e.request.headers?.length)),
    preflight,
    resourceType: call.resourceType,
    pageOrigin: call.initiator || null,
    status: call.wire[call.wire.length - 1]?.response?.status ?? null,
  });
  if (scope.class === 'cannot-tell' && lost && call.resourceType === 'xmlhttprequest') {
    // The request headers were lost with the worker: a cross-origin XHR/fetch whose response speaks CORS.
    const last = call.wire[call.wire.length - 1]?.response;
    if (last && getCombined(last.headers, 'access-control-allow-origin') !== null)
      return { ...scope, class: 'cors', reason: 'cors', origin: call.initiator };
  }
  return scope;
}

/** The exchange of a CORS call made from `origin`, with what capture knows beyond the exchange format. */
export function exchangeOf(
  call: Call,
  outcome: Outcome,
  origin: string,
  engine: Engine,
  id: string,
): CapturedExchange {
  const first = call.wire.find((e) => e.type === 'request');
  const api =
    API_BY_TYPE[call.resourceType] ??
    (call.resourceType === 'xmlhttprequest' && isEventSourceRequest(call.method, first?.request.headers)
      ? 'other'
      : undefined);
  return {
    id,
    initiator: origin,
    ...(api ? { api } : {}),
    request: { method: call.method, url: call.url },
    wire: call.wire,
    ...(outcome ? { outcome } : {}),
    // Firefox's webRequest joins a response header's repeated lines into one value.
    ...(engine === 'firefox' ? { headersJoined: true } : {}),
    time: call.start,
    capture: {
      tabId: call.tabId,
      frameId: call.frameId,
      documentId: call.documentId,
      requestId: call.requestId,
      resourceType: call.resourceType,
      engine,
      ambiguous: call.ambiguous,
      recovered: call.recovered,
      missing: call.missing.length ? call.missing.join('; ') : null,
      headersLost: call.headersLost ?? false,
      netError: call.netError ?? null,
    },
  };
}
