// Property tests: over arbitrary exchanges the evaluator never throws, is deterministic, always answers with
// one of the verdicts; and the fixes it proposes, applied to the responses, turn a blocked call into an allowed one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyFixes, Evaluator, evaluateAll } from '../../../src/cors/index';
import type { Engine, Exchange, Header, HttpResponse, WireEntry } from '../../../src/cors/types';

const ORIGINS = ['http://127.0.0.1:8101', 'https://app.example', 'null', 'http://localhost:8101'];
const URLS = [
  'http://127.0.0.1:8101/same',
  'http://127.0.0.1:8102/api',
  'https://api.example/v1/x',
  'http://localhost:8102/b',
  'http://user:pass@127.0.0.1:8102/u',
  'data:text/plain,x',
];
const VERDICTS = ['allowed', 'blocked', 'opaque', 'same-origin', 'network-error', 'cannot-tell'];

const oddString = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ minLength: 120, maxLength: 2000 }),
  fc.constantFrom(
    '',
    ' ',
    ',',
    '*',
    'null',
    'true',
    'True',
    '  *  ',
    'a b',
    'x-custom',
    'PUT',
    'put',
    'bytes=0-',
    'bytes=-5',
  ),
);
const headerName = fc.oneof(
  fc.constantFrom(
    'Access-Control-Allow-Origin',
    'access-control-allow-origin',
    'Access-Control-Allow-Credentials',
    'Access-Control-Allow-Methods',
    'Access-Control-Allow-Headers',
    'Access-Control-Expose-Headers',
    'Access-Control-Max-Age',
    'Location',
    'Origin',
    'Content-Type',
    'Range',
    'Accept',
    'Accept-Language',
    'Authorization',
    'Cookie',
    'Set-Cookie',
    'Vary',
    'Sec-Fetch-Mode',
    'X-Custom',
  ),
  fc.string({ maxLength: 10 }),
);
const headerValue = fc.oneof(fc.constantFrom(...ORIGINS, ...URLS), oddString);
const headers: fc.Arbitrary<Header[]> = fc.array(fc.tuple(headerName, headerValue), { maxLength: 8 });
const status = fc.oneof(
  fc.constantFrom(200, 204, 301, 302, 303, 307, 308, 404, 500),
  fc.integer({ min: 0, max: 999 }),
);
const res: fc.Arbitrary<HttpResponse | null> = fc.option(fc.record({ status, headers }), { freq: 6 });
const method = fc.oneof(
  fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'patch', 'PATCH', 'HEAD', 'get'),
  fc.string({ maxLength: 6 }),
);
const wireEntry: fc.Arbitrary<WireEntry> = fc.record({
  type: fc.constantFrom('preflight', 'request'),
  request: fc.record({ method, url: fc.constantFrom(...URLS), headers }),
  response: res,
});

const anyExchange: fc.Arbitrary<Exchange> = fc.record(
  {
    id: fc.string({ minLength: 1, maxLength: 6 }),
    initiator: fc.oneof(fc.constantFrom(...ORIGINS), fc.string({ maxLength: 8 })),
    api: fc.constantFrom('fetch', 'xhr', 'image', 'font', 'script', 'stylesheet', 'other'),
    mode: fc.constantFrom('cors', 'no-cors', 'same-origin', 'navigate'),
    credentials: fc.constantFrom('omit', 'same-origin', 'include'),
    request: fc.record(
      { method, url: fc.oneof(fc.constantFrom(...URLS), fc.string({ maxLength: 10 })), headers },
      { requiredKeys: ['method', 'url'] },
    ),
    wire: fc.array(wireEntry, { maxLength: 6 }),
    outcome: fc.constantFrom('success', 'error'),
  },
  { requiredKeys: ['id', 'initiator', 'request', 'wire'] },
) as fc.Arbitrary<Exchange>;

