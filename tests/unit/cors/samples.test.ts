// The recorded floor: every sample exchange from headless Chromium 156 against what the browser did.
import { describe, expect, it } from 'vitest';
import { evaluateAll } from '../../../src/cors/index';
import { readSampleSet } from './sample-set';

const { samples, expected, catalog } = readSampleSet(new URL('../../fixtures/exchange/', import.meta.url));
const verdicts = evaluateAll(samples);

describe('samples.jsonl (Chromium 156) against expected.jsonl', () => {
  it.each(expected.map((e, i) => [`${e.id} ${catalog[i]!.name}`, e, i] as const))('%s', (_, exp, i) => {
    const v = verdicts[i]!;
    expect(v.id).toBe(exp.id);
    expect(v.verdict).toBe(exp.verdict);
    expect(v.preflight).toBe(exp.preflight);
    if (exp.verdict === 'blocked') expect(v.error?.console).toBe(exp.console);
    if (exp.exposed) expect(v.exposed).toEqual(exp.exposed);
    // Every line we print is one the browser printed for that call, word for word.
    const printed = catalog[i]!.console.map((c) => c.text);
    if (v.error?.console) expect(printed).toContain(v.error.console);
    if (exp.verdict === 'blocked') expect(v.fixes.length).toBeGreaterThan(0);
    else expect(v.fixes).toEqual([]);
  });
});
