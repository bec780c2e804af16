// The fixture recorders' DevTools Network view: records in order, early ExtraInfo records kept.
import { describe, expect, it } from 'vitest';
import { type NetworkEvents, watchNetwork } from '../../e2e/harness/cdp-network';

/** A session whose events the test emits, in the order it chooses. */
function fakeSession() {
  const handlers = new Map<string, (e: unknown) => void>();
  const session = {
    on: (name: string, fn: (e: unknown) => void) => {
      handlers.set(name, fn);
      return session;
    },
  } as unknown as NetworkEvents;
  const emit = (name: string, e: unknown) => handlers.get(`Network.${name}`)!(e);
  return { session, emit };
}

const sent = (requestId: string, url: string) => ({
  requestId,
  request: { url, method: 'GET' },
  type: 'Fetch',
  initiator: { type: 'script' },
});
const security = { initiatorIPAddressSpace: 'Public', privateNetworkRequestPolicy: 'PermissionBlock' };

describe('watchNetwork', () => {
  it("keeps a request's ExtraInfo that arrives before its requestWillBeSent, right after it", () => {
    const { session, emit } = fakeSession();
    const out = watchNetwork(session, (url) => url.includes('/api/'));
    emit('requestWillBeSentExtraInfo', { requestId: '7', clientSecurityState: security });
    emit('requestWillBeSent', sent('7', 'http://api.test/api/x'));
    emit('responseReceivedExtraInfo', { requestId: '7', statusCode: 200, resourceIPAddressSpace: 'Local' });
    emit('loadingFinished', { requestId: '7' });
    expect(out).toEqual([
      {
        event: 'requestWillBeSent',
        requestId: '7',
        method: 'GET',
        url: 'http://api.test/api/x',
        type: 'Fetch',
        initiator: { type: 'script' },
      },
      { event: 'requestWillBeSentExtraInfo', requestId: '7', clientSecurityState: security },
      {
        event: 'responseReceivedExtraInfo',
        requestId: '7',
        statusCode: 200,
        resourceIPAddressSpace: 'Local',
      },
      { event: 'loadingFinished', requestId: '7' },
    ]);
  });

  it('drops the records of requests it does not keep, early or late', () => {
    const { session, emit } = fakeSession();
    const out = watchNetwork(session, (url) => url.includes('/api/'));
    emit('requestWillBeSentExtraInfo', { requestId: '8', clientSecurityState: security });
    emit('requestWillBeSent', sent('8', 'http://page.test/style.css'));
    emit('responseReceivedExtraInfo', { requestId: '8', statusCode: 200, resourceIPAddressSpace: 'Public' });
    emit('loadingFinished', { requestId: '8' });
    expect(out).toEqual([]);
  });
});
