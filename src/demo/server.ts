// The demo's loopback server: the page (PAGE) and the APIs it calls (API on another port, API2 on another
// host), answering each call of ./calls.ts as it says. Node only.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEMO_CALLS, type DemoCall, LOCAL_NETWORK_CALL, type Reply } from './calls';

/** The frame's host: a name the demo's Chromium resolves to loopback (chromiumArgs). */
const FRAME_HOST = 'lna.test';

export interface DemoServer {
  /** frame: a page in the public address space (see chromiumArgs), framed by the demo page. */
  origins: { page: string; api: string; api2: string; frame: string };
  /** The calls with their URLs filled in, as the page makes them. */
  calls: DemoCall[];
  /** The call the frame makes, Local Network Access's: its URL filled in. */
  localNetworkCall: DemoCall;
  /**
   * The flags Chromium runs the demo with: the frame's name resolves to loopback and its port counts as public,
   * so its call to the API on loopback meets Local Network Access (without them the frame does not load).
   */
  chromiumArgs: string[];
  close(): Promise<void>;
}

const RUNNER = `
const rows = document.getElementById('rows');
async function one(c) {
  const body = c.method === 'GET' || c.method === 'HEAD' ? undefined : '{}';
  if (c.api === 'xhr') {
    return new Promise((resolve) => {
      const x = new XMLHttpRequest();
      x.open(c.method, c.url);
      x.withCredentials = c.credentials === 'include';
      for (const [n, v] of c.headers || []) x.setRequestHeader(n, v);
      x.onloadend = () => resolve(x.status ? { ok: true, status: x.status } : { ok: false, error: 'XMLHttpRequest error' });
      x.send(body ?? null);
    });
  }
  try {
    const r = await fetch(c.url, { method: c.method, headers: c.headers || [], credentials: c.credentials || 'same-origin', mode: c.mode || 'cors', body });
    return { ok: true, status: r.status, type: r.type };
  } catch (e) {
    return { ok: false, error: String(e) };
  }
}
(async () => {
  document.cookie = 'session=demo-session-42; path=/';
  const calls = await (await fetch('/calls.json')).json();
  const results = [];
  for (const c of calls) {
    const r = await one(c);
    results.push({ name: c.name, ...r });
    const tr = document.createElement('tr');
    for (const t of [c.name, c.method, c.url, r.ok ? (r.type === 'opaque' ? 'opaque' : 'ok ' + r.status) : 'failed']) {
      const td = document.createElement('td');
      td.textContent = t;
      tr.append(td);
    }
    rows.append(tr);
  }
  window.demoResults = results;
  // Local Network Access: a frame from a public, non-secure origin calls the API on this machine.
  const lna = await (await fetch('/lna.json')).json();
  const answer = await new Promise((resolve) => {
    const frame = document.createElement('iframe');
    const origin = new URL(lna.frame).origin;
    window.addEventListener('message', (e) => { if (e.origin === origin) resolve(e.data); });
    frame.onload = () => setTimeout(() => resolve({ ok: false, error: 'the frame did not load (the demo runs it with Chromium flags)' }), 2000);
    frame.src = lna.frame;
    frame.title = lna.title;
    frame.width = '600';
    frame.height = '40';
    document.body.append(frame);
  });
  window.demoLocalNetwork = { name: lna.name, ...answer };
  const tr = document.createElement('tr');
  for (const t of [lna.name + ' (in the frame)', lna.method, lna.url, answer.ok ? 'ok ' + answer.status : 'failed']) {
    const td = document.createElement('td');
    td.textContent = t;
    tr.append(td);
  }
  rows.append(tr);
  document.title = 'CORScope demo: done';
})();
`;

