// The scenario server: one Node http server on two loopback ports, whose answers each test sets.
//
//   PAGE  = http://127.0.0.1:pagePort   the page that makes the calls (built-in /page, /frame, /worker.js)
//   API   = http://127.0.0.1:apiPort    the cross-origin API (same site as PAGE: cookies are shared)
//   API2  = http://localhost:apiPort    another origin (other host), for cross-origin redirects
//   THIRD = http://localhost:pagePort   a third origin, for an iframe
//
// Routes match on the URL path without its query, on every port and host alike.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One answer: status, headers as [name, value] pairs in wire order, and a body. */
export interface Reply {
  status: number;
  headers?: [string, string][];
  body?: string | Buffer;
  /** Close the connection without a byte of answer: the browser gets an empty reply. */
  empty?: true;
}

/** A request as the server received it. */
export interface ScenarioRequest {
  method: string;
  /** Path and query, as on the request line. */
  url: string;
  /** Path without the query. */
  path: string;
  /** The Host header ("127.0.0.1:1234", "localhost:1234"). */
  host: string;
  /** The port the request arrived on. */
  port: number;
  headers: IncomingHttpHeaders;
  /** Headers as [name, value] pairs in wire order, with the case the client used. */
  rawHeaders: [string, string][];
  body: string;
  /** True for an OPTIONS request with Access-Control-Request-Method: a CORS preflight. */
  preflight: boolean;
}

export type Handler = (req: ScenarioRequest) => Reply | Promise<Reply>;

/** Declarative route: `preflight` answers CORS preflights, `actual` everything else. */
export interface RouteSpec {
  preflight?: Reply;
  actual: Reply;
}

export interface ScenarioServer {
  pagePort: number;
  apiPort: number;
  origins: { page: string; api: string; api2: string; third: string };
  /** Sets (or replaces) the answer for a path. */
  route(path: string, spec: Handler | RouteSpec): void;
  /** Forgets the routes and the request log (built-in routes stay). */
  reset(): void;
  /** Every request received, in arrival order. */
  readonly requests: ScenarioRequest[];
  close(): Promise<void>;
}

/** Chromium's default when no preflight route is set: a 404 without CORS headers. */
const DEFAULT_PREFLIGHT: Reply = {
  status: 404,
  headers: [['Content-Type', 'text/plain']],
  body: 'no preflight route',
};

// The page's helpers. Each returns plain data, never throws, so page.evaluate() sees what the page saw.
const HELPERS = `
window.call = async (url, init) => {
  try {
    const r = await fetch(url, init);
    let body = null;
    try { body = r.type === 'opaque' ? null : await r.text(); } catch (e) { body = null; }
    return { ok: true, status: r.status, type: r.type, body };
  } catch (e) {
    return { ok: false, error: String(e) };
  }
};
window.xhr = (method, url, headers, body, withCredentials) => new Promise((resolve) => {
  const x = new XMLHttpRequest();
  x.open(method, url);
  if (withCredentials) x.withCredentials = true;
  for (const [k, v] of Object.entries(headers || {})) x.setRequestHeader(k, v);
  x.onload = () => resolve({ ok: true, status: x.status });
  x.onerror = () => resolve({ ok: false, status: x.status });
  x.send(body == null ? null : body);
});
window.image = (url, crossOrigin) => new Promise((resolve) => {
  const img = new Image();
  if (crossOrigin != null) img.crossOrigin = crossOrigin;
  img.onload = () => resolve({ ok: true, width: img.naturalWidth });
  img.onerror = () => resolve({ ok: false });
  img.src = url;
  document.body.appendChild(img);
});
window.frame = (src) => new Promise((resolve) => {
  const f = document.createElement('iframe');
  f.onload = () => resolve({ ok: true });
  f.src = src;
  document.body.appendChild(f);
});
window.workerCall = (url, init, workerUrl) => new Promise((resolve) => {
  const w = new Worker(workerUrl || '/worker.js');
  w.onmessage = (e) => { resolve(e.data); w.terminate(); };
  w.onerror = (e) => { resolve({ ok: false, error: 'worker error: ' + (e.message || '') }); w.terminate(); };
  w.postMessage({ url, init });
});
`;

