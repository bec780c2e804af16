// The raw webRequest recorder for Firefox (tests/e2e/recorder-firefox, an MV2 add-on): installed over BiDi,
// read from its own page (moz-extension://<uuid>/recorder.html) through getBackgroundPage().
import { resolve } from 'node:path';
import type { FirefoxBrowser, FirefoxPage } from './firefox';
import type { RecordedEvent } from './recorder';

export const FIREFOX_RECORDER_DIR = resolve(import.meta.dirname, '../recorder-firefox');
export const FIREFOX_RECORDER_ID = 'recorder@corscope.test';

interface RecorderWindow {
  browser: { extension: { getBackgroundPage(): { __take(): string; __registrationJson(): string } } };
}

export interface FirefoxRecorder {
  page: FirefoxPage;
  /** Removes and returns every event recorded so far. */
  take(): Promise<RecordedEvent[]>;
  /** The option lists each listener was registered with (and the ones Firefox rejected). */
  registration(): Promise<Record<string, unknown>>;
}

/** Installs the recorder (its UUID must be pinned at launch) and opens its page in a tab. */
export async function openFirefoxRecorder(b: FirefoxBrowser): Promise<FirefoxRecorder> {
  const addon = await b.install(FIREFOX_RECORDER_DIR);
  const page = await b.newPage();
  await page.goto(`${addon.base}/recorder.html`);
  return {
    page,
    take: async () =>
      JSON.parse(
        await page.evaluate(() =>
          (globalThis as unknown as RecorderWindow).browser.extension.getBackgroundPage().__take(),
        ),
      ) as RecordedEvent[],
    registration: async () =>
      JSON.parse(
        await page.evaluate(() =>
          (globalThis as unknown as RecorderWindow).browser.extension
            .getBackgroundPage()
            .__registrationJson(),
        ),
      ) as Record<string, unknown>,
  };
}
