// A realistic page: what a real site loads, from several origins, CORS and not. One loopback server, told
// apart by host name: *.localhost resolves to loopback in Chromium and Firefox, and http://localhost is a
// secure context (a service worker may register there).
//
//   PAGE  = http://localhost:PORT        the page, its worker, its service worker, its sandboxed frame
//   API   = http://api.localhost:PORT    fetch, XHR, EventSource, beacon, keepalive, WebSocket, a form POST
//   CDN   = http://cdn.localhost:PORT    images, scripts, module scripts, stylesheets, fonts, a download
//   THIRD = http://third.localhost:PORT  a cross-origin frame that makes its own call
//
// EXPECTED says, for every request the page makes, the class CORScope must give it and, for a CORS call,
// what Chromium does with it (the e2e test checks both against Chromium's own record, over CDP).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

export interface RealisticServer {
  port: number;
  origins: { page: string; api: string; cdn: string; third: string };
  pageUrl: string;
  /** Every request received: method, host, path, headers (raw, in order). */
  readonly requests: { method: string; host: string; path: string; headers: [string, string][] }[];
  close(): Promise<void>;
}

/** What CORScope must make of each request, by path (every host alike). */
export interface Expected {
  class: 'cors' | 'same-origin' | 'not-governed' | 'cannot-tell';
  /** For a CORS call: Chromium's outcome. */
  outcome?: 'allowed' | 'blocked';
  /** The reason of a call that is not a CORS call. */
  reason?: string;
}

export const EXPECTED: Record<string, Expected> = {
  '/real/page': { class: 'not-governed', reason: 'navigation' },
  '/real/img-plain.png': { class: 'not-governed', reason: 'no-cors' },
  '/real/img-anon-ok.png': { class: 'cors', outcome: 'allowed' },
  '/real/img-anon-blocked.png': { class: 'cors', outcome: 'blocked' },
  '/real/img-cred.png': { class: 'cors', outcome: 'allowed' },
  '/real/script-plain.js': { class: 'not-governed', reason: 'no-cors' },
  '/real/script-anon.js': { class: 'cors', outcome: 'allowed' },
  '/real/module-ok.js': { class: 'cors', outcome: 'allowed' },
  '/real/module-blocked.js': { class: 'cors', outcome: 'blocked' },
  '/real/style-plain.css': { class: 'not-governed', reason: 'no-cors' },
  '/real/style-anon.css': { class: 'cors', outcome: 'allowed' },
  '/real/font-ok.woff2': { class: 'cors', outcome: 'allowed' },
  '/real/font-blocked.woff2': { class: 'cors', outcome: 'blocked' },
  '/real/preload.json': { class: 'cors', outcome: 'allowed' },
  '/real/frame.html': { class: 'not-governed', reason: 'navigation' },
  '/real/from-frame': { class: 'cors', outcome: 'allowed' },
  '/real/sandboxed.html': { class: 'not-governed', reason: 'navigation' },
  '/real/from-sandbox': { class: 'cors', outcome: 'allowed' },
  '/real/sandbox-to-page': { class: 'cors', outcome: 'blocked' },
  '/real/ws': { class: 'not-governed', reason: 'websocket' },
  '/real/ws-same': { class: 'not-governed', reason: 'websocket' },
  '/real/sse-ok': { class: 'cors', outcome: 'allowed' },
  '/real/sse-blocked': { class: 'cors', outcome: 'blocked' },
  '/real/beacon': { class: 'not-governed', reason: 'no-cors' },
  '/real/keepalive': { class: 'cors', outcome: 'allowed' },
  '/real/form-target.html': { class: 'not-governed', reason: 'navigation' },
  '/real/form': { class: 'not-governed', reason: 'navigation' },
  '/real/file.bin': { class: 'not-governed', reason: 'navigation' },
  '/real/worker.js': { class: 'same-origin' },
  '/real/from-worker': { class: 'cors', outcome: 'allowed' },
  '/real/from-worker-blocked': { class: 'cors', outcome: 'blocked' },
  '/real/sw.js': { class: 'same-origin' },
  '/real/sw-proxied': { class: 'not-governed', reason: 'service-worker' },
  '/real/fetch-ok': { class: 'cors', outcome: 'allowed' },
  '/real/fetch-blocked': { class: 'cors', outcome: 'blocked' },
  '/real/put-ok': { class: 'cors', outcome: 'allowed' },
  '/real/put-preflight-fail': { class: 'cors', outcome: 'blocked' },
  '/real/fetch-no-cors': { class: 'not-governed', reason: 'no-cors' },
  '/real/same': { class: 'same-origin' },
  '/real/xhr-ok': { class: 'cors', outcome: 'allowed' },
  '/real/xhr-blocked': { class: 'cors', outcome: 'blocked' },
  '/real/redirect-to-api': { class: 'cors', outcome: 'allowed' },
};

