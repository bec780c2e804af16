// Talking to the built CORScope extension from a test: its pages, its export, its worker.
import type { Page } from 'playwright-core';
import { inject } from 'vitest';
import { send } from '../../../src/demo/main';
import { type ExtensionBrowser, launchWithExtension } from './browser';
import { type ScenarioServer, startScenarioServer } from './server';

/** Sends a CORScope message from an extension page and returns the answer (the demo's own helper). */
export { send };

export interface ExportedLine {
  id: string;
  initiator: string;
  api?: string;
  request: { method: string; url: string };
  wire: {
    type: string;
    request: { method: string; url: string; headers: [string, string][] };
    response: { status: number; headers: [string, string][] } | null;
  }[];
  outcome?: string;
  capture: {
    tabId: number;
    ambiguous: boolean;
    recovered: boolean;
    missing: string | null;
    requestId: string;
    headersLost: boolean;
    engine?: string;
    netError?: string | null;
  };
  evaluation: {
    engine?: string;
    verdict: string;
    preflight: string;
    error: {
      chromium: string | null;
      firefox?: string | null;
      console: string | null;
      stage?: string;
    } | null;
    exposed?: string[];
    reason?: { key: string; seen: string | null; hop: number } | null;
    checks: { rule: string; seen: string; servedBy?: { id: string } }[];
    warnings?: { code: string; message: string; hop: number }[];
  };
}

/** An extension page (the popup, opened in a tab) to send messages from. */
export async function extensionPage(b: ExtensionBrowser): Promise<Page> {
  const page = await b.context.newPage();
  await page.goto(`chrome-extension://${b.extensionId}/popup.html`);
  return page;
}

/**
 * For a test's beforeAll: the scenario server, Chromium with the built extension, a page on the server's page
 * origin, and an extension page.
 */
export async function pageWithExtension(): Promise<{
  pages: ScenarioServer;
  browser: ExtensionBrowser;
  page: Page;
  ext: Page;
}> {
  const buildError = inject('extensionBuildError');
  if (buildError) throw new Error(buildError);
  const pages = await startScenarioServer();
  const browser = await launchWithExtension(inject('extensionDir'));
  const page = await browser.newPage();
  await page.goto(`${pages.origins.page}/page`);
  return { pages, browser, page, ext: await extensionPage(browser) };
}

/** The export contract: runtime.sendMessage({source:'corscope', type:'export', format:'jsonl', tabId}). */
export async function exportJsonl(page: Page, tabId?: number): Promise<string> {
  return send<string>(page, {
    source: 'corscope',
    type: 'export',
    format: 'jsonl',
    ...(tabId === undefined ? {} : { tabId }),
  });
}

export function parseJsonl(text: string): ExportedLine[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ExportedLine);
}

/** Waits until the export holds at least `n` lines that `match` (capture batches its writes). */
export async function waitForRows(
  page: Page,
  match: (l: ExportedLine) => boolean,
  n: number,
  timeoutMs = 20_000,
): Promise<ExportedLine[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const rows = parseJsonl(await exportJsonl(page)).filter(match);
    if (rows.length >= n || Date.now() > until) return rows;
    await page.waitForTimeout(100);
  }
}

/** webRequest cannot tell XHR from fetch: CORScope's line uses fetch's words; compare on the rest. */
export function apiNeutral(line: string): string {
  return line
    .replace(/^Access to (fetch|XMLHttpRequest) at/, 'Access to X at')
    .replace(
      ' The credentials mode of requests initiated by the XMLHttpRequest is controlled by the withCredentials attribute.',
      '',
    )
    .replace(' Have the server send the header with a valid value.', '');
}
