// Secrets stay out of storage and exports: one redaction rule at capture, at HAR import and at export.
import { describe, expect, it } from 'vitest';
import { CaptureController, type CaptureSink } from '../../../src/capture/controller';
import type { RawDetails, RawKind } from '../../../src/capture/events';
import { makeRedactor, redactUrl } from '../../../src/capture/redact';
import { handleMessage, normalizeSettings, type Settings } from '../../../src/messaging/protocol';
import { toHar } from '../../../src/report/har';
import type { StoredExchange } from '../../../src/store/row';
import { importHar } from '../../../src/ui/import-har';
import { memoryCommands, memorySource } from '../../../src/ui/memory-source';
import { API, PAGE } from '../../factories';
import { MemoryExchangeStore } from '../../memory-store';

const SECRETS = ['tok3n-AAAA', 'c0de-BBBB', 'k3y-CCCC', 's1g-DDDD', 'pa55-EEEE', 'ap1-FFFF', 'xapi-GGGG'];
const SECRET_HEADERS: [string, string][] = [
  ['X-API-Key', 'xapi-GGGG'],
  ['X-Auth-Token', 'xauth-HHHH'],
  ['X-CSRF-Token', 'csrf-IIII'],
  ['Cookie', 'session=cookie-JJJJ'],
  ['Authorization', 'Bearer bearer-KKKK'],
];
const ALL_SECRETS = [
  ...SECRETS,
  'xauth-HHHH',
  'csrf-IIII',
  'cookie-JJJJ',
  'bearer-KKKK',
  'setc-LLLL',
  'loc-MMMM',
];
const URL = `${API}/data?access_token=tok3n-AAAA&code=c0de-BBBB&key=k3y-CCCC&sig=s1g-DDDD&password=pa55-EEEE&api_key=ap1-FFFF&page=2`;

/** One blocked GET (no Access-Control-Allow-Origin) captured through the controller, as webRequest reports it. */
function capture(settings: Partial<Settings> = {}): StoredExchange[] {
  const rows: StoredExchange[] = [];
  const sink: CaptureSink = { enqueue: (r) => rows.push(r), addCounts: () => {}, clearTab: () => {} };
  const s = normalizeSettings(settings);
  const c = new CaptureController(sink, s, 'chrome-extension://self');
  const base = { requestId: 'r1', url: URL, method: 'GET', tabId: 3, frameId: 0, initiator: PAGE };
  const raw = (kind: RawKind, extra: Partial<RawDetails>) =>
    c.handle(kind, { ...base, type: 'xmlhttprequest', timeStamp: 1000, ...extra });
  raw('onSendHeaders', {
    requestHeaders: [
      { name: 'Origin', value: PAGE },
      { name: 'Referer', value: `${PAGE}/app?token=tok3n-AAAA` },
      ...SECRET_HEADERS.map(([name, value]) => ({ name, value })),
      { name: 'X-Session', value: 'sess-NNNN' },
    ],
  });
  raw('onHeadersReceived', {
    statusCode: 200,
    responseHeaders: [
      { name: 'Set-Cookie', value: 'id=setc-LLLL' },
      { name: 'Location', value: '/next?code=loc-MMMM' },
    ],
  });
  raw('onErrorOccurred', { error: 'net::ERR_FAILED', timeStamp: 1001 });
  c.sweep(Number.POSITIVE_INFINITY);
  return rows;
}

