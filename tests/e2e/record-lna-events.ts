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
import { launchWithExtension } from './harness/browser';
import { watchNetwork } from './harness/cdp-network';
import { LNA_SCENARIOS, runLnaScenario, startLnaWorld } from './harness/lna';
import { collectEvents, RECORDER_DIR, takeEvents } from './harness/recorder';

const DIR = resolve(import.meta.dirname, '../fixtures/webrequest-lna');
const ours = (url: string) => url.includes('/lna/');

const world = await startLnaWorld();
const browser = await launchWithExtension(RECORDER_DIR, { extraArgs: world.args });
try {
  await mkdir(DIR, { recursive: true });
  const userAgent = await browser.serviceWorker.evaluate(() => navigator.userAgent);
  for (const s of LNA_SCENARIOS) {
    const origin = world.origins[s.page];
    const {
      page,
      results,
      watched: cdp,
    } = await runLnaScenario(browser, world, s, (session) => watchNetwork(session, ours));
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
