// What each HAR writer does that the import must read right, one rule per case, in the shapes their
// sources write (chrome-har's headers.js and index.js, WebKit's HARBuilder.js, mitmproxy's savehar.py, HTTP
// Toolkit's har.ts, Firefox's har-builder.js) and those reported from real files (Charles, Fiddler,
// WebPagetest): request lines among headers, the same header twice in two cases, no pages.
import { describe, expect, it } from 'vitest';
import { harDialect, requestHeadersSent } from '../../../src/report/har-dialect';
import type { JudgedCall } from '../../../src/report/har-judge';
import { harEntry as entry, harOf as har, importAndJudge } from './helpers';

const PAGE = 'https://app.example';
const API = 'https://api.example';
type H = [string, string][];

const summary = (calls: JudgedCall[]) =>
  calls.map((j) => [j.scope.class, j.verdict ? j.verdict.verdict : j.scope.reason]);

describe('HAR writers: what each one writes, read right', () => {
  it('knows the writers by log.creator', () => {
    const d = (name: string) => harDialect({ creator: { name } });
    expect(
      [
        'WebInspector',
        'chrome-har',
        'WebPagetest',
        'Firefox',
        'WebKit Web Inspector',
        'Playwright',
        'Charles Proxy',
        'Fiddler',
        'mitmproxy exporthar',
        'mitmproxy har_dump',
        'HTTP Toolkit',
        'BrowserMob Proxy',
        'CORScope',
        'Something',
      ].map(d),
    ).toEqual([
      'chrome-devtools',
      'chrome-har',
      'webpagetest',
      'firefox',
      'webkit',
      'playwright',
      'charles',
      'fiddler',
      'mitmproxy',
      'mitmproxy',
      'http-toolkit',
      'browsermob',
      'corscope',
      'unknown',
    ]);
  });

  it('chrome-har: the same request header twice in two cases is one header, not "a, a"', async () => {
    const headers: H = [
      ['Origin', PAGE],
      ['Accept', '*/*'],
      ['origin', PAGE],
      ['sec-fetch-mode', 'cors'],
      ['accept-encoding', 'gzip'],
    ];
    expect(requestHeadersSent(headers)).toEqual([
      ['origin', PAGE],
      ['Accept', '*/*'],
      ['sec-fetch-mode', 'cors'],
      ['accept-encoding', 'gzip'],
    ]);
    // A same-origin font with Origin twice: same-origin, not a CORS failure.
    const { calls } = await importAndJudge(
      har('chrome-har', [entry(`${PAGE}/font.woff2`, headers, 200, [], { _resourceType: 'font' })]),
    );
    expect(summary(calls)).toEqual([['same-origin', 'same-origin']]);
  });

  it('request lines listed as headers ("GET /x HTTP/1.1") are not headers', async () => {
    const { calls } = await importAndJudge(
      har('Fiddler', [
        entry(
          `${API}/x`,
          [
            ['GET /x HTTP/1.1', ''],
            ['Host', 'api.example'],
            ['Origin', PAGE],
            ['Accept-Encoding', 'gzip'],
          ],
          200,
          [
            ['HTTP/1.1 200 OK', ''],
            ['Access-Control-Allow-Origin', PAGE],
          ],
        ),
      ]),
    );
    expect(summary(calls)).toEqual([['cors', 'allowed']]);
    expect(calls[0]!.call.exchange.wire[0]!.request.headers!.map(([n]) => n)).toEqual([
      'Host',
      'Origin',
      'Accept-Encoding',
    ]);
  });

  it('a proxy with no pages: a GET without Origin is not a CORS call; with Origin, judged from the headers alone', async () => {
    const { calls } = await importAndJudge(
      har('Charles Proxy', [
        entry(
          `${API}/script.js`,
          [
            ['Host', 'api.example'],
            ['Accept-Encoding', 'gzip'],
          ],
          200,
          [],
        ),
        entry(
          `${API}/data`,
          [
            ['Host', 'api.example'],
            ['Origin', PAGE],
            ['Accept-Encoding', 'gzip'],
          ],
          200,
          [],
        ),
      ]),
    );
    expect(summary(calls)).toEqual([
      ['not-governed', 'no-origin-header'],
      ['cors', 'blocked'],
    ]);
    expect(calls[1]!.call.outcomeFrom).toBe('headers');
  });

  it('headers the browser adds (cache revalidation, Upgrade-Insecure-Requests, X-Client-Data) need no preflight', async () => {
    const { calls } = await importAndJudge(
      har('HTTP Toolkit', [
        entry(
          `${API}/cached`,
          [
            ['origin', PAGE],
            ['if-none-match', '"abc"'],
            ['if-modified-since', 'Fri, 02 Jan 2026 10:00:00 GMT'],
            ['x-client-data', 'CIa2yQE='],
            ['accept-encoding', 'gzip'],
          ],
          304,
          [['access-control-allow-origin', PAGE]],
        ),
      ]),
    );
    expect(summary(calls)).toEqual([['cors', 'allowed']]);
    expect(calls[0]!.verdict!.preflight).toBe('none');
  });

  it('a same-origin call is not judged, so it gets no "missing Vary: Origin" warning', async () => {
    const { calls } = await importAndJudge(
      har('WebInspector', [
        entry(
          `${PAGE}/api`,
          [
            ['Origin', PAGE],
            ['Sec-Fetch-Mode', 'cors'],
            ['Accept-Encoding', 'gzip'],
          ],
          200,
          [['Access-Control-Allow-Origin', PAGE]],
          { _resourceType: 'fetch' },
        ),
        entry(
          `${API}/api`,
          [
            ['Origin', PAGE],
            ['Sec-Fetch-Mode', 'cors'],
            ['Accept-Encoding', 'gzip'],
          ],
          200,
          [['Access-Control-Allow-Origin', PAGE]],
          { _resourceType: 'fetch' },
        ),
      ]),
    );
    expect(summary(calls)).toEqual([
      ['same-origin', 'same-origin'],
      ['cors', 'allowed'],
    ]);
    // The cross-origin one, answered with a specific origin and no Vary, is warned about.
    expect(calls[1]!.verdict!.warnings.map((w) => w.code)).toContain('missing-vary-origin');
  });

  it('WebKit: a call its service worker answered (_fetchType "Service Worker") is not governed', async () => {
    const { calls } = await importAndJudge(
      har(
        'WebKit Web Inspector',
        [entry(`${API}/sw`, [['Origin', PAGE]], 200, [], { _fetchType: 'Service Worker' })],
        [{ id: 'page_0', title: `${PAGE}/`, startedDateTime: '2026-01-02T10:00:00.000Z', pageTimings: {} }],
      ),
    );
    expect(summary(calls)).toEqual([['not-governed', 'service-worker']]);
  });

  it('Chrome DevTools: a WebSocket handshake (status 101) and a data: URL are not governed; an unknown page origin is cannot tell', async () => {
    const { calls } = await importAndJudge(
      har('WebInspector', [
        entry(
          'wss://api.example/socket',
          [
            ['Origin', PAGE],
            ['Upgrade', 'websocket'],
          ],
          101,
          [],
          {
            _resourceType: 'websocket',
            _webSocketMessages: [],
          },
        ),
        entry('data:image/png;base64,AAAA', [], 200, [], { _resourceType: 'image' }),
        entry(`${API}/provisional`, [['Accept', '*/*']], 0, [], {
          _resourceType: 'fetch',
          response: { _error: 'net::ERR_FAILED' },
        }),
      ]),
    );
    expect(summary(calls)).toEqual([
      ['not-governed', 'websocket'],
      ['not-governed', 'scheme'],
      ['cannot-tell', 'origin-unknown'],
    ]);
  });

  it("Chrome DevTools: a refused preflight is the call's error, even for a plain-http URL from an https page", async () => {
    // DevTools writes the preflight's own failure on it and nothing on the request behind it: the call ended
    // at the preflight, so its error is the call's, not a mixed-content block the browser never named.
    const url = 'http://api.example/x';
    const preflight = entry(
      url,
      [
        ['Origin', PAGE],
        ['Access-Control-Request-Method', 'PUT'],
      ],
      0,
      [],
      {
        _resourceType: 'preflight',
        _initiator: { type: 'preflight', url },
        response: { _error: 'net::ERR_CONNECTION_REFUSED' },
      },
    );
    const put = entry(url, [['Origin', PAGE]], 0, [], { _resourceType: 'fetch' });
    preflight.request.method = 'OPTIONS';
    put.request.method = 'PUT';
    const { calls } = await importAndJudge(har('WebInspector', [preflight, put]));
    expect(calls.map((j) => [j.call.exchange.netError, j.verdict?.verdict, j.verdict?.reason?.key])).toEqual([
      ['net::ERR_CONNECTION_REFUSED', 'network-error', 'ConnectionRefused'],
    ]);
  });

  it('Firefox: a form-like POST with Origin and no Sec-Fetch-Mode is cannot tell; with Sec-Fetch-Mode it is decided', async () => {
    const post = (mode: string | null) => ({
      ...entry(
        `${API}/submit`,
        [['Origin', PAGE], ['Host', 'api.example'], ...(mode ? ([['Sec-Fetch-Mode', mode]] as H) : [])],
        200,
        [],
      ),
      request: {
        ...entry(`${API}/submit`, [], 200, []).request,
        method: 'POST',
        headers: [
          { name: 'Origin', value: PAGE },
          { name: 'Host', value: 'api.example' },
          ...(mode ? [{ name: 'Sec-Fetch-Mode', value: mode }] : []),
        ],
      },
    });
    const { calls } = await importAndJudge(har('Firefox', [post(null), post('navigate'), post('cors')]));
    expect(summary(calls)).toEqual([
      ['cannot-tell', 'mode-unknown'],
      ['not-governed', 'navigation'],
      ['cors', 'blocked'],
    ]);
  });

  it('Firefox 66 and 67: an entry without a response is a request no response arrived for, not bad input', async () => {
    // Those versions leave `response` out where Firefox now writes status 0 and no headers.
    const pending = entry(`${API}/pending`, [['Origin', PAGE]], 0, []);
    delete (pending as { response?: unknown }).response;
    const answered = entry(`${API}/answered`, [['Origin', PAGE]], 200, [
      ['Access-Control-Allow-Origin', PAGE],
    ]);
    const firefox = await importAndJudge(har('Firefox', [pending, answered]));
    expect(firefox.imp.issues).toEqual([]);
    expect(firefox.calls.map((j) => [j.call.entries, j.call.exchange.wire[0]!.response])).toEqual([
      [[0], null],
      [[1], { status: 200, headers: [['Access-Control-Allow-Origin', PAGE]] }],
    ]);
    expect(summary(firefox.calls)).toEqual([
      ['cors', 'network-error'],
      ['cors', 'allowed'],
    ]);
    // Any other writer always writes a response: one missing is bad input, as before.
    const devtools = await importAndJudge(har('WebInspector', [pending, answered]));
    expect(devtools.imp.issues.map((i) => [i.entry, i.message])).toEqual([
      [0, 'response: required: an object; entry skipped'],
    ]);
  });

  it('Chrome DevTools: a request answered after its preflight rules out the credentials mode that preflight fails', async () => {
    // The POST got a 400 without CORS headers (blocked either way); with credentials, the preflight's
    // Access-Control-Allow-Origin: * would have stopped the POST before it was sent, but the file shows it answered.
    const url = `${API}/signup`;
    const post = entry(
      url,
      [
        [':method', 'POST'],
        ['content-type', 'application/json'],
        ['origin', PAGE],
        ['sec-fetch-mode', 'cors'],
      ],
      400,
      [['content-type', 'application/json']],
      { _resourceType: 'xhr', response: { _error: 'net::ERR_FAILED' } },
    );
    post.request.method = 'POST';
    const preflight = entry(
      url,
      [
        [':method', 'OPTIONS'],
        ['access-control-request-headers', 'content-type'],
        ['access-control-request-method', 'POST'],
        ['origin', PAGE],
        ['sec-fetch-mode', 'cors'],
      ],
      204,
      [
        ['access-control-allow-headers', 'Content-Type'],
        ['access-control-allow-methods', 'OPTIONS,POST'],
        ['access-control-allow-origin', '*'],
      ],
      { _resourceType: 'preflight', _initiator: { type: 'preflight', url } },
    );
    preflight.request.method = 'OPTIONS';
    preflight.startedDateTime = '2026-01-02T10:00:00.002Z';
    const { calls } = await importAndJudge(har('WebInspector', [post, preflight]));
    const v = calls[0]!.verdict!;
    expect([calls.length, calls[0]!.call.entries, v.verdict, v.error?.chromium, v.dependsOn]).toEqual([
      1,
      [1, 0],
      'blocked',
      'MissingAllowOriginHeader',
      undefined,
    ]);
    expect(v.checks[0]).toMatchObject({
      rule: 'credentials-mode',
      seen: '"same-origin" (not included cross-origin) because the request after the preflight (OPTIONS) was sent and answered, which "include" would have stopped at the preflight',
    });
  });

  it('a request after its preflight with no response and no error recorded is not judged blocked on a guessed credentials mode', async () => {
    // The preflight passes without credentials and fails with them (no Access-Control-Allow-Credentials). The
    // request that follows has status 0 and no error: Firefox writes that for a request its preflight stopped,
    // one the page aborted and one still waiting when the file was saved; DevTools for one still waiting.
    const url = `${API}/poll`;
    const preflight = entry(
      url,
      [
        ['Origin', PAGE],
        ['Access-Control-Request-Method', 'GET'],
        ['Access-Control-Request-Headers', 'x-token'],
        ['Sec-Fetch-Mode', 'cors'],
      ],
      204,
      [
        ['Access-Control-Allow-Origin', PAGE],
        ['Access-Control-Allow-Headers', 'x-token'],
      ],
    );
    preflight.request.method = 'OPTIONS';
    const get = entry(
      url,
      [
        ['Origin', PAGE],
        ['x-token', 'abc'],
        ['Sec-Fetch-Mode', 'cors'],
        ['Sec-Fetch-Dest', 'empty'],
      ],
      0,
      [],
    );
    get.startedDateTime = '2026-01-02T10:00:00.010Z';
    const readings = (calls: JudgedCall[]) =>
      calls.map((j) => [
        j.verdict?.verdict,
        j.verdict?.dependsOn?.readings.omit?.verdict,
        j.verdict?.dependsOn?.readings.include?.verdict,
        j.verdict?.dependsOn?.readings.include?.error?.chromium,
      ]);
    const firefox = await importAndJudge(har('Firefox', [preflight, get]));
    expect(readings(firefox.calls)).toEqual([
      ['network-error', 'network-error', 'blocked', 'PreflightInvalidAllowCredentials'],
    ]);
    const waiting = await importAndJudge(
      har('WebInspector', [
        { ...preflight, _resourceType: 'preflight', _initiator: { type: 'preflight', url } },
        { ...get, _resourceType: 'fetch' },
      ]),
    );
    expect(readings(waiting.calls)).toEqual([
      ['network-error', 'network-error', 'blocked', 'PreflightInvalidAllowCredentials'],
    ]);
    // DevTools records the failure of a request its preflight stopped: that settles it.
    const stopped = await importAndJudge(
      har('WebInspector', [
        { ...preflight, _resourceType: 'preflight', _initiator: { type: 'preflight', url } },
        { ...get, _resourceType: 'fetch', response: { ...get.response, _error: 'net::ERR_FAILED' } },
      ]),
    );
    expect(readings(stopped.calls)).toEqual([['blocked', undefined, undefined, undefined]]);
  });

  it("Firefox and proxies: a 304 answering the browser's revalidation without CORS headers is cannot tell, not blocked", async () => {
    const first = entry(`${API}/data`, [['Origin', PAGE]], 200, [
      ['Access-Control-Allow-Origin', PAGE],
      ['ETag', '"v1"'],
    ]);
    const again = entry(
      `${API}/data`,
      [
        ['Origin', PAGE],
        ['If-None-Match', '"v1"'],
      ],
      304,
      [['ETag', '"v1"']],
    );
    again.startedDateTime = '2026-01-02T10:01:00.000Z';
    for (const writer of ['Firefox', 'mitmproxy']) {
      const { calls } = await importAndJudge(har(writer, [first, again]));
      expect(summary(calls)).toEqual([
        ['cors', 'allowed'],
        ['cannot-tell', 'revalidated'],
      ]);
    }
  });

  it("BrowserMob Proxy: its `_error` is the proxy's own connection, not the browser's error", async () => {
    // The proxy could not reach the API: no response, and its own words in `_error`.
    const failed = entry(
      `${API}/data`,
      [
        ['Origin', PAGE],
        ['Sec-Fetch-Mode', 'cors'],
      ],
      0,
      [],
      {
        response: { _error: 'Unable to connect to host' },
      },
    );
    const browsermob = await importAndJudge(har('BrowserMob Proxy', [failed]));
    expect(
      browsermob.calls.map((j) => [j.call.exchange.netError, j.verdict, j.scope.class, j.scope.reason]),
    ).toEqual([[undefined, null, 'cannot-tell', 'proxy-no-answer']]);
    // Unknown to the import, the same file took the proxy's words for the browser's error.
    const unknown = await importAndJudge(har('Something', [failed]));
    expect(unknown.calls.map((j) => [j.call.exchange.netError, j.verdict?.verdict])).toEqual([
      ['Unable to connect to host', 'network-error'],
    ]);
  });

  describe('a request the proxy recorded with no response: its own connection got no answer', () => {
    const NO_ANSWER =
      'The proxy recorded no answer from the server (its own connection failed); what the browser received from the proxy is not in the file.';
    const noResponse = (page: string) =>
      entry(
        'http://api.example/data',
        [
          ['Origin', page],
          ['Sec-Fetch-Mode', 'cors'],
        ],
        0,
        [],
      );
    const judged = (calls: JudgedCall[]) =>
      calls.map((j) => [j.scope.class, j.verdict?.verdict, j.verdict?.reason?.key, j.verdict?.summary]);

    it.each([
      ['mitmproxy', PAGE],
      ['mitmproxy', 'http://app.example'],
      ['Charles Proxy', PAGE],
      ['Fiddler', 'http://app.example'],
      ['HTTP Toolkit', PAGE],
    ])('%s, page %s: cannot tell, never a mixed-content block or a network error', async (writer, page) => {
      const { calls } = await importAndJudge(har(writer, [noResponse(page)]));
      expect(calls.map((j) => [j.scope.class, j.scope.reason, j.scope.text, j.verdict])).toEqual([
        ['cannot-tell', 'proxy-no-answer', NO_ANSWER, null],
      ]);
    });

    it('a preflight the proxy recorded with no response: cannot tell, with or without the request after it', async () => {
      const preflight = entry(
        `${API}/data`,
        [
          ['Origin', PAGE],
          ['Access-Control-Request-Method', 'PUT'],
        ],
        0,
        [],
      );
      preflight.request.method = 'OPTIONS';
      const put = entry(
        `${API}/data`,
        [
          ['Origin', PAGE],
          ['Sec-Fetch-Mode', 'cors'],
        ],
        0,
        [],
      );
      put.request.method = 'PUT';
      for (const entries of [[preflight], [preflight, put]]) {
        const { calls } = await importAndJudge(har('mitmproxy', entries));
        expect(summary(calls)).toEqual([['cannot-tell', 'proxy-no-answer']]);
      }
    });

    it('Chrome DevTools: the same entries are what the browser did, judged as recorded', async () => {
      // A mixed-content block leaves no response and no error; from an http page, no response arrived.
      const https = await importAndJudge(har('WebInspector', [noResponse(PAGE)]));
      expect(judged(https.calls)).toEqual([
        [
          'cors',
          'network-error',
          'MixedContent',
          'Network error: Blocked as mixed content: the page is served over HTTPS and the URL is plain http:, so the browser never sent it; not a CORS matter: call the https: URL.',
        ],
      ]);
      const http = await importAndJudge(har('WebInspector', [noResponse('http://app.example')]));
      expect(judged(http.calls)).toEqual([
        [
          'cors',
          'network-error',
          'NoResponse',
          'Network error: No response arrived (connection refused, reset, or the request was aborted).',
        ],
      ]);
    });

    it('a response the proxy recorded, its own 502 included, is judged on its headers', async () => {
      const badGateway = entry(`${API}/data`, [['Origin', PAGE]], 502, [['Content-Type', 'text/html']]);
      const { calls } = await importAndJudge(har('mitmproxy', [badGateway]));
      expect(judged(calls)).toEqual([
        [
          'cors',
          'blocked',
          'MissingAllowOriginHeader',
          'Blocked: the response from https://api.example has no Access-Control-Allow-Origin header.',
        ],
      ]);
      expect(calls[0]!.call.outcomeFrom).toBe('headers');
    });

    it("a Local Network Access stop's name in a proxy's file is still the call's error, judged", async () => {
      const stopped = entry(
        'http://192.168.1.10/data',
        [
          ['Origin', PAGE],
          ['Sec-Fetch-Mode', 'cors'],
        ],
        0,
        [],
        { response: { _error: 'net::ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS' } },
      );
      const { calls } = await importAndJudge(har('BrowserMob Proxy', [stopped]));
      expect(calls.map((j) => [j.call.exchange.netError, j.scope.class, j.verdict?.verdict])).toEqual([
        ['net::ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS', 'cors', 'blocked'],
      ]);
    });
  });

  it("proxies: a CONNECT entry (the proxy's HTTPS tunnel) is not governed, a forbidden method no page can use", async () => {
    const tunnel = entry('https://api.example', [], 200, []);
    tunnel.request.method = 'CONNECT';
    const { calls } = await importAndJudge(har('Charles Proxy', [tunnel]));
    expect(summary(calls)).toEqual([['not-governed', 'forbidden-method']]);
    expect(calls[0]!.scope.text).toBe(
      "CONNECT is a forbidden method, which no page can use: a proxy's tunnel, not a CORS call.",
    );
  });
});
