// Snippets proven, not just printed. For each server that runs here (Express with cors, Fastify with
// @fastify/cors, nginx, Apache, Caddy, Go with rs/cors) and three calls (a preflighted PUT, the same with a path
// and a header name holding characters the configs read as syntax, a GET with credentials):
//  1. the real server, started without CORS, blocks the call a page makes in Chromium with CORScope loaded;
//  2. the snippet the panel shows for that stored call (policiesFor + snippets, as Details.tsx does) passes the
//     server's own check (nginx -t, apache2ctl -t, caddy validate, go vet);
//  3. the server restarted with that snippet lets the same call through in Chromium, with no CORS line;
//  4. `corscope probe` makes the same call and says allowed.
// rs/cors cannot allow a header name with "%" at all: its snippet says so instead. And the checks catch what they
// are there for: the same configs written the naive way fail them, or serve what was not meant.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Messenger } from '../../src/cors/messenger';
import type { Exchange, Verdict } from '../../src/cors/types';
import { policiesFor, snippets } from '../../src/ui/snippets';
import { run } from '../unit/cli/run';
import type { ExtensionBrowser } from './harness/browser';
import { pageWithExtension, waitForRows } from './harness/extension';
import { closedPort, type ScenarioServer } from './harness/server';
import {
  AUTHORIZATION,
  RUNNABLE,
  type RunnableServer,
  type ServerOptions,
  startServer,
  validate,
} from './harness/servers';

interface Call {
  name: string;
  path: string;
  headers: [string, string][];
  method: 'GET' | 'PUT';
  credentials: RequestCredentials;
}
const CALLS: Call[] = [
  {
    name: 'a PUT with a custom header',
    path: '/api/items',
    method: 'PUT',
    headers: [['X-Request-Id', 'r1']],
    credentials: 'same-origin',
  },
  {
    name: 'the same to a path with ( ) ; : * and a space, with a "%" in a header name',
    path: '/api/it%20ems(1);v=2:x*y',
    method: 'PUT',
    headers: [
      ['X-Request-Id', 'r1'],
      ['X-Rate%Limit', '5'],
    ],
    credentials: 'same-origin',
  },
  // The cookie it carries tells CORScope the call includes credentials (webRequest does not say which mode).
  { name: 'a GET with credentials', path: '/api/me', method: 'GET', headers: [], credentials: 'include' },
];

