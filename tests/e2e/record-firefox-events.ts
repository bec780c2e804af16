// Records real Firefox webRequest event sequences as fixtures: installs the raw recorder add-on
// (tests/e2e/recorder-firefox) into Debian's firefox-esr over WebDriver BiDi, runs each scenario of
// ./scenarios.ts that Firefox can run from PAGE in a fresh tab, and writes
// tests/fixtures/webrequest-firefox/<scenario>.json.
//
//   npx tsx tests/e2e/record-firefox-events.ts                 all scenarios
//   npx tsx tests/e2e/record-firefox-events.ts simple-blocked  only the ones named
//
// A fixture: { scenario, description, recordedWith, origins, events: [{ kind, details }] (all six kinds the
// recorder listens to, in delivery order, for the scenario's URLs and its page's navigation), page: [what
// each call returned in the page], console: [{ source, level, text }] (BiDi log.entryAdded of the tab) }.
import { resolve } from 'node:path';
import { asPage, launchFirefox, uuidFor } from './harness/firefox';
import { FIREFOX_RECORDER_ID, openFirefoxRecorder } from './harness/firefox-recorder';
import { recordFixtures } from './harness/record-fixtures';
import { collectFrom } from './harness/recorder';
import { belongsTo, openScenario, SCENARIOS } from './scenarios';

recordFixtures({
  dir: resolve(import.meta.dirname, '../fixtures/webrequest-firefox'),
  runnable: SCENARIOS.filter((s) => !s.chromiumOnly),
  unknownLabel: 'unknown or Chromium-only scenarios',
  launch: () => launchFirefox({ uuids: { [FIREFOX_RECORDER_ID]: uuidFor(FIREFOX_RECORDER_ID) } }),
  async prepare(browser, server) {
    const recorder = await openFirefoxRecorder(browser);
    const listeners = await recorder.registration();
    console.log(`recorder in ${browser.userAgent}`);
    return async (s) => {
      await recorder.take();
      const ctx = await openScenario(
        server,
        browser.context as never,
        async () => asPage(await browser.newPage()),
        s.name,
      );
      const page = await s.run(ctx);
      const events = await collectFrom(recorder.take, (e) => belongsTo(e.details.url, s.name));
      // Console lines trail the calls a little.
      await new Promise((r) => setTimeout(r, 300));
      const tab = ctx.page as unknown as Parameters<typeof browser.consoleOf>[0];
      const fixture = {
        scenario: s.name,
        description: s.description,
        recordedWith: {
          userAgent: browser.userAgent,
          listeners,
          date: new Date().toISOString().slice(0, 10),
        },
        origins: server.origins,
        events,
        page,
        console: browser.consoleOf(tab),
      };
      await ctx.page.close();
      return fixture;
    };
  },
});
