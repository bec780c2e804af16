// The RequestEvent factory of the pairing tests (pairing.test.ts, pairing-firefox.test.ts).
import type { RequestEvent } from '../../../src/capture/events';

/**
 * Events from one tab's document: `ev` makes one, each 1 ms of event time after the last (from 1000);
 * `now()` is the time the next one gets.
 */
export function eventsFrom(tab: Pick<RequestEvent, 'tabId' | 'documentId' | 'initiator'>) {
  let t = 1000;
  const ev = (
    kind: RequestEvent['kind'],
    requestId: string,
    method: string,
    url: string,
    extra: Partial<RequestEvent> = {},
  ): RequestEvent => ({
    kind,
    requestId,
    url,
    method,
    tabId: tab.tabId,
    frameId: 0,
    documentId: tab.documentId,
    initiator: tab.initiator,
    resourceType: 'xmlhttprequest',
    time: t++,
    ...extra,
  });
  return { ev, now: () => t };
}
