// The tab's log starts over only when a navigation commits a new document. Each case is the main-frame
// onHeadersReceived Chromium 156 delivered for it (measured with tests/e2e/recorder: tab id, frame id,
// documentId and documentLifecycle as recorded), a page's call before it in the log.
import { describe, expect, it } from 'vitest';
import { CaptureController, type CaptureSink } from '../../../src/capture/controller';
import type { RawDetails, RawKind } from '../../../src/capture/events';
import { SETTLE_MS } from '../../../src/capture/pairing';
import { API, PAGE } from '../../factories';

function run(main: Partial<RawDetails>[]): string[] {
  const log: string[] = [];
  const sink: CaptureSink = {
    enqueue: (r) => log.push(`row ${r.exchange.capture.requestId}`),
    addCounts: () => {},
    clearTab: (tabId) => {
      log.push(`clear ${tabId}`);
    },
  };
  const c = new CaptureController(
    sink,
    { preserveLog: false, disabledSites: [], redactHeaders: [] },
    'chrome-extension://self',
  );
  const raw = (kind: RawKind, d: Partial<RawDetails>) =>
    c.handle(kind, {
      requestId: 'n1',
      url: `${API}/n`,
      method: 'GET',
      tabId: 7,
      frameId: 0,
      initiator: PAGE,
      type: 'xmlhttprequest',
      timeStamp: 1000,
      ...d,
    } as RawDetails);
  raw('onSendHeaders', { requestHeaders: [{ name: 'Origin', value: PAGE }] });
  raw('onHeadersReceived', {
    statusCode: 200,
    responseHeaders: [{ name: 'Access-Control-Allow-Origin', value: PAGE }],
  });
  c.sweep(1000 + SETTLE_MS);
  for (const [i, d] of main.entries()) {
    const nav = { requestId: `nav${i}`, url: `${PAGE}/next`, type: 'main_frame', timeStamp: 2000 + i, ...d };
    raw('onSendHeaders', { ...nav, statusCode: undefined, responseHeaders: undefined, requestHeaders: [] });
    raw('onHeadersReceived', nav);
  }
  return log;
}

const html = [{ name: 'Content-Type', value: 'text/html; charset=utf-8' }];

describe('the log is cleared on a committed navigation only', () => {
  it.each<[string, Partial<RawDetails>]>([
    ['a page (200, text/html)', { statusCode: 200, responseHeaders: html }],
    ['an error page the server sent (404, text/html)', { statusCode: 404, responseHeaders: html }],
    [
      'JSON shown in the tab',
      { statusCode: 200, responseHeaders: [{ name: 'Content-Type', value: 'application/json' }] },
    ],
    ['a response with no type (sniffed)', { statusCode: 200, responseHeaders: [] }],
  ])('%s: cleared', (_name, d) => {
    expect(run([d])).toEqual(['row n1', 'clear 7']);
  });

  it.each<[string, Partial<RawDetails>]>([
    ['204 No Content', { statusCode: 204, responseHeaders: [] }],
    ['205 Reset Content', { statusCode: 205, responseHeaders: [] }],
    [
      'a redirect (the next hop decides)',
      { statusCode: 302, responseHeaders: [{ name: 'Location', value: '/x' }] },
    ],
    [
      'a download: Content-Disposition attachment',
      {
        statusCode: 200,
        responseHeaders: [...html, { name: 'Content-Disposition', value: 'attachment; filename=a.txt' }],
      },
    ],
    [
      'a download: application/octet-stream',
      { statusCode: 200, responseHeaders: [{ name: 'Content-Type', value: 'application/octet-stream' }] },
    ],
    [
      'a download: application/zip',
      { statusCode: 200, responseHeaders: [{ name: 'Content-Type', value: 'application/zip' }] },
    ],
    [
      'a prerender (lifecycle "prerender", its own frame id)',
      { statusCode: 200, responseHeaders: html, frameId: 5, documentLifecycle: 'prerender' },
    ],
    [
      'a prefetch (carries the current documentId)',
      { statusCode: 200, responseHeaders: html, documentId: '4A0739' },
    ],
  ])('%s: kept', (_name, d) => {
    expect(run([d])).toEqual(['row n1']);
  });

  it('a redirect then the page: cleared once, at the page', () => {
    expect(
      run([
        { statusCode: 302, responseHeaders: [{ name: 'Location', value: '/x' }] },
        { statusCode: 200, responseHeaders: html },
      ]),
    ).toEqual(['row n1', 'clear 7']);
  });
});
