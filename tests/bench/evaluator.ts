// evaluator_per_s and evaluator_vs_json_parse: the recorded samples, varied and repeated to 100,000+ lines.
import { readFileSync } from 'node:fs';
import { Evaluator } from '../../src/cors/evaluate';
import type { Exchange } from '../../src/cors/types';

const N = 132_000; // 2,000 rounds of the 66 recorded calls

/** The samples, repeated with fresh ids and URLs so no two lines are the same call. */
export function realisticMix(n = N): string[] {
  const samples = readFileSync(new URL('../fixtures/exchange/samples.jsonl', import.meta.url), 'utf8')
    .trim()
    .split('\n');
  const lines: string[] = [];
  for (let i = 0; lines.length < n; i++) {
    const round = Math.floor(i / samples.length);
    const line = samples[i % samples.length]!;
    // Same shape, new id and URL (the cache-probing pairs keep sharing their URL within a round).
    lines.push(line.replaceAll('"id":"s', `"id":"r${round}-s`).replaceAll('/p/s0', `/p/r${round}/s0`));
  }
  return lines;
}

export function benchEvaluator(rounds = 5): Record<string, number> {
  const lines = realisticMix();
  const parseTimes: number[] = [];
  const evalTimes: number[] = [];
  let verdicts = 0;
  for (let r = 0; r < rounds; r++) {
    // Alternate: parse, then evaluate what was parsed, in the same round.
    let t = performance.now();
    const parsed = lines.map((l) => JSON.parse(l) as Exchange);
    parseTimes.push(performance.now() - t);
    const ev = new Evaluator();
    t = performance.now();
    for (const ex of parsed) if (ev.evaluate(ex).verdict) verdicts++;
    evalTimes.push(performance.now() - t);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const parse = median(parseTimes);
  const evaluate = median(evalTimes);
  if (verdicts !== lines.length * rounds) throw new Error('evaluator dropped calls');
  return {
    evaluator_per_s: Math.round(lines.length / (evaluate / 1000)),
    evaluator_vs_json_parse: Number((evaluate / parse).toFixed(3)),
  };
}
