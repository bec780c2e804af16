// Records Firefox's own exchanges for the Local Network Access samples (tests/fixtures/exchange/lna): each call of
// lna/samples.jsonl made again from a page in headless Firefox ESR over WebDriver BiDi, its pages and servers put
// in the same address spaces with Firefox's test prefs, the permissions set as lna/firefox/browser.json says (an
// unanswered permission prompt would hold the call for minutes). What reached the servers is the wire; a request
// Firefox stopped (BiDi's fetchError) ends it with no headers, no response and its address space, and Firefox's
// error is the call's `netError`. Writes lna/firefox/samples.jsonl (URLs on the recorded ports, 8501-8507).
//
//   npx tsx tests/e2e/record-lna-firefox.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AddressSpace, Exchange, Header, LocalNetworkAccess, WireEntry } from '../../src/cors/types';
import { readJsonl } from '../factories';
import { asPage, launchFirefox } from './harness/firefox';
import { callSample } from './harness/samples';

const DIR = new URL('../fixtures/exchange/lna/', import.meta.url);
const read = <T>(f: string) => readJsonl<T>(readFileSync(new URL(f, DIR), 'utf8'));
const samples = read<Exchange>('samples.jsonl');
const catalog = read<{ id: string; context: string }>('catalog.jsonl');
const browserJson = JSON.parse(readFileSync(new URL('firefox/browser.json', DIR), 'utf8')) as {
  permissions: Record<string, Record<'loopback-network' | 'local-network', 'granted' | 'denied'>>;
};

// The recorded ports and the address space of each (lna/README.md): pages 8501-8504, servers 8505-8507.
const SPACE: Record<number, AddressSpace> = {
  8501: 'public',
  8502: 'public',
  8503: 'local',
  8504: 'loopback',
  8505: 'loopback',
  8506: 'local',
  8507: 'public',
};

interface Seen {
  port: number;
  method: string;
  path: string;
  headers: Header[];
  reply: { status: number; headers: Header[] };
}

const seen: Seen[] = [];
/** The recorded answer of each method and path (its preflight's and its own), on the recorded ports. */
const answers = new Map<string, { status: number; headers: Header[] }>();
for (const ex of samples)
  for (const w of ex.wire)
    if (w.response) answers.set(`${w.type}|${new URL(w.request.url).pathname}`, w.response);

const servers = new Map<number, { server: Server; port: number }>();
const toReal = (s: string) =>
  s.replace(/(127\.0\.0\.1|pub\.test):(85\d\d)/g, (_, h, p) => `${h}:${servers.get(Number(p))!.port}`);
const toRecorded = (s: string) =>
  s.replace(/(127\.0\.0\.1|pub\.test):(\d+)/g, (m, h, p) => {
    for (const [rec, { port }] of servers) if (port === Number(p)) return `${h}:${rec}`;
    return m;
  });

for (const recorded of Object.keys(SPACE).map(Number)) {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    const origin = String(req.headers.origin ?? '');
    const recordedAnswer = answers.get(`${preflight ? 'preflight' : 'request'}|${path}`);
    // A call Chromium stopped has no recorded answer: answer as the recording's servers did when Firefox let it
    // through (200, the origin allowed).
    const reply = recordedAnswer
      ? {
          status: recordedAnswer.status,
          headers: recordedAnswer.headers.map(([n, v]) => [n, toReal(v)] as Header),
        }
      : {
          status: path === '/' ? 200 : 200,
          headers: [
            ...(path === '/' ? [] : ([['Access-Control-Allow-Origin', origin]] as Header[])),
            ['Content-Type', path === '/' ? 'text/html' : 'text/plain'],
            ['Content-Length', path === '/' ? '47' : '2'],
            ['Connection', 'close'],
          ] as Header[],
        };
    const body = path === '/' ? '<!doctype html><title>lna</title><body>lna</body>' : 'ok';
    if (path !== '/' && path !== '/favicon.ico') {
      const headers: Header[] = [];
      for (let i = 0; i + 1 < req.rawHeaders.length; i += 2)
        headers.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
      seen.push({ port: recorded, method: req.method ?? 'GET', path, headers, reply });
    }
    res.sendDate = false;
    const length = reply.headers.find(([n]) => n.toLowerCase() === 'content-length')?.[1];
    res.writeHead(reply.status, reply.headers.flat());
    res.end(length === '0' ? '' : body.slice(0, length ? Number(length) : undefined));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  servers.set(recorded, { server, port: (server.address() as AddressInfo).port });
}

