// The CORS scenarios the e2e tests and the fixture recorder (record-events.ts) run from PAGE in real
// Chromium. Each scenario sets its routes under /s/<name>/ and makes its calls in a fresh tab opened at
// PAGE/page?scenario=<name>; it returns what each call returned in the page.
import type { BrowserContext, Frame, Page } from 'playwright-core';
import { close, httpsServer } from './harness/net';
import { closedPort, PNG_1X1, type Reply, type RouteSpec, type ScenarioServer } from './harness/server';

type Headers = [string, string][];

export interface ScenarioContext {
  server: ScenarioServer;
  context: BrowserContext;
  /** The tab, already at PAGE/page?scenario=<name>. */
  page: Page;
  name: string;
  /** "/s/<name>/<rest>" */
  path(rest: string): string;
  /** API + path(rest) */
  api(rest: string): string;
  /** API2 + path(rest) */
  api2(rest: string): string;
}

export interface Scenario {
  name: string;
  description: string;
  /** Why the scenario runs in Chromium only (the Firefox harness drives no child frames). */
  chromiumOnly?: string;
  /** Why the scenario runs in Firefox only. */
  firefoxOnly?: string;
  run(ctx: ScenarioContext): Promise<unknown[]>;
}

// Headers ---------------------------------------------------------------------------------------------

export const acao = (origin: string): Headers => [['Access-Control-Allow-Origin', origin]];

/** A preflight answer that allows `methods` and `headers` for `origin`, cached for maxAge seconds. */
export function preflightAllows(origin: string, methods: string, headers: string, maxAge = 0): Headers {
  return [
    ['Access-Control-Allow-Origin', origin],
    ['Access-Control-Allow-Methods', methods],
    ['Access-Control-Allow-Headers', headers],
    // Chromium caches a preflight 5 s when Access-Control-Max-Age is absent: say 0 to mean none.
    ['Access-Control-Max-Age', String(maxAge)],
  ];
}

const TEXT: Headers = [['Content-Type', 'text/plain']];

// In-page calls (helpers of the built-in /page and /frame: see harness/server.ts) ------------------------

export type CallResult =
  | { ok: true; status: number; type: string; body: string | null }
  | { ok: false; error: string };

export function call(target: Page | Frame, url: string, init?: Record<string, unknown>): Promise<CallResult> {
  return target.evaluate(
    ([u, i]) => (window as unknown as { call(u: string, i?: unknown): Promise<CallResult> }).call(u, i),
    [url, init] as const,
  );
}

/** Several fetches started together in the page, awaited with Promise.all. */
export function callAll(
  target: Page | Frame,
  calls: [string, Record<string, unknown>?][],
): Promise<CallResult[]> {
  return target.evaluate(
    (cs) =>
      Promise.all(
        cs.map(([u, i]) =>
          (window as unknown as { call(u: string, i?: unknown): Promise<CallResult> }).call(u, i),
        ),
      ),
    calls,
  );
}

export type XhrResult = { ok: boolean; status: number };

export function xhr(
  target: Page | Frame,
  method: string,
  url: string,
  headers: Record<string, string> = {},
  body: string | null = null,
): Promise<XhrResult> {
  return target.evaluate(
    ([m, u, h, b]) =>
      (
        window as unknown as {
          xhr(m: string, u: string, h: Record<string, string>, b: string | null): Promise<XhrResult>;
        }
      ).xhr(m, u, h, b),
    [method, url, headers, body] as const,
  );
}

export function image(target: Page | Frame, url: string, crossOrigin: string | null): Promise<unknown> {
  return target.evaluate(
    ([u, c]) => (window as unknown as { image(u: string, c: string | null): Promise<unknown> }).image(u, c),
    [url, crossOrigin] as const,
  );
}

export function workerCall(
  page: Page,
  url: string,
  init: Record<string, unknown> | undefined,
  workerUrl: string,
): Promise<CallResult> {
  return page.evaluate(
    ([u, i, w]) =>
      (window as unknown as { workerCall(u: string, i: unknown, w: string): Promise<CallResult> }).workerCall(
        u,
        i,
        w,
      ),
    [url, init, workerUrl] as const,
  );
}

/** Adds an iframe at `src` and returns its frame once loaded. */
export async function addFrame(page: Page, src: string): Promise<Frame> {
  await page.evaluate((s) => (window as unknown as { frame(s: string): Promise<unknown> }).frame(s), src);
  const frame = page.frames().find((f) => f.url() === src);
  if (!frame) throw new Error(`no frame at ${src}`);
  return frame;
}

// The scenarios -----------------------------------------------------------------------------------------

const PUT_CUSTOM = { method: 'PUT', headers: { 'X-Custom': '1' }, body: 'x' };
const AUTH = { headers: { Authorization: 'Bearer e2e' } };
const ACAC: Headers = [['Access-Control-Allow-Credentials', 'true']];

