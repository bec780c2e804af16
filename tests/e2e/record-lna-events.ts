// Records what chrome.webRequest shows of Local Network Access: the raw recorder extension (tests/e2e/recorder)
// in Chromium on the network of ./harness/lna.ts, each scenario of LNA_SCENARIOS in a fresh tab with its
// permissions granted. Writes tests/fixtures/webrequest-lna/<scenario>.json:
// { scenario, description, recordedWith, origins, events: [{ kind, details }] (the six kinds, in delivery order,
// for the scenario's calls), page: [what each call returned], console: [{ type, text }], cdp: [DevTools'
// Network view: corsError, the address spaces] }.
//
//   npx tsx tests/e2e/record-lna-events.ts
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CDPSession } from 'playwright-core';
import { launchWithExtension } from './harness/browser';
import { grantLna, LNA_SCENARIOS, makeLnaCall, startLnaWorld } from './harness/lna';
import { collectEvents, RECORDER_DIR, takeEvents } from './harness/recorder';

const DIR = resolve(import.meta.dirname, '../fixtures/webrequest-lna');
const ours = (url: string) => url.includes('/lna/');

/** DevTools' Network events for the calls, trimmed to what explains them. */
function watchCdp(session: CDPSession): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const ids = new Set<string>();
  session.on('Network.requestWillBeSent', (e) => {
    if (!ours(e.request.url)) return;
    ids.add(e.requestId);
    out.push({
      event: 'requestWillBeSent',
      requestId: e.requestId,
      method: e.request.method,
      url: e.request.url,
      type: e.type,
      initiator: e.initiator.type,
    });
  });
  session.on('Network.requestWillBeSentExtraInfo', (e) => {
    if (ids.has(e.requestId))
      out.push({
        event: 'requestWillBeSentExtraInfo',
        requestId: e.requestId,
        clientSecurityState: e.clientSecurityState ?? null,
      });
  });
  session.on('Network.responseReceivedExtraInfo', (e) => {
    if (ids.has(e.requestId))
      out.push({
        event: 'responseReceivedExtraInfo',
        requestId: e.requestId,
        statusCode: e.statusCode,
        resourceIPAddressSpace: e.resourceIPAddressSpace,
      });
  });
  session.on('Network.loadingFailed', (e) => {
    if (ids.has(e.requestId))
      out.push({
        event: 'loadingFailed',
        requestId: e.requestId,
        errorText: e.errorText,
        corsErrorStatus: e.corsErrorStatus ?? null,
      });
  });
  return out;
}

const world = await startLnaWorld();
const browser = await launchWithExtension(RECORDER_DIR, { extraArgs: world.args });
try {
  await mkdir(DIR, { recursive: true });
  const userAgent = await browser.serviceWorker.evaluate(() => navigator.userAgent);
  for (const s of LNA_SCENARIOS) {
    const origin = world.origins[s.page];
    await grantLna(browser.context, origin, s.grant);
    const page = await browser.newPage();
    const session = await browser.cdp(page);
    const cdp = watchCdp(session);
    await session.send('Network.enable');
    await page.goto(`${origin}/page`);
    const results = [];
    for (const call of s.calls(world.origins)) results.push(await makeLnaCall(page, call));
    const events = (await collectEvents(browser.serviceWorker, () => true)).filter(
      (e) => ours(e.details.url) || (e.details.type === 'main_frame' && e.details.url === `${origin}/page`),
    );
    await page.waitForTimeout(300);
    const fixture = {
      scenario: s.name,
      description: s.description,
      recordedWith: userAgent,
      origins: world.origins,
      grant: s.grant,
      events,
      page: results,
      console: browser.consoleOf(page).map(({ type, text }) => ({ type, text })),
      cdp,
    };
    await writeFile(resolve(DIR, `${s.name}.json`), `${JSON.stringify(fixture, null, 2)}\n`);
    console.log(`${s.name}: ${events.length} events, page ${JSON.stringify(results)}`);
    await page.close();
    await takeEvents(browser.serviceWorker);
  }
} finally {
  await browser.close();
  await world.close();
}
