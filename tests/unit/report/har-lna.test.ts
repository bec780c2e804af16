// Local Network Access through HAR files: CORScope's own HAR keeps the address spaces, the permissions and the
// browser's error, and a DevTools HAR's stopped preflight (`_error` net::ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS)
// is recognized. DevTools' HAR writes no address space and, for a simple request the check stopped, only
// "net::ERR_FAILED" with no response: that call stays a request with no response. A Firefox capture's
// headersJoined survives the trip too.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Exchange, evaluateAll } from '../../../src/cors/index';
import { toHar } from '../../../src/report/har';
import { HarImport, type ImportedExchange } from '../../../src/report/har-import';
import type { HarEntry } from '../../../src/report/har-types';
import { readJsonl } from '../../factories';
import { storedRows } from '../ui/rows';

const lna = readJsonl<Exchange>(
  readFileSync(join(process.cwd(), 'tests/fixtures/exchange/lna/samples.jsonl'), 'utf8'),
);

/** The calls of a HAR (a whole file's JSON), as the streaming import reads them. */
async function importHar(har: object) {
  const imp = new HarImport();
  const exchanges: ImportedExchange[] = [];
  for await (const call of imp.calls([JSON.stringify(har)])) exchanges.push(call);
  return { exchanges, issues: imp.issues };
}

const STOPPED = 'net::ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS';

const pick = (v: ReturnType<typeof evaluateAll>[number]) => ({
  id: v.id,
  verdict: v.verdict,
  stage: v.error?.stage ?? null,
  chromium: v.error?.chromium ?? null,
  console: v.error?.console ?? null,
  localNetwork: v.localNetwork ?? null,
});

describe("CORScope's HAR", () => {
  it('round-trips every Local Network Access sample: same verdict, stage, line and address spaces', async () => {
    const rows = storedRows(lna);
    const { exchanges, issues } = await importHar(toHar(rows));
    expect(issues).toEqual([]);
    const again = evaluateAll(exchanges.map((e) => e.exchange));
    expect(again.map(pick)).toEqual(rows.map((r) => pick(r.evaluation)));
    expect(again.filter((v) => v.localNetwork?.blocked)).toHaveLength(9);
  });

  it("writes the call's error on the stopped request's entry, and the server's address space in _cors", () => {
    const rows = storedRows([{ ...lna.find((e) => e.id === 'l001')!, netError: STOPPED }]);
    const [entry] = toHar(rows).log.entries;
    expect(entry!.response._error).toBe(STOPPED);
    expect(entry!._cors).toMatchObject({
      addressSpace: 'loopback',
      call: { addressSpace: 'public', localNetworkAccess: 'denied', netError: STOPPED },
    });
  });

  it("carries a stopped preflight's error through, with what webRequest reported for the request behind it", async () => {
    // No address space recorded: only the browser's error says the check stopped it.
    const l005 = lna.find((e) => e.id === 'l005')!;
    const { addressSpace: _page, ...call } = l005;
    const rows = storedRows([
      { ...call, wire: l005.wire.map(({ addressSpace: _server, ...w }) => w), netError: STOPPED },
    ]);
    rows[0]!.exchange.capture.netError = 'net::ERR_FAILED';
    expect(rows[0]!.evaluation.localNetwork?.blocked).toBe(true);
    const har = toHar(rows);
    expect(har.log.entries.map((e) => [e._cors?.role, e.response._error])).toEqual([
      ['preflight', STOPPED],
      ['unsent', 'net::ERR_FAILED'],
    ]);
    const { exchanges, issues } = await importHar(har);
    expect(issues).toEqual([]);
    expect(exchanges.map((e) => e.exchange.netError)).toEqual([STOPPED]);
    const [again] = evaluateAll([exchanges[0]!.exchange]);
    expect(pick(again!)).toEqual(pick(rows[0]!.evaluation));
    expect(again!.localNetwork?.basis).toBe(`the browser's error ${STOPPED}`);
  });

  it("imports an older export, which wrote the stopped preflight's error in its entry's _cors.netError", async () => {
    // Exported before the call's error lived only in _cors.call.netError: Chromium's preflight stop as capture
    // stored it (tests/fixtures/webrequest-lna/lna-preflight.json), with webRequest's net::ERR_FAILED as the call's.
    const har = JSON.parse(
      readFileSync(join(process.cwd(), 'tests/fixtures/har/corscope-lna-preflight-older.har'), 'utf8'),
    );
    expect(har.log.entries.map((e: HarEntry) => [e._cors?.role, e._cors?.netError ?? null])).toEqual([
      ['preflight', STOPPED],
      ['unsent', null],
    ]);
    expect(har.log.entries[1]._cors.call.netError).toBe('net::ERR_FAILED');
    const { exchanges, issues } = await importHar(har);
    expect(issues).toEqual([]);
    expect(exchanges.map((e) => e.exchange.netError)).toEqual([STOPPED]);
    const [v] = evaluateAll([exchanges[0]!.exchange]);
    expect(pick(v!)).toMatchObject({
      verdict: 'blocked',
      stage: 'preflight',
      chromium: 'LocalNetworkAccessPermissionDenied',
      console:
        "Access to fetch at 'http://127.0.0.1:46853/lna/ok/put' from origin 'https://pub.test:45089' has been blocked by CORS policy: Permission was denied for this request to access the `loopback` address space.",
      localNetwork: { resource: 'loopback', blocked: true, basis: `the browser's error ${STOPPED}` },
    });
  });

  it('reports a malformed address space as bad input, naming the field', async () => {
    const har = JSON.parse(JSON.stringify(toHar(storedRows([lna[0]!]))));
    har.log.entries[0]._cors.call.addressSpace = 'intranet';
    const { issues } = await importHar(har);
    expect(issues.map((i) => i.message)).toEqual([
      '_cors.call.addressSpace: must be one of "public", "local", "loopback"; entry skipped',
    ]);
  });
});