export const SCENARIOS: Scenario[] = [
  {
    name: 'simple-allowed',
    description: 'fetch GET from PAGE to API; the response has Access-Control-Allow-Origin: PAGE. Allowed.',
    async run({ server, page, path, api }) {
      server.route(path('data'), {
        actual: { status: 200, headers: [...acao(server.origins.page), ...TEXT], body: 'ok' },
      });
      return [await call(page, api('data'))];
    },
  },
  {
    name: 'simple-blocked',
    description: 'fetch GET from PAGE to API; the 200 response has no Access-Control-Allow-Origin. Blocked.',
    async run({ server, page, path, api }) {
      server.route(path('data'), { actual: { status: 200, headers: TEXT, body: 'secret' } });
      return [await call(page, api('data'))];
    },
  },
  {
    name: 'preflight-ok',
    description:
      'fetch PUT with X-Custom from PAGE to API: the preflight (204) allows PUT and x-custom for PAGE, the actual response has ACAO: PAGE. Allowed.',
    async run({ server, page, path, api }) {
      const o = server.origins.page;
      server.route(path('data'), {
        preflight: { status: 204, headers: preflightAllows(o, 'PUT', 'X-Custom') },
        actual: { status: 200, headers: [...acao(o), ...TEXT], body: 'ok' },
      });
      return [await call(page, api('data'), PUT_CUSTOM)];
    },
  },
  {
    name: 'preflight-fail-no-acao',
    description:
      'fetch PUT with X-Custom: the preflight (204) allows the method and header but has no Access-Control-Allow-Origin. Blocked at the preflight; the actual request is never sent.',
    async run({ server, page, path, api }) {
      const o = server.origins.page;
      server.route(path('data'), {
        preflight: {
          status: 204,
          headers: [
            ['Access-Control-Allow-Methods', 'PUT'],
            ['Access-Control-Allow-Headers', 'X-Custom'],
          ],
        },
        actual: { status: 200, headers: [...acao(o), ...TEXT], body: 'ok' },
      });
      return [await call(page, api('data'), PUT_CUSTOM)];
    },
  },
  {
    name: 'preflight-fail-no-acah',
    description:
      'fetch PUT with X-Custom: the preflight (204) allows PUT for PAGE but has no Access-Control-Allow-Headers. Blocked at the preflight (x-custom is not allowed); the actual request is never sent.',
    async run({ server, page, path, api }) {
      const o = server.origins.page;
      server.route(path('data'), {
        preflight: {
          status: 204,
          headers: [
            ['Access-Control-Allow-Origin', o],
            ['Access-Control-Allow-Methods', 'PUT'],
            ['Access-Control-Max-Age', '0'],
          ],
        },
        actual: { status: 200, headers: [...acao(o), ...TEXT], body: 'ok' },
      });
      return [await call(page, api('data'), PUT_CUSTOM)];
    },
  },
  {
    name: 'preflight-500',
    description:
      'fetch PUT with X-Custom: the preflight answers 500, with headers that would otherwise allow it. Blocked at the preflight (status not ok).',
    async run({ server, page, path, api }) {
      const o = server.origins.page;
      server.route(path('data'), {
        preflight: {
          status: 500,
          headers: [...preflightAllows(o, 'PUT', 'X-Custom'), ...TEXT],
          body: 'boom',
        },
        actual: { status: 200, headers: [...acao(o), ...TEXT], body: 'ok' },
      });
      return [await call(page, api('data'), PUT_CUSTOM)];
    },
  },
  {
    name: 'preflight-ok-actual-blocked',
    description:
      'fetch PUT with X-Custom: the preflight allows it, the actual 200 response has no Access-Control-Allow-Origin. Blocked at the request.',
    async run({ server, page, path, api }) {
      const o = server.origins.page;
      server.route(path('data'), {
        preflight: { status: 204, headers: preflightAllows(o, 'PUT', 'X-Custom') },
        actual: { status: 200, headers: TEXT, body: 'secret' },
      });
      return [await call(page, api('data'), PUT_CUSTOM)];
    },
  },
  {
    name: 'cached-preflight',
    description:
      'The same fetch PUT with X-Custom twice, one after the other; the preflight allows it with Access-Control-Max-Age: 600. The second call is served from the preflight cache: no OPTIONS.',
    async run({ server, page, path, api }) {
      const o = server.origins.page;
      server.route(path('data'), {
        preflight: { status: 204, headers: preflightAllows(o, 'PUT', 'X-Custom', 600) },
        actual: { status: 200, headers: [...acao(o), ...TEXT], body: 'ok' },
      });
      return [await call(page, api('data'), PUT_CUSTOM), await call(page, api('data'), PUT_CUSTOM)];
    },
  },
  {
    name: 'cached-preflight-thrice',
    description:
      'The same fetch PUT with X-Custom three times, one after the other; the preflight allows it with Access-Control-Max-Age: 600. Chromium serves the second and third from the preflight cache. Firefox ESR 153 does too, except right after it starts: the first URL preflighted in a fresh profile was seen preflighted two or three times before its cache served it.',
    async run({ server, page, path, api }) {
      const o = server.origins.page;
      server.route(path('data'), {
        preflight: { status: 204, headers: preflightAllows(o, 'PUT', 'X-Custom', 600) },
        actual: { status: 200, headers: [...acao(o), ...TEXT], body: 'ok' },
      });
      const out: CallResult[] = [];
      for (let i = 0; i < 3; i++) out.push(await call(page, api('data'), PUT_CUSTOM));
      return out;
    },
  },
  {
    name: 'redirect-new-preflight',
    description:
      'fetch PUT with X-Custom to API/start: preflight ok, the PUT is answered 307 to API2/end (another origin); Chromium sends a new preflight to API2 with Origin: null, then the PUT. Every answer has ACAO: *. Allowed.',
    async run({ server, page, path, api, api2 }) {
      const allow = preflightAllows('*', 'PUT', 'X-Custom');
      server.route(path('start'), {
        preflight: { status: 204, headers: allow },
        actual: { status: 307, headers: [...acao('*'), ['Location', api2('end')]] },
      });
      server.route(path('end'), {
        preflight: { status: 204, headers: allow },
        actual: { status: 200, headers: [...acao('*'), ...TEXT], body: 'ok' },
      });
      return [await call(page, api('start'), PUT_CUSTOM)];
    },
  },
  {
    name: 'redirect-drops-authorization',
    description:
      "fetch GET with Authorization and X-Custom to API/ok and to API/refused: each preflighted (allowing both, ACAO: PAGE) and answered 307 to API2 (another origin). The redirect deletes Authorization (HTTP-redirect fetch step 13), so the new preflight, with Origin: null, asks only for x-custom. API2/ok-end's preflight allows X-Custom (ACAO: *): allowed, the GET arrives without Authorization. API2/refused-end's allows no header: blocked, the line naming x-custom, not authorization.",
    async run({ server, page, path, api, api2 }) {
      const o = server.origins.page;
      for (const [name, allowed] of [
        ['ok', 'X-Custom'],
        ['refused', ''],
      ] as const) {
        server.route(path(name), {
          preflight: { status: 204, headers: preflightAllows(o, 'GET', 'Authorization, X-Custom') },
          actual: { status: 307, headers: [...acao(o), ['Location', api2(`${name}-end`)]] },
        });
        server.route(path(`${name}-end`), {
          preflight: {
            status: 204,
            headers: allowed
              ? preflightAllows('*', 'GET', allowed)
              : [...acao('*'), ['Access-Control-Max-Age', '0']],
          },
          actual: { status: 200, headers: [...acao('*'), ...TEXT], body: 'ok' },
        });
      }
      const init = { headers: { Authorization: 'Bearer e2e', 'X-Custom': '1' } };
      return [await call(page, api('ok'), init), await call(page, api('refused'), init)];
    },
  },
  {
    name: 'redirect-simple',
    description:
      'fetch GET to API/start, answered 302 (with ACAO: *) to API2/end, which answers 200 with ACAO: *. Allowed (Origin: null after the cross-origin redirect).',
    async run({ server, page, path, api, api2 }) {
      server.route(path('start'), {
        actual: { status: 302, headers: [...acao('*'), ['Location', api2('end')]] },
      });
      server.route(path('end'), { actual: { status: 200, headers: [...acao('*'), ...TEXT], body: 'ok' } });
      return [await call(page, api('start'))];
    },
  },
  {
    name: 'concurrent-identical',
    description:
      'Five identical fetch PUT with X-Custom to the same URL, started together (Promise.all); the preflight allows with Access-Control-Max-Age: 0, answered after 300 ms so that the five are in flight together however busy the machine. All allowed.',
    async run({ server, page, path, api }) {
      const o = server.origins.page;
      server.route(path('data'), async (req) => {
        if (!req.preflight) return { status: 200, headers: [...acao(o), ...TEXT], body: 'ok' };
        await new Promise((r) => setTimeout(r, 300));
        return { status: 204, headers: preflightAllows(o, 'PUT', 'X-Custom', 0) };
      });
      return callAll(
        page,
        Array.from({ length: 5 }, () => [api('data'), PUT_CUSTOM] as [string, Record<string, unknown>]),
      );
    },
  },
  {
    name: 'concurrent-distinct',
    description:
      'Twenty fetch PUT with X-Custom to API/data?n=0..19, started together (Promise.all); each is preflighted (Max-Age: 0). All allowed.',
    async run({ server, page, path, api }) {
      const o = server.origins.page;
      server.route(path('data'), {
        preflight: { status: 204, headers: preflightAllows(o, 'PUT', 'X-Custom', 0) },
        actual: { status: 200, headers: [...acao(o), ...TEXT], body: 'ok' },
      });
      return callAll(
        page,
        Array.from(
          { length: 20 },
          (_, n) => [`${api('data')}?n=${n}`, PUT_CUSTOM] as [string, Record<string, unknown>],
        ),
      );
    },
  },
  {
    name: 'xhr-blocked',
    description:
      'XMLHttpRequest GET from PAGE to API; the 200 response has no Access-Control-Allow-Origin. Blocked.',
    async run({ server, page, path, api }) {
      server.route(path('data'), { actual: { status: 200, headers: TEXT, body: 'secret' } });
      return [await xhr(page, 'GET', api('data'))];
    },
  },
  {
    name: 'xhr-preflight-ok',
    description:
      'XMLHttpRequest PUT with X-Custom from PAGE to API: the preflight allows it, the response has ACAO: PAGE. Allowed.',
    async run({ server, page, path, api }) {
      const o = server.origins.page;
      server.route(path('data'), {
        preflight: { status: 204, headers: preflightAllows(o, 'PUT', 'X-Custom') },
        actual: { status: 200, headers: [...acao(o), ...TEXT], body: 'ok' },
      });
      return [await xhr(page, 'PUT', api('data'), { 'X-Custom': '1' }, 'x')];
    },
  },
  {
    name: 'no-cors',
    description:
      "fetch GET with mode: 'no-cors' from PAGE to API; no CORS headers. An opaque response (type opaque, status 0), no error.",
    async run({ server, page, path, api }) {
      server.route(path('data'), { actual: { status: 200, headers: TEXT, body: 'opaque' } });
      return [await call(page, api('data'), { mode: 'no-cors' })];
    },
  },
  {
    name: 'same-origin',
    description: 'fetch GET from PAGE to PAGE/s/same-origin/data: same origin, no CORS. Type basic.',
    async run({ server, page, path }) {
      server.route(path('data'), { actual: { status: 200, headers: TEXT, body: 'ok' } });
      return [await call(page, `${server.origins.page}${path('data')}`)];
    },
  },
  {
    name: 'iframe-third-origin',
    chromiumOnly: 'it calls from inside a child frame, which the Firefox (BiDi) harness does not drive',
    description:
      'PAGE embeds an iframe from THIRD (http://localhost:pagePort, another site: an out-of-process frame); the iframe makes a fetch GET to API/get and a fetch PUT with X-Custom to API/put (preflighted). Both allowed for THIRD.',
    async run({ server, page, path, api }) {
      const t = server.origins.third;
      server.route(path('get'), { actual: { status: 200, headers: [...acao(t), ...TEXT], body: 'ok' } });
      server.route(path('put'), {
        preflight: { status: 204, headers: preflightAllows(t, 'PUT', 'X-Custom') },
        actual: { status: 200, headers: [...acao(t), ...TEXT], body: 'ok' },
      });
      const frame = await addFrame(page, `${t}/frame?scenario=iframe-third-origin`);
      return [await call(frame, api('get')), await call(frame, api('put'), PUT_CUSTOM)];
    },
  },
  {
    name: 'worker-fetch',
    description:
      'A dedicated worker (PAGE/worker.js) makes a fetch GET to API/get and, from a second worker, a fetch PUT with X-Custom to API/put (preflighted). Both allowed for PAGE.',
    async run({ server, page, path, api, name }) {
      const o = server.origins.page;
      server.route(path('get'), { actual: { status: 200, headers: [...acao(o), ...TEXT], body: 'ok' } });
      server.route(path('put'), {
        preflight: { status: 204, headers: preflightAllows(o, 'PUT', 'X-Custom') },
        actual: { status: 200, headers: [...acao(o), ...TEXT], body: 'ok' },
      });
      return [
        await workerCall(page, api('get'), undefined, `/worker.js?scenario=${name}&w=1`),
        await workerCall(page, api('put'), PUT_CUSTOM, `/worker.js?scenario=${name}&w=2`),
      ];
    },
  },
  {
    name: 'image-crossorigin-blocked',
    description:
      'PAGE adds <img crossorigin="anonymous" src="API/img.png">; the PNG has no Access-Control-Allow-Origin. Blocked (the image fails to load).',
    async run({ server, page, path, api }) {
      server.route(path('img.png'), {
        actual: { status: 200, headers: [['Content-Type', 'image/png']], body: PNG_1X1 },
      });
      return [await image(page, api('img.png'), 'anonymous')];
    },
  },
  {
    name: 'connection-refused',
    description:
      'fetch GET from PAGE to http://127.0.0.1:<closed port>/s/connection-refused/data: nothing listens there. A network error, not a CORS one.',
    async run({ page, path }) {
      const port = await closedPort();
      return [await call(page, `http://127.0.0.1:${port}${path('data')}`)];
    },
  },
  {
    name: 'credentials-cross-site',
    description:
      "fetch GET from PAGE to API2 (another site: localhost) answered ACAO: * only, with credentials: 'include' and without, no cookie set. Blocked with credentials, allowed without. Browsers send Sec-Fetch-Storage-Access only on the credentialed cross-site request (or its preflight), so that header is what shows the credentials mode when no Cookie is sent.",
    async run({ server, page, path, api2 }) {
      server.route(path('data'), {
        actual: { status: 200, headers: [...acao('*'), ...TEXT], body: 'ok' },
      });
      return [await call(page, api2('data'), { credentials: 'include' }), await call(page, api2('data'))];
    },
  },
  {
    name: 'credentials-include-star',
    description:
      "fetch GET with credentials: 'include' from PAGE to API, with a cookie sid=e2e set for 127.0.0.1 (so a Cookie header is sent); the response has ACAO: * only. Blocked: the wildcard is not allowed with credentials.",
    async run({ server, context, page, path, api }) {
      await context.addCookies([{ name: 'sid', value: 'e2e', url: server.origins.api }]);
      server.route(path('data'), {
        actual: { status: 200, headers: [...acao('*'), ...TEXT], body: 'secret' },
      });
      try {
        return [await call(page, api('data'), { credentials: 'include' })];
      } finally {
        await context.clearCookies();
      }
    },
  },
  {
    name: 'credentials-http-auth',
    description:
      "API/auth answers 401 with WWW-Authenticate: Basic realm=\"r\" unless Authorization is sent, 200 with it; both answers carry ACAO: PAGE and Access-Control-Allow-Credentials: true. A page on API itself (same origin) first calls API/auth with XMLHttpRequest's user and password, which puts the identity in the browser's HTTP authentication cache for API's protection space. Then PAGE fetches GET API/auth/x with credentials: 'include', 'omit' and the default 'same-origin', no header set by the page; then PUT API/auth/put with X-Custom, credentials: 'include' and 'omit', each preflighted (ACAO: PAGE, ACAC: true, Access-Control-Request-Headers x-custom only) and answered without Access-Control-Allow-Credentials. Only the credentialed calls carry the cached Authorization (the wire shows it in both browsers; webRequest only in Firefox): the credentialed GET is allowed, the credentialed PUT blocked (no ACAC), the others allowed with their 401.",
    async run({ server, page, name, path, api }) {
      const o = server.origins.page;
      const cors: Headers = [...acao(o), ...ACAC, ...TEXT];
      const auth = (req: { headers: Record<string, unknown> }): Reply =>
        req.headers.authorization
          ? { status: 200, headers: cors, body: 'authorized' }
          : { status: 401, headers: [['WWW-Authenticate', 'Basic realm="r"'], ...cors], body: 'who?' };
      server.route(path('auth'), auth);
      server.route(path('auth/x'), auth);
      // The preflighted PUT: its preflight allows credentials, its response does not (no ACAC).
      server.route(path('auth/put'), (req) =>
        req.preflight
          ? { status: 204, headers: [...preflightAllows(o, 'PUT', 'X-Custom'), ...ACAC] }
          : req.headers.authorization
            ? { status: 200, headers: [...acao(o), ...TEXT], body: 'authorized' }
            : {
                status: 401,
                headers: [['WWW-Authenticate', 'Basic realm="r"'], ...acao(o), ...TEXT],
                body: 'who?',
              },
      );
      // The login runs in the tab itself, at API's page, before the tab goes back to PAGE.
      await page.goto(`${server.origins.api}/page?scenario=${name}`);
      const logged = await page.evaluate(
        (u) =>
          new Promise<number>((resolve) => {
            const x = new XMLHttpRequest();
            x.open('GET', u, true, 'e2e', 'secret');
            x.onload = () => resolve(x.status);
            x.onerror = () => resolve(-1);
            x.send();
          }),
        api('auth'),
      );
      await page.goto(`${server.origins.page}/page?scenario=${name}`);
      return [
        { login: logged },
        await call(page, api('auth/x'), { credentials: 'include' }),
        await call(page, api('auth/x'), { credentials: 'omit' }),
        await call(page, api('auth/x')),
        await call(page, api('auth/put'), { ...PUT_CUSTOM, credentials: 'include' }),
        await call(page, api('auth/put'), { ...PUT_CUSTOM, credentials: 'omit' }),
      ];
    },
  },
  // Authorization under Access-Control-Allow-Headers: *. The Fetch Standard keeps Authorization out of "*";
  // recorded in Chromium 156 and Firefox ESR 153: both let "*" cover it without credentials (Firefox logs a
  // deprecation warning: network.cors_preflight.authorization_covered_by_wildcard), and block it with them.
  {
    name: 'preflight-auth-star',
    description:
      'fetch GET with Authorization from PAGE to API: the preflight (204) answers ACAO: PAGE and Access-Control-Allow-Headers: *, the actual response ACAO: PAGE. Allowed in Chromium 156 and Firefox ESR 153 (Firefox logs a warning that * will stop covering Authorization); the Fetch Standard says blocked.',
    async run({ server, page, path, api }) {
      const o = server.origins.page;
      server.route(path('data'), {
        preflight: { status: 204, headers: preflightAllows(o, 'GET', '*') },
        actual: { status: 200, headers: [...acao(o), ...TEXT], body: 'ok' },
      });
      return [await call(page, api('data'), AUTH)];
    },
  },
  {
    name: 'preflight-auth-star-credentials',
    description:
      "fetch GET with Authorization and credentials: 'include' from PAGE to API: the preflight (204) answers ACAO: PAGE, Access-Control-Allow-Credentials: true and Access-Control-Allow-Headers: * (literal with credentials). Blocked at the preflight: authorization is not allowed.",
    async run({ server, page, path, api }) {
      const o = server.origins.page;
      server.route(path('data'), {
        preflight: { status: 204, headers: [...preflightAllows(o, 'GET', '*'), ...ACAC] },
        actual: { status: 200, headers: [...acao(o), ...ACAC, ...TEXT], body: 'ok' },
      });
      return [await call(page, api('data'), { ...AUTH, credentials: 'include' })];
    },
  },
  {
    name: 'preflight-auth-star-listed',
    description:
      'fetch GET with Authorization from PAGE to API: the preflight (204) answers ACAO: PAGE and Access-Control-Allow-Headers: *, Authorization. Allowed, with no warning.',
    async run({ server, page, path, api }) {
      const o = server.origins.page;
      server.route(path('data'), {
        preflight: { status: 204, headers: preflightAllows(o, 'GET', '*, Authorization') },
        actual: { status: 200, headers: [...acao(o), ...TEXT], body: 'ok' },
      });
      return [await call(page, api('data'), AUTH)];
    },
  },
  // Network errors inside a CORS call: the browser's error string (webRequest's onErrorOccurred) tells them
  // apart from a CORS failure, which Chromium reports as net::ERR_FAILED and Firefox as NS_ERROR_DOM_BAD_URI.
  {
    name: 'redirect-loop',
    description:
      'fetch GET to API/loop, answered 302 (with ACAO: PAGE) to API/loop again, every time. The browser gives up after 20 redirects (net::ERR_TOO_MANY_REDIRECTS, NS_ERROR_REDIRECT_LOOP): a network error, not a CORS one.',
    async run({ server, page, path, api }) {
      server.route(path('loop'), {
        actual: { status: 302, headers: [...acao(server.origins.page), ['Location', api('loop')]] },
      });
      return [await call(page, api('loop'))];
    },
  },
  {
    name: 'redirect-refused',
    description:
      'fetch GET to API/start, answered 302 (with ACAO: PAGE) to http://127.0.0.1:<closed port>/s/redirect-refused/end, where nothing listens. A network error (net::ERR_CONNECTION_REFUSED, NS_ERROR_CONNECTION_REFUSED), not a CORS one.',
    async run({ server, page, path, api }) {
      const port = await closedPort();
      server.route(path('start'), {
        actual: {
          status: 302,
          headers: [...acao(server.origins.page), ['Location', `http://127.0.0.1:${port}${path('end')}`]],
        },
      });
      return [await call(page, api('start'))];
    },
  },
  {
    name: 'redirect-not-http',
    description:
      'fetch GET to API/ftp, API/data, API/file and API/custom, each answered 302 (with ACAO: PAGE) to a URL that is not HTTP(S): ftp:, data:, file:, an unknown scheme. Both browsers refuse to follow a redirect to data: or file: (net::ERR_UNSAFE_REDIRECT, NS_ERROR_CORRUPTED_CONTENT: a network error) and follow the others into their CORS scheme check (CorsDisabledScheme, CORSRequestNotHttp: blocked).',
    async run({ server, page, path, api }) {
      const o = server.origins.page;
      const to = (location: string): RouteSpec => ({
        actual: { status: 302, headers: [...acao(o), ['Location', location]] },
      });
      server.route(path('ftp'), to(`ftp://127.0.0.1${path('end')}`));
      server.route(path('data'), to('data:text/plain,hello'));
      server.route(path('file'), to('file:///etc/hostname'));
      server.route(path('custom'), to(`corscope-test://127.0.0.1${path('end')}`));
      const out: CallResult[] = [];
      for (const rest of ['ftp', 'data', 'file', 'custom']) out.push(await call(page, api(rest)));
      return out;
    },
  },
  {
    name: 'preflight-ok-empty-reply',
    description:
      'fetch PUT with X-Custom, and fetch GET with X-Custom: each preflight allows the call, then the server closes the connection without answering it (an empty reply). Network errors after a successful preflight (net::ERR_EMPTY_RESPONSE; Firefox: NS_ERROR_NET_ON_RECEIVING_FROM for the PUT, logged as "Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed", NS_ERROR_NET_RESET for the GET), not CORS ones.',
    async run({ server, page, path, api }) {
      const o = server.origins.page;
      server.route(path('put'), {
        preflight: { status: 204, headers: preflightAllows(o, 'PUT', 'X-Custom') },
        actual: { status: 0, empty: true },
      });
      server.route(path('get'), {
        preflight: { status: 204, headers: preflightAllows(o, 'GET', 'X-Custom') },
        actual: { status: 0, empty: true },
      });
      return [
        await call(page, api('put'), PUT_CUSTOM),
        await call(page, api('get'), { headers: { 'X-Custom': '1' } }),
      ];
    },
  },
  {
    name: 'redirect-preflight-null',
    description:
      "fetch PUT with X-Custom to API/creds (credentials: 'include') and to API/plain (without), each preflighted and answered 307 to API2 (another origin), so the browser preflights again with Origin: null; API2 answers both preflights and both PUTs with Access-Control-Allow-Origin: null (and Access-Control-Allow-Credentials: true). Chromium allows both; Firefox ESR 153 checks a preflight against the page's origin, not null, and blocks both at API2's preflight (does not match 'null').",
    async run({ server, page, path, api, api2 }) {
      const o = server.origins.page;
      const allow = (origin: string): Headers => [...preflightAllows(origin, 'PUT', 'X-Custom'), ...ACAC];
      for (const name of ['creds', 'plain']) {
        server.route(path(name), {
          preflight: { status: 204, headers: allow(o) },
          actual: { status: 307, headers: [...acao(o), ...ACAC, ['Location', api2(`${name}-end`)]] },
        });
        server.route(path(`${name}-end`), {
          preflight: { status: 204, headers: allow('null') },
          actual: { status: 200, headers: [...acao('null'), ...ACAC, ...TEXT], body: 'ok' },
        });
      }
      return [
        await call(page, api('creds'), { ...PUT_CUSTOM, credentials: 'include' }),
        await call(page, api('plain'), PUT_CUSTOM),
      ];
    },
  },
  {
    name: 'redirect-preflight-page-origin',
    description:
      "fetch PUT with X-Custom and credentials: 'include' to API/start: preflighted, answered 307 to API2/end; API2 answers its preflight with Access-Control-Allow-Origin: PAGE (and credentials) and the PUT with the same. Chromium checks the new preflight against null, the Origin it sent: blocked there, the PUT to API2 never sent, and that preflight is the call's. Firefox ESR 153 checks the preflight against the page's origin and lets it pass, sends the PUT, then checks its answer against null: blocked (does not match PAGE).",
    async run({ server, page, path, api, api2 }) {
      const o = server.origins.page;
      const allow: Headers = [...preflightAllows(o, 'PUT', 'X-Custom'), ...ACAC];
      server.route(path('start'), {
        preflight: { status: 204, headers: allow },
        actual: { status: 307, headers: [...acao(o), ...ACAC, ['Location', api2('end')]] },
      });
      server.route(path('end'), {
        preflight: { status: 204, headers: allow },
        actual: { status: 200, headers: [...acao(o), ...ACAC, ...TEXT], body: 'ok' },
      });
      return [await call(page, api('start'), { ...PUT_CUSTOM, credentials: 'include' })];
    },
  },
  {
    name: 'redirect-same-origin-to-userinfo',
    description:
      'fetch GET to PAGE/start (the page\'s own origin), answered 302 to API/end with a username and password in the URL (http://user:pass@...). Both browsers refuse to follow a cross-origin redirect to a URL with credentials: a CORS call, though it began same-origin, whose request to API was never sent (Chromium: RedirectContainsCredentials; Firefox ESR 153: a network error, "CORS request did not succeed").',
    async run({ server, page, path }) {
      server.route(path('start'), {
        actual: {
          status: 302,
          headers: [['Location', `http://user:pass@127.0.0.1:${server.apiPort}${path('end')}`]],
        },
      });
      server.route(path('end'), {
        actual: { status: 200, headers: [...acao(server.origins.page), ...TEXT], body: 'ok' },
      });
      return [await call(page, `${server.origins.page}${path('start')}`)];
    },
  },
  {
    name: 'acao-repeated',
    description:
      'fetch GET to API/twice, answered with two Access-Control-Allow-Origin lines both PAGE; to API/star-and-page, two lines "*" and PAGE; to API/list, one line "PAGE, THIRD". Blocked, all three. Chromium joins repeated lines and reads a comma as several values in either case (MultipleAllowOriginValues); Firefox ESR 153 counts the lines: two are "Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed", one holding a list "does not match". Firefox\'s webRequest hands the add-on the two lines joined into one value with ", ".',
    async run({ server, page, path, api }) {
      const o = server.origins.page;
      server.route(path('twice'), {
        actual: { status: 200, headers: [...acao(o), ...acao(o), ...TEXT], body: 'ok' },
      });
      server.route(path('star-and-page'), {
        actual: { status: 200, headers: [...acao('*'), ...acao(o), ...TEXT], body: 'ok' },
      });
      server.route(path('list'), {
        actual: { status: 200, headers: [...acao(`${o}, ${server.origins.third}`), ...TEXT], body: 'ok' },
      });
      const out: CallResult[] = [];
      for (const rest of ['twice', 'star-and-page', 'list']) out.push(await call(page, api(rest)));
      return out;
    },
  },
  {
    name: 'firefox-safelist',
    description:
      'fetch GET to API/accept three times, with Accept: text/plain;q=0.9,\u00e9 (a byte above 0x7F); then GET API/content-type with Content-Type: text/plain;a=1,2 (a comma in a parameter). The Fetch Standard safelists both values and Chromium sends no preflight; Firefox ESR 153 does not (its safelist refuses any byte above 0x7F in Accept and Content-Type, and a Content-Type it cannot parse as one type): it preflights the Accept calls (the second again, as it does right after a first preflight) and serves the third from its preflight cache (Access-Control-Max-Age: 600), and preflights the Content-Type call.',
    async run({ server, page, path, api }) {
      const o = server.origins.page;
      for (const rest of ['accept', 'content-type']) {
        server.route(path(rest), {
          preflight: { status: 204, headers: preflightAllows(o, 'GET', 'Accept, Content-Type', 600) },
          actual: { status: 200, headers: [...acao(o), ...TEXT], body: 'ok' },
        });
      }
      const accept = { headers: { Accept: 'text/plain;q=0.9,\u00e9' } };
      return [
        await call(page, api('accept'), accept),
        await call(page, api('accept'), accept),
        await call(page, api('accept'), accept),
        await call(page, api('content-type'), { headers: { 'Content-Type': 'text/plain;a=1,2' } }),
      ];
    },
  },
  // When CORS is only the messenger: a failure that reaches the page as a CORS error.
  {
    name: 'error-responses',
    description:
      'fetch GET API/ok is answered 200 with ACAO: PAGE (Server: gunicorn); then GET API/boom is answered 500 (Server: gunicorn), GET API/gateway 502 (Server: nginx) and PUT API/upload with X-Custom (its preflight allowed) 413 (Via: 1.1 proxy), each without CORS headers. Blocked, all three, for a missing Access-Control-Allow-Origin: the real failure is the error, whose response skips the CORS layer.',
    async run({ server, page, path, api }) {
      const o = server.origins.page;
      server.route(path('ok'), {
        actual: { status: 200, headers: [...acao(o), ['Server', 'gunicorn'], ...TEXT], body: 'ok' },
      });
      server.route(path('boom'), {
        actual: { status: 500, headers: [['Server', 'gunicorn'], ...TEXT], body: 'Internal Server Error' },
      });
      server.route(path('gateway'), {
        actual: { status: 502, headers: [['Server', 'nginx'], ...TEXT], body: 'Bad Gateway' },
      });
      server.route(path('upload'), {
        preflight: { status: 204, headers: preflightAllows(o, 'PUT', 'X-Custom') },
        actual: { status: 413, headers: [['Via', '1.1 proxy'], ...TEXT], body: 'Payload Too Large' },
      });
      return [
        await call(page, api('ok')),
        await call(page, api('boom')),
        await call(page, api('gateway')),
        await call(page, api('upload'), PUT_CUSTOM),
      ];
    },
  },
  {
    name: 'preflight-refused',
    description:
      'Four preflighted calls whose preflight is refused before any CORS handling: PUT API/auth (401, WWW-Authenticate: Bearer, no CORS headers), PUT API/forbidden (403, with the CORS headers), DELETE API/noroute (405, Allow: GET, POST, no CORS headers), PUT API/missing (404, no CORS headers). All blocked at the preflight: authentication or routing runs before CORS, or OPTIONS has no route.',
    async run({ server, page, path, api }) {
      const o = server.origins.page;
      const ok: Reply = { status: 200, headers: [...acao(o), ...TEXT], body: 'ok' };
      const refused = (status: number, headers: Headers): RouteSpec => ({
        preflight: { status, headers: [...headers, ...TEXT], body: 'refused' },
        actual: ok,
      });
      server.route(path('auth'), refused(401, [['WWW-Authenticate', 'Bearer']]));
      server.route(path('forbidden'), refused(403, preflightAllows(o, 'PUT', 'X-Custom')));
      server.route(path('noroute'), refused(405, [['Allow', 'GET, POST']]));
      server.route(path('missing'), refused(404, []));
      return [
        await call(page, api('auth'), PUT_CUSTOM),
        await call(page, api('forbidden'), PUT_CUSTOM),
        await call(page, api('noroute'), { method: 'DELETE' }),
        await call(page, api('missing'), PUT_CUSTOM),
      ];
    },
  },
  {
    name: 'stopped-not-cors',
    description:
      "fetch GET to http://corscope-e2e.invalid/... (the name does not resolve), then to an https: server whose certificate nothing trusts. The browser stops both before any CORS check (net::ERR_NAME_NOT_RESOLVED, NS_ERROR_UNKNOWN_HOST; net::ERR_CERT_AUTHORITY_INVALID, Firefox's certificate message): not CORS failures.",
    async run({ server, page, path }) {
      const tls = await httpsServer(() => ({ status: 200, headers: acao(server.origins.page) }));
      try {
        return [
          await call(page, `http://corscope-e2e.invalid${path('dns')}`),
          await call(page, `https://127.0.0.1:${tls.port}${path('cert')}`),
        ];
      } finally {
        await close(tls.server);
      }
    },
  },
  {
    name: 'blocked-by-client',
    chromiumOnly: 'an extension blocks it (tests/e2e/blocker), which the Firefox harness does not install',
    description:
      'fetch GET API/blocked-by-client, which the stand-in ad blocker (tests/e2e/blocker, a declarativeNetRequest rule) blocks before it is sent: net::ERR_BLOCKED_BY_CLIENT, not a CORS failure.',
    async run({ server, page, path, api }) {
      server.route(path('blocked-by-client'), {
        actual: { status: 200, headers: [...acao(server.origins.page), ...TEXT], body: 'ok' },
      });
      return [await call(page, api('blocked-by-client'))];
    },
  },
];

export function scenario(name: string): Scenario {
  const s = SCENARIOS.find((x) => x.name === name);
  if (!s) throw new Error(`no scenario ${name}`);
  return s;
}

/** Opens a fresh tab at PAGE/page?scenario=<name> and builds the context a scenario runs in. */
export async function openScenario(
  server: ScenarioServer,
  context: BrowserContext,
  newPage: () => Promise<Page>,
  name: string,
): Promise<ScenarioContext> {
  const page = await newPage();
  await page.goto(`${server.origins.page}/page?scenario=${name}`);
  const path = (rest: string) => `/s/${name}/${rest}`;
  return {
    server,
    context,
    page,
    name,
    path,
    api: (rest) => `${server.origins.api}${path(rest)}`,
    api2: (rest) => `${server.origins.api2}${path(rest)}`,
  };
}

/** True for a URL that belongs to scenario `name`: its /s/<name>/ paths and its page, frame, worker. */
export function belongsTo(url: string, name: string): boolean {
  return url.includes(`/s/${name}/`) || new RegExp(`[?&]scenario=${name}(&|$)`).test(url);
}
