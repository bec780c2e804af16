// Loopback servers for the network commands' tests (unit and e2e): an HTTPS server with the test certificate, a forward
// proxy (absolute-form requests and CONNECT tunnels) that logs what it was asked, and a raw TCP server that
// answers with bytes as given.
import { readFileSync } from 'node:fs';
import { createServer as createHttp, type IncomingMessage, request, type Server } from 'node:http';
import { createServer as createHttps } from 'node:https';
import {
  type AddressInfo,
  connect,
  createServer as createTcp,
  type Socket,
  type Server as TcpServer,
} from 'node:net';

const TLS = new URL('../../fixtures/tls/', import.meta.url);
export const tls = {
  cert: readFileSync(new URL('cert.pem', TLS)),
  key: readFileSync(new URL('key.pem', TLS)),
};

// Every socket a test server accepted (tunnels and held connections too), destroyed when it closes.
const sockets = new WeakMap<Server | TcpServer, Set<Socket>>();

export function listen(server: Server | TcpServer): Promise<number> {
  const open = new Set<Socket>();
  sockets.set(server, open);
  server.on('connection', (s: Socket) => {
    open.add(s);
    s.on('close', () => open.delete(s));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

export function close(server: Server | TcpServer): Promise<void> {
  for (const s of sockets.get(server) ?? []) s.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

export interface Seen {
  method: string;
  url: string;
  headers: [string, string][];
}

const pairs = (raw: string[]) => {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!]);
  return out;
};

export const seen = (req: IncomingMessage): Seen => ({
  method: req.method ?? '',
  url: req.url ?? '',
  headers: pairs(req.rawHeaders),
});

/** An HTTPS server on loopback with the test certificate, answering every request with `answer`. */
export async function httpsServer(
  answer: (req: IncomingMessage) => { status: number; headers: [string, string][] },
): Promise<{ port: number; seen: Seen[]; server: Server }> {
  const log: Seen[] = [];
  const server = createHttps(tls, (req, res) => {
    log.push(seen(req));
    const a = answer(req);
    res.writeHead(a.status, a.headers.flat());
    res.end();
  });
  return { port: await listen(server), seen: log, server };
}

/**
 * A forward proxy: logs each absolute-form request and CONNECT, and passes them on, to the host `resolve` names
 * (by default the one asked for: a test maps names such as api.test to 127.0.0.1, as Chromium's
 * --host-resolver-rules does).
 */
export async function forwardProxy(
  resolve: (host: string) => string = (h) => h,
): Promise<{ port: number; seen: Seen[]; server: Server }> {
  const log: Seen[] = [];
  const server = createHttp((req, res) => {
    log.push(seen(req));
    const target = new URL(req.url ?? '');
    const out = request(
      {
        host: resolve(target.hostname),
        port: target.port,
        method: req.method,
        path: `${target.pathname}${target.search}`,
        headers: pairs(req.rawHeaders)
          .filter(([n]) => n.toLowerCase() !== 'proxy-authorization')
          .flat(),
        setHost: false,
      },
      (upstream) => {
        res.writeHead(upstream.statusCode ?? 502, upstream.rawHeaders);
        upstream.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  server.on('connect', (req: IncomingMessage, client, head: Buffer) => {
    log.push(seen(req));
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), resolve(host ?? ''), () => {
      client.on('close', () => upstream.destroy());
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  return { port: await listen(server), seen: log, server };
}

/** A TCP server that reads a request head and answers with `bytes` as they are, then closes. */
export async function rawServer(bytes: string): Promise<{ port: number; server: TcpServer }> {
  const server = createTcp((socket) => {
    let buf = '';
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      if (buf.includes('\r\n\r\n')) socket.end(Buffer.from(bytes, 'latin1'));
    });
    socket.on('error', () => {});
  });
  return { port: await listen(server), server };
}

/** A TCP server that accepts connections and never answers. */
export async function silentServer(): Promise<{ port: number; server: TcpServer }> {
  const server = createTcp((socket) => socket.on('error', () => {}));
  return { port: await listen(server), server };
}