// A 1×1 PNG and a tiny valid WOFF2-less font stand-in: browsers only need the bytes for CORS to run.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

function pageHtml(o: RealisticServer['origins']): string {
  const { api, cdn, third, page } = o;
  return `<!doctype html><html><head><meta charset="utf-8"><title>realistic</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${cdn}/real/style-plain.css">
<link rel="stylesheet" crossorigin href="${cdn}/real/style-anon.css">
<link rel="preload" as="fetch" crossorigin href="${api}/real/preload.json">
<script src="${cdn}/real/script-plain.js"></script>
<script crossorigin src="${cdn}/real/script-anon.js"></script>
<script type="module" src="${cdn}/real/module-ok.js"></script>
<script type="module" src="${cdn}/real/module-blocked.js"></script>
</head><body>
<p style="font-family: RealOk">font ok</p><p style="font-family: RealBlocked">font blocked</p>
<img src="${cdn}/real/img-plain.png">
<img crossorigin src="${cdn}/real/img-anon-ok.png">
<img crossorigin src="${cdn}/real/img-anon-blocked.png">
<img crossorigin="use-credentials" src="${cdn}/real/img-cred.png">
<img src="data:image/png;base64,${PNG.toString('base64')}">
<iframe src="${third}/real/frame.html"></iframe>
<iframe sandbox="allow-scripts" src="${page}/real/sandboxed.html"></iframe>
<iframe name="formframe" src="${page}/real/form-target.html"></iframe>
<form id="form" method="post" action="${api}/real/form" target="formframe"><input name="a" value="1"></form>
<a id="download" href="${cdn}/real/file.bin" download>download</a>
<script>
const API = ${JSON.stringify(api)}, PAGE = ${JSON.stringify(page)}, CDN = ${JSON.stringify(cdn)};
const settle = (p) => p.then(() => true, () => false);
const source = (url) => new Promise((resolve) => {
  const es = new EventSource(url);
  es.onmessage = () => { es.close(); resolve(true); };
  es.onerror = () => { es.close(); resolve(false); };
});
const xhr = (url) => new Promise((resolve) => {
  const x = new XMLHttpRequest(); x.open('GET', url);
  x.onload = () => resolve(true); x.onerror = () => resolve(false); x.send();
});
const socket = (url) => new Promise((resolve) => {
  const ws = new WebSocket(url);
  ws.onopen = () => { ws.close(); resolve(true); }; ws.onerror = () => resolve(false);
});
const worker = () => new Promise((resolve) => {
  const w = new Worker('/real/worker.js');
  w.onmessage = (e) => { w.terminate(); resolve(e.data); };
});
async function serviceWorker() {
  const reg = await navigator.serviceWorker.register('/real/sw.js', { scope: '/real/' });
  if (!navigator.serviceWorker.controller)
    await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
  return settle(fetch('/real/sw-proxied'));
}
window.realistic = async () => {
  await new Promise((r) => (document.readyState === 'complete' ? r() : addEventListener('load', r)));
  await document.fonts.ready;
  const out = {};
  out.preload = await settle(fetch(API + '/real/preload.json'));
  out.fetchOk = await settle(fetch(API + '/real/fetch-ok'));
  out.fetchBlocked = await settle(fetch(API + '/real/fetch-blocked'));
  out.putOk = await settle(fetch(API + '/real/put-ok', { method: 'PUT', headers: { 'X-Custom': '1' } }));
  out.putFail = await settle(fetch(API + '/real/put-preflight-fail', { method: 'PUT', headers: { 'X-Custom': '1' } }));
  out.noCors = await settle(fetch(CDN + '/real/fetch-no-cors', { mode: 'no-cors' }));
  out.same = await settle(fetch('/real/same'));
  out.data = await settle(fetch('data:text/plain,hello'));
  out.blob = await settle(fetch(URL.createObjectURL(new Blob(['x']))));
  out.redirect = await settle(fetch('/real/redirect-to-api'));
  out.xhrOk = await xhr(API + '/real/xhr-ok');
  out.xhrBlocked = await xhr(API + '/real/xhr-blocked');
  out.sseOk = await source(API + '/real/sse-ok');
  out.sseBlocked = await source(API + '/real/sse-blocked');
  out.ws = await socket(API.replace('http', 'ws') + '/real/ws');
  out.wsSame = await socket(PAGE.replace('http', 'ws') + '/real/ws-same');
  out.beacon = navigator.sendBeacon(API + '/real/beacon', 'hello');
  out.keepalive = await settle(fetch(API + '/real/keepalive', { method: 'POST', body: 'x', keepalive: true }));
  out.worker = await worker();
  out.serviceWorker = await serviceWorker();
  const formLoaded = new Promise((r) => document.querySelector('iframe[name=formframe]').addEventListener('load', r, { once: true }));
  document.getElementById('form').submit();
  await formLoaded;
  document.getElementById('download').click();
  await new Promise((r) => setTimeout(r, 300));
  return out;
};
</script></body></html>`;
}

