// What `corscope probe` carries from one hop to the next on a redirect: the Fetch Standard's HTTP-redirect fetch
// steps 12-14, the same rule the evaluator applies (src/cors/redirect.ts).
import { describe, expect, it } from 'vitest';
import { firstHop, followRedirect, type PageCall, redirectTarget } from '../../../src/cli/browser';

const call: PageCall = {
  origin: 'http://localhost:9000',
  method: 'POST',
  url: 'http://127.0.0.1:9001/start',
  headers: [
    ['Authorization', 'Bearer t'],
    ['Content-Type', 'application/json'],
    ['X-A', '1'],
  ],
  body: '{}',
  credentials: 'omit',
  cookie: null,
};

describe('followRedirect', () => {
  it('302 to another origin: GET without the body and its headers, no Authorization, Origin null', () => {
    expect(followRedirect(call, firstHop(call), 302, 'http://localhost:9002/end')).toEqual({
      url: 'http://localhost:9002/end',
      method: 'GET',
      headers: [['X-A', '1']],
      body: null,
      urls: ['http://127.0.0.1:9001/start', 'http://localhost:9002/end'],
      tainted: true,
      cors: true,
    });
  });

  it('307 within the same origin: the method, the body and every header stay', () => {
    expect(followRedirect(call, firstHop(call), 307, 'http://127.0.0.1:9001/end')).toEqual({
      url: 'http://127.0.0.1:9001/end',
      method: 'POST',
      headers: [
        ['Authorization', 'Bearer t'],
        ['Content-Type', 'application/json'],
        ['X-A', '1'],
      ],
      body: '{}',
      urls: ['http://127.0.0.1:9001/start', 'http://127.0.0.1:9001/end'],
      tainted: false,
      cors: true,
    });
  });

  it('307 to another origin keeps the method and body, drops only Authorization', () => {
    const next = followRedirect(call, firstHop(call), 307, 'http://localhost:9002/end');
    expect([next.method, next.body, next.headers, next.tainted]).toEqual([
      'POST',
      '{}',
      [
        ['Content-Type', 'application/json'],
        ['X-A', '1'],
      ],
      true,
    ]);
  });
});

describe('redirectTarget', () => {
  it('resolves the Location of a redirect status only', () => {
    expect(redirectTarget(308, [['location', '/x']], 'http://127.0.0.1:9001/start')).toBe(
      'http://127.0.0.1:9001/x',
    );
    expect(redirectTarget(304, [['Location', '/x']], 'http://127.0.0.1:9001/start')).toBeNull();
    expect(redirectTarget(302, [['Location', 'http://[::1']], 'http://127.0.0.1:9001/start')).toBeNull();
  });
});
