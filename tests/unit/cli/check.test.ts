// `corscope check RECORDING --against BASE_URL` against loopback servers: which calls it replays and how (the
// safety rule, the preflight cache, other origins skipped), the deployment gate's exit status, its output, and a
// Chrome DevTools HAR of the recorded samples replayed against a server that answers as the recording did, with
// the verdicts Chromium gave then (chromium-samples.truth.jsonl) as the oracle.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Exchange } from '../../../src/cors/types';
import { routeRecording, sampleRewriter } from '../../e2e/harness/samples';
import { type ScenarioServer, startScenarioServer } from '../../e2e/harness/server';
import { readJsonl } from '../../factories';
import { run } from './run';

const PAGE = 'https://app.example';
const RECORDED_API = 'https://api.example';

const dir = mkdtempSync(join(tmpdir(), 'corscope-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function recording(name: string, exchanges: Exchange[]): string {
  const file = join(dir, name);
  writeFileSync(file, exchanges.map((e) => JSON.stringify(e)).join('\n'));
  return file;
}

const allowedGet = (id: string, path: string): Exchange => ({
  id,
  initiator: PAGE,
  credentials: 'same-origin',
  request: { method: 'GET', url: `${RECORDED_API}${path}`, headers: [] },
  wire: [
    {
      type: 'request',
      request: { method: 'GET', url: `${RECORDED_API}${path}`, headers: [['Origin', PAGE]] },
      response: { status: 200, headers: [['Access-Control-Allow-Origin', PAGE]] },
    },
  ],
});

const allowedPut = (id: string, path: string): Exchange => ({
  id,
  initiator: PAGE,
  credentials: 'same-origin',
  request: { method: 'PUT', url: `${RECORDED_API}${path}`, headers: [['X-Custom', '1']] },
  wire: [
    {
      type: 'preflight',
      request: {
        method: 'OPTIONS',
        url: `${RECORDED_API}${path}`,
        headers: [
          ['Origin', PAGE],
          ['Access-Control-Request-Method', 'PUT'],
          ['Access-Control-Request-Headers', 'x-custom'],
        ],
      },
      response: {
        status: 204,
        headers: [
          ['Access-Control-Allow-Origin', PAGE],
          ['Access-Control-Allow-Methods', 'PUT'],
          ['Access-Control-Allow-Headers', 'x-custom'],
        ],
      },
    },
    {
      type: 'request',
      request: {
        method: 'PUT',
        url: `${RECORDED_API}${path}`,
        headers: [
          ['Origin', PAGE],
          ['X-Custom', '1'],
        ],
      },
      response: { status: 200, headers: [['Access-Control-Allow-Origin', PAGE]] },
    },
  ],
});

describe('corscope check', () => {
  let server: ScenarioServer;
  beforeAll(async () => {
    server = await startScenarioServer();
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  const allow = { status: 200, headers: [['Access-Control-Allow-Origin', PAGE]] as [string, string][] };
  const preflightOk = (maxAge: string) => ({
    status: 204,
    headers: [
      ['Access-Control-Allow-Origin', PAGE],
      ['Access-Control-Allow-Methods', 'PUT'],
      ['Access-Control-Allow-Headers', 'X-Custom'],
      ['Access-Control-Max-Age', maxAge],
    ] as [string, string][],
  });

  it('exits 0 when every call that worked still works, and moves the recorded URLs to BASE_URL', async () => {
    server.route('/a', { actual: allow });
    const file = recording('ok.jsonl', [allowedGet('c1', '/a?x=1')]);
    const { code, out } = await run(['check', file, '--against', server.origins.api]);
    expect(code).toBe(0);
    expect(server.requests.map((r) => [r.method, r.url, r.headers.origin])).toEqual([
      ['GET', '/a?x=1', PAGE],
    ]);
    expect(out).toContain(`No call that worked in the recording would be blocked by ${server.origins.api}.`);
    expect(out).toContain('1 calls in the recording: 1 allowed.');
  });

  it('exits 2 and explains each call that worked in the recording and is blocked now', async () => {
    server.route('/a', { actual: { status: 200, headers: [] } });
    server.route('/b', { actual: allow });
    const file = recording('staging.jsonl', [allowedGet('c1', '/a'), allowedGet('c2', '/b')]);
    const { code, out } = await run(['check', file, '--against', `${server.origins.api}/`]);
    expect(code).toBe(2);
    expect(out).toContain(`1 call that worked in the recording would be blocked by ${server.origins.api}:`);
    expect(out).toContain(
      `Access to fetch at '${server.origins.api}/a' from origin '${PAGE}' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.`,
    );
    expect(out).toContain(
      `On the response to GET ${server.origins.api}/a: set Access-Control-Allow-Origin: ${PAGE}`,
    );
  });

  it("puts the base URL's path in front, and replays from --origin when given", async () => {
    server.route('/v2/a', {
      actual: { status: 200, headers: [['Access-Control-Allow-Origin', 'https://other.example']] },
    });
    const file = recording('prefix.jsonl', [allowedGet('c1', '/a')]);
    const { code, out } = await run([
      'check',
      file,
      '--against',
      `${server.origins.api}/v2`,
      '--origin',
      'https://other.example',
      '--format',
      'json',
    ]);
    expect(code).toBe(0);
    expect(server.requests.map((r) => [r.url, r.headers.origin])).toEqual([
      ['/v2/a', 'https://other.example'],
    ]);
    const j = JSON.parse(out);
    expect(j.calls[0]).toMatchObject({
      id: 'c1',
      url: `${server.origins.api}/v2/a`,
      recorded: 'allowed',
      regression: false,
    });
    expect(j.calls[0].now.verdict.verdict).toBe('allowed');
  });

  it('sends preflights only without --send, and the requests with it', async () => {
    server.route('/p', { preflight: preflightOk('0'), actual: allow });
    const file = recording('put.jsonl', [allowedPut('c1', '/p')]);
    const held = await run(['check', file, '--against', server.origins.api]);
    expect(held.code).toBe(0);
    expect(server.requests.map((r) => r.method)).toEqual(['OPTIONS']);
    expect(held.out).toContain('preflight passed');
    expect(held.out).toContain('PUT not sent (--send sends it)');
    server.reset();
    server.route('/p', { preflight: preflightOk('0'), actual: allow });
    const sent = await run(['check', file, '--against', server.origins.api, '--send']);
    expect(sent.code).toBe(0);
    expect(server.requests.map((r) => r.method)).toEqual(['OPTIONS', 'PUT']);
  });

  it('plays calls to one URL in order through the preflight cache, as the browser does', async () => {
    server.route('/p', { preflight: preflightOk('600'), actual: allow });
    const file = recording('cache.jsonl', [
      allowedPut('c1', '/p'),
      allowedPut('c2', '/p'),
      allowedPut('c3', '/p'),
    ]);
    const { code } = await run([
      'check',
      file,
      '--against',
      server.origins.api,
      '--send',
      '--concurrency',
      '8',
    ]);
    expect(code).toBe(0);
    expect(server.requests.map((r) => r.method)).toEqual(['OPTIONS', 'PUT', 'PUT', 'PUT']);
  });

  it('skips calls to other origins, calls CORS did not govern, and a simple POST without --send', async () => {
    const other: Exchange = {
      ...allowedGet('c2', '/x'),
      request: { method: 'GET', url: 'https://cdn.example/x' },
    };
    other.wire = [
      { ...other.wire[0]!, request: { ...other.wire[0]!.request, url: 'https://cdn.example/x' } },
    ];
    const sameOrigin: Exchange = {
      id: 'c3',
      initiator: RECORDED_API,
      request: { method: 'GET', url: `${RECORDED_API}/same` },
      wire: [
        {
          type: 'request',
          request: { method: 'GET', url: `${RECORDED_API}/same`, headers: [] },
          response: { status: 200, headers: [] },
        },
      ],
    };
    const post: Exchange = {
      ...allowedGet('c4', '/post'),
      request: { method: 'POST', url: `${RECORDED_API}/post`, headers: [['Content-Type', 'text/plain']] },
    };
    const file = recording('skip.jsonl', [allowedGet('c1', '/a'), other, sameOrigin, post]);
    server.route('/a', { actual: allow });
    const { code, out } = await run(['check', file, '--against', server.origins.api, '--format', 'json']);
    expect(code).toBe(0);
    const j = JSON.parse(out);
    expect(j.calls.map((c: { id: string; skipped: string | null }) => [c.id, c.skipped])).toEqual([
      ['c1', null],
      ['c2', `to https://cdn.example, not ${RECORDED_API} (--from)`],
      ['c3', 'not a CORS call (same-origin in the recording)'],
      ['c4', 'POST needs no preflight: not sent without --send'],
    ]);
    expect(server.requests.map((r) => r.path)).toEqual(['/a']);
  });

  it('reports a server that does not answer (exit 1) and bad lines of the recording', async () => {
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, `${JSON.stringify(allowedGet('c1', '/a'))}\nnot json\n`);
    const { code, err, out } = await run([
      'check',
      file,
      '--against',
      'http://127.0.0.1:9',
      '--timeout',
      '2',
    ]);
    expect(code).toBe(1);
    expect(err).toContain('corscope check: line 2: not JSON');
    expect(out).toContain('127.0.0.1:9 refused the connection');
  });

  it.each([
    [[], 'a RECORDING is needed'],
    [['x.har'], '--against is needed'],
    [['x.har', '--against', 'ftp://x'], 'only http: and https: URLs can be probed'],
    [['x.har', '--against', 'http://x', '--rate', '0'], '--rate takes a whole number from 1 to 1000'],
    [['x.har', '--against', 'http://x', '--concurrency', 'lots'], '--concurrency takes a whole number'],
  ])('bad usage %j exits 64', async (args, why) => {
    const { code, err } = await run(['check', ...args]);
    expect(code).toBe(64);
    expect(err).toContain(why);
  });

  it('a missing RECORDING exits 66', async () => {
    const { code, err } = await run(['check', join(dir, 'none.har'), '--against', 'http://x.test']);
    expect(code).toBe(66);
    expect(err).toContain('cannot read');
  });

  it("replays a Chrome DevTools HAR of the recorded samples and agrees with Chromium's verdict on every CORS call", async () => {
    // The HAR was recorded from a page on 127.0.0.1:45939 calling 127.0.0.1:34429; this server answers as the
    // recording did, naming that page origin.
    const samples = readJsonl<Exchange>(
      readFileSync(new URL('../../fixtures/exchange/samples.jsonl', import.meta.url), 'utf8'),
    );
    const truth = readJsonl<{ id: string; url: string; ok: boolean; cors: string | null }>(
      readFileSync(new URL('../../fixtures/har/chromium-samples.truth.jsonl', import.meta.url), 'utf8'),
    );
    const toServer = sampleRewriter(server, 9);
    const rewrite = (s: string) =>
      toServer(s)
        .replaceAll(server.origins.page, 'http://127.0.0.1:45939')
        .replaceAll(server.origins.third, 'http://localhost:45939');
    routeRecording(server, samples, rewrite);
    const har = new URL('../../fixtures/har/chromium-samples.har', import.meta.url).pathname;
    const { out } = await run([
      'check',
      har,
      '--against',
      server.origins.api,
      '--send',
      '--rate',
      '1000',
      '--format',
      'json',
    ]);
    const calls = JSON.parse(out).calls as {
      recordedUrl: string;
      skipped: string | null;
      now: { verdict: { verdict: string; error: { console: string | null } | null } } | null;
    }[];
    const replayed = calls.filter((c) => c.now !== null && c.now.verdict.verdict !== 'network-error');
    expect(replayed.length).toBeGreaterThanOrEqual(50);
    // The truth is in call order; a URL the recording reuses has one line per call.
    const byUrl = new Map<string, typeof truth>();
    for (const t of truth) byUrl.set(t.url, [...(byUrl.get(t.url) ?? []), t]);
    for (const c of replayed) {
      const t = byUrl.get(c.recordedUrl)!.shift()!;
      const moved = (s: string | null) =>
        s
          ?.replaceAll('http://127.0.0.1:34429', server.origins.api)
          .replaceAll('http://localhost:34429', server.origins.api2) ?? null;
      expect([c.recordedUrl, c.now!.verdict.verdict], c.recordedUrl).toEqual([
        c.recordedUrl,
        t.ok ? 'allowed' : 'blocked',
      ]);
      if (!t.ok) expect(c.now!.verdict.error?.console).toBe(moved(t.cors));
    }
  });
});