const FRAME = (api: string) => `<!doctype html><html><body>third<script>
fetch(${JSON.stringify(api)} + '/real/from-frame').catch(() => {});
</script></body></html>`;

const SANDBOXED = (api: string, page: string) => `<!doctype html><html><body>sandboxed<script>
fetch(${JSON.stringify(api)} + '/real/from-sandbox').catch(() => {});
fetch(${JSON.stringify(page)} + '/real/sandbox-to-page').catch(() => {});
</script></body></html>`;

const WORKER_JS = (api: string) => `
Promise.all([
  fetch(${JSON.stringify(api)} + '/real/from-worker').then(() => true, () => false),
  fetch(${JSON.stringify(api)} + '/real/from-worker-blocked').then(() => true, () => false),
]).then((r) => postMessage(r));
`;

const SW_JS = `
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));
self.addEventListener('fetch', (e) => {
  if (new URL(e.request.url).pathname === '/real/sw-proxied')
    e.respondWith(new Response('from the service worker', { headers: { 'Content-Type': 'text/plain' } }));
});
`;

type H = [string, string][];

export async function startRealisticServer(): Promise<RealisticServer> {
  const requests: RealisticServer['requests'] = [];
  let origins!: RealisticServer['origins'];
  const send = (res: ServerResponse, status: number, headers: H, body: string | Buffer = '') => {
    res.writeHead(status, headers.flat() as unknown as string[]);
    res.end(body);
  };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    const host = (req.headers.host ?? '').split(':')[0]!;
    const raw: H = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) raw.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
    requests.push({ method: req.method ?? '', host, path, headers: raw });
    const acao = (v: string): H => [['Access-Control-Allow-Origin', v]];
    const html = (body: string, extra: H = []) =>
      send(res, 200, [['Content-Type', 'text/html; charset=utf-8'], ...extra], body);
    const js = (body: string, extra: H = []) =>
      send(res, 200, [['Content-Type', 'text/javascript'], ...extra], body);
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      if (path === '/real/put-ok')
        return send(res, 204, [
          ...acao(origins.page),
          ['Access-Control-Allow-Methods', 'PUT'],
          ['Access-Control-Allow-Headers', 'x-custom'],
        ]);
      return send(res, 404, [['Content-Type', 'text/plain']], 'no preflight route');
    }
    // Drain a request body before answering.
    req.resume();
    switch (path) {
      case '/real/page':
        return html(pageHtml(origins));
      case '/real/frame.html':
        return html(FRAME(origins.api));
      case '/real/sandboxed.html':
        return html(SANDBOXED(origins.api, origins.page));
      case '/real/form-target.html':
        return html('<!doctype html><p>form target</p>');
      case '/real/form':
        return html('<!doctype html><p>posted</p>');
      case '/real/file.bin':
        return send(
          res,
          200,
          [
            ['Content-Type', 'application/octet-stream'],
            ['Content-Disposition', 'attachment; filename="file.bin"'],
          ],
          'bytes',
        );
      case '/real/worker.js':
        return js(WORKER_JS(origins.api));
      case '/real/sw.js':
        return js(SW_JS, [['Service-Worker-Allowed', '/real/']]);
      case '/real/img-plain.png':
      case '/real/img-anon-blocked.png':
        return send(res, 200, [['Content-Type', 'image/png']], PNG);
      case '/real/img-anon-ok.png':
        return send(res, 200, [['Content-Type', 'image/png'], ...acao('*')], PNG);
      case '/real/img-cred.png':
        return send(
          res,
          200,
          [
            ['Content-Type', 'image/png'],
            ...acao(origins.page),
            ['Access-Control-Allow-Credentials', 'true'],
            ['Vary', 'Origin'],
          ],
          PNG,
        );
      case '/real/script-plain.js':
        return js('window.plain = 1;');
      case '/real/script-anon.js':
        return js('window.anon = 1;', acao('*'));
      case '/real/module-ok.js':
        return js('export const ok = 1;', [...acao(origins.page), ['Vary', 'Origin']]);
      case '/real/module-blocked.js':
        return js('export const no = 1;');
      case '/real/style-plain.css':
        return send(
          res,
          200,
          [['Content-Type', 'text/css']],
          `@font-face { font-family: RealOk; src: url(${origins.cdn}/real/font-ok.woff2); }\n` +
            `@font-face { font-family: RealBlocked; src: url(${origins.cdn}/real/font-blocked.woff2); }\n`,
        );
      case '/real/style-anon.css':
        return send(res, 200, [['Content-Type', 'text/css'], ...acao('*')], 'body { margin: 1px; }');
      case '/real/font-ok.woff2':
        return send(res, 200, [['Content-Type', 'font/woff2'], ...acao('*')], 'not a font');
      case '/real/font-blocked.woff2':
        return send(res, 200, [['Content-Type', 'font/woff2']], 'not a font');
      case '/real/preload.json':
      case '/real/fetch-ok':
      case '/real/put-ok':
      case '/real/keepalive':
      case '/real/xhr-ok':
      case '/real/from-worker':
      case '/real/after-redirect':
        return send(
          res,
          200,
          [['Content-Type', 'application/json'], ...acao(origins.page), ['Vary', 'Origin']],
          '{}',
        );
      case '/real/from-frame':
        return send(
          res,
          200,
          [['Content-Type', 'application/json'], ...acao(origins.third), ['Vary', 'Origin']],
          '{}',
        );
      case '/real/from-sandbox':
        return send(res, 200, [['Content-Type', 'application/json'], ...acao('*')], '{}');
      case '/real/sse-ok':
        return send(res, 200, [['Content-Type', 'text/event-stream'], ...acao(origins.page)], 'data: hi\n\n');
      case '/real/sse-blocked':
        return send(res, 200, [['Content-Type', 'text/event-stream']], 'data: hi\n\n');
      case '/real/redirect-to-api':
        return send(res, 302, [['Location', `${origins.api}/real/after-redirect`]]);
      case '/real/same':
      case '/real/sw-proxied':
        return send(res, 200, [['Content-Type', 'text/plain']], 'same');
      case '/real/beacon':
        return send(res, 204, []);
      case '/favicon.ico':
        return send(res, 204, []);
      default:
        // fetch-blocked, xhr-blocked, from-worker-blocked, sandbox-to-page, fetch-no-cors: no CORS headers.
        return send(res, 200, [['Content-Type', 'text/plain']], 'no cors headers');
    }
  };
  const server = createServer(handle);
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const host = (req.headers.host ?? '').split(':')[0]!;
    const raw: H = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) raw.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
    requests.push({ method: 'GET', host, path: new URL(req.url ?? '/', 'http://x').pathname, headers: raw });
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.send('hello');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  origins = {
    page: `http://localhost:${port}`,
    api: `http://api.localhost:${port}`,
    cdn: `http://cdn.localhost:${port}`,
    third: `http://third.localhost:${port}`,
  };
  return {
    port,
    origins,
    pageUrl: `${origins.page}/real/page`,
    requests,
    close: () =>
      new Promise((r) => {
        wss.close();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
