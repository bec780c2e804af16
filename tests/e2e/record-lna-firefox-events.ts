// Records what Firefox's webRequest shows of Local Network Access: the raw recorder add-on
// (tests/e2e/recorder-firefox) in headless Firefox ESR over WebDriver BiDi, a page on http://pub.test (a name that
// resolves to loopback, its port counted as public through network.lna.address_space.public.override) calling an
// API on loopback, with the permissions set for the page (an unanswered prompt would hold the call for minutes).
// Writes tests/fixtures/webrequest-firefox-lna/<scenario>.json: { scenario, description, recordedWith, events,
// page: [what each call returned], console: [{ source, level, text }] }.
//
//   npx tsx tests/e2e/record-lna-firefox-events.ts
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { asPage, launchFirefox, uuidFor } from './harness/firefox';
import { FIREFOX_RECORDER_ID, openFirefoxRecorder } from './harness/firefox-recorder';
import { type LnaCall, makeLnaCall } from './harness/lna';
import { collectFrom } from './harness/recorder';
import { PNG_1X1 } from './harness/server';

const DIR = resolve(import.meta.dirname, '../fixtures/webrequest-firefox-lna');

const server = createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0]!;
  if (path === '/page') {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<!doctype html><title>lna</title><body>lna</body>');
    return;
  }
  const headers: [string, string][] = [['Access-Control-Allow-Origin', String(req.headers.origin ?? '*')]];
  if (req.method === 'OPTIONS')
    headers.push(['Access-Control-Allow-Methods', 'PUT'], ['Access-Control-Allow-Headers', 'X-Custom']);
  const image = path.startsWith('/lna/img');
  headers.push(['Content-Type', image ? 'image/png' : 'text/plain']);
  res.writeHead(req.method === 'OPTIONS' ? 204 : 200, headers.flat());
  res.end(req.method === 'OPTIONS' ? '' : image ? PNG_1X1 : 'ok');
});
const api = createServer((req, res) => server.emit('request', req, res));
const listen = (s: typeof server) =>
  new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));
const pagePort = await listen(server);
const apiPort = await listen(api);
const page = `http://pub.test:${pagePort}`;
const loopback = `http://127.0.0.1:${apiPort}`;

const SCENARIOS: { name: string; description: string; grant: 'granted' | 'denied'; calls: LnaCall[] }[] = [
  {
    name: 'lna-ff-simple',
    description: 'a public page fetches a loopback API without the permission',
    grant: 'denied',
    calls: [{ api: 'fetch', url: `${loopback}/lna/ok/simple` }],
  },
  {
    name: 'lna-ff-preflight',
    description: 'a PUT with a custom header without the permission: its preflight is refused',
    grant: 'denied',
    calls: [{ api: 'fetch', url: `${loopback}/lna/ok/put`, method: 'PUT', headers: [['X-Custom', 'v1']] }],
  },
  {
    name: 'lna-ff-image',
    description: 'an <img> without crossorigin from loopback, without the permission',
    grant: 'denied',
    calls: [{ api: 'image', url: `${loopback}/lna/img` }],
  },
  {
    name: 'lna-ff-granted',
    description: 'the same calls with the permission granted',
    grant: 'granted',
    calls: [
      { api: 'fetch', url: `${loopback}/lna/ok/granted` },
      { api: 'fetch', url: `${loopback}/lna/ok/put-granted`, method: 'PUT', headers: [['X-Custom', 'v1']] },
    ],
  },
];

const firefox = await launchFirefox({
  uuids: { [FIREFOX_RECORDER_ID]: uuidFor(FIREFOX_RECORDER_ID) },
  prefs: {
    'network.lna.address_space.public.override': `127.0.0.1:${pagePort}`,
    'network.dns.localDomains': 'pub.test',
  },
});
try {
  await mkdir(DIR, { recursive: true });
  const recorder = await openFirefoxRecorder(firefox);
  const listeners = await recorder.registration();
  for (const s of SCENARIOS) {
    for (const name of ['loopback-network', 'local-network'])
      await firefox.bidi.send('permissions.setPermission', {
        descriptor: { name },
        state: s.grant,
        origin: page,
      });
    const tab = await firefox.newPage();
    await tab.goto(`${page}/page`);
    await recorder.take();
    const results = [];
    for (const call of s.calls) results.push(await makeLnaCall(asPage(tab), call));
    const events = await collectFrom(recorder.take, (e) => e.details.url.includes('/lna/'));
    await new Promise((r) => setTimeout(r, 300));
    const fixture = {
      scenario: s.name,
      description: s.description,
      recordedWith: { userAgent: firefox.userAgent, listeners, date: new Date().toISOString().slice(0, 10) },
      origins: { page, loopback },
      events,
      page: results,
      console: firefox.consoleOf(tab),
    };
    await writeFile(resolve(DIR, `${s.name}.json`), `${JSON.stringify(fixture, null, 2)}\n`);
    console.log(`${s.name}: ${events.length} events, page ${JSON.stringify(results)}`);
    await tab.close();
  }
} finally {
  await firefox.close();
  server.close();
  api.close();
}