/** A chain as a browser would put it on the wire: each hop optionally preflighted, redirects pointing on. */
const ACAO = fc.constantFrom<string | null>(
  null,
  '*',
  'http://127.0.0.1:8101',
  'null',
  'http://127.0.0.1:8101/',
  'x y',
  'https://evil.example',
);
const corsHeaders = fc
  .record({
    acao: ACAO,
    acaoTwice: fc.boolean(),
    acac: fc.constantFrom<string | null>(null, 'true', 'True', 'false'),
    acam: fc.constantFrom<string | null>(null, '*', 'PUT', 'put', 'GET, POST', 'PUT DELETE', 'patch'),
    acah: fc.constantFrom<string | null>(
      null,
      '*',
      'x-custom',
      'X-Custom, Content-Type',
      'a b',
      'content-type',
    ),
  })
  .map(({ acao, acaoTwice, acac, acam, acah }) => {
    const h: Header[] = [];
    if (acao !== null) h.push(['Access-Control-Allow-Origin', acao]);
    if (acao !== null && acaoTwice) h.push(['Access-Control-Allow-Origin', acao]);
    if (acac !== null) h.push(['Access-Control-Allow-Credentials', acac]);
    if (acam !== null) h.push(['Access-Control-Allow-Methods', acam]);
    if (acah !== null) h.push(['Access-Control-Allow-Headers', acah]);
    return h;
  });
const hopUrls = [
  'http://127.0.0.1:8102/a',
  'http://localhost:8102/b',
  'http://127.0.0.1:8101/c',
  'https://api.example/d',
  'http://u:p@127.0.0.1:8102/e',
];
const chainExchange: fc.Arbitrary<Exchange> = fc
  .record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'patch'),
    scriptHeaders: fc.subarray<Header>([
      ['Content-Type', 'application/json'],
      ['X-Custom', 'v1'],
      ['Range', 'bytes=-5'],
      ['Accept', 'text/plain'],
      ['Authorization', 'Bearer t'],
    ]),
    credentials: fc.constantFrom('omit', 'same-origin', 'include'),
    hops: fc.array(
      fc.record({
        url: fc.constantFrom(...hopUrls),
        preflight: fc.boolean(),
        preflightStatus: fc.constantFrom(200, 204, 302, 500),
        preflightHeaders: corsHeaders,
        status: fc.constantFrom(200, 404, 500),
        redirect: fc.constantFrom(301, 302, 303, 307, 308),
        headers: corsHeaders,
      }),
      { minLength: 1, maxLength: 3 },
    ),
    stopAt: fc.nat(6),
  })
  .map(({ method, scriptHeaders, credentials, hops, stopAt }) => {
    const wire: WireEntry[] = [];
    hops.forEach((hop, i) => {
      const last = i === hops.length - 1;
      if (hop.preflight) {
        wire.push({
          type: 'preflight',
          request: { method: 'OPTIONS', url: hop.url, headers: [['Origin', 'http://127.0.0.1:8101']] },
          response: { status: hop.preflightStatus, headers: hop.preflightHeaders },
        });
      }
      const h = [...hop.headers];
      if (!last) h.push(['Location', hops[i + 1]!.url]);
      wire.push({
        type: 'request',
        request: { method, url: hop.url, headers: scriptHeaders },
        response: { status: last ? hop.status : hop.redirect, headers: h },
      });
    });
    return {
      id: 'c',
      initiator: 'http://127.0.0.1:8101',
      api: 'fetch',
      mode: 'cors',
      credentials,
      request: { method, url: hops[0]!.url, headers: scriptHeaders },
      // A recording may stop early: the browser stops at the first failure.
      wire: wire.slice(0, Math.max(1, Math.min(wire.length, stopAt + 1))),
    } as Exchange;
  });

