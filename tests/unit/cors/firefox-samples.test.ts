// The recorded floor for the Firefox engine: the same 66 calls made by headless Firefox ESR 153.7, evaluated
// with { engine: 'firefox' }, against what Firefox did and printed.
import { describe, expect, it } from 'vitest';
import { evaluateAll } from '../../../src/cors/index';
import { type Expected, readSampleSet } from './sample-set';

const { samples, expected, catalog } = readSampleSet<Expected & { firefox: string | null }>(
  new URL('../../fixtures/exchange/firefox/', import.meta.url),
);
const verdicts = evaluateAll(samples, { engine: 'firefox' });

describe('firefox/samples.jsonl (Firefox ESR 153) against firefox/expected.jsonl', () => {
  it('has one verdict per sample', () => {
    expect(verdicts.map((v) => v.id)).toEqual(expected.map((e) => e.id));
    expect(expected).toHaveLength(66);
  });

  it.each(expected.map((e, i) => [`${e.id} ${catalog[i]!.name}`, e, i] as const))('%s', (_, exp, i) => {
    const v = verdicts[i]!;
    expect(v.id).toBe(exp.id);
    expect(v.engine).toBe('firefox');
    expect(v.verdict).toBe(exp.verdict);
    expect(v.preflight).toBe(exp.preflight);
    // Firefox's whole line, character for character, and its reason key, on every line (null where none).
    expect(v.error?.console ?? null).toBe(exp.console);
    expect(v.error?.firefox ?? null).toBe(exp.firefox);
    expect(v.error?.firefoxConsole ?? null).toBe(exp.console);
    if (exp.exposed) expect(v.exposed).toEqual(exp.exposed);
    // Every line we print is one Firefox printed for that call, word for word.
    const printed = catalog[i]!.console.map((c) => c.text);
    if (v.error?.console) expect(printed).toContain(v.error.console);
    if (exp.verdict === 'blocked') {
      expect(v.error?.chromium).toBeTruthy();
      expect(v.fixes.length).toBeGreaterThan(0);
    } else expect(v.fixes).toEqual([]);
  });
});
