// A small network for Local Network Access (tests/fixtures/exchange/lna/README.md does the same with fixed ports):
// loopback servers that Chromium counts as public or local through --ip-address-space-overrides, names that
// resolve to them through --host-resolver-rules, and the test certificate trusted by its key, so a public page
// can be a secure context (https://pub.test) or not (http://pub.test).
//
//   secure    https://pub.test:A     a public page, a secure context
//   insecure  http://pub.test:B      a public page, not a secure context
//   loopback  http://127.0.0.1:C     an API on this machine (loopback by its address: no override)
//   local     https://printer.test:D an API on the local network
//   public    https://api.test:E     a public API that redirects into loopback
//
// The calls: each scenario makes one or two from its page, with the permission it names granted, and what
// Chromium decided (the page's result, its console line, DevTools' corsError) is the oracle.
import { createHash, X509Certificate } from 'node:crypto';
import {
  createServer as createHttp,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import type { ExtensionBrowser } from './browser';
import { close, listen, tls } from './net';
import { callSample } from './samples';
import { PNG_1X1 } from './server';

export type LnaPage = 'secure' | 'insecure';
/** The permissions granted to the page: none, both, or the loopback one only. */
export type LnaGrant = 'none' | 'all' | 'loopback';

export interface LnaWorld {
  origins: Record<'secure' | 'insecure' | 'loopback' | 'local' | 'public', string>;
  /** Chromium's flags for this network. */
  args: string[];
  /** Every request that reached a server: server name, method, path. */
  seen: { server: string; method: string; path: string }[];
  close(): Promise<void>;
}

const PAGE =
  '<!doctype html><html><head><meta charset="utf-8"><title>lna</title><link rel="icon" href="data:,"></head><body>lna</body></html>';

/** The APIs: /lna/ok allows the origin (a preflight for PUT with X-Custom too), /lna/no-acao allows nothing. */
function api(name: string, seen: LnaWorld['seen'], redirectTo: () => string) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    seen.push({ server: name, method: req.method ?? '', path });
    const origin = String(req.headers.origin ?? '');
    const headers: [string, string][] = [];
    if (path === '/page') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(PAGE);
      return;
    }
    if (path.startsWith('/lna/redirect')) {
      res.writeHead(
        302,
        [
          ['Location', redirectTo()],
          ['Access-Control-Allow-Origin', origin],
        ].flat(),
      );
      res.end();
      return;
    }
    if (!path.startsWith('/lna/no-acao') && origin) headers.push(['Access-Control-Allow-Origin', origin]);
    if (req.method === 'OPTIONS') {
      headers.push(['Access-Control-Allow-Methods', 'PUT'], ['Access-Control-Allow-Headers', 'X-Custom']);
      res.writeHead(204, headers.flat());
      res.end();
      return;
    }
    const image = path.startsWith('/lna/img');
    headers.push(['Content-Type', image ? 'image/png' : 'text/plain']);
    res.writeHead(200, headers.flat());
    res.end(image ? PNG_1X1 : 'ok');
  };
}

/** The SPKI hash Chromium's --ignore-certificate-errors-spki-list takes for the test certificate. */
export function testCertificateSpki(): string {
  const der = new X509Certificate(tls.cert).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64');
}

export async function startLnaWorld(): Promise<LnaWorld> {
  const seen: LnaWorld['seen'] = [];
  const ports: Record<string, number> = {};
  const servers: Server[] = [];
  const start = async (name: string, secure: boolean) => {
    const handler = api(name, seen, () => `http://127.0.0.1:${ports.loopback}/lna/ok?from=redirect`);
    const server = secure ? createHttps(tls, handler) : createHttp(handler);
    servers.push(server);
    ports[name] = await listen(server);
  };
  await start('secure', true);
  await start('insecure', false);
  await start('loopback', false);
  await start('local', true);
  await start('public', true);
  const overrides = [
    `127.0.0.1:${ports.secure}=public`,
    `127.0.0.1:${ports.insecure}=public`,
    `127.0.0.1:${ports.local}=local`,
    `127.0.0.1:${ports.public}=public`,
  ];
  return {
    origins: {
      secure: `https://pub.test:${ports.secure}`,
      insecure: `http://pub.test:${ports.insecure}`,
      loopback: `http://127.0.0.1:${ports.loopback}`,
      local: `https://printer.test:${ports.local}`,
      public: `https://api.test:${ports.public}`,
    },
    args: [
      '--host-resolver-rules=MAP *.test 127.0.0.1',
      `--ip-address-space-overrides=${overrides.join(',')}`,
      `--ignore-certificate-errors-spki-list=${testCertificateSpki()}`,
    ],
    seen,
    close: async () => {
      for (const s of servers) await close(s);
    },
  };
}

/** What one call returned in the page. */
export interface LnaResult {
  ok: boolean;
  status?: number;
  error?: string;
}

