// `--engine chromium|firefox` on `corscope evaluate` and `corscope har`.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Exchange } from '../../../src/cors/types';
import { toHar } from '../../../src/report/har';
import { readJsonl } from '../../factories';
import { storedRows } from '../ui/rows';
import { run } from './run';

const root = new URL('../../../', import.meta.url).pathname;
const fixtures = join(root, 'tests/fixtures/exchange');
const firefoxSamples = join(fixtures, 'firefox/samples.jsonl');
const chromiumSamples = join(fixtures, 'samples.jsonl');

interface Expected {
  id: string;
  verdict: string;
  preflight: string;
  console: string | null;
  firefox: string | null;
}
const firefoxExpected = readJsonl<Expected>(
  readFileSync(join(fixtures, 'firefox/expected.jsonl'), 'utf8'),
).map(({ id, verdict, preflight, console, firefox }) => ({ id, verdict, preflight, console, firefox }));

interface Out {
  id: string;
  engine: string;
  verdict: string;
  preflight: string;
  error: { console: string | null; firefox: string | null; chromium: string | null } | null;
}
const asExpected = (v: Out): Expected => ({
  id: v.id,
  verdict: v.verdict,
  preflight: v.preflight,
  console: v.error?.console ?? null,
  firefox: v.error?.firefox ?? null,
});

const dir = mkdtempSync(join(tmpdir(), 'corscope-cli-engine-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('corscope evaluate --engine', () => {
  it('--engine firefox agrees with Firefox on every recorded sample: verdict, preflight, line and reason key', async () => {
    const { code, out, err } = await run(['evaluate', '--engine', 'firefox', firefoxSamples]);
    expect(code).toBe(0);
    expect(err).toBe('');
    const got = readJsonl<Out>(out);
    expect(got.every((v) => v.engine === 'firefox')).toBe(true);
    expect(got.map(asExpected)).toEqual(firefoxExpected);
  });

  it('defaults to chromium, and --engine chromium prints exactly the same', async () => {
    const byDefault = await run(['evaluate', chromiumSamples]);
    const chromium = await run(['evaluate', `--engine=chromium`, chromiumSamples]);
    expect(chromium.code).toBe(0);
    expect(chromium.out).toBe(byDefault.out);
    const got = readJsonl<Out>(byDefault.out);
    expect(got.every((v) => v.engine === 'chromium')).toBe(true);
    expect(got.find((v) => v.id === 's003')?.error?.console).toMatch(/^Access to fetch at /);
  });

  it('the same blocked call in each engine’s words', async () => {
    const line = readFileSync(firefoxSamples, 'utf8').split('\n')[2]!; // s003: no Access-Control-Allow-Origin
    const [chromium] = readJsonl<Out>((await run(['evaluate', '-'], line)).out);
    const [firefox] = readJsonl<Out>((await run(['evaluate', '--engine', 'firefox', '-'], line)).out);
    expect(chromium!.error?.chromium).toBe('MissingAllowOriginHeader');
    expect(firefox!.error?.chromium).toBe('MissingAllowOriginHeader');
    expect(chromium!.error?.console).toMatch(
      /has been blocked by CORS policy: No 'Access-Control-Allow-Origin'/,
    );
    expect(firefox!.error?.console).toBe(firefoxExpected[2]!.console);
  });

  it('--format text with --engine firefox reads the Firefox verdicts', async () => {
    const { code, out } = await run(['evaluate', '--format', 'text', '--engine', 'firefox', firefoxSamples]);
    expect(code).toBe(0);
    // s053, a redirect to a URL with a username and password: a network error in Firefox, blocked in Chromium.
    expect(out.split('\n').find((l) => l.startsWith('s053'))).toMatch(/\snetwork-error\s/);
  });

  it.each([
    [['evaluate', '--engine', 'webkit', firefoxSamples], 'corscope evaluate: unknown engine "webkit"'],
    [['evaluate', '--engine=Firefox', firefoxSamples], 'corscope evaluate: unknown engine "Firefox"'],
    [
      ['evaluate', firefoxSamples, '--engine'],
      "corscope evaluate: Option '--engine <value>' argument missing",
    ],
    [['har', 'x.har', '--engine', 'safari'], 'corscope har: unknown engine "safari"'],
  ])('rejects %j with a clear message and exit 64', async (args, message) => {
    const { code, out, err } = await run(args);
    expect(code).toBe(64);
    expect(out).toBe('');
    expect(err.startsWith(message)).toBe(true);
    if (err.includes('unknown engine')) expect(err).toContain('(--engine takes chromium or firefox)');
    expect(err).toContain('Usage:');
  });

  it('names --engine in the help', async () => {
    const { code, out } = await run(['--help']);
    expect(code).toBe(0);
    expect(out).toContain('corscope evaluate [FILE|-] [--format json|text] [--engine chromium|firefox]');
    expect(out).toMatch(/corscope har FILE\|- .*\n\s+\[--engine chromium\|firefox\]/);
  });
});

