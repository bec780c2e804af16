// Debian's Chromium with no extension: the oracle for what a page's call does, for the command-line tests.
// Console lines come from the page and its frames (Playwright's console event).
import { type Browser, chromium, type Page } from 'playwright-core';
import { CHROMIUM_ARGS } from '../../../src/browsers/launch';
import { requireBrowser } from '../../../src/browsers/node-system';

export interface PlainBrowser {
  browser: Browser;
  newPage(): Promise<Page>;
  /** Error lines the page and its frames printed, in order. */
  consoleOf(page: Page): string[];
  close(): Promise<void>;
}

export async function launchPlain(extraArgs: string[] = []): Promise<PlainBrowser> {
  const browser = await chromium.launch({
    executablePath: requireBrowser('chromium').path,
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
  const context = await browser.newContext();
  const lines = new WeakMap<Page, string[]>();
  return {
    browser,
    async newPage() {
      const page = await context.newPage();
      const mine: string[] = [];
      lines.set(page, mine);
      page.on('console', (m) => {
        if (m.type() === 'error') mine.push(m.text());
      });
      return page;
    },
    consoleOf: (page) => lines.get(page) ?? [],
    close: () => browser.close(),
  };
}