/** The frame's page: one call to the API on loopback, its result posted to the demo page. */
const FRAME_PAGE = (url: string, parent: string) => `<!doctype html><html><head><meta charset="utf-8">
<link rel="icon" href="data:,"></head><body style="font:13px system-ui;margin:4px">A page on the public internet (not HTTPS) calls ${url}
<script>
(async () => {
  let r;
  try { const res = await fetch(${JSON.stringify(url)}); r = { ok: true, status: res.status }; }
  catch (e) { r = { ok: false, error: String(e) }; }
  parent.postMessage(r, ${JSON.stringify(parent)});
})();
</script></body></html>`;

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>CORScope demo</title>
<link rel="icon" href="data:,"><style>body{font:14px system-ui;margin:2em}td{padding:2px 12px;font-family:monospace}</style></head>
<body><h1>CORScope demo</h1><p>This page calls APIs on other origins. Open DevTools → CORS to see why each call was allowed or blocked.</p>
<table><tbody id="rows"></tbody></table><script>${RUNNER}</script></body></html>`;

function listen(server: Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/** Starts the demo on loopback: two ports, the second reached as 127.0.0.1 (API) and localhost (API2). */
export async function startDemoServer(): Promise<DemoServer> {
  let fill: (s: string) => string = (s) => s;
  const routes = new Map<string, { preflight?: Reply; actual: Reply }>();
  let calls: DemoCall[] = [];
  let lnaCall: DemoCall = LOCAL_NETWORK_CALL;

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    let reply: Reply;
    if (path === '/')
      reply = { status: 200, headers: [['Content-Type', 'text/html; charset=utf-8']], body: PAGE };
    else if (path === '/ready')
      // A page on the demo's origin, and an answer any origin may read: the demo's check that capture is live.
      reply = {
        status: 200,
        headers: [
          ['Content-Type', 'text/html; charset=utf-8'],
          ['Access-Control-Allow-Origin', '*'],
        ],
        body: '<!doctype html><title>CORScope demo: starting</title>',
      };
    else if (path === '/calls.json') {
      reply = { status: 200, headers: [['Content-Type', 'application/json']], body: JSON.stringify(calls) };
    } else if (path === '/lna.json') {
      const body = JSON.stringify({ ...lnaCall, frame: `${origins.frame}/lna` });
      reply = { status: 200, headers: [['Content-Type', 'application/json']], body };
    } else if (path === '/lna') {
      reply = {
        status: 200,
        headers: [['Content-Type', 'text/html; charset=utf-8']],
        body: FRAME_PAGE(lnaCall.url, origins.page),
      };
    } else {
      const route = routes.get(path);
      const preflight =
        req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
      reply = route
        ? preflight
          ? (route.preflight ?? { status: 404, headers: [] })
          : route.actual
        : { status: 404, headers: [['Content-Type', 'text/plain']], body: 'not found' };
    }
    res.writeHead(
      reply.status,
      [...reply.headers.map(([n, v]) => [n, fill(v)] as [string, string]), ['Connection', 'close']].flat(),
    );
    res.end(reply.body ?? '');
  });
  const second = createServer();
  second.on('request', (req, res) => server.emit('request', req, res));
  const third = createServer();
  third.on('request', (req, res) => server.emit('request', req, res));
  const pagePort = await listen(server);
  const apiPort = await listen(second);
  const framePort = await listen(third);
  const closed = createServer();
  const closedPort = await listen(closed);
  await new Promise<void>((r) => closed.close(() => r()));

  const origins = {
    page: `http://127.0.0.1:${pagePort}`,
    api: `http://127.0.0.1:${apiPort}`,
    api2: `http://localhost:${apiPort}`,
    frame: `http://${FRAME_HOST}:${framePort}`,
  };
  fill = (s) =>
    s
      .replaceAll('{page}', origins.page)
      .replaceAll('{api-userinfo}', `http://demo:hunter2@127.0.0.1:${apiPort}`)
      .replaceAll('{api}', origins.api)
      .replaceAll('{api2}', origins.api2)
      .replaceAll('{frame}', origins.frame)
      .replaceAll('{closed}', `http://127.0.0.1:${closedPort}`);
  calls = DEMO_CALLS.map((c) => ({ ...c, url: fill(c.url) }));
  lnaCall = { ...LOCAL_NETWORK_CALL, url: fill(LOCAL_NETWORK_CALL.url) };
  for (const c of [...DEMO_CALLS, LOCAL_NETWORK_CALL])
    for (const [path, r] of Object.entries(c.routes)) routes.set(path, r);

  return {
    origins,
    calls,
    localNetworkCall: lnaCall,
    chromiumArgs: [
      `--host-resolver-rules=MAP ${FRAME_HOST} 127.0.0.1`,
      `--ip-address-space-overrides=127.0.0.1:${framePort}=public`,
    ],
    close: async () => {
      for (const s of [server, second, third]) {
        s.closeAllConnections();
        await new Promise<void>((r) => s.close(() => r()));
      }
    },
  };
}