describe("DevTools' HAR", () => {
  const page = 'https://pub.test:8443';
  const api = 'http://127.0.0.1:9000/lna/put';
  const entry = (o: {
    type: string;
    method: string;
    headers: [string, string][];
    error: string;
    initiator: object;
  }) => ({
    startedDateTime: '2026-01-01T12:00:00.000Z',
    time: 0,
    _resourceType: o.type,
    _initiator: o.initiator,
    pageref: 'page_1',
    request: {
      method: o.method,
      url: api,
      httpVersion: '',
      headers: o.headers.map(([name, value]) => ({ name, value })),
      queryString: [],
      cookies: [],
      headersSize: -1,
      bodySize: 0,
    },
    response: {
      status: 0,
      statusText: '',
      httpVersion: '',
      headers: [],
      cookies: [],
      content: { size: 0, mimeType: 'x-unknown' },
      redirectURL: '',
      headersSize: -1,
      bodySize: -1,
      _error: o.error,
    },
    cache: {},
    timings: { blocked: -1, dns: -1, connect: -1, ssl: -1, send: 0, wait: 0, receive: 0 },
  });

  it('takes a preflight DevTools recorded as stopped by the check for the Local Network Access failure', async () => {
    const entries = [
      entry({
        type: 'fetch',
        method: 'PUT',
        headers: [
          ['X-Custom', 'v1'],
          ['Referer', `${page}/`],
        ],
        error: 'net::ERR_FAILED',
        initiator: { type: 'script', url: `${page}/app.js` },
      }),
      entry({
        type: 'preflight',
        method: 'OPTIONS',
        headers: [
          ['Origin', page],
          ['Access-Control-Request-Method', 'PUT'],
          ['Access-Control-Request-Headers', 'x-custom'],
        ],
        error: STOPPED,
        initiator: { type: 'preflight' },
      }),
    ];
    const { exchanges, issues } = await importHar({
      log: { version: '1.2', creator: { name: 'WebInspector', version: '537.36' }, pages: [], entries },
    });
    expect(issues).toEqual([]);
    expect(exchanges).toHaveLength(1);
    // The call ends at the preflight: its error is the call's, not the request's net::ERR_FAILED.
    expect(exchanges[0]!.exchange.wire.map((w) => [w.type, w.response])).toEqual([['preflight', null]]);
    expect(exchanges[0]!.exchange.netError).toBe(STOPPED);
    const [v] = evaluateAll([exchanges[0]!.exchange]);
    expect(pick(v!)).toMatchObject({
      verdict: 'blocked',
      stage: 'preflight',
      chromium: 'LocalNetworkAccessPermissionDenied',
      console:
        "Access to fetch at 'http://127.0.0.1:9000/lna/put' from origin 'https://pub.test:8443' has been blocked by CORS policy: Permission was denied for this request to access the `loopback` address space.",
    });
  });
});

describe("CORScope's HAR of a Firefox capture", () => {
  it('keeps headersJoined, so the joined Access-Control-Allow-Origin reads the same under Firefox rules', async () => {
    const ex: Exchange = {
      id: 'joined',
      initiator: 'http://127.0.0.1:8101',
      request: { method: 'GET', url: 'http://127.0.0.1:8102/twice' },
      wire: [
        {
          type: 'request',
          request: {
            method: 'GET',
            url: 'http://127.0.0.1:8102/twice',
            headers: [['Origin', 'http://127.0.0.1:8101']],
          },
          response: {
            status: 200,
            headers: [['Access-Control-Allow-Origin', 'http://127.0.0.1:8101, http://127.0.0.1:8101']],
          },
        },
      ],
      headersJoined: true,
    };
    const har = toHar(storedRows([ex]));
    expect(har.log.entries[0]!._cors).toMatchObject({ call: { headersJoined: true } });
    const { exchanges, issues } = await importHar(JSON.parse(JSON.stringify(har)));
    expect(issues).toEqual([]);
    expect(exchanges[0]!.exchange.headersJoined).toBe(true);
    const [v] = evaluateAll([exchanges[0]!.exchange], { engine: 'firefox' });
    expect(v!.error?.firefox).toBe('CORSMultipleAllowOriginNotAllowed');
  });
});