describe('corscope har --engine', () => {
  // The Firefox recordings as a HAR (CORScope's export), read back and judged by each engine.
  const exchanges = readJsonl<Exchange>(readFileSync(firefoxSamples, 'utf8'));
  const harPath = join(dir, 'firefox-samples.har');
  writeFileSync(harPath, JSON.stringify(toHar(storedRows(exchanges))));

  it('--engine firefox: each call of a HAR in Firefox’s words, agreeing with Firefox', async () => {
    const { code, out } = await run(['har', harPath, '--engine', 'firefox', '--format', 'jsonl']);
    expect(code).toBe(2);
    const all = readJsonl<Out & { class: string }>(out);
    // The no-cors and the same-origin call are not CORS calls: classed, not judged.
    expect(all.filter((v) => v.class !== 'cors').map((v) => [v.id, v.class])).toEqual([
      ['s055', 'not-governed'],
      ['s056', 'same-origin'],
    ]);
    const got = all.filter((v) => v.class === 'cors');
    expect(got.every((v) => v.engine === 'firefox')).toBe(true);
    expect(got.map(asExpected)).toEqual(firefoxExpected.filter((e) => e.id !== 's055' && e.id !== 's056'));
  });

  it('without --engine, the same HAR is judged by Chromium', async () => {
    const { out } = await run(['har', harPath, '--format', 'jsonl']);
    const got = readJsonl<Out & { class: string }>(out).filter((v) => v.class === 'cors');
    expect(got.every((v) => v.engine === 'chromium')).toBe(true);
    // The calls where the engines differ: a userinfo redirect, an ACAO list on one line.
    expect(got.find((v) => v.id === 's053')?.verdict).toBe('blocked');
    expect(got.find((v) => v.id === 's011')?.error?.chromium).toBe('MultipleAllowOriginValues');
  });

  it('without --engine, a HAR that Firefox wrote (log.creator) is judged by Firefox; --engine overrides', async () => {
    const har = join(root, 'tests/fixtures/har/firefox-cors.har');
    const auto = readJsonl<Out>((await run(['har', har, '--format', 'jsonl'])).out);
    const firefox = readJsonl<Out>((await run(['har', har, '--format', 'jsonl', '--engine', 'firefox'])).out);
    const chromium = readJsonl<Out>(
      (await run(['har', har, '--format', 'jsonl', '--engine', 'chromium'])).out,
    );
    expect(auto).toEqual(firefox);
    expect(auto.map((v) => v.engine)).toEqual(['firefox', 'firefox', 'firefox']);
    expect(chromium.map((v) => v.engine)).toEqual(['chromium', 'chromium', 'chromium']);
    expect(chromium[1]!.error!.console).toMatch(/^Access to fetch at /);
  });

  it('--engine firefox on a Firefox DevTools HAR', async () => {
    const har = join(root, 'tests/fixtures/har/firefox-cors.har');
    const { code, out } = await run(['har', har, '--format', 'jsonl', '--engine', 'firefox']);
    expect(code).toBe(2);
    expect(readJsonl<Out>(out).map((v) => [v.verdict, v.error?.firefox ?? null])).toEqual([
      ['allowed', null],
      ['blocked', 'CORSMissingAllowOrigin'],
      ['blocked', 'CORSMissingAllowOrigin'],
    ]);
  });
});
