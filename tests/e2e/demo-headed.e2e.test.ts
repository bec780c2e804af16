// The demo as a person with a display gets it (`npm start`): Chromium with a window, on a virtual display,
// DevTools open on the demo tab and showing the CORS panel, the panel listing the tab's calls inside real
// DevTools. The screenshot of the whole screen, devtools.png, goes where harness/screenshots.ts says.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { requireBrowser } from '../../src/browsers/node-system';
import { devtoolsTargets } from '../../src/demo/devtools';
import { type ExportedRow, runDemo } from '../../src/demo/main';
import { screenshots } from './harness/screenshots';
import { type Display, startXvfb } from './harness/xvfb';

const shots = screenshots();

let display: Display;
let rows: ExportedRow[] = [];
const lines: string[] = [];
const seen: {
  panels: number;
  inspectedTabId: number;
  listed: number;
  console: string;
  visible: boolean;
} = { panels: 0, inspectedTabId: -1, listed: 0, console: '', visible: false };

beforeAll(async () => {
  const buildError = inject('extensionBuildError');
  if (buildError) throw new Error(buildError);
  display = await startXvfb();
  rows = await runDemo({
    browser: requireBrowser('chromium'),
    headless: false,
    build: false,
    outDir: mkdtempSync(join(tmpdir(), 'corscope-demo-headed-')),
    log: (l) => lines.push(l),
    env: { ...process.env, DISPLAY: display.name },
    whenOpen: async (context, extensionId) => {
      const t = await devtoolsTargets(context, extensionId);
      try {
        const panels = await t.panels();
        seen.panels = panels.length;
        const panel = panels[0];
        if (!panel) return;
        // The panel inside DevTools: which tab it inspects, its rows; then a blocked call opened by a click.
        const inPanel = <T>(expr: string) => t.evaluate<T>(panel.targetId, expr);
        seen.inspectedTabId = await inPanel<number>('chrome.devtools.inspectedWindow.tabId');
        // The list loads from IndexedDB: wait for the blocked call's row, then open it.
        for (let i = 0; i < 50; i++) {
          const clicked = await inPanel<boolean>(
            `(() => { const row = [...document.querySelectorAll('[data-testid=row]')].find((e) => e.textContent.includes('/demo/items/7')); row?.click(); return !!row; })()`,
          );
          if (clicked) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        for (let i = 0; i < 50 && !seen.console; i++) {
          seen.console = await inPanel<string>(
            `document.querySelector('[data-testid=details] [data-testid=console]')?.textContent ?? ''`,
          );
          if (!seen.console) await new Promise((r) => setTimeout(r, 100));
        }
        seen.listed = await inPanel<number>(
          `parseInt(document.querySelector('[data-testid=count]')?.textContent ?? '-1', 10)`,
        );
        // Laid out and on screen: DevTools shows the panel, not merely loads it.
        seen.visible = await inPanel<boolean>(
          `document.visibilityState === 'visible' && document.querySelector('[data-testid=details]').getBoundingClientRect().height > 0`,
        );
        execFileSync('import', ['-display', display.name, '-window', 'root', shots.path('devtools.png')]);
      } finally {
        await t.close();
      }
    },
  });
}, 180_000);
afterAll(async () => {
  await display?.close();
  shots.done();
});

describe('the demo with a display', () => {
  it('opens DevTools on the demo tab with the CORS panel shown, listing every call', () => {
    expect(lines).toContain(
      'Chromium is open on the demo page, with DevTools on the CORS panel: select a call to see why.',
    );
    expect(rows.length).toBeGreaterThan(20);
    expect(seen.panels).toBe(1);
    expect(seen.inspectedTabId).toBe(rows[0]!.capture.tabId);
    expect(seen.listed).toBe(rows.length);
    expect(seen.visible).toBe(true);
  });

  it("explains a blocked call inside DevTools with Chromium's own console line", () => {
    const row = rows.find((r) => r.request.url.endsWith('/demo/items/7'))!;
    expect(seen.console).toBe(row.evaluation.error!.console);
  });
});
