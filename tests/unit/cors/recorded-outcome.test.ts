import { describe, expect, it } from 'vitest';
import { Evaluator } from '../../../src/cors/evaluate';
import type { Exchange } from '../../../src/cors/types';

// The browser recorded success; the recorded Access-Control-Allow-Origin names another origin.
const disagreeing = (outcome?: 'success' | 'error'): Exchange => ({
  id: 's1',
  initiator: 'https://a.example',
  credentials: 'omit',
  ...(outcome ? { outcome } : {}),
  request: { method: 'GET', url: 'https://b.example/x', headers: [] },
  wire: [
    {
      type: 'request',
      request: { method: 'GET', url: 'https://b.example/x', headers: [] },
      response: { status: 200, headers: [['Access-Control-Allow-Origin', 'https://c.example']] },
    },
  ],
});

const TEXT =
  'The browser recorded this call as successful (the page read the response), but the recorded headers would have blocked it (AllowOriginMismatch): the recording does not show everything the browser saw (a header webRequest or the HAR did not show, a response from the cache).';

describe('the recorded outcome wins over the headers', () => {
  it('a call the browser recorded as successful that the headers would block: cannot tell, no error, no fix', () => {
    const v = new Evaluator().evaluate(disagreeing('success'));
    expect(v.verdict).toBe('cannot-tell');
    expect(v.cannotTell).toEqual({ reason: 'outcome-disagrees' });
    expect(v.summary).toBe(`Cannot tell: ${TEXT}`);
    expect(v.error).toBeNull();
    expect(v.reason).toBeNull();
    expect(v.fixes).toEqual([]);
    expect(v.advice).toEqual([]);
    // The checks still show what the recorded headers say.
    expect(v.checks.find((c) => c.rule === 'acao')).toMatchObject({
      result: 'fail',
      seen: '"https://c.example"',
      required: '"https://a.example" or "*"',
    });
  });

  it('the same headers with an error recorded, or no outcome, are blocked', () => {
    for (const outcome of ['error', undefined] as const) {
      const v = new Evaluator().evaluate(disagreeing(outcome));
      expect(v.verdict).toBe('blocked');
      expect(v.cannotTell).toBeUndefined();
      expect(v.error?.chromium).toBe('AllowOriginMismatch');
      expect(v.fixes.map((f) => `${f.header}: ${f.value}`)).toEqual([
        'Access-Control-Allow-Origin: https://a.example',
      ]);
    }
  });

  it('Firefox rules: the same', () => {
    const v = new Evaluator({ engine: 'firefox' }).evaluate(disagreeing('success'));
    expect(v.verdict).toBe('cannot-tell');
    expect(v.engine).toBe('firefox');
    expect(v.error).toBeNull();
  });

  it('a call the browser recorded as successful that the headers allow stays allowed', () => {
    const ex = disagreeing('success');
    ex.wire[0]!.response!.headers = [['Access-Control-Allow-Origin', 'https://a.example']];
    const v = new Evaluator().evaluate(ex);
    expect(v.verdict).toBe('allowed');
    expect(v.cannotTell).toBeUndefined();
  });
});

describe("a 304 answering the browser's revalidation: the check read the cached response, which the recording does not hold", () => {
  // A GET the browser revalidated (If-None-Match its HTTP cache added), answered 304 with `headers`.
  const revalidation = (headers: [string, string][], extra: Partial<Exchange> = {}): Exchange => ({
    id: 'r1',
    initiator: 'https://a.example',
    credentials: 'omit',
    request: { method: 'GET', url: 'https://b.example/x', headers: [] },
    wire: [
      {
        type: 'request',
        request: {
          method: 'GET',
          url: 'https://b.example/x',
          headers: [
            ['Origin', 'https://a.example'],
            ['If-None-Match', '"v1"'],
          ],
        },
        response: { status: 304, headers },
      },
    ],
    ...extra,
  });

  it('without Access-Control-Allow-Origin: cannot tell, never blocked', () => {
    const v = new Evaluator().evaluate(revalidation([['ETag', '"v1"']]));
    expect([v.verdict, v.cannotTell, v.error, v.fixes]).toEqual([
      'cannot-tell',
      { reason: 'revalidated' },
      null,
      [],
    ]);
    expect(v.summary).toBe(
      "Cannot tell: The browser revalidated its cached response and the server answered 304 Not Modified without Access-Control-Allow-Origin: the browser's CORS check read its cached response, updated with the 304's headers, and the recording does not hold the cached response's headers.",
    );
    expect(new Evaluator({ engine: 'firefox' }).evaluate(revalidation([])).cannotTell).toEqual({
      reason: 'revalidated',
    });
  });

  it('what the 304 itself says still decides: a wrong Access-Control-Allow-Origin on it is blocked, a right one allowed', () => {
    const wrong = new Evaluator().evaluate(
      revalidation([['Access-Control-Allow-Origin', 'https://c.example']]),
    );
    expect([wrong.verdict, wrong.error?.chromium]).toEqual(['blocked', 'AllowOriginMismatch']);
    const right = new Evaluator().evaluate(
      revalidation([['Access-Control-Allow-Origin', 'https://a.example']]),
    );
    expect(right.verdict).toBe('allowed');
  });

  it('the page set If-None-Match itself (its preflight asked for it), or the browser recorded an error: blocked', () => {
    const asked = revalidation([]);
    asked.request.headers = [['If-None-Match', '"v1"']];
    asked.wire.unshift({
      type: 'preflight',
      request: {
        method: 'OPTIONS',
        url: 'https://b.example/x',
        headers: [
          ['Origin', 'https://a.example'],
          ['Access-Control-Request-Method', 'GET'],
          ['Access-Control-Request-Headers', 'if-none-match'],
        ],
      },
      response: {
        status: 204,
        headers: [
          ['Access-Control-Allow-Origin', 'https://a.example'],
          ['Access-Control-Allow-Headers', 'If-None-Match'],
        ],
      },
    });
    for (const ex of [asked, revalidation([], { outcome: 'error' })]) {
      const v = new Evaluator().evaluate(ex);
      expect([v.verdict, v.error?.chromium, v.cannotTell]).toEqual([
        'blocked',
        'MissingAllowOriginHeader',
        undefined,
      ]);
    }
  });
});

describe('the fix names an origin, never anything else', () => {
  const advice =
    'The page\'s origin as recorded is not an origin (scheme://host[:port], or "null"): no Access-Control-Allow-Origin value can be suggested for it.';
  for (const initiator of ['*', 'https://a.example, https://evil.example']) {
    for (const credentials of ['include', 'omit'] as const) {
      it(`initiator ${JSON.stringify(initiator)}, credentials ${credentials}: no fix, the advice says why`, () => {
        const ex = disagreeing();
        ex.initiator = initiator;
        ex.credentials = credentials;
        ex.wire[0]!.response!.headers = [];
        const v = new Evaluator().evaluate(ex);
        expect(v.verdict).toBe('blocked');
        expect(v.fixes).toEqual([]);
        expect(v.advice).toEqual([advice]);
      });
    }
  }
});
