// A HAR built from the DevTools protocol's Network events, the way DevTools' own export builds it
// (front_end/models/har/Log.ts): one entry per request and per redirect hop in the order DevTools logs them,
// preflights as entries of their own (`_resourceType: "preflight"`, `_initiator` without an id), headers from
// the ExtraInfo events, the status of a CORS-blocked response from them too, and `response._error` from
// Network.loadingFailed. Playwright's recordHar writes no preflights and no headers for blocked calls.
import type { Page } from 'playwright-core';

type H = { name: string; value: string };
export interface Rec {
  requestId: string;
  url: string;
  method: string;
  headers: H[];
  provisional: boolean;
  wallTime: number;
  type: string;
  initiator: { type: string; url?: string; lineNumber?: number };
  status: number;
  statusText: string;
  responseHeaders: H[];
  mimeType: string;
  protocol: string;
  error: string | null;
  corsError: string | null;
  postData?: string;
  /** Answered by the page's service worker (DevTools writes `response._fetchedViaServiceWorker`). */
  fromServiceWorker?: boolean;
}

const toList = (o: Record<string, string> | undefined): H[] =>
  Object.entries(o ?? {}).flatMap(([name, v]) => v.split('\n').map((value) => ({ name, value })));

/** Starts recording a page's network; `records` fills as events arrive, `har(pageUrl)` builds the file. */
export async function recordCdpHar(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  const records: Rec[] = [];
  const current = new Map<string, Rec>();
  // A redirected request keeps its requestId for every hop, and the ExtraInfo events (the headers on the
  // wire) come on their own channel, before or after the hop's requestWillBeSent. As DevTools' ExtraInfoBuilder
  // does, the n-th ExtraInfo of a requestId belongs to its n-th hop.
  const hops = new Map<string, Rec[]>();
  const requestExtra = new Map<string, H[][]>();
  const responseExtra = new Map<string, { status: number; headers: H[] }[]>();
  const sync = (id: string) => {
    const list = hops.get(id) ?? [];
    list.forEach((rec, i) => {
      const req = requestExtra.get(id)?.[i];
      if (req && rec.provisional) {
        rec.headers = req;
        rec.provisional = false;
      }
      const res = responseExtra.get(id)?.[i];
      if (res) {
        rec.responseHeaders = res.headers;
        if (res.status) rec.status = res.status;
      }
    });
  };
  const append = <T>(map: Map<string, T[]>, id: string, v: T) => {
    const list = map.get(id);
    if (list) list.push(v);
    else map.set(id, [v]);
  };

  cdp.on('Network.requestWillBeSent', (e) => {
    const prev = current.get(e.requestId);
    if (prev && e.redirectResponse) {
      // A redirect: the earlier hop ends with the redirect response (DevTools keeps it as its own entry).
      prev.status = e.redirectResponse.status;
      prev.statusText = e.redirectResponse.statusText;
      if (!prev.responseHeaders.length) prev.responseHeaders = toList(e.redirectResponse.headers);
    }
    const rec: Rec = {
      requestId: e.requestId,
      url: e.request.url,
      method: e.request.method,
      headers: toList(e.request.headers),
      provisional: true,
      wallTime: e.wallTime,
      type: e.initiator.type === 'preflight' ? 'preflight' : (e.type ?? 'Other').toLowerCase(),
      initiator: {
        type: e.initiator.type,
        ...(e.initiator.url ? { url: e.initiator.url } : {}),
        ...(e.initiator.lineNumber !== undefined ? { lineNumber: e.initiator.lineNumber } : {}),
      },
      status: 0,
      statusText: '',
      responseHeaders: [],
      mimeType: 'x-unknown',
      protocol: '',
      error: null,
      corsError: null,
      ...(e.request.postData !== undefined ? { postData: e.request.postData } : {}),
    };
    current.set(e.requestId, rec);
    append(hops, e.requestId, rec);
    records.push(rec);
    sync(e.requestId);
  });
  cdp.on('Network.requestWillBeSentExtraInfo', (e) => {
    append(requestExtra, e.requestId, toList(e.headers));
    sync(e.requestId);
  });
  cdp.on('Network.responseReceivedExtraInfo', (e) => {
    append(responseExtra, e.requestId, { status: e.statusCode, headers: toList(e.headers) });
    sync(e.requestId);
  });
  cdp.on('Network.responseReceived', (e) => {
    const rec = current.get(e.requestId);
    if (!rec) return;
    rec.status = e.response.status;
    rec.statusText = e.response.statusText;
    rec.mimeType = e.response.mimeType || 'x-unknown';
    rec.protocol = e.response.protocol ?? '';
    rec.fromServiceWorker = !!e.response.fromServiceWorker;
    if (!rec.responseHeaders.length) rec.responseHeaders = toList(e.response.headers);
  });
  // WebSockets: DevTools lists the handshake as an entry of its own (`_resourceType: "websocket"`).
  const sockets = new Map<string, Rec>();
  cdp.on('Network.webSocketCreated', (e) => {
    const rec: Rec = {
      requestId: e.requestId,
      url: e.url,
      method: 'GET',
      headers: [],
      provisional: false,
      wallTime: Date.now() / 1000,
      type: 'websocket',
      initiator: { type: e.initiator?.type ?? 'script' },
      status: 0,
      statusText: '',
      responseHeaders: [],
      mimeType: 'x-unknown',
      protocol: 'http/1.1',
      error: null,
      corsError: null,
    };
    sockets.set(e.requestId, rec);
    records.push(rec);
  });
  cdp.on('Network.webSocketWillSendHandshakeRequest', (e) => {
    const rec = sockets.get(e.requestId);
    if (!rec) return;
    rec.headers = toList(e.request.headers);
    rec.wallTime = e.wallTime;
  });
  cdp.on('Network.webSocketHandshakeResponseReceived', (e) => {
    const rec = sockets.get(e.requestId);
    if (!rec) return;
    rec.status = e.response.status;
    rec.statusText = e.response.statusText;
    rec.responseHeaders = toList(e.response.headers);
  });
  // Requests whose loading finished or failed: the page can be done before their last events arrive.
  const ended = new Set<string>();
  cdp.on('Network.loadingFinished', (e) => {
    ended.add(e.requestId);
  });
  cdp.on('Network.loadingFailed', (e) => {
    ended.add(e.requestId);
    const rec = current.get(e.requestId);
    if (!rec) return;
    rec.error = e.errorText;
    rec.corsError = e.corsErrorStatus?.corsError ?? null;
  });
  await cdp.send('Network.enable');
  return {
    records,
    /** Waits (up to timeoutMs) until every request but the preflights has finished or failed. */
    async settled(timeoutMs = 10_000): Promise<void> {
      const open = () =>
        [...current.entries()].some(
          ([id, r]) => r.type !== 'preflight' && r.type !== 'websocket' && !ended.has(id),
        );
      for (const until = Date.now() + timeoutMs; open() && Date.now() < until; )
        await new Promise((r) => setTimeout(r, 50));
    },
    har(pageUrl: string) {
      const iso = (wall: number) => new Date(wall * 1000).toISOString();
      const entries = records
        .filter((r) => !r.url.startsWith('data:'))
        .map((r) => ({
          _initiator: r.initiator,
          _priority: 'High',
          _resourceType: r.type,
          ...(r.type === 'websocket' ? { _webSocketMessages: [] } : {}),
          cache: {},
          pageref: 'page_1',
          request: {
            method: r.method,
            url: r.url,
            httpVersion: r.provisional ? '' : 'HTTP/1.1',
            headers: r.headers,
            queryString: [],
            cookies: [],
            headersSize: -1,
            bodySize: r.postData ? r.postData.length : 0,
            ...(r.postData ? { postData: { mimeType: 'text/plain;charset=UTF-8', text: r.postData } } : {}),
          },
          response: {
            status: r.status,
            statusText: r.statusText,
            httpVersion: r.protocol.toUpperCase(),
            headers: r.responseHeaders,
            cookies: [],
            content: { size: 0, mimeType: r.mimeType },
            redirectURL: r.responseHeaders.find((h) => h.name.toLowerCase() === 'location')?.value ?? '',
            headersSize: -1,
            bodySize: -1,
            _transferSize: 0,
            _error: r.error,
            _fetchedViaServiceWorker: !!r.fromServiceWorker,
          },
          serverIPAddress: '127.0.0.1',
          startedDateTime: iso(r.wallTime),
          time: 0,
          timings: {
            blocked: -1,
            dns: -1,
            ssl: -1,
            connect: -1,
            send: 0,
            wait: 0,
            receive: 0,
            _blocked_queueing: -1,
          },
        }));
      return {
        log: {
          version: '1.2',
          creator: { name: 'WebInspector', version: '537.36' },
          pages: [
            {
              startedDateTime: entries[0]!.startedDateTime,
              id: 'page_1',
              title: pageUrl,
              pageTimings: { onContentLoad: -1, onLoad: -1 },
            },
          ],
          entries,
        },
      };
    },
  };
}
