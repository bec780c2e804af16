// When CORS is only the messenger, on the command line: `corscope evaluate` and `corscope har` say what really
// failed first, judged with the other calls of the file. The calls are the ones recorded in Chromium 156
// (tests/fixtures/webrequest/error-responses.json, preflight-refused.json, blocked-by-client.json), as
// capture stores them; the HAR is CORScope's own export of them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toHar } from '../../../src/report/har';
import type { StoredExchange } from '../../../src/store/row';
import { readJsonl } from '../../factories';
import { type RecordedFixture, readFixtures, replay } from '../capture/replay';
import { run } from './run';

const fixtures = readFixtures<RecordedFixture>(new URL('../../fixtures/webrequest/', import.meta.url));
const rowsOf = (name: string): StoredExchange[] =>
  replay(fixtures.find((f) => f.scenario === name)!.events, {
    self: 'chrome-extension://self',
    preflightEnds: false,
  }).rows;

const rows = [...rowsOf('error-responses'), ...rowsOf('preflight-refused'), ...rowsOf('blocked-by-client')];
const API = new URL(rows[0]!.url).origin;
const id = (i: number) => rows[i]!.exchange.id;

const dir = mkdtempSync(join(tmpdir(), 'corscope-messenger-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const jsonl = join(dir, 'calls.jsonl');
writeFileSync(jsonl, `${rows.map((r) => JSON.stringify(r.exchange)).join('\n')}\n`);
const har = join(dir, 'calls.har');
writeFileSync(har, JSON.stringify(toHar(rows)));

interface Line {
  id: string;
  verdict: string;
  cause?: { kind: string; status: number | null; summary: string; corsElsewhere: { calls: number } };
}

const BOOM = `GET ${API}/s/error-responses/boom was answered 500 Internal Server Error (Server: gunicorn): the application failed on this request. The error response carries no CORS headers, so the browser reports a CORS failure; the real failure is the 500.`;

describe('corscope evaluate', () => {
  it('--format json: each failed call carries its cause, with what the calls before it showed', async () => {
    const { code, out } = await run(['evaluate', jsonl]);
    expect(code).toBe(0);
    const got = readJsonl<Line>(out);
    expect(got.map((l) => [l.verdict, l.cause?.kind ?? null, l.cause?.status ?? null])).toEqual([
      ['allowed', null, null],
      ['blocked', 'error-response', 500],
      ['blocked', 'error-response', 502],
      ['blocked', 'error-response', 413],
      ['blocked', 'preflight-refused', 401],
      ['blocked', 'preflight-refused', 403],
      ['blocked', 'preflight-refused', 405],
      ['blocked', 'preflight-refused', 404],
      ['network-error', 'not-cors', null],
    ]);
    // The 500 came after one call its server answered with CORS headers, and before the 413's preflight.
    expect(got[1]!.cause!.corsElsewhere.calls).toBe(1);
    expect(got[1]!.cause!.summary).toBe(
      `${BOOM} ${API} answers other calls in this file with CORS headers (1 call: ${id(0)}), so its CORS setup works; this error response skips it (an error handler, a gateway or a CDN error page answered without it).`,
    );
  });

  it('--format text: what really failed first, the CORS part second, with every call of the file as evidence', async () => {
    const { code, out } = await run(['evaluate', '--format', 'text', jsonl]);
    expect(code).toBe(0);
    const line = out.split('\n').find((l) => l.includes('/s/error-responses/boom'))!;
    expect(line).toContain(
      `${BOOM} ${API} answers other calls in this file with CORS headers (3 calls: ${id(0)}, ${id(3)}, ${id(5)}), so its CORS setup works; this error response skips it (an error handler, a gateway or a CDN error page answered without it). CORS part: the response from ${API} has no Access-Control-Allow-Origin header.`,
    );
    const blockedByClient = out.split('\n').find((l) => l.includes('/s/blocked-by-client/'))!;
    expect(blockedByClient).toMatch(
      /network-error +Not a CORS failure: An extension in the browser \(an ad or tracker blocker, a privacy tool\) blocked the request before it was sent: not a CORS matter\.$/,
    );
  });
});

describe('corscope har', () => {
  it('the table says what really failed first; the exit status still follows the CORS verdicts', async () => {
    const { code, out } = await run(['har', har]);
    expect(code).toBe(2);
    const auth = out.split('\n').find((l) => l.includes('/s/preflight-refused/auth'))!;
    expect(auth).toContain(
      `The preflight (OPTIONS ${API}/s/preflight-refused/auth) was refused with 401 Unauthorized: authentication or authorization runs before the server's CORS handling, and a browser never sends cookies or an Authorization header with a preflight, so it fails there whatever the page sends. CORS part: the preflight (OPTIONS) response from ${API} has no Access-Control-Allow-Origin header, so the browser never sent the PUT. [the recording shows the browser failed the call]`,
    );
  });

  it('--format jsonl carries the cause; --format markdown says it first in each blocked call', async () => {
    const lines = readJsonl<Line>((await run(['har', har, '--format', 'jsonl'])).out);
    expect(lines.filter((l) => l.cause).map((l) => l.cause!.kind)).toEqual([
      'error-response',
      'error-response',
      'error-response',
      'preflight-refused',
      'preflight-refused',
      'preflight-refused',
      'preflight-refused',
      'not-cors',
    ]);
    const md = (await run(['har', har, '--format', 'markdown'])).out;
    const section = md.slice(md.indexOf(`### 2. GET \`${API}/s/error-responses/gateway\``));
    expect(
      section.slice(section.indexOf('What really failed'), section.indexOf('Console:')).split('\n'),
    ).toEqual([
      `What really failed: GET ${API}/s/error-responses/gateway was answered 502 Bad Gateway (Server: nginx): a gateway or proxy got no valid answer from the application behind it. The error response carries no CORS headers, so the browser reports a CORS failure; the real failure is the 502. ${API} answers other calls in this file with CORS headers (3 calls: ${id(0)}, ${id(3)}, ${id(5)}), so its CORS setup works; this error response skips it (an error handler, a gateway or a CDN error page answered without it). Its other answers came from Server: gunicorn, this one from Server: nginx: a different layer answered it.`,
      '',
      'First: Fix the 502 first: it is why the call failed. Then have error responses carry the same CORS headers as the others (in the error handler, or at the gateway: nginx adds headers to an error only with "always"), so the page can read the error instead of a CORS failure.',
      '',
      `CORS part: Blocked: the response from ${API} has no Access-Control-Allow-Origin header.`,
      '',
      '',
    ]);
  });
});

describe('a 502 before the first call its server answered with CORS headers', () => {
  const call = (id: string, status: number, headers: [string, string][]) => ({
    id,
    initiator: 'https://a.example',
    credentials: 'omit',
    request: { method: 'GET', url: `https://b.example/${id}` },
    wire: [
      {
        type: 'request',
        request: { method: 'GET', url: `https://b.example/${id}`, headers: [] },
        response: { status, headers },
      },
    ],
  });
  const file = join(dir, 'first-502.jsonl');
  writeFileSync(
    file,
    [
      call('fail', 502, [['Server', 'cloudflare']]),
      call('ok', 200, [
        ['Access-Control-Allow-Origin', 'https://a.example'],
        ['Server', 'nginx'],
      ]),
    ]
      .map((c) => JSON.stringify(c))
      .join('\n'),
  );
  const streamed =
    "GET https://b.example/fail was answered 502 Bad Gateway (Server: cloudflare): a gateway or proxy got no valid answer from the application behind it. The error response carries no CORS headers, so the browser reports a CORS failure; the real failure is the 502. Nothing before this call in this file shows whether https://b.example's CORS setup works: fix the 502 first, then look at CORS again.";

  it('evaluate --format json, which goes out call by call, speaks of the calls before it', async () => {
    const lines = readJsonl<Line>((await run(['evaluate', file])).out);
    expect(lines[0]!.cause!.summary).toBe(streamed);
  });

  it('har --format jsonl, the same', async () => {
    const entry = (id: string, status: number, headers: [string, string][]) => ({
      startedDateTime: '2025-01-01T00:00:00.000Z',
      request: {
        method: 'GET',
        url: `https://b.example/${id}`,
        headers: [{ name: 'Origin', value: 'https://a.example' }],
      },
      response: { status, headers: headers.map(([name, value]) => ({ name, value })) },
    });
    const har = JSON.stringify({
      log: {
        version: '1.2',
        creator: { name: 'x', version: '1' },
        entries: [
          entry('fail', 502, [['Server', 'cloudflare']]),
          entry('ok', 200, [
            ['Access-Control-Allow-Origin', 'https://a.example'],
            ['Server', 'nginx'],
          ]),
        ],
      },
    });
    const lines = readJsonl<Line>((await run(['har', '-', '--format', 'jsonl'], har)).out);
    expect(lines[0]!.cause!.summary).toBe(streamed);
  });

  it('the table, which waits for every call, speaks of the file', async () => {
    const { out } = await run(['evaluate', '--format', 'text', file]);
    expect(out).toContain(
      'https://b.example answers other calls in this file with CORS headers (1 call: ok), so its CORS setup works; this error response skips it (an error handler, a gateway or a CDN error page answered without it). Its other answers came from Server: nginx, this one from Server: cloudflare: a different layer answered it.',
    );
  });
});
