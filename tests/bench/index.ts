// `npm run bench [suite...]`: each figure measured against a baseline taken in the same run; all written to
// bench-results.json (a run of some suites keeps the other suites' figures from the last run).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { SetupError } from '../../src/browsers/find';
import { ensureBrowsers } from '../../src/browsers/node-system';
import { benchCapture } from './capture';
import { benchCli } from './cli';
import { benchEvaluator } from './evaluator';
import { benchHar } from './har';
import { benchPanel } from './panel';
import { benchWhatIf } from './whatif';

const TARGETS: Record<string, string> = {
  evaluator_vs_json_parse: '≤ 1.0',
  capture_overhead: '≤ 1.10',
  capture_overhead_vs_bare: '≤ 1.03',
  capture_vs_bare: '≤ 1.05',
  capture_overhead_firefox: '≤ 1.10',
  settle_margin: '> 1',
  store_writes_per_s: '≥ 5,000',
  panel_open_vs_100: '≤ 5',
  panel_filter_vs_100: '≤ 2',
  whatif_keystroke_ms: '< 16 (p95, one frame)',
};

const RESULTS = 'bench-results.json';
const only = process.argv.slice(2);
const suites: Record<string, () => Promise<Record<string, number>> | Record<string, number>> = {
  evaluator: () => benchEvaluator(),
  capture: () => benchCapture(),
  har: () => benchHar(),
  cli: () => benchCli(),
  panel: () => benchPanel(),
  whatif: () => benchWhatIf(),
};
const unknown = only.filter((s) => !(s in suites));
if (unknown.length)
  throw new Error(`unknown suite ${unknown.join(', ')}; suites: ${Object.keys(suites).join(', ')}`);

// The browser suites: say which browsers run, or install them (Debian or Ubuntu as root), or stop with the
// command to install them.
if (!only.length || only.some((s) => ['capture', 'panel', 'whatif'].includes(s))) {
  try {
    ensureBrowsers('bench', (l) => console.log(l));
  } catch (e) {
    if (!(e instanceof SetupError)) throw e;
    console.error(`corscope bench: ${e.message}`);
    process.exit(1);
  }
}

const results: Record<string, number> =
  only.length && existsSync(RESULTS)
    ? (JSON.parse(readFileSync(RESULTS, 'utf8')) as Record<string, number>)
    : {};
for (const [name, run] of Object.entries(suites)) {
  if (only.length && !only.includes(name)) continue;
  const figures = await run();
  for (const [k, v] of Object.entries(figures)) {
    results[k] = v;
    console.log(`${k.padEnd(28)} ${String(v).padStart(12)}${TARGETS[k] ? `   (target ${TARGETS[k]})` : ''}`);
  }
}
writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
console.log(`wrote ${RESULTS}`);
