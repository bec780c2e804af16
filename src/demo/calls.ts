// The demo's calls: a spread of allowed and blocked cross-origin calls, every failure reason at least once.
// Each names the path the demo server answers, what the page sends, and what the server answers.
// Origins are placeholders the server fills in: {page}, {api} (another port), {api2} (another host).

export type Reply = { status: number; headers: [string, string][]; body?: string };

export interface DemoCall {
  name: string;
  /** What the call shows, in a few words. */
  title: string;
  api: 'fetch' | 'xhr';
  method: string;
  /** URL with a placeholder origin. */
  url: string;
  headers?: [string, string][];
  credentials?: 'include' | 'omit' | 'same-origin';
  mode?: 'cors' | 'no-cors';
  /** Per path: the preflight's answer and the request's answer. */
  routes: Record<string, { preflight?: Reply; actual: Reply }>;
}

const json: [string, string] = ['Content-Type', 'application/json'];
const text: [string, string] = ['Content-Type', 'text/plain'];
const acao = (v = '{page}'): [string, string] => ['Access-Control-Allow-Origin', v];
const ok = (...headers: [string, string][]): Reply => ({
  status: 200,
  headers: [text, ...headers],
  body: 'ok',
});
const pre = (status: number, ...headers: [string, string][]): Reply => ({ status, headers });
const XSS = '<img src=x onerror=alert(1)>';

