// The built CORScope add-on in Firefox: installed over BiDi (its UUID pinned by its gecko id), one of its
// own pages open in a tab to send the export message from, as the popup does.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExportedLine } from './extension';
import { parseJsonl } from './extension';
import {
  type FirefoxBrowser,
  type FirefoxPage,
  type InstalledAddon,
  launchFirefox,
  uuidFor,
} from './firefox';

export interface FirefoxCorscope {
  browser: FirefoxBrowser;
  addon: InstalledAddon;
  /** CORScope's popup, open in a tab. */
  ext: FirefoxPage;
  /** runtime.sendMessage({ source: 'corscope', type: 'export', format: 'jsonl' }) from the popup. */
  exportRows(): Promise<ExportedLine[]>;
  /** Waits until the export holds at least `n` rows that `match` (capture batches its writes). */
  waitForRows(match: (r: ExportedLine) => boolean, n: number, timeoutMs?: number): Promise<ExportedLine[]>;
  close(): Promise<void>;
}

/** The add-on id of a built Firefox add-on (browser_specific_settings.gecko.id). */
export function geckoId(dir: string): string {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
    browser_specific_settings?: { gecko?: { id?: string } };
  };
  const id = manifest.browser_specific_settings?.gecko?.id;
  if (!id) throw new Error(`${dir}/manifest.json has no browser_specific_settings.gecko.id`);
  return id;
}

interface ExtensionWindow {
  browser: { runtime: { sendMessage(m: unknown): Promise<string> } };
}

/** Starts Firefox with the built add-on at `dir` installed and its popup open. */
export async function launchFirefoxWithCorscope(dir: string): Promise<FirefoxCorscope> {
  const id = geckoId(dir);
  const browser = await launchFirefox({ uuids: { [id]: uuidFor(id) } });
  try {
    const addon = await browser.install(dir);
    const ext = await browser.newPage();
    await ext.goto(`${addon.base}/popup.html`);
    const exportRows = async () =>
      parseJsonl(
        await ext.evaluate(() =>
          (globalThis as unknown as ExtensionWindow).browser.runtime.sendMessage({
            source: 'corscope',
            type: 'export',
            format: 'jsonl',
          }),
        ),
      );
    return {
      browser,
      addon,
      ext,
      exportRows,
      async waitForRows(match, n, timeoutMs = 20_000) {
        const until = Date.now() + timeoutMs;
        for (;;) {
          const rows = (await exportRows()).filter(match);
          if (rows.length >= n || Date.now() > until) return rows;
          await new Promise((r) => setTimeout(r, 100));
        }
      },
      close: () => browser.close(),
    };
  } catch (e) {
    await browser.close();
    throw e;
  }
}