describe.each<Engine>(['chromium', 'firefox'])('evaluator properties (%s)', (engine) => {
  it('never throws, always answers one of the verdicts, keeps ids, and is deterministic', () => {
    fc.assert(
      fc.property(fc.array(anyExchange, { minLength: 1, maxLength: 5 }), (stream) => {
        const a = evaluateAll(stream, { engine });
        const b = evaluateAll(stream, { engine });
        expect(a).toEqual(b);
        a.forEach((v, i) => {
          expect(v.id).toBe(stream[i]!.id);
          expect(v.engine).toBe(engine);
          expect(VERDICTS).toContain(v.verdict);
          expect(['none', 'sent', 'cached']).toContain(v.preflight);
          if (v.verdict === 'blocked') expect(v.error?.chromium).toBeTruthy();
          // The recording of what the browser did wins: a call it recorded as successful is never blocked.
          if (stream[i]!.outcome === 'success') expect(v.verdict).not.toBe('blocked');
          if (v.verdict === 'cannot-tell') expect([v.error, v.fixes]).toEqual([null, []]);
          if (v.verdict === 'allowed' || v.verdict === 'same-origin') expect(v.error).toBeNull();
          expect(v.checks.every((c) => ['pass', 'fail', 'info'].includes(c.result))).toBe(true);
        });
      }),
      { numRuns: 400 },
    );
  });

  it('the fixes turn every blocked call into an allowed one, or it says why none is safe', () => {
    fc.assert(
      fc.property(chainExchange, (ex) => {
        const v = new Evaluator({ engine }).evaluate(ex);
        if (v.verdict !== 'blocked') return;
        const after = new Evaluator({ engine }).evaluate(applyFixes(ex, v.fixes));
        if (after.verdict !== 'allowed') {
          // The only calls no header change may safely let through: the origin is "null" (an opaque page, or
          // a redirect that left the API's origin) and credentials are included. Allowing "null" with
          // credentials would let any sandboxed page in, so no fix goes that far, and the advice says why.
          expect(ex.credentials).toBe('include');
          expect(v.advice.join(' ')).toMatch(/Origin: null|opaque origin/);
          return;
        }
        // Safe advice: never "*" with credentials, never a reflected or "null" origin with credentials.
        for (const f of v.fixes) {
          if (ex.credentials === 'include' && f.header === 'Access-Control-Allow-Origin') {
            expect(f.value).not.toBe('*');
            expect(f.value).not.toBe('null');
          }
        }
      }),
      { numRuns: 1500 },
    );
  });
});

describe('evaluator limits', () => {
  it('survives huge values and many duplicate headers', () => {
    const big = 'a'.repeat(60_000);
    const dup: Exchange = {
      id: 'dup',
      initiator: 'http://127.0.0.1:8101',
      request: { method: 'GET', url: 'http://127.0.0.1:8102/x', headers: [] },
      wire: [
        {
          type: 'request',
          request: { method: 'GET', url: 'http://127.0.0.1:8102/x', headers: [] },
          response: {
            status: 200,
            headers: Array.from({ length: 3 }, () => ['Access-Control-Allow-Origin', big] as Header),
          },
        },
      ],
    };
    const d = new Evaluator().evaluate(dup);
    expect(d.error?.chromium).toBe('MultipleAllowOriginValues');
    expect(d.error?.failedParameter).toBe([big, big, big].join(', '));

    const huge = 'a'.repeat(1_000_000);
    const ex: Exchange = {
      id: 'big',
      initiator: 'http://127.0.0.1:8101',
      request: { method: 'GET', url: 'http://127.0.0.1:8102/x', headers: [['X-Big', huge]] },
      wire: [
        {
          type: 'request',
          request: { method: 'GET', url: 'http://127.0.0.1:8102/x', headers: [] },
          response: {
            status: 200,
            headers: Array.from({ length: 5000 }, () => ['Access-Control-Allow-Origin', huge] as Header),
          },
        },
      ],
    };
    const v = new Evaluator().evaluate(ex);
    // Chromium refuses a header block over 256 KiB before any CORS check: a network error.
    expect(v.verdict).toBe('network-error');
    expect(v.summary).toContain('ERR_RESPONSE_HEADERS_TOO_BIG');
    expect(v.preflight).toBe('cached');
    // Firefox's header-size limit is not modelled: it counts the 5000 lines and refuses them as "multiple".
    const f = new Evaluator({ engine: 'firefox' }).evaluate(ex);
    expect(f.verdict).toBe('blocked');
    expect(f.error?.firefox).toBe('CORSMultipleAllowOriginNotAllowed');
    expect(f.error?.failedParameter?.length).toBeLessThanOrEqual(256 * 1024);
  });
});
