// A small web on loopback: one proxy through which every name (https://app.example.com, http://attacker.example,
// https://api.example.com, ...) reaches one handler, over http (absolute-form requests) or https (CONNECT to an
// HTTPS server with the test certificate). Chromium is pointed at it with --proxy-server and
// --ignore-certificate-errors, the command line with HTTPS_PROXY and --insecure: a page gets any origin, with no
// port in it, and both clients reach the same servers the same way.
import {
  createServer as createHttp,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttps } from 'node:https';
import { connect } from 'node:net';
import { close, listen, tls } from './net';
import type { Reply, ScenarioRequest } from './server';

export type WorldHandler = (req: ScenarioRequest & { scheme: 'http' | 'https' }) => Reply;

export interface World {
  proxyPort: number;
  /** Every request that reached the handler. */
  readonly requests: (ScenarioRequest & { scheme: string })[];
  close(): Promise<void>;
}

const pairs = (raw: string[]): [string, string][] => {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!]);
  return out;
};

export async function startWorld(handler: WorldHandler): Promise<World> {
  const requests: (ScenarioRequest & { scheme: string })[] = [];
  const serve = (scheme: 'http' | 'https') => (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url?.startsWith('http') ? new URL(req.url) : null;
      const path = (url ? url.pathname + url.search : (req.url ?? '/')).split('?')[0]!;
      const sreq = {
        scheme,
        method: req.method ?? 'GET',
        url: url ? url.pathname + url.search : (req.url ?? '/'),
        path,
        host: req.headers.host ?? '',
        port: 0,
        headers: req.headers,
        rawHeaders: pairs(req.rawHeaders),
        body: Buffer.concat(chunks).toString('utf8'),
        preflight: req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined,
      };
      requests.push(sreq);
      const reply = handler(sreq);
      res.writeHead(reply.status, [...(reply.headers ?? []), ['Connection', 'close']].flat());
      res.end(reply.body ?? '');
    });
  };
  const https = createHttps(tls, serve('https'));
  const httpsPort = await listen(https);
  const proxy: Server = createHttp(serve('http'));
  proxy.on('connect', (_req: IncomingMessage, client, head: Buffer) => {
    const upstream = connect(httpsPort, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  const proxyPort = await listen(proxy);
  return {
    proxyPort,
    requests,
    close: async () => {
      await close(proxy);
      await close(https);
    },
  };
}
