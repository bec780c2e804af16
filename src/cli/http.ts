// One HTTP exchange with node:http/node:https, the headers sent exactly as given (names, case, order) and the
// response's headers read as they came, every redirect returned rather than followed. Node's fetch would add and
// drop headers of its own and follow redirects out of sight. Proxies from HTTPS_PROXY / HTTP_PROXY / NO_PROXY.
import { type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Header } from '../cors';

export interface HttpRequest {
  method: string;
  url: string;
  /** Sent as given, Host included. */
  headers: Header[];
  body: string | null;
}

export interface HttpResponse {
  status: number;
  headers: Header[];
}

export interface HttpOptions {
  /** Per request, from the connection to the end of the response, in ms. */
  timeoutMs: number;
  /** Accept any TLS certificate. */
  insecure: boolean;
  /** The proxy environment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY and their lower-case forms). */
  env: Record<string, string | undefined>;
}

/** Why a request got no response: the words for a person, and a kind for code. */
export class ProbeFailure extends Error {
  constructor(
    readonly kind: 'dns' | 'refused' | 'timeout' | 'tls' | 'reset' | 'proxy' | 'other',
    message: string,
  ) {
    super(message);
  }
}

export type Send = (req: HttpRequest) => Promise<HttpResponse>;

// Chromium refuses a response whose headers pass 256 KiB; read a little more so the evaluator sees it too.
const MAX_HEADER_BYTES = 256 * 1024 + 16 * 1024;
// The body is read and dropped (CORS is decided by headers); past this, the connection is closed.
const MAX_BODY_BYTES = 1 << 20;

function pairs(raw: string[]): Header[] {
  const out: Header[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!]);
  return out;
}

/** The proxy for a URL from the environment, or null: NO_PROXY entries match a host, its subdomains, or "*". */
function proxyFor(url: URL, env: Record<string, string | undefined>): URL | null {
  const get = (name: string) => env[name.toLowerCase()] ?? env[name];
  const noProxy = (get('NO_PROXY') ?? '')
    .split(/[\s,]+/)
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  for (const entry of noProxy) {
    if (entry === '*') return null;
    const m = /^(.*?)(?::(\d+))?$/.exec(entry)!;
    const name = m[1]!.replace(/^\*?\./, '').replace(/^\[|\]$/g, '');
    if (m[2] && m[2] !== port) continue;
    if (host === name || host.endsWith(`.${name}`)) return null;
  }
  const value = url.protocol === 'https:' ? get('HTTPS_PROXY') : get('HTTP_PROXY');
  if (!value) return null;
  try {
    return new URL(value.includes('://') ? value : `http://${value}`);
  } catch {
    throw new ProbeFailure('proxy', `the proxy setting "${value}" is not a URL`);
  }
}

function proxyAuthorization(proxy: URL): Header[] {
  if (!proxy.username) return [];
  const user = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return [['Proxy-Authorization', `Basic ${Buffer.from(user).toString('base64')}`]];
}

function failure(e: NodeJS.ErrnoException, url: URL, proxy: URL | null): ProbeFailure {
  const where = proxy ? `the proxy ${proxy.host}` : url.host;
  const code = e.code ?? '';
  if (e instanceof ProbeFailure) return e;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return new ProbeFailure('dns', `cannot resolve ${proxy ? proxy.hostname : url.hostname}`);
  if (code === 'ECONNREFUSED') return new ProbeFailure('refused', `${where} refused the connection`);
  if (code === 'ECONNRESET' || code === 'EPIPE' || e.message === 'socket hang up')
    return new ProbeFailure('reset', `${where} closed the connection without an answer`);
  if (code === 'HPE_HEADER_OVERFLOW')
    return new ProbeFailure('other', `${url.host} sent more than 256 KiB of headers; Chromium refuses them`);
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code) || /certificate/i.test(e.message))
    return new ProbeFailure(
      'tls',
      `${url.host}: the TLS certificate is not trusted (${code || e.message}); --insecure skips the check`,
    );
  return new ProbeFailure('other', `${where}: ${e.message}`);
}

