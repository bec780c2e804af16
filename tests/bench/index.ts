// `npm run bench`: each figure measured against a baseline taken in the same run; all written to bench-results.json.
import { writeFileSync } from 'node:fs';
import { benchEvaluator } from './evaluator';

const TARGETS: Record<string, string> = {
  evaluator_vs_json_parse: '≤ 1.0',
};

const only = process.argv.slice(2);
const suites: Record<string, () => Promise<Record<string, number>> | Record<string, number>> = {
  evaluator: () => benchEvaluator(),
};

const results: Record<string, number> = {};
for (const [name, run] of Object.entries(suites)) {
  if (only.length && !only.includes(name)) continue;
  const figures = await run();
  for (const [k, v] of Object.entries(figures)) {
    results[k] = v;
    console.log(`${k.padEnd(28)} ${String(v).padStart(12)}${TARGETS[k] ? `   (target ${TARGETS[k]})` : ''}`);
  }
}
writeFileSync('bench-results.json', `${JSON.stringify(results, null, 2)}\n`);
console.log('wrote bench-results.json');