describe('snippets proven on real servers, in Chromium', () => {
  let pages: ScenarioServer;
  let browser: ExtensionBrowser;
  let page: Page;
  let ext: Page;

  beforeAll(async () => {
    ({ pages, browser, page, ext } = await pageWithExtension());
    // A cookie for 127.0.0.1 (cookies ignore ports), for the credentialed call to carry.
    await browser.context.addCookies([{ name: 'sid', value: '1', domain: '127.0.0.1', path: '/' }]);
  });
  afterAll(async () => {
    await browser?.close();
    await pages?.close();
  });

  /** `cache`: the fetch's cache mode ("no-store": the server answers, not the browser's HTTP cache). */
  const call = (url: string, c: Call, cache: RequestCache = 'default') =>
    page.evaluate(
      async (s) => {
        try {
          const r = await fetch(s.url, {
            method: s.method,
            headers: s.headers,
            body: s.method === 'PUT' ? '{}' : undefined,
            credentials: s.credentials,
            cache: s.cache,
          });
          return { ok: true, status: r.status, body: await r.text() };
        } catch (e) {
          return { ok: false, error: String(e) };
        }
      },
      { url, headers: c.headers, method: c.method, credentials: c.credentials, cache },
    );

  const corsLines = async (from: number) => {
    await page.waitForTimeout(50);
    return browser
      .consoleOf(page)
      .slice(from)
      .map((l) => l.text)
      .filter((t) => t.includes('blocked by CORS policy'));
  };

  /** The server started without CORS blocks the call (one CORS line); the call as CORScope stored it. */
  async function blockedByBare(
    kind: RunnableServer,
    port: number,
    url: string,
    c: Call,
    opts: ServerOptions = {},
  ): Promise<{ ex: Exchange; ev: Verdict }> {
    const bare = await startServer(kind, port, null, opts);
    const lines = browser.consoleOf(page).length;
    let result: Awaited<ReturnType<typeof call>>;
    try {
      result = await call(url, c);
    } finally {
      await bare.stop();
    }
    expect(result.ok, JSON.stringify(result)).toBe(false);
    expect(await corsLines(lines)).toHaveLength(1);
    const [row] = await waitForRows(ext, (l) => l.request.url === url, 1);
    expect(row, `no stored row for ${url}`).toBeDefined();
    return { ex: row as unknown as Exchange, ev: row!.evaluation as unknown as Verdict };
  }

  const cases = RUNNABLE.flatMap((kind) => CALLS.map((c) => [kind, c] as [RunnableServer, Call]));

  it.each(cases)('%s: %s', async (kind, c) => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}${c.path}`;
    // 1. Blocked without CORS. 2. The panel's snippet for the stored call.
    const { ex, ev } = await blockedByBare(kind, port, url, c);
    expect(ev.verdict).toBe('blocked');
    const [policy] = policiesFor(ex, ev);
    expect(policy?.policy, policy?.note ?? '').not.toBeNull();
    expect(policy!.policy).toMatchObject({
      credentials: c.credentials === 'include',
      preflight: c.method === 'PUT',
      methods: [c.method],
    });
    const snippet = snippets(policy!.policy!).find((s) => s.server === kind)!.code;
    // rs/cors cannot read "%" in a request header name (measured below with Debian's 1.7.0): its snippet says so.
    if (kind === 'go' && c.headers.some(([n]) => n.includes('%'))) {
      expect(snippet).toBe(
        '// No rs/cors configuration: rs/cors reads only letters, digits, "-" and "_" in request header names, so it cannot allow x-rate%limit.',
      );
      return;
    }
    const check = validate(kind, port, snippet);
    expect(check.ok, `${snippet}\n${check.output}`).toBe(true);
    // 3. Allowed with it, in Chromium.
    const fixed = await startServer(kind, port, snippet);
    try {
      const lines = browser.consoleOf(page).length;
      const result = await call(url, c);
      expect(result, `${snippet}\n${fixed.output()}`).toMatchObject({ ok: true, status: 200 });
      expect(await corsLines(lines)).toEqual([]);
      // 4. probe agrees.
      const args = [
        'probe',
        url,
        '--origin',
        pages.origins.page,
        '-X',
        c.method,
        '--send',
        '--format',
        'json',
      ];
      args.push('--credentials', c.credentials);
      if (c.method === 'PUT') args.push('--data', '{}');
      for (const [n, v] of c.headers) args.push('-H', `${n}: ${v}`);
      if (c.credentials === 'include') args.push('-H', 'Cookie: sid=1');
      const probe = await run(args);
      const out = JSON.parse(probe.out) as { verdict: { verdict: string; preflight: string } };
      expect([probe.code, out.verdict.verdict, out.verdict.preflight], probe.out).toEqual([
        0,
        'allowed',
        c.method === 'PUT' ? 'sent' : 'none',
      ]);
    } finally {
      await fixed.stop();
    }
  });

  // When CORS is only the messenger: the server asks for authentication before its CORS handling runs, so the
  // preflight (which never carries credentials) is refused 401. The panel says so and shows the snippet that
  // puts CORS handling first; with it, the authenticated call goes through.
  it.each(RUNNABLE)(
    '%s: a preflight refused by authentication, and the snippet that answers it first',
    async (kind) => {
      const port = await closedPort();
      const url = `http://127.0.0.1:${port}/api/items`;
      const c: Call = {
        name: 'a GET with Authorization',
        path: '/api/items',
        method: 'GET',
        headers: [['Authorization', AUTHORIZATION]],
        credentials: 'same-origin',
      };
      // 1. Blocked: the preflight gets the 401. 2. The panel's cause and snippet for the stored call.
      const { ex, ev } = await blockedByBare(kind, port, url, c, { auth: true });
      const cause = new Messenger('in this tab').causeOf(ex, ev);
      expect([ev.verdict, ev.error?.stage, cause?.kind, cause?.status]).toEqual([
        'blocked',
        'preflight',
        'preflight-refused',
        401,
      ]);
      const [policy] = policiesFor(ex, ev, cause);
      expect(policy!.policy).toMatchObject({
        before: 'authentication',
        preflight: true,
        headers: ['authorization'],
      });
      const snippet = snippets(policy!.policy!).find((s) => s.server === kind)!.code;
      const check = validate(kind, port, snippet, { auth: true });
      expect(check.ok, `${snippet}\n${check.output}`).toBe(true);
      // 3. With it, the call goes through, authenticated, with no CORS line.
      const fixed = await startServer(kind, port, snippet, { auth: true });
      try {
        const lines = browser.consoleOf(page).length;
        const result = await call(url, c);
        expect(result, `${snippet}\n${fixed.output()}`).toMatchObject({ ok: true, status: 200 });
        expect(await corsLines(lines)).toEqual([]);
        // Without the credentials the request itself is still refused: the snippet moved CORS, not the login.
        // Asked of the server: the authenticated answer is a file (Last-Modified), which the browser's HTTP
        // cache may hold as fresh for a moment and hand to the next request for the URL, whatever its headers.
        const anonymous = await call(url, { ...c, headers: [] }, 'no-store');
        expect(anonymous).toMatchObject({ ok: true, status: 401 });
      } finally {
        await fixed.stop();
      }
    },
  );

  describe("the servers' checks catch the faults the snippets avoid", () => {
    it('nginx -t fails on a location path with ";" and a space written as a plain prefix', async () => {
      const port = await closedPort();
      const naive = 'location /api/it ems(1);v=2:x*y {\n    add_header X "1" always;\n}';
      expect(validate('nginx', port, naive).ok).toBe(false);
    });

    it('Apache reads a bare "%" in a header value as a format: apache2ctl -t passes it, and the value served is not the one written', async () => {
      const port = await closedPort();
      const naive =
        '<Location "/api/items">\n    Header always set Access-Control-Allow-Headers "x-rate%limit"\n</Location>';
      expect(validate('apache', port, naive).ok).toBe(true);
      const apache = await startServer('apache', port, naive);
      try {
        const served = (await fetch(`${apache.origin}/api/items`)).headers.get(
          'access-control-allow-headers',
        );
        expect(served).not.toBe('x-rate%limit');
        expect(served).toMatch(/^x-rate.+imit$/);
      } finally {
        await apache.stop();
      }
    });

    it('caddy validate fails on a path matcher with a space', async () => {
      const port = await closedPort();
      const naive = `http://127.0.0.1:${port} {\n\theader /api/it ems(1) {\n\t\tX "1"\n\t}\n}`;
      expect(validate('caddy', port, naive).ok).toBe(false);
    });

    it('rs/cors, told to allow x-rate%limit, still refuses the preflight that asks for it', async () => {
      const port = await closedPort();
      const naive = `c := cors.New(cors.Options{AllowedOrigins: []string{"http://a.test"}, AllowedMethods: []string{"PUT"}, AllowedHeaders: []string{"x-rate%limit"}})\nhttp.ListenAndServe(":${port}", c.Handler(mux))`;
      const go = await startServer('go', port, naive);
      try {
        const res = await fetch(`${go.origin}/x`, {
          method: 'OPTIONS',
          headers: {
            Origin: 'http://a.test',
            'Access-Control-Request-Method': 'PUT',
            'Access-Control-Request-Headers': 'x-rate%limit',
          },
        });
        expect(res.headers.get('access-control-allow-origin')).toBeNull();
      } finally {
        await go.stop();
      }
    });

    it("Caddy's usual preflight answer comes after its basicauth: without the route, the preflight still gets the 401", async () => {
      const port = await closedPort();
      const policy = {
        origin: 'http://a.test',
        server: `http://127.0.0.1:${port}`,
        host: `127.0.0.1:${port}`,
        port: String(port),
        path: '/api/items',
        methods: ['GET'],
        headers: ['authorization'],
        credentials: false,
        preflight: true,
      };
      const preflight = (origin: string) =>
        fetch(`${origin}/api/items`, {
          method: 'OPTIONS',
          headers: {
            Origin: 'http://a.test',
            'Access-Control-Request-Method': 'GET',
            'Access-Control-Request-Headers': 'authorization',
          },
        }).then((r) => r.status);
      for (const [before, status] of [
        [undefined, 401],
        ['authentication', 204],
      ] as const) {
        const code = snippets({ ...policy, ...(before ? { before } : {}) }).find(
          (x) => x.server === 'caddy',
        )!.code;
        const caddy = await startServer('caddy', port, code, { auth: true });
        try {
          expect(await preflight(caddy.origin)).toBe(status);
        } finally {
          await caddy.stop();
        }
      }
    });

    it('Express refuses to start with "(" in a mount path', async () => {
      const port = await closedPort();
      const naive =
        "const cors = require('cors');\napp.use('/api/it%20ems(1);v=2:x*y', cors({ origin: 'http://a.test' }));";
      await expect(startServer('express', port, naive)).rejects.toThrow(/did not start/);
    });
  });
});