/** A TLS socket to the target through an HTTP CONNECT tunnel. */
function tunnel(
  proxy: URL,
  url: URL,
  insecure: boolean,
  req: { current: ClientRequest | null },
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const port = url.port || '443';
    const connect = httpRequest({
      host: proxy.hostname.replace(/^\[|\]$/g, ''),
      port: proxy.port || 80,
      method: 'CONNECT',
      path: `${url.hostname}:${port}`,
      headers: [['Host', `${url.hostname}:${port}`], ...proxyAuthorization(proxy)].flat(),
      setHost: false,
      agent: false,
    });
    req.current = connect;
    connect.once('connect', (res: IncomingMessage, socket: Socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        reject(new ProbeFailure('proxy', `the proxy ${proxy.host} answered CONNECT with ${res.statusCode}`));
        return;
      }
      const tls = tlsConnect({
        socket,
        servername: /^[\d.]+$|:/.test(url.hostname) ? undefined : url.hostname,
        rejectUnauthorized: !insecure,
        ALPNProtocols: ['http/1.1'],
      });
      tls.once('secureConnect', () => resolve(tls));
      tls.once('error', reject);
    });
    connect.once('error', reject);
    connect.end();
  });
}

/** Sends one request and reads its response head (the body is drained and dropped). Never follows a redirect. */
export function sendHttp(req: HttpRequest, opts: HttpOptions): Promise<HttpResponse> {
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return Promise.reject(new ProbeFailure('other', `${req.url} is not a URL`));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return Promise.reject(new ProbeFailure('other', `${req.url}: only http: and https: URLs can be probed`));
  let proxy: URL | null;
  try {
    proxy = proxyFor(url, opts.env);
  } catch (e) {
    return Promise.reject(e);
  }
  const https = url.protocol === 'https:';
  const current: { current: ClientRequest | null } = { current: null };
  let timer: NodeJS.Timeout | undefined;
  const work = new Promise<HttpResponse>((resolve, reject) => {
    const go = (socket: Socket | null) => {
      const viaHttpProxy = proxy !== null && !https;
      const headers: Header[] = viaHttpProxy ? [...req.headers, ...proxyAuthorization(proxy!)] : req.headers;
      const options = {
        host: (viaHttpProxy ? proxy!.hostname : url.hostname).replace(/^\[|\]$/g, ''),
        port: viaHttpProxy ? proxy!.port || 80 : url.port || (https ? 443 : 80),
        method: req.method,
        path: viaHttpProxy ? url.href : `${url.pathname}${url.search}`,
        headers: headers.flat(),
        setHost: false,
        // No pooling; through a tunnel, no agent at all, or Node would not use createConnection.
        ...(socket ? { createConnection: () => socket } : { agent: false as const }),
        maxHeaderSize: MAX_HEADER_BYTES,
        // Chromium takes any byte but NUL, CR and LF in a header value; Node's strict parser would refuse some.
        insecureHTTPParser: true,
        rejectUnauthorized: !opts.insecure,
        servername: /^[\d.]+$|:/.test(url.hostname) ? undefined : url.hostname,
      };
      const r = https && !viaHttpProxy ? httpsRequest(options) : httpRequest(options);
      current.current = r;
      r.once('response', (res) => {
        const response = { status: res.statusCode ?? 0, headers: pairs(res.rawHeaders) };
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_BODY_BYTES) {
            res.destroy();
            resolve(response);
          }
        });
        res.once('end', () => {
          res.socket?.destroy();
          resolve(response);
        });
        res.once('error', () => resolve(response));
        res.once('aborted', () => resolve(response));
      });
      r.once('error', (e) => reject(failure(e, url, proxy)));
      r.end(req.body ?? undefined);
    };
    if (proxy && https)
      tunnel(proxy, url, opts.insecure, current).then(go, (e) => reject(failure(e, url, proxy)));
    else go(null);
  });
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      current.current?.destroy();
      reject(
        new ProbeFailure(
          'timeout',
          `${url.host} did not answer within ${opts.timeoutMs / 1000} s (--timeout)`,
        ),
      );
    }, opts.timeoutMs);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
