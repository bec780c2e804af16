// cli_startup_ms and cli_startup_vs_node: `corscope evaluate` on a one-line file, from spawning the process to
// its exit, against `node -e 0` (the baseline: Node's own start) in the same run; runs alternate, medians.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;

/** Wall time of one child process, in ms; throws when it exits with another status than `status`. */
function timed(args: string[], status: number): number {
  const t = performance.now();
  const run = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
  const ms = performance.now() - t;
  if (run.status !== status) throw new Error(`node ${args.join(' ')}: exit ${run.status}\n${run.stderr}`);
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** `bin` is the command line to start (default: this checkout's bin/corscope.js). */
export function benchCli(rounds = 15, bin = join(ROOT, 'bin/corscope.js')): Record<string, number> {
  const dir = mkdtempSync(join(tmpdir(), 'corscope-bench-cli-'));
  try {
    const file = join(dir, 'one.jsonl');
    const first = readFileSync(join(ROOT, 'tests/fixtures/exchange/samples.jsonl'), 'utf8').split('\n')[0]!;
    writeFileSync(file, `${first}\n`);
    timed([bin, 'evaluate', file], 0); // a first run builds what a checkout has not built yet
    const node: number[] = [];
    const cli: number[] = [];
    for (let r = 0; r < rounds; r++) {
      node.push(timed(['-e', '0'], 0));
      cli.push(timed([bin, 'evaluate', file], 0));
    }
    return {
      cli_startup_ms: Number(median(cli).toFixed(1)),
      node_startup_ms: Number(median(node).toFixed(1)),
      cli_startup_vs_node: Number((median(cli) / median(node)).toFixed(2)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