export const DEMO_CALLS: DemoCall[] = [
  {
    name: 'simple-allowed',
    title: 'GET allowed by the exact origin',
    api: 'fetch',
    method: 'GET',
    url: '{api}/demo/users',
    routes: { '/demo/users': { actual: ok(acao(), ['Vary', 'Origin']) } },
  },
  {
    name: 'preflight-allowed',
    title: 'PUT with JSON: preflight allows it (cached 10 min), headers exposed',
    api: 'fetch',
    method: 'PUT',
    url: '{api}/demo/users/1',
    headers: [json, ['X-Request-Id', 'demo-1']],
    routes: {
      '/demo/users/1': {
        preflight: pre(
          204,
          acao(),
          ['Access-Control-Allow-Methods', 'GET, PUT'],
          ['Access-Control-Allow-Headers', 'Content-Type, X-Request-Id'],
          ['Access-Control-Max-Age', '600'],
          ['Vary', 'Origin'],
        ),
        actual: ok(
          acao(),
          ['Vary', 'Origin'],
          ['Access-Control-Expose-Headers', 'X-Total-Count'],
          ['X-Total-Count', '42'],
        ),
      },
    },
  },
  {
    name: 'preflight-cached',
    title: 'The same PUT again: served from the preflight cache',
    api: 'fetch',
    method: 'PUT',
    url: '{api}/demo/users/1',
    headers: [json, ['X-Request-Id', 'demo-2']],
    routes: {},
  },
  {
    name: 'credentials-allowed',
    title: 'GET with cookies: exact origin and Access-Control-Allow-Credentials: true',
    api: 'fetch',
    method: 'GET',
    url: '{api}/demo/me',
    credentials: 'include',
    routes: {
      '/demo/me': { actual: ok(acao(), ['Access-Control-Allow-Credentials', 'true'], ['Vary', 'Origin']) },
    },
  },
  {
    name: 'redirect-allowed',
    title: 'A redirect on the API origin, both hops allowed',
    api: 'fetch',
    method: 'GET',
    url: '{api}/demo/old',
    routes: {
      '/demo/old': { actual: pre(302, acao(), ['Location', '{api}/demo/new']) },
      '/demo/new': { actual: ok(acao(), ['Vary', 'Origin']) },
    },
  },
  {
    name: 'no-acao',
    title: 'No Access-Control-Allow-Origin at all',
    api: 'fetch',
    method: 'GET',
    url: '{api}/demo/reports',
    routes: { '/demo/reports': { actual: ok() } },
  },
  {
    name: 'acao-mismatch',
    title: 'Access-Control-Allow-Origin names another origin',
    api: 'fetch',
    method: 'GET',
    url: '{api}/demo/staging',
    routes: { '/demo/staging': { actual: ok(acao('https://staging.example.com')) } },
  },
  {
    name: 'acao-twice',
    title: 'Access-Control-Allow-Origin sent twice (a proxy and the app both add it)',
    api: 'fetch',
    method: 'GET',
    url: '{api}/demo/twice',
    routes: { '/demo/twice': { actual: ok(acao(), acao()) } },
  },
  {
    name: 'acao-invalid',
    title: 'Access-Control-Allow-Origin is not an origin',
    api: 'fetch',
    method: 'GET',
    url: '{api}/demo/invalid',
    routes: { '/demo/invalid': { actual: ok(acao('example.com')) } },
  },
  {
    name: 'wildcard-credentials',
    title: 'Cookies sent, but Access-Control-Allow-Origin: *',
    api: 'fetch',
    method: 'GET',
    url: '{api}/demo/session',
    credentials: 'include',
    routes: { '/demo/session': { actual: ok(acao('*')) } },
  },
  {
    name: 'acac-missing',
    title: 'Cookies sent, no Access-Control-Allow-Credentials',
    api: 'fetch',
    method: 'GET',
    url: '{api}/demo/profile',
    credentials: 'include',
    routes: { '/demo/profile': { actual: ok(acao(), ['Vary', 'Origin']) } },
  },
  {
    name: 'preflight-no-acao',
    title: 'DELETE: the preflight answers 204 with no CORS headers',
    api: 'fetch',
    method: 'DELETE',
    url: '{api}/demo/items/7',
    routes: { '/demo/items/7': { preflight: pre(204), actual: ok(acao()) } },
  },
  {
    name: 'preflight-status',
    title: 'POST JSON: the preflight answers 405 (the route has no OPTIONS handler)',
    api: 'fetch',
    method: 'POST',
    url: '{api}/demo/orders',
    headers: [json],
    routes: {
      '/demo/orders': {
        preflight: pre(405, acao(), ['Access-Control-Allow-Headers', 'Content-Type']),
        actual: ok(acao()),
      },
    },
  },
  {
    name: 'preflight-redirect',
    title: 'PUT: the preflight is redirected (trailing-slash redirect)',
    api: 'fetch',
    method: 'PUT',
    url: '{api}/demo/cart',
    headers: [json],
    routes: { '/demo/cart': { preflight: pre(301, ['Location', '{api}/demo/cart/']), actual: ok(acao()) } },
  },
  {
    name: 'acam-unparsable',
    title: 'Access-Control-Allow-Methods separated by spaces',
    api: 'fetch',
    method: 'PUT',
    url: '{api}/demo/acam',
    routes: {
      '/demo/acam': {
        preflight: pre(204, acao(), ['Access-Control-Allow-Methods', 'PUT DELETE']),
        actual: ok(acao()),
      },
    },
  },
  {
    name: 'acah-unparsable',
    title: 'Access-Control-Allow-Headers separated by spaces',
    api: 'fetch',
    method: 'GET',
    url: '{api}/demo/acah',
    headers: [['X-Client', 'demo']],
    routes: {
      '/demo/acah': {
        preflight: pre(204, acao(), ['Access-Control-Allow-Headers', 'X-Client X-Trace']),
        actual: ok(acao()),
      },
    },
  },
  {
    name: 'method-disallowed',
    title: 'DELETE not in Access-Control-Allow-Methods',
    api: 'fetch',
    method: 'DELETE',
    url: '{api}/demo/method',
    routes: {
      '/demo/method': {
        preflight: pre(204, acao(), ['Access-Control-Allow-Methods', 'GET, POST']),
        actual: ok(acao()),
      },
    },
  },
  {
    name: 'method-case',
    title: 'Access-Control-Allow-Methods: put (methods are case-sensitive)',
    api: 'fetch',
    method: 'PUT',
    url: '{api}/demo/method-case',
    routes: {
      '/demo/method-case': {
        preflight: pre(204, acao(), ['Access-Control-Allow-Methods', 'put']),
        actual: ok(acao()),
      },
    },
  },
  {
    name: 'header-disallowed',
    title: 'Authorization not in Access-Control-Allow-Headers',
    api: 'fetch',
    method: 'GET',
    url: '{api}/demo/private',
    headers: [['Authorization', 'Bearer demo-secret-token']],
    routes: {
      '/demo/private': {
        preflight: pre(204, acao(), ['Access-Control-Allow-Headers', 'Content-Type']),
        actual: ok(acao()),
      },
    },
  },
  {
    name: 'redirect-credentials',
    title: 'A redirect to a URL with a username and password',
    api: 'fetch',
    method: 'GET',
    url: '{api}/demo/login',
    routes: { '/demo/login': { actual: pre(302, acao(), ['Location', '{api-userinfo}/demo/landing']) } },
  },
  {
    name: 'redirect-origin-null',
    title: 'Redirected to another origin: the browser sends Origin: null',
    api: 'fetch',
    method: 'GET',
    url: '{api}/demo/hop',
    routes: {
      '/demo/hop': { actual: pre(302, acao(), ['Location', '{api2}/demo/landing2']) },
      '/demo/landing2': { actual: ok(acao()) },
    },
  },
  {
    name: 'actual-no-acao',
    title: 'Preflight passes, but the actual response has no Access-Control-Allow-Origin',
    api: 'fetch',
    method: 'PATCH',
    url: '{api}/demo/settings',
    headers: [json],
    routes: {
      '/demo/settings': {
        preflight: pre(
          204,
          acao(),
          ['Access-Control-Allow-Methods', 'PATCH'],
          ['Access-Control-Allow-Headers', 'Content-Type'],
          ['Access-Control-Max-Age', '86400'],
        ),
        actual: ok(),
      },
    },
  },
  {
    name: 'xhr-blocked',
    title: 'XMLHttpRequest without Access-Control-Allow-Origin',
    api: 'xhr',
    method: 'GET',
    url: '{api}/demo/legacy',
    routes: { '/demo/legacy': { actual: ok() } },
  },
  {
    name: 'wildcard-set-cookie',
    title: 'Allowed with *, but the response sets a cookie',
    api: 'fetch',
    method: 'GET',
    url: '{api}/demo/public',
    routes: { '/demo/public': { actual: ok(acao('*'), ['Set-Cookie', 'tracking=abc123; Path=/']) } },
  },
  {
    name: 'hostile-header',
    title: 'A header value that is markup: shown as text, never run',
    api: 'fetch',
    method: 'GET',
    url: '{api}/demo/hostile',
    routes: { '/demo/hostile': { actual: ok(acao(XSS), ['X-Note', XSS]) } },
  },
  {
    name: 'connection-refused',
    title: 'Nothing listens on the port: a network error, not CORS',
    api: 'fetch',
    method: 'GET',
    url: '{closed}/demo/down',
    routes: {},
  },
  {
    name: 'no-cors',
    title: 'mode "no-cors": an opaque response (counted, not listed)',
    api: 'fetch',
    method: 'GET',
    url: '{api}/demo/pixel',
    mode: 'no-cors',
    routes: { '/demo/pixel': { actual: ok() } },
  },
];

/**
 * Local Network Access: made by a frame on {frame}, a page the demo's Chromium counts as public and that is not a
 * secure context, calling the API on this machine. Chromium stops it before CORS, whatever the API answers.
 */
export const LOCAL_NETWORK_CALL: DemoCall = {
  name: 'local-network',
  title: 'A public page that is not HTTPS calls a server on this machine: stopped before CORS',
  api: 'fetch',
  method: 'GET',
  url: '{api}/demo/device',
  routes: { '/demo/device': { actual: ok(acao('{frame}')) } },
};

export const HOSTILE_VALUE = XSS;