describe('redaction at capture', () => {
  const [row] = capture();

  it('keeps no secret of the default list anywhere in the stored row', () => {
    expect(row).toBeDefined();
    const text = JSON.stringify(row);
    for (const secret of ALL_SECRETS) expect(text, secret).not.toContain(secret);
  });

  it('keeps names and lengths: query values in URLs, header values as "[redacted: N bytes]"', () => {
    expect(row!.url).toBe(
      `${API}/data?access_token=[redacted:10-bytes]&code=[redacted:9-bytes]&key=[redacted:8-bytes]&sig=[redacted:8-bytes]&password=[redacted:9-bytes]&api_key=[redacted:8-bytes]&page=2`,
    );
    const headers = Object.fromEntries(row!.exchange.wire[0]!.request.headers!);
    expect(headers['X-API-Key']).toBe('[redacted: 9 bytes]');
    expect(headers['X-Auth-Token']).toBe('[redacted: 10 bytes]');
    expect(headers['X-CSRF-Token']).toBe('[redacted: 9 bytes]');
    expect(headers.Referer).toBe(`${PAGE}/app?token=[redacted:10-bytes]`);
    // Not in the default list.
    expect(headers['X-Session']).toBe('sess-NNNN');
    const res = Object.fromEntries(row!.exchange.wire[0]!.response!.headers);
    expect(res.Location).toBe('/next?code=[redacted:8-bytes]');
    // The verdict explains the call from the redacted URL.
    expect(row!.evaluation.verdict).toBe('blocked');
    expect(row!.evaluation.error?.console).toContain('access_token=[redacted:10-bytes]');
  });

  it('takes the lists from the settings', () => {
    const [mine] = capture({ redactHeaders: ['x-session'], redactParams: ['page'] });
    expect(mine!.url).toContain('access_token=tok3n-AAAA');
    expect(mine!.url).toContain('page=[redacted:1-bytes]');
    const headers = Object.fromEntries(mine!.exchange.wire[0]!.request.headers!);
    expect(headers['X-Session']).toBe('[redacted: 9 bytes]');
    // Cookie and Authorization whatever the list says.
    expect(headers.Cookie).toBe('[redacted: 19 bytes]');
    expect(headers['X-API-Key']).toBe('xapi-GGGG');
  });

  it('redacts a password in a URL, and leaves a URL without secrets as it is', () => {
    const params = new Set(['token']);
    expect(redactUrl('http://user:hunter2@api.test/a?token=x#token=y', params)).toBe(
      'http://[redacted:4-bytes]:[redacted:7-bytes]@api.test/a?token=[redacted:1-bytes]#token=[redacted:1-bytes]',
    );
    expect(redactUrl('http://api.test/a?b=1', params)).toBe('http://api.test/a?b=1');
    expect(redactUrl('/cb?%54oken=abc', params)).toBe('/cb?%54oken=[redacted:3-bytes]');
    // Names compare decoded ("+" is a space), trimmed and in any case.
    expect(redactUrl('/cb?TOKEN=abcd&+token=ab&x=1', params)).toBe(
      '/cb?TOKEN=[redacted:4-bytes]&+token=[redacted:2-bytes]&x=1',
    );
  });

  it('a "?" inside the fragment starts fragment parameters, not the query (hash routers)', () => {
    const params = new Set(['token', 'access_token', 'code']);
    expect(redactUrl('https://a.example/cb#state=1?token=abc', params)).toBe(
      'https://a.example/cb#state=1?token=[redacted:3-bytes]',
    );
    expect(redactUrl('https://a.example/cb#x?y=1&access_token=SECRET', params)).toBe(
      'https://a.example/cb#x?y=1&access_token=[redacted:6-bytes]',
    );
    expect(redactUrl('https://app.example/#/callback?code=XYZ&state=s', params)).toBe(
      'https://app.example/#/callback?code=[redacted:3-bytes]&state=s',
    );
    expect(redactUrl('https://a.example/p?code=12#token=abcd', params)).toBe(
      'https://a.example/p?code=[redacted:2-bytes]#token=[redacted:4-bytes]',
    );
    expect(redactUrl('https://a.example/p?q=1#frag', params)).toBe('https://a.example/p?q=1#frag');
  });

  it('redacts a user name in a URL too, keeping its length, so the URL still shows it carried credentials', () => {
    const params = new Set<string>();
    expect(redactUrl('https://ghp_SECRETTOKEN@github.com/x', params)).toBe(
      'https://[redacted:15-bytes]@github.com/x',
    );
    expect(redactUrl('https://u:p@h.example/', params)).toBe(
      'https://[redacted:1-bytes]:[redacted:1-bytes]@h.example/',
    );
    const once = redactUrl('https://user:pass@h.example/', params);
    expect(redactUrl(once, params)).toBe('https://[redacted:4-bytes]:[redacted:4-bytes]@h.example/');
  });
});

describe('a changed list applies to stored rows before they are exported', () => {
  it('every format: nothing of the newly listed names leaves, in the exchange or in the verdict', async () => {
    const [row] = capture({ redactParams: [] });
    expect(row!.url).toContain('tok3n-AAAA');
    const store = new MemoryExchangeStore();
    store.enqueue(row!);
    const settings = normalizeSettings({ redactHeaders: ['x-session'] });
    for (const format of ['jsonl', 'har', 'markdown'] as const) {
      const text = await handleMessage(
        { source: 'corscope', type: 'export', format },
        { store, getSettings: () => settings, setSettings: () => settings },
      );
      for (const secret of [...ALL_SECRETS, 'sess-NNNN'])
        expect(text, `${format}: ${secret}`).not.toContain(secret);
      expect(text).toContain('access_token=[redacted:10-bytes]');
    }
  });
});

describe('redaction at HAR import', () => {
  const har = {
    log: {
      version: '1.2',
      creator: { name: 'CORScope', version: '0.1.0' },
      entries: [
        {
          startedDateTime: '2025-01-01T00:00:00.000Z',
          request: {
            method: 'GET',
            url: URL,
            headers: [
              { name: 'Origin', value: PAGE },
              ...SECRET_HEADERS.map(([name, value]) => ({ name, value })),
            ],
          },
          response: {
            status: 200,
            headers: [
              { name: 'Access-Control-Allow-Origin', value: PAGE },
              { name: 'Set-Cookie', value: 'id=setc-LLLL' },
            ],
          },
          _cors: {
            pair: 'p1',
            hop: 0,
            role: 'request',
            verdict: 'allowed',
            preflight: 'none',
            summary: `Allowed: ${URL}`,
            error: null,
            checks: [],
            fixes: [],
            advice: [],
            warnings: [],
            call: {
              initiator: PAGE,
              request: { method: 'GET', url: URL, headers: [['Authorization', 'Bearer bearer-KKKK']] },
            },
          },
        },
      ],
    },
  };

  it('re-exported as JSON Lines, HAR and Markdown, the calls carry no secret', async () => {
    const { rows, errors } = await importHar([JSON.stringify(har)]);
    expect(errors).toEqual([]);
    expect(rows).toHaveLength(1);
    const commands = memoryCommands(memorySource(rows));
    const texts = [
      await commands.exportJsonl(),
      await commands.exportHar(),
      await commands.exportMarkdown(),
      JSON.stringify(toHar(rows)),
    ];
    for (const text of texts) for (const secret of ALL_SECRETS) expect(text, secret).not.toContain(secret);
    expect(rows[0]!.exchange.request.headers).toEqual([['Authorization', '[redacted: 18 bytes]']]);
  });

  it('the same rule as capture: a redactor is idempotent on what it redacted', () => {
    const r = makeRedactor();
    const once = r.url(URL);
    expect(r.url(once)).toBe(once);
    expect(r.headers([['Cookie', '[redacted: 3 bytes]']])).toEqual([['Cookie', '[redacted: 3 bytes]']]);
  });
});