export interface LnaCall {
  api: 'fetch' | 'image';
  url: string;
  method?: string;
  headers?: [string, string][];
  targetAddressSpace?: string;
}

export interface LnaScenario {
  name: string;
  description: string;
  page: LnaPage;
  grant: LnaGrant;
  calls: (o: LnaWorld['origins']) => LnaCall[];
}

/** One scenario per category of tests/fixtures/exchange/lna, each made live. */
export const LNA_SCENARIOS: LnaScenario[] = [
  {
    name: 'lna-permission-loopback',
    description: 'a secure public page fetches a loopback API without the permission',
    page: 'secure',
    grant: 'none',
    calls: (o) => [{ api: 'fetch', url: `${o.loopback}/lna/ok/permission` }],
  },
  {
    name: 'lna-permission-local',
    description: 'a secure public page fetches a local API by name, with only the loopback permission',
    page: 'secure',
    grant: 'loopback',
    calls: (o) => [{ api: 'fetch', url: `${o.local}/lna/ok/local` }],
  },
  {
    name: 'lna-preflight',
    description: 'a PUT with a custom header: its preflight is stopped',
    page: 'secure',
    grant: 'none',
    calls: (o) => [
      { api: 'fetch', url: `${o.loopback}/lna/ok/put`, method: 'PUT', headers: [['X-Custom', 'v1']] },
    ],
  },
  {
    name: 'lna-redirect',
    description: 'a public API redirects into loopback: the redirect hop is stopped',
    page: 'secure',
    grant: 'none',
    calls: (o) => [{ api: 'fetch', url: `${o.public}/lna/redirect` }],
  },
  {
    name: 'lna-element',
    description: 'an <img> without crossorigin from loopback: no-cors, stopped all the same',
    page: 'secure',
    grant: 'none',
    calls: (o) => [{ api: 'image', url: `${o.loopback}/lna/img` }],
  },
  {
    name: 'lna-insecure',
    description: 'a public page that is not a secure context fetches a loopback API',
    page: 'insecure',
    grant: 'none',
    calls: (o) => [{ api: 'fetch', url: `${o.loopback}/lna/ok/insecure` }],
  },
  {
    name: 'lna-after-grant',
    description: 'with the permission granted the calls go through, and CORS applies to them',
    page: 'secure',
    grant: 'all',
    calls: (o) => [
      { api: 'fetch', url: `${o.loopback}/lna/ok/granted` },
      { api: 'fetch', url: `${o.loopback}/lna/no-acao/granted` },
      { api: 'fetch', url: `${o.local}/lna/ok/put-granted`, method: 'PUT', headers: [['X-Custom', 'v1']] },
    ],
  },
  {
    name: 'lna-target-space',
    description: "fetch()'s targetAddressSpace names the wrong space",
    page: 'secure',
    grant: 'all',
    calls: (o) => [{ api: 'fetch', url: `${o.loopback}/lna/ok/target`, targetAddressSpace: 'local' }],
  },
];

/** Grants the scenario's permissions to its page (and nothing else). */
export async function grantLna(context: BrowserContext, origin: string, grant: LnaGrant): Promise<void> {
  await context.clearPermissions();
  if (grant === 'all') await context.grantPermissions(['local-network-access'], { origin });
  if (grant === 'loopback') {
    const cdp = await context.browser()!.newBrowserCDPSession();
    await cdp.send('Browser.grantPermissions', { origin, permissions: ['loopbackNetwork'] });
    await cdp.detach();
  }
}

/** Makes one call in the page, as its script would. */
export function makeLnaCall(page: Pick<Page, 'evaluate'>, call: LnaCall): Promise<LnaResult> {
  const request = {
    method: call.method ?? 'GET',
    url: call.url,
    headers: call.headers ?? [],
    ...(call.targetAddressSpace ? { targetAddressSpace: call.targetAddressSpace } : {}),
  };
  return callSample(page, { api: call.api, request }, call.url);
}

/**
 * Runs one scenario in a new tab of `browser`: its permissions granted, its page loaded with `watch` on the
 * tab's DevTools session from the start, its calls made in order. The caller closes the page.
 */
export async function runLnaScenario<T>(
  browser: Pick<ExtensionBrowser, 'context' | 'newPage' | 'cdp'>,
  world: LnaWorld,
  s: LnaScenario,
  watch: (session: CDPSession) => T,
): Promise<{ page: Page; calls: LnaCall[]; results: LnaResult[]; watched: T }> {
  const origin = world.origins[s.page];
  await grantLna(browser.context, origin, s.grant);
  const page = await browser.newPage();
  const session = await browser.cdp(page);
  const watched = watch(session);
  await session.send('Network.enable');
  await page.goto(`${origin}/page`);
  const calls = s.calls(world.origins);
  const results: LnaResult[] = [];
  for (const call of calls) results.push(await makeLnaCall(page, call));
  return { page, calls, results, watched };
}
