// The DevTools protocol's Network view of a page's requests, trimmed to what explains CORS and Local Network
// Access: Chromium's own verdict (corsErrorStatus), the preflight links, and the address spaces
// (clientSecurityState, resourceIPAddressSpace). The webRequest fixture recorders keep it beside the events.
import type { CDPSession } from 'playwright-core';

/** Collects the Network events of the requests whose URL `keep` selects, in order, as plain records. */
export function watchNetwork(session: CDPSession, keep: (url: string) => boolean): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const ours = new Set<string>();
  session.on('Network.requestWillBeSent', (e) => {
    if (!keep(e.request.url)) return;
    ours.add(e.requestId);
    out.push({
      event: 'requestWillBeSent',
      requestId: e.requestId,
      method: e.request.method,
      url: e.request.url,
      type: e.type,
      initiator:
        e.initiator.type === 'preflight'
          ? { type: 'preflight', requestId: e.initiator.requestId }
          : { type: e.initiator.type },
      ...(e.redirectResponse ? { redirectStatus: e.redirectResponse.status } : {}),
    });
  });
  session.on('Network.requestWillBeSentExtraInfo', (e) => {
    if (ours.has(e.requestId) && e.clientSecurityState)
      out.push({
        event: 'requestWillBeSentExtraInfo',
        requestId: e.requestId,
        clientSecurityState: e.clientSecurityState,
      });
  });
  session.on('Network.responseReceivedExtraInfo', (e) => {
    if (ours.has(e.requestId))
      out.push({
        event: 'responseReceivedExtraInfo',
        requestId: e.requestId,
        statusCode: e.statusCode,
        resourceIPAddressSpace: e.resourceIPAddressSpace,
      });
  });
  session.on('Network.responseReceived', (e) => {
    if (ours.has(e.requestId))
      out.push({
        event: 'responseReceived',
        requestId: e.requestId,
        status: e.response.status,
        type: e.type,
      });
  });
  session.on('Network.loadingFinished', (e) => {
    if (ours.has(e.requestId)) out.push({ event: 'loadingFinished', requestId: e.requestId });
  });
  session.on('Network.loadingFailed', (e) => {
    if (!ours.has(e.requestId)) return;
    out.push({
      event: 'loadingFailed',
      requestId: e.requestId,
      errorText: e.errorText,
      ...(e.corsErrorStatus ? { corsErrorStatus: e.corsErrorStatus } : {}),
      ...(e.blockedReason ? { blockedReason: e.blockedReason } : {}),
    });
  });
  return out;
}
