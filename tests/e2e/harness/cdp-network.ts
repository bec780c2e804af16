// The DevTools protocol's Network view of a page's requests, trimmed to what explains CORS and Local Network
// Access: Chromium's own verdict (corsErrorStatus), the preflight links, and the address spaces
// (clientSecurityState, resourceIPAddressSpace). The webRequest fixture recorders keep it beside the events.
import type { CDPSession } from 'playwright-core';

/** What watchNetwork listens to: a CDPSession, or a fake that emits the same events. */
export type NetworkEvents = Pick<CDPSession, 'on'>;

/**
 * Collects the Network events of the requests whose URL `keep` selects, in order, as plain records. Chromium
 * may send a request's requestWillBeSentExtraInfo before its requestWillBeSent (which alone has the URL):
 * such an early record waits, and follows its request's requestWillBeSent.
 */
export function watchNetwork(
  session: NetworkEvents,
  keep: (url: string) => boolean,
): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const ours = new Set<string>();
  /** Records of requests not announced yet, by requestId. */
  const early = new Map<string, Record<string, unknown>[]>();
  /** Requests announced and not kept: their late records are dropped without waiting. */
  const others = new Set<string>();
  const push = (requestId: string, record: Record<string, unknown>): void => {
    if (ours.has(requestId)) out.push(record);
    else if (!others.has(requestId)) early.set(requestId, [...(early.get(requestId) ?? []), record]);
  };
  session.on('Network.requestWillBeSent', (e) => {
    const waiting = early.get(e.requestId) ?? [];
    early.delete(e.requestId);
    if (!keep(e.request.url)) {
      // A redirect's next hop keeps the requestId: the request stays ours once it was.
      if (!ours.has(e.requestId)) others.add(e.requestId);
      return;
    }
    others.delete(e.requestId);
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
    out.push(...waiting);
  });
  session.on('Network.requestWillBeSentExtraInfo', (e) => {
    if (e.clientSecurityState)
      push(e.requestId, {
        event: 'requestWillBeSentExtraInfo',
        requestId: e.requestId,
        clientSecurityState: e.clientSecurityState,
      });
  });
  session.on('Network.responseReceivedExtraInfo', (e) => {
    push(e.requestId, {
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
