// Every recorded sample call (tests/fixtures/exchange/samples.jsonl: every category), made again from a real
// page in Chromium against a server that answers as the recording did, with CORScope loaded. The oracle is
// the browser: what the page saw, and the console line Chromium printed, against what CORScope stored.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Exchange } from '../../src/cors/types';
import { waitUntilCapturing } from '../../src/demo/main';
import { type ConsoleLine, type ExtensionBrowser, launchWithExtension } from './harness/browser';
import {
  apiNeutral,
  type ExportedLine,
  exportJsonl,
  extensionPage,
  parseJsonl,
  send,
} from './harness/extension';
import { callSample, routeSample, type SampleResult, sampleRewriter } from './harness/samples';
import { closedPort, type ScenarioServer, startScenarioServer } from './harness/server';

const SHARED = new URL('../fixtures/exchange/', import.meta.url);
const read = <T>(f: string) =>
  readFileSync(new URL(f, SHARED), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as T);
const samples = read<Exchange>('samples.jsonl');
const expected = read<{ id: string; verdict: string; preflight: string }>('expected.jsonl');

type PageResult = SampleResult;

describe('the recorded samples, replayed in Chromium with CORScope loaded', () => {
  let server: ScenarioServer;
  let browser: ExtensionBrowser;
  const results: { ex: Exchange; url: string; page: PageResult; lines: ConsoleLine[] }[] = [];
  let rows: ExportedLine[] = [];
  let jsonl = '';
  let ext: Page;

  beforeAll(async () => {
    const buildError = inject('extensionBuildError');
    if (buildError) throw new Error(buildError);
    server = await startScenarioServer();
    browser = await launchWithExtension(inject('extensionDir'));
    const pageOrigin = server.origins.page;
    const rewrite = sampleRewriter(server, await closedPort());
    const page = await browser.newPage();
    await page.goto(`${pageOrigin}/page?scenario=samples`);
    ext = await extensionPage(browser);
    // Capture goes live a moment after the extension starts (Chromium sets up its extraHeaders proxy for
    // the listeners): the first sample must not race it, so a warm-up call has to be stored first.
    server.route('/warmup', {
      actual: { status: 200, headers: [['Access-Control-Allow-Origin', pageOrigin]] },
    });
    await waitUntilCapturing(page, ext, `${server.origins.api}/warmup`);
    const starts: number[] = [];
    const calls: { ex: Exchange; url: string; page: PageResult }[] = [];
    for (const ex of samples) {
      routeSample(server, ex, rewrite);
      starts.push(browser.consoleOf(page).length);
      const url = rewrite(ex.request.url);
      calls.push({ ex, url, page: await callSample(page, ex, url) });
    }
    // Capture writes in batches: wait until the last call is stored.
    for (let i = 0; i < 100; i++) {
      jsonl = await exportJsonl(ext);
      if (jsonl.includes('/p/s066')) break;
      await ext.waitForTimeout(100);
    }
    // A console line may trail its call past the start of the next one, so a call's lines are those that
    // name its URL, from its start until the next call to the same URL (the cache probes reuse URLs).
    const all = browser.consoleOf(page);
    calls.forEach((c, k) => {
      const next = calls.findIndex((d, j) => j > k && d.url === c.url);
      const lines = all.slice(starts[k], next === -1 ? undefined : starts[next]);
      results.push({ ...c, lines: lines.filter((l) => l.text.includes(`'${c.url}'`)) });
    });
    rows = parseJsonl(jsonl).filter((r) => r.request.url.includes('/p/s'));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('stores one exchange per cross-origin CORS call, in call order, and nothing else', () => {
    // Not stored: the same-origin call, the no-cors call (counted instead) and the "same-origin"-mode
    // fetch the browser refused before anything reached the network.
    const storedIds = results
      .filter((r) => !['s055', 's056', 's057'].includes(r.ex.id))
      .map((r) => new URL(r.url).pathname);
    expect(rows.map((r) => new URL(r.request.url).pathname)).toEqual(storedIds);
  });

  it('every stored verdict is what the page saw, and the line is the one Chromium printed', () => {
    let i = 0;
    for (const r of results) {
      if (['s055', 's056', 's057'].includes(r.ex.id)) continue;
      const row = rows[i++]!;
      const cors = r.lines.filter((l) => l.text.includes('blocked by CORS policy')).map((l) => l.text);
      const where = `${r.ex.id}: page ${JSON.stringify(r.page)}; stored ${row.evaluation.verdict}`;
      if (r.page.ok) {
        expect(row.evaluation.verdict, where).toBe('allowed');
        expect(cors, where).toEqual([]);
        // The headers the page could read are the ones CORScope says are exposed.
        expect(row.evaluation.exposed, where).toEqual([...r.page.headers!].sort());
      } else if (cors.length) {
        expect(row.evaluation.verdict, where).toBe('blocked');
        const line = row.evaluation.error!.console!;
        if (r.ex.api === 'xhr') expect(apiNeutral(line), where).toBe(apiNeutral(cors[0]!));
        else expect(line, where).toBe(cors[0]);
      } else {
        expect(row.evaluation.verdict, where).toBe('network-error');
      }
    }
  });

  it('agrees with the earlier recording on verdict and preflight (sent, cached, none)', () => {
    let i = 0;
    for (const r of results) {
      if (['s055', 's056', 's057'].includes(r.ex.id)) continue;
      const row = rows[i++]!;
      const exp = expected.find((e) => e.id === r.ex.id)!;
      expect([r.ex.id, row.evaluation.verdict, row.evaluation.preflight]).toEqual([
        r.ex.id,
        exp.verdict,
        exp.preflight,
      ]);
    }
  });

  it('the refused "same-origin"-mode fetch and the no-cors call left no row; the page saw them fail and succeed', () => {
    const byId = new Map(results.map((r) => [r.ex.id, r.page]));
    expect(byId.get('s057')?.ok).toBe(false);
    expect(byId.get('s055')).toMatchObject({ ok: true, type: 'opaque' });
  });

  it('corscope evaluate on the dumped JSON Lines gives the verdicts the extension stored', () => {
    const file = join(tmpdir(), `corscope-e2e-${process.pid}.jsonl`);
    writeFileSync(file, jsonl);
    const out = execFileSync('node', ['bin/corscope.js', 'evaluate', file], { encoding: 'utf8' });
    const cli = out
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            id: string;
            verdict: string;
            preflight: string;
            error: { console: string | null } | null;
          },
      );
    const all = parseJsonl(jsonl);
    expect(cli.map((v) => v.id)).toEqual(all.map((r) => r.id));
    cli.forEach((v, k) => {
      const stored = all[k]!.evaluation;
      expect([v.verdict, v.preflight, v.error?.console ?? null]).toEqual([
        stored.verdict,
        stored.preflight,
        stored.error?.console ?? null,
      ]);
    });
  });

  it('exported as HAR, corscope har gives the verdicts the extension stored', async () => {
    const har = await send<string>(ext, { source: 'corscope', type: 'export', format: 'har' });
    const file = join(tmpdir(), `corscope-e2e-${process.pid}.har`);
    writeFileSync(file, har);
    const run = spawnSync('node', ['bin/corscope.js', 'har', file, '--format', 'jsonl'], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(2); // blocked calls are in there
    const fromHar = run.stdout
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as { verdict: string; preflight: string; error: { console: string | null } | null },
      );
    const all = parseJsonl(jsonl);
    expect(fromHar).toHaveLength(all.length);
    fromHar.forEach((v, k) => {
      const stored = all[k]!.evaluation;
      expect([v.verdict, v.preflight, v.error?.console ?? null]).toEqual([
        stored.verdict,
        stored.preflight,
        stored.error?.console ?? null,
      ]);
    });
  });

  it('keeps secrets out of storage: cookie and credential values are redacted', () => {
    for (const r of parseJsonl(jsonl)) {
      for (const w of r.wire) {
        for (const [n, v] of [...w.request.headers, ...(w.response?.headers ?? [])]) {
          if (/^(cookie|set-cookie|authorization|proxy-authorization)$/i.test(n))
            expect(v).toMatch(/^\[redacted: \d+ bytes\]$/);
        }
      }
    }
  });
});