const page = (title: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title>` +
  `<link rel="icon" href="data:,"></head><body><h1>${title}</h1><script>${HELPERS}</script></body></html>`;

const WORKER = `
self.onmessage = async (e) => {
  const { url, init } = e.data;
  try {
    const r = await fetch(url, init);
    let body = null;
    try { body = r.type === 'opaque' ? null : await r.text(); } catch (err) { body = null; }
    self.postMessage({ ok: true, status: r.status, type: r.type, body });
  } catch (err) {
    self.postMessage({ ok: false, error: String(err) });
  }
};
`;

const BUILT_IN: Record<string, Handler> = {
  '/page': () => ({
    status: 200,
    headers: [['Content-Type', 'text/html; charset=utf-8']],
    body: page('page'),
  }),
  '/frame': () => ({
    status: 200,
    headers: [['Content-Type', 'text/html; charset=utf-8']],
    body: page('frame'),
  }),
  '/worker.js': () => ({ status: 200, headers: [['Content-Type', 'text/javascript']], body: WORKER }),
  '/favicon.ico': () => ({ status: 204, headers: [] }),
};

/** A 1×1 transparent PNG, for image scenarios. */
export const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function pairs(raw: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!]);
  return out;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startScenarioServer(): Promise<ScenarioServer> {
  const routes = new Map<string, Handler>();
  const requests: ScenarioRequest[] = [];

  const server = createServer(async (req, res) => {
    const url = req.url ?? '/';
    const path = url.split('?')[0]!;
    const body = await readBody(req).catch(() => '');
    const sreq: ScenarioRequest = {
      method: req.method ?? 'GET',
      url,
      path,
      host: req.headers.host ?? '',
      port: req.socket.localPort ?? 0,
      headers: req.headers,
      rawHeaders: pairs(req.rawHeaders),
      body,
      preflight: req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined,
    };
    requests.push(sreq);
    const handler = routes.get(path) ?? BUILT_IN[path];
    let reply: Reply;
    try {
      reply = handler
        ? await handler(sreq)
        : { status: 404, headers: [['Content-Type', 'text/plain']], body: `no route for ${path}` };
    } catch (e) {
      reply = { status: 500, headers: [['Content-Type', 'text/plain']], body: `handler threw: ${String(e)}` };
    }
    if (reply.empty) {
      req.socket.destroy();
      return;
    }
    // Every connection closes after its answer, so no request waits behind another on a kept-alive socket.
    const headers = [...(reply.headers ?? []), ['Connection', 'close']].flat();
    res.writeHead(reply.status, headers);
    res.end(reply.body ?? '');
  });

  // One server, two ports: a second listening socket feeds the same handler.
  const second = createServer();
  second.on('request', (req, res) => server.emit('request', req, res));
  const pagePort = await listen(server);
  const apiPort = await listen(second);

  return {
    pagePort,
    apiPort,
    origins: {
      page: `http://127.0.0.1:${pagePort}`,
      api: `http://127.0.0.1:${apiPort}`,
      api2: `http://localhost:${apiPort}`,
      third: `http://localhost:${pagePort}`,
    },
    route(path, spec) {
      if (typeof spec === 'function') {
        routes.set(path, spec);
        return;
      }
      routes.set(path, (req) => (req.preflight ? (spec.preflight ?? DEFAULT_PREFLIGHT) : spec.actual));
    },
    reset() {
      routes.clear();
      requests.length = 0;
    },
    requests,
    close: async () => {
      for (const s of [server, second]) {
        s.closeAllConnections();
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
    },
  };
}

/** A loopback port nothing listens on (bound, then released): a fetch to it is refused. */
export async function closedPort(): Promise<number> {
  const s = createServer();
  const port = await listen(s);
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
