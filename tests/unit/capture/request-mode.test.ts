// The request-mode decision: which recorded calls CORS governs, one case per kind of evidence.
import { describe, expect, it } from 'vitest';
import {
  type CallEvidence,
  corsScope,
  requestDestination,
  requestMode,
} from '../../../src/capture/request-mode';
import type { Header } from '../../../src/cors/types';

const PAGE = 'https://app.example';
const API = 'https://api.example/v1/items';

function ev(o: Partial<CallEvidence> & { url?: string; headers?: Header[] | null } = {}): CallEvidence {
  const { url = API, headers = [], ...rest } = o;
  return {
    method: 'GET',
    hops: [{ url, headers }],
    originRecorded: true,
    preflight: false,
    resourceType: null,
    pageOrigin: null,
    status: 200,
    ...rest,
  };
}

const cls = (e: CallEvidence) => {
  const s = corsScope(e);
  return [s.class, s.reason, s.origin];
};

describe('corsScope: one class per call', () => {
  it.each<[string, CallEvidence, (string | null)[]]>([
    [
      'a cross-origin fetch (Sec-Fetch-Mode: cors, Origin)',
      ev({
        headers: [
          ['Sec-Fetch-Mode', 'cors'],
          ['Origin', PAGE],
        ],
      }),
      ['cors', 'cors', PAGE],
    ],
    [
      'a GET with Origin and no Sec-Fetch-Mode (Safari, a proxy)',
      ev({ headers: [['Origin', PAGE]] }),
      ['cors', 'cors', PAGE],
    ],
    [
      'a preflighted call whose request headers are provisional',
      ev({
        headers: [['X-Custom', '1']],
        preflight: true,
        originRecorded: false,
        pageOrigin: PAGE,
        method: 'PUT',
      }),
      ['cors', 'cors', PAGE],
    ],
    [
      'an opaque origin (a sandboxed frame): Origin "null"',
      ev({
        headers: [
          ['Sec-Fetch-Mode', 'cors'],
          ['Origin', 'null'],
        ],
      }),
      ['cors', 'cors', 'null'],
    ],
    [
      'a same-origin fetch: cors mode, no Origin (browsers send one on every cross-origin CORS request)',
      ev({ url: `${PAGE}/x`, headers: [['Sec-Fetch-Mode', 'cors']], pageOrigin: PAGE }),
      ['same-origin', 'same-origin', PAGE],
    ],
    [
      'a same-origin POST: Origin is its own origin',
      ev({
        url: `${PAGE}/x`,
        method: 'POST',
        headers: [
          ['Sec-Fetch-Mode', 'cors'],
          ['Origin', PAGE],
        ],
      }),
      ['same-origin', 'same-origin', PAGE],
    ],
    [
      'a same-origin fetch redirected to another origin becomes a CORS call',
      {
        ...ev({ url: `${PAGE}/r`, headers: [['Sec-Fetch-Mode', 'cors']] }),
        hops: [
          { url: `${PAGE}/r`, headers: [['Sec-Fetch-Mode', 'cors']] },
          {
            url: API,
            headers: [
              ['Sec-Fetch-Mode', 'cors'],
              ['Origin', PAGE],
            ],
          },
        ],
      },
      ['cors', 'cors', PAGE],
    ],
    [
      'an image without crossorigin (no-cors)',
      ev({
        headers: [
          ['Sec-Fetch-Mode', 'no-cors'],
          ['Sec-Fetch-Dest', 'image'],
        ],
        pageOrigin: PAGE,
      }),
      ['not-governed', 'no-cors', PAGE],
    ],
    [
      'a same-origin stylesheet (no-cors)',
      ev({ url: `${PAGE}/a.css`, headers: [['Sec-Fetch-Mode', 'no-cors']], pageOrigin: PAGE }),
      ['same-origin', 'same-origin', PAGE],
    ],
    [
      'a navigation (Sec-Fetch-Mode: navigate)',
      ev({
        headers: [
          ['Sec-Fetch-Mode', 'navigate'],
          ['Sec-Fetch-Dest', 'document'],
        ],
      }),
      ['not-governed', 'navigation', null],
    ],
    [
      'a form POST navigation carries Origin but is a navigation',
      ev({
        method: 'POST',
        headers: [
          ['Sec-Fetch-Mode', 'navigate'],
          ['Origin', PAGE],
        ],
        pageOrigin: PAGE,
      }),
      ['not-governed', 'navigation', PAGE],
    ],
    [
      'a document by resource type, no Sec-Fetch (DevTools _resourceType)',
      ev({ resourceType: 'document' }),
      ['not-governed', 'navigation', null],
    ],
    [
      "a page's own entry (the HAR page's URL), a 304 reload",
      ev({ url: `${PAGE}/`, status: 304, pageUrl: `${PAGE}/#top` }),
      ['not-governed', 'navigation', null],
    ],
    [
      'a WebSocket handshake by scheme',
      ev({ url: 'wss://api.example/socket', headers: [['Origin', PAGE]], status: 101 }),
      ['not-governed', 'websocket', PAGE],
    ],
    [
      'a WebSocket handshake by status 101 and Upgrade',
      ev({
        url: 'https://api.example/socket',
        headers: [
          ['Upgrade', 'websocket'],
          ['Origin', PAGE],
        ],
        status: 101,
      }),
      ['not-governed', 'websocket', PAGE],
    ],
    [
      'a WebSocket by resource type (mitmproxy, DevTools)',
      ev({ resourceType: 'websocket', headers: [['Origin', PAGE]] }),
      ['not-governed', 'websocket', PAGE],
    ],
    [
      'a same-origin WebSocket (ws: is another origin than http:, yet CORS does not apply)',
      ev({ url: 'ws://app.example/ws', headers: [['Origin', 'http://app.example']] }),
      ['not-governed', 'websocket', 'http://app.example'],
    ],
    ['a data: URL', ev({ url: 'data:image/png;base64,AAAA' }), ['not-governed', 'scheme', null]],
    [
      'a blob: URL',
      ev({ url: 'blob:https://app.example/1234', pageOrigin: PAGE }),
      ['not-governed', 'scheme', PAGE],
    ],
    [
      'a call its service worker answered',
      ev({
        headers: [
          ['Sec-Fetch-Mode', 'cors'],
          ['Origin', PAGE],
        ],
        servedByServiceWorker: true,
        pageOrigin: PAGE,
      }),
      ['not-governed', 'service-worker', PAGE],
    ],
    [
      'no Origin, no mode, complete headers: not a CORS call',
      ev({ headers: [['Accept', '*/*']], pageOrigin: PAGE }),
      ['not-governed', 'no-origin-header', PAGE],
    ],
    [
      'no Origin, no mode, provisional headers, page unknown: cannot tell',
      ev({ headers: [['Accept', '*/*']], originRecorded: false }),
      ['cannot-tell', 'origin-unknown', null],
    ],
    [
      'cors mode, provisional headers, page unknown: cannot tell',
      ev({ headers: [], originRecorded: false, resourceType: 'xhr' }),
      ['cannot-tell', 'origin-unknown', null],
    ],
    [
      'cors mode, provisional headers, page known: judged by the page origin',
      ev({ headers: [], originRecorded: false, resourceType: 'xhr', pageOrigin: PAGE }),
      ['cors', 'cors', PAGE],
    ],
    [
      'a POST with Origin and no mode evidence: a form, a beacon or a fetch',
      ev({ method: 'POST', headers: [['Origin', PAGE]] }),
      ['cannot-tell', 'mode-unknown', PAGE],
    ],
    [
      'a POST with Origin from XHR (resource type)',
      ev({ method: 'POST', headers: [['Origin', PAGE]], resourceType: 'XHR' }),
      ['cors', 'cors', PAGE],
    ],
    [
      'a font: always cors mode',
      ev({ headers: [['Origin', PAGE]], resourceType: 'font' }),
      ['cors', 'cors', PAGE],
    ],
    [
      'same-origin mode to another origin: a CORS-path failure, judged',
      ev({ headers: [['Sec-Fetch-Mode', 'same-origin']], pageOrigin: PAGE }),
      ['cors', 'cors', PAGE],
    ],
  ])('%s', (_, e, want) => {
    expect(cls(e)).toEqual(want);
  });

  it('says why in a sentence', () => {
    expect(corsScope(ev({ url: 'wss://x.example/' })).text).toBe(
      'A WebSocket handshake: CORS does not apply (the server checks the Origin header itself).',
    );
    expect(corsScope(ev({ headers: [['Accept', '*/*']], originRecorded: false })).text).toBe(
      "Neither the page's origin nor the request mode is in the recording.",
    );
  });
});

describe('requestMode and requestDestination', () => {
  it('reads Sec-Fetch-Mode and Sec-Fetch-Dest first, then the resource type', () => {
    expect(requestMode(ev({ headers: [['sec-fetch-mode', 'no-cors']], resourceType: 'xhr' }))).toBe(
      'no-cors',
    );
    expect(requestMode(ev({ resourceType: 'main_frame' }))).toBe('navigate');
    expect(requestMode(ev({ resourceType: 'eventsource' }))).toBe('cors');
    expect(requestMode(ev({ resourceType: 'fetch' }))).toBeNull();
    expect(requestDestination([['Sec-Fetch-Dest', 'empty']], 'image')).toBe('');
    expect(requestDestination([], 'stylesheet')).toBe('style');
    expect(requestDestination([], 'sub_frame')).toBe('iframe');
    expect(requestDestination(null, 'unknown-kind')).toBeNull();
  });
});
