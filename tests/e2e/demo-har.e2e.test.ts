// A HAR of the demo recorded from real Chromium (built from the DevTools protocol's Network events, as
// DevTools' own export builds it), imported by `corscope har`: every call's verdict is what the browser did.
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type DemoServer, startDemoServer } from '../../src/demo/server';
import { type ExtensionBrowser, launchWithExtension } from './harness/browser';
import { recordCdpHar } from './harness/cdp-har';

interface Row {
  /** "cors" for a judged call; a call of another class has no verdict. */
  class: string;
  verdict?: string;
  url: string;
  error: { console: string | null } | null;
}

let demo: DemoServer;
let browser: ExtensionBrowser;
let results: { name: string; ok: boolean; type?: string }[] = [];
let printed: string[] = [];
let rows: Row[] = [];
let status: number | null = null;

beforeAll(async () => {
  const buildError = inject('extensionBuildError');
  if (buildError) throw new Error(buildError);
  demo = await startDemoServer();
  browser = await launchWithExtension(inject('extensionDir'));
  const page = await browser.newPage();
  const recorder = await recordCdpHar(page);
  await page.goto(`${demo.origins.page}/`);
  await page.waitForFunction(() => document.title === 'CORScope demo: done', null, { timeout: 60_000 });
  await recorder.settled();
  results = await page.evaluate(() => (window as unknown as { demoResults: typeof results }).demoResults);
  printed = browser
    .consoleOf(page)
    .filter((l) => l.text.includes('blocked by CORS policy'))
    .map((l) => l.text);
  const file = join(tmpdir(), `corscope-demo-${process.pid}.har`);
  writeFileSync(file, JSON.stringify(recorder.har(`${demo.origins.page}/`)));
  const run = spawnSync('node', ['bin/corscope.js', 'har', file, '--format', 'jsonl'], { encoding: 'utf8' });
  rmSync(file);
  status = run.status;
  rows = run.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Row)
    .filter((r) => r.url.includes('/demo/'));
});
afterAll(async () => {
  await browser?.close();
  await demo?.close();
});

describe('a HAR of the demo recorded from Chromium, through corscope har', () => {
  it('exits 2: the demo has blocked calls', () => {
    expect(status).toBe(2);
  });

  it('puts each call in its class: the no-cors call is not governed by CORS, the refused one cannot tell', () => {
    // A refused connection leaves only the page's provisional request headers in the HAR (no Origin, no
    // Sec-Fetch-Mode): whether the fetch was in cors or no-cors mode is not in the file.
    const expected = results.map((r) =>
      r.type === 'opaque' ? 'not-governed' : r.name === 'connection-refused' ? 'cannot-tell' : 'cors',
    );
    expect(rows.map((r) => r.class)).toEqual(expected);
  });

  it('gives every CORS call the verdict the browser gave it', () => {
    const calls = results.filter((_r, i) => rows[i]?.class === 'cors');
    const cors = rows.filter((r) => r.class === 'cors');
    expect(cors).toHaveLength(calls.length);
    calls.forEach((c, i) => {
      const v = cors[i]!.verdict;
      if (c.ok) expect(v, c.name).toBe('allowed');
      else expect(['blocked', 'network-error'], c.name).toContain(v);
    });
  });

  it('prints, for each blocked call, the line Chromium printed (XHR wording included)', () => {
    const lines = rows.filter((r) => r.verdict === 'blocked').map((r) => r.error!.console);
    expect(lines.sort()).toEqual([...printed].sort());
  });
});
