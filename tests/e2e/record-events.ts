// Records real chrome.webRequest event sequences as fixtures: loads the raw recorder extension
// (tests/e2e/recorder) into Chromium, beside a stand-in ad blocker (tests/e2e/blocker, which blocks only URLs
// with /blocked-by-client in them), runs each scenario of ./scenarios.ts from PAGE in a fresh tab,
// and writes tests/fixtures/webrequest/<scenario>.json.
//
//   npx tsx tests/e2e/record-events.ts                 all scenarios
//   npx tsx tests/e2e/record-events.ts simple-blocked  only the ones named
//
// A fixture: { scenario, description, recordedWith, origins, events: [{ kind, details }] (all six kinds
// the recorder listens to, in delivery order, for the scenario's URLs and its page's navigation),
// page: [what each call returned in the page], console: [{ type, text, url, from }],
// cdp: [the DevTools protocol's Network view of the main frame's requests, the browser's own reasons] }.
import { resolve } from 'node:path';
import { BLOCKER_DIR, launchWithExtension } from './harness/browser';
import { watchNetwork } from './harness/cdp-network';
import { recordFixtures } from './harness/record-fixtures';
import { collectEvents, RECORDER_DIR, registration } from './harness/recorder';
import { belongsTo, openScenario, SCENARIOS } from './scenarios';

recordFixtures({
  dir: resolve(import.meta.dirname, '../fixtures/webrequest'),
  runnable: SCENARIOS.filter((s) => !s.firefoxOnly),
  unknownLabel: 'unknown scenarios',
  launch: () => launchWithExtension(RECORDER_DIR, { alsoLoad: [BLOCKER_DIR] }),
  async prepare(browser, server) {
    const userAgent = await browser.serviceWorker.evaluate(() => navigator.userAgent);
    const listeners = await registration(browser.serviceWorker);
    console.log(`recorder ${browser.extensionId} in ${userAgent}`);
    return async (s) => {
      const ctx = await openScenario(server, browser.context, browser.newPage, s.name);
      const session = await browser.cdp(ctx.page);
      const cdp = watchNetwork(session, (url) => belongsTo(url, s.name));
      await session.send('Network.enable');
      const page = await s.run(ctx);
      const events = await collectEvents(browser.serviceWorker, (e) => belongsTo(e.details.url, s.name));
      // Console lines trail the calls a little.
      await new Promise((r) => setTimeout(r, 200));
      const fixture = {
        scenario: s.name,
        description: s.description,
        recordedWith: { userAgent, listeners, date: new Date().toISOString().slice(0, 10) },
        origins: server.origins,
        events,
        page,
        console: browser.consoleOf(ctx.page),
        cdp,
      };
      await session.detach().catch(() => {});
      await ctx.page.close();
      return fixture;
    };
  },
});
