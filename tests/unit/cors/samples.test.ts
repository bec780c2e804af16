// The recorded floor: every sample exchange from headless Chromium 156 against what the browser did.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluateAll } from '../../../src/cors/index';
import type { Exchange } from '../../../src/cors/types';
import { readJsonl } from '../../factories';

const dir = new URL('../../fixtures/exchange/', import.meta.url);
const samples = readJsonl<Exchange>(readFileSync(new URL('samples.jsonl', dir), 'utf8'));
const expected = readJsonl<{
  id: string;
  verdict: string;
  preflight: string;
  console: string | null;
  exposed?: string[];
}>(readFileSync(new URL('expected.jsonl', dir), 'utf8'));
const catalog = readJsonl<{ id: string; name: string; console: { type: string; text: string }[] }>(
  readFileSync(new URL('catalog.jsonl', dir), 'utf8'),
);
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
