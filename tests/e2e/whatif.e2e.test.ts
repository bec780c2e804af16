// "Try a fix" in the real panel page, in Chromium with the built extension, proven on a real server: a page's PUT
// is blocked by an Express server without CORS; the panel's what-if opens it prefilled with the proposed fix and
// says allowed, follows keystrokes typed into a header value, and copies an Express snippet and a probe command.
// Express restarted with that snippet lets the same call through in Chromium with no CORS line, and the copied
// command, run by bash against it, says the preflight passed (exit 0).
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExtensionBrowser } from './harness/browser';
import { pageWithExtension, waitForRows } from './harness/extension';
import { closedPort, type ScenarioServer } from './harness/server';
import { startServer } from './harness/servers';

const ROOT = resolve(import.meta.dirname, '../..');

// What the panel copies, kept by the page instead of the clipboard (a page opened as a tab may not have it).
const KEEP_COPIES = `window.__copied = [];
navigator.clipboard.writeText = async (text) => { window.__copied.push(text); };`;

let pages: ScenarioServer;
let browser: ExtensionBrowser;
let page: Page;
let ext: Page;

beforeAll(async () => {
  ({ pages, browser, page, ext } = await pageWithExtension());
});
afterAll(async () => {
  await browser?.close();
  await pages?.close();
});

const put = (url: string) =>
  page.evaluate(async (u) => {
    try {
      const r = await fetch(u, { method: 'PUT', headers: { 'X-Request-Id': 'r1' }, body: '{}' });
      return { ok: true, status: r.status };
    } catch (e) {
      return { ok: false, error: String(e) };
    }
  }, url);

const corsLines = async (from: number) => {
  await page.waitForTimeout(50);
  return browser
    .consoleOf(page)
    .slice(from)
    .map((l) => l.text)
    .filter((t) => t.includes('blocked by CORS policy'));
};

describe('Try a fix, in the real panel', () => {
  it('a blocked call, edited with the proposed fix, is allowed; the copied snippet and probe command are right', async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}/api/items`;
    // 1. Blocked by Express without CORS.
    const bare = await startServer('express', port, null);
    let lines = browser.consoleOf(page).length;
    try {
      expect(await put(url)).toMatchObject({ ok: false });
    } finally {
      await bare.stop();
    }
    const printed = await corsLines(lines);
    expect(printed).toHaveLength(1);
    const [row] = await waitForRows(ext, (l) => l.request.url === url, 1);
    expect(row?.evaluation.verdict).toBe('blocked');

    // 2. The panel for the page's tab: the call, "Try a fix".
    const panel = await browser.context.newPage();
    await panel.addInitScript(KEEP_COPIES);
    await panel.setViewportSize({ width: 1280, height: 900 });
    await panel.goto(
      `chrome-extension://${browser.extensionId}/devtools-panel.html?tabId=${row!.capture.tabId}`,
    );
    await panel.getByTestId('row').filter({ hasText: '/api/items' }).click();
    await panel.getByTestId('try-fix').click();
    const whatif = panel.getByTestId('whatif');
    const verdict = whatif.getByTestId('whatif-verdict-now');
    await expect.poll(() => verdict.textContent()).toBe('allowed');
    expect(await whatif.getByTestId('whatif-verdict').textContent()).toBe('Recorded blocked → now allowed');

    // 3. Edits: without the preflight's Access-Control-Allow-Origin the call is blocked again, with the line
    //    Chromium printed for it; typed back key by key into a new header line, it is allowed.
    const preflight = whatif.getByTestId('whatif-hop').first();
    const values = await preflight
      .getByTestId('whatif-header-value')
      .evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value));
    const index = values.indexOf(pages.origins.page);
    expect(index).toBeGreaterThanOrEqual(0);
    await preflight.getByTestId('whatif-header-remove').nth(index).click();
    await expect.poll(() => verdict.textContent()).toBe('blocked');
    expect(await whatif.getByTestId('whatif-console').textContent()).toBe(printed[0]);
    await preflight.getByTestId('whatif-header-add').click();
    // The new line's name field has the focus: type into it, Tab to its value.
    await panel.keyboard.type('Access-Control-Allow-Origin');
    await panel.keyboard.press('Tab');
    await panel.keyboard.type(pages.origins.page);
    await expect.poll(() => verdict.textContent()).toBe('allowed');

    // The recording knows the script's header only by its name (the preflight asked for it): give its value.
    const script = panel.getByLabel('Script header 1: value');
    expect(await script.inputValue()).toBe('(unknown)');
    await script.fill('r1');
    expect(await verdict.textContent()).toBe('allowed');

    // 4. The copies: the Express snippet of the edited responses, and the edited call as a probe command.
    const express = whatif.getByTestId('whatif-snippet-express');
    await express.locator('summary').click();
    await express.getByTestId('copy-whatif-snippet-express').click();
    await whatif.getByTestId('whatif-copy-probe').click();
    const [snippet, command] = await panel.evaluate(
      () => (window as unknown as { __copied: string[] }).__copied,
    );
    expect(snippet).toBe(
      [
        '// npm install cors',
        "const cors = require('cors');",
        '',
        'const corsOptions = {',
        `  origin: '${pages.origins.page}', // one exact origin: cors adds Vary: Origin`,
        "  methods: ['PUT'],",
        "  allowedHeaders: ['x-request-id'],",
        '};',
        '// Answers the preflight (OPTIONS → 204) and adds the headers to the response.',
        "app.use('/api/items', cors(corsOptions));",
      ].join('\n'),
    );
    expect(command).toBe(
      `corscope probe '${url}' --origin '${pages.origins.page}' --method 'PUT' -H 'x-request-id: r1'`,
    );
    await panel.close();

    // 5. Right on the real server: Express with the snippet lets the same call through in Chromium, and the
    //    command, pasted into bash, asks it and hears the preflight pass.
    const fixed = await startServer('express', port, snippet!);
    try {
      lines = browser.consoleOf(page).length;
      expect(await put(url), fixed.output()).toEqual({ ok: true, status: 200 });
      expect(await corsLines(lines)).toEqual([]);
      const bash = spawnSync(
        'bash',
        ['--norc', '--noprofile', '-c', `corscope() { node ${ROOT}/bin/corscope.js "$@"; }\n${command}`],
        { encoding: 'utf8', timeout: 60_000 },
      );
      expect(bash.status, `${bash.stdout}\n${bash.stderr}`).toBe(0);
      expect(bash.stdout).toContain('Access-Control-Allow-Headers');
    } finally {
      await fixed.stop();
    }
  });
});
