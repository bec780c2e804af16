// Local Network Access in what webRequest shows (measured in Chromium 156 and Firefox ESR 153 with a public page
// calling loopback and local servers; the extension listens to nothing more for it):
//
// - Chromium, a request the check stopped: onSendHeaders, then onErrorOccurred
//   "net::ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS" with no response (no `ip` either), for fetch, XHR and
//   elements (an <img> without crossorigin) alike, and for a redirect hop.
// - Chromium, a preflight the check stopped: the OPTIONS's onSendHeaders, then its onErrorOccurred
//   "net::ERR_FAILED", which reaches only listeners registered with extraHeaders (capture's is not); then the
//   request's "net::ERR_FAILED". A preflight that found no server fails the request with the network's own error
//   ("net::ERR_CONNECTION_REFUSED"), and one that was answered has its response: a request failing with
//   "net::ERR_FAILED" behind a preflight with no answer is this check's stop. DevTools names that preflight's
//   error net::ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS, which is what the exchange records.
// - Chromium, fetch()'s targetAddressSpace refused (InvalidLocalNetworkAccess): "net::ERR_FAILED" with no
//   response, which says too little to name the check: it stays a request with no response.
// - Firefox: "NS_ERROR_LOCAL_NETWORK_ACCESS_DENIED" on the request, or on its preflight and then on the request,
//   which was never sent.
// - Neither browser gives the server's address for a stopped request, and Chromium gives a page's address only in
//   onCompleted, which capture does not listen to: the address spaces are what the evaluator can tell from the
//   URLs (src/cors/local-network.ts), or not known.
import { isLocalNetworkError } from '../cors/local-network';
import type { WireEntry } from '../cors/types';
import type { CapturedExchange } from './types';

/** DevTools' name for the error of a preflight Chromium's check stopped. */
const CHROMIUM_PREFLIGHT_STOPPED = 'net::ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS';

/**
 * Whether a call's error says the Local Network Access check stopped it (or its preflight). A call rebuilt after
 * a service-worker restart may have lost its preflight's answer: only the browser's own error counts there.
 */
export function stoppedByLocalNetworkAccess(
  netError: string | null | undefined,
  wire: readonly WireEntry[],
  recovered = false,
): boolean {
  if (isLocalNetworkError(netError)) return true;
  const last = wire[wire.length - 1];
  return !recovered && netError === 'net::ERR_FAILED' && last?.type === 'preflight' && last.response === null;
}

/**
 * The exchange ending at the request the browser's Local Network Access check stopped, with the browser's name
 * for the stop as its `netError` (for a Chromium preflight, DevTools' name rather than webRequest's
 * "net::ERR_FAILED"), so the evaluator runs the check; unchanged when the call was not stopped by it.
 */
export function withLocalNetworkStop(ex: CapturedExchange): CapturedExchange {
  const { netError } = ex.capture;
  if (!stoppedByLocalNetworkAccess(netError, ex.wire, ex.capture.recovered)) return ex;
  const wire = ex.wire.slice();
  // Firefox lists a request before its preflight: when the preflight was stopped, the request never left.
  const n = wire.length;
  if (
    n >= 2 &&
    wire[n - 1]!.type === 'request' &&
    !wire[n - 1]!.response &&
    wire[n - 2]!.type === 'preflight'
  )
    wire.pop();
  const last = wire[wire.length - 1];
  if (!last || last.response) return ex;
  return { ...ex, wire, netError: isLocalNetworkError(netError) ? netError! : CHROMIUM_PREFLIGHT_STOPPED };
}