const real = (p: number) => `127.0.0.1:${servers.get(p)!.port}`;
const ports = (space: AddressSpace) =>
  Object.entries(SPACE)
    .filter(([p, s]) => s === space && Number(p) !== 8504 && Number(p) !== 8505)
    .map(([p]) => real(Number(p)))
    .join(',');
const firefox = await launchFirefox({
  prefs: {
    // Firefox's names: "private" is Local Network Access's local, "local" its loopback (the default here).
    'network.lna.address_space.public.override': ports('public'),
    'network.lna.address_space.private.override': ports('local'),
    'network.dns.localDomains': 'pub.test',
  },
});
const events: { method: string; params: Record<string, unknown> }[] = [];
firefox.bidi.on((e) => {
  if (e.method.startsWith('network.')) events.push(e);
});
await firefox.bidi.send('session.subscribe', {
  events: ['network.beforeRequestSent', 'network.responseCompleted', 'network.fetchError'],
});

const out: Exchange[] = [];
const page = await firefox.newPage();
let current = '';
for (const ex of samples) {
  const context = catalog.find((c) => c.id === ex.id)!.context;
  const perms = browserJson.permissions[context]!;
  const origin = toReal(ex.initiator);
  for (const [name, state] of Object.entries(perms))
    await firefox.bidi.send('permissions.setPermission', { descriptor: { name }, state, origin });
  if (current !== origin) {
    await page.goto(`${origin}/`);
    current = origin;
  }
  seen.length = 0;
  events.length = 0;
  const result = await callSample(asPage(page), ex, toReal(ex.request.url));
  await page.waitForTimeout(300);

  // The wire: what reached the servers, in order, then what Firefox stopped before it was sent.
  const wire: WireEntry[] = seen.map((s) => ({
    type:
      s.method === 'OPTIONS' && s.headers.some(([n]) => n.toLowerCase() === 'access-control-request-method')
        ? 'preflight'
        : 'request',
    request: {
      method: s.method,
      url: toRecorded(`http://${real(s.port)}${s.path}`),
      headers: s.headers.map(([n, v]) => [n, toRecorded(v)] as Header),
    },
    response: {
      status: s.reply.status,
      headers: s.reply.headers.map(([n, v]) => [n, toRecorded(v)] as Header),
      addressSpace: SPACE[s.port]!,
    },
  }));
  const stopped = events.filter(
    (e) => e.method === 'network.fetchError' && String(e.params.errorText).includes('LOCAL_NETWORK'),
  );
  // A request whose preflight was stopped never went out: the preflight stands for it.
  const preflightStopped = stopped.find((e) => (e.params.request as { method: string }).method === 'OPTIONS');
  // The call ends at the stopped request: its error is the call's.
  let netError: string | undefined;
  for (const e of preflightStopped ? [preflightStopped] : stopped.slice(0, 1)) {
    const r = e.params.request as { method: string; url: string };
    const recordedUrl = toRecorded(r.url);
    wire.push({
      type: r.method === 'OPTIONS' ? 'preflight' : 'request',
      request: { method: r.method, url: recordedUrl, headers: [] },
      response: null,
      addressSpace: SPACE[Number(new URL(recordedUrl).port)]!,
    });
    netError = String(e.params.errorText);
  }
  const granted: LocalNetworkAccess =
    perms['loopback-network'] === perms['local-network']
      ? perms['loopback-network']
      : { local: perms['local-network'], loopback: perms['loopback-network'] };
  const recordedEx: Exchange = {
    id: ex.id,
    initiator: ex.initiator,
    addressSpace: ex.addressSpace!,
    localNetworkAccess: granted,
    ...(ex.api ? { api: ex.api } : {}),
    ...(ex.mode ? { mode: ex.mode } : {}),
    ...(ex.credentials ? { credentials: ex.credentials } : {}),
    request: ex.request,
    wire,
    outcome: result.ok ? 'success' : 'error',
    ...(netError ? { netError } : {}),
  };
  out.push(recordedEx);
  const lines = firefox.consoleOf(page).splice(0);
  console.log(
    ex.id,
    result.ok ? 'ok' : result.error,
    wire.map((w) => `${w.type} ${w.request.method} ${w.response?.status ?? netError}`).join(' > '),
    lines.map((l) => l.text.slice(0, 90)).join(' | '),
  );
}
await firefox.close();
for (const { server } of servers.values()) server.close();
writeFileSync(new URL('firefox/samples.jsonl', DIR), `${out.map((e) => JSON.stringify(e)).join('\n')}\n`);
console.log(`wrote ${out.length} exchanges, ${firefox.version}`);
