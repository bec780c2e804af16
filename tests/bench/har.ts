// har_entries_per_s and har_peak_rss_vs_file: `corscope har` (a child process, as a user runs it) on a
// 100,000-entry HAR written the way Chrome DevTools writes one (no _cors: every preflight is paired by URL,
// method, origin and time), built from the recorded samples with fresh URLs per round.
import { spawn } from 'node:child_process';
import { closeSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toHar } from '../../src/report/har';
import type { HarEntry } from '../../src/report/har-types';
import { sampleRows } from '../unit/ui/rows';

/** One round of the samples as HAR entries (CORScope's export), as JSON text, one string per entry. */
function sampleEntries(devtools: boolean): { text: string; time: number }[] {
  return toHar(sampleRows()).log.entries.map((e: HarEntry) => {
    const { _cors, ...rest } = e;
    return { text: JSON.stringify(devtools ? rest : e), time: Date.parse(e.startedDateTime) };
  });
}

/**
 * Writes a HAR of `entries` entries (or of at least `bytes` bytes) to `path` without holding it in memory:
 * the samples' entries round after round, each round with its own URLs, ids and times.
 */
export function writeHar(
  path: string,
  opts: { entries?: number; bytes?: number; devtools?: boolean } = {},
): { entries: number; bytes: number } {
  const round = sampleEntries(opts.devtools ?? true);
  const fd = openSync(path, 'w');
  let bytes = 0;
  let n = 0;
  let buf = '';
  const put = (s: string) => {
    buf += s;
    if (buf.length > 1 << 20) {
      bytes += writeSync(fd, buf);
      buf = '';
    }
  };
  put(
    '{"log":{"version":"1.2","creator":{"name":"WebInspector","version":"537.36"},' +
      '"pages":[{"startedDateTime":"2025-01-01T12:00:00.000Z","id":"page_1","title":"http://127.0.0.1:8101/",' +
      '"pageTimings":{"onContentLoad":-1,"onLoad":-1}}],"entries":[\n',
  );
  const done = () =>
    opts.entries !== undefined ? n >= opts.entries : bytes + buf.length >= (opts.bytes ?? 0);
  for (let r = 0; !done(); r++) {
    const shift = r * round.length * 10;
    for (const e of round) {
      if (done()) break;
      const time = new Date(e.time + shift).toISOString();
      const text = e.text
        .replace(/"startedDateTime":"[^"]*"/, `"startedDateTime":"${time}"`)
        .replaceAll('/p/s0', `/p/r${r}/s0`)
        .replaceAll('"pair":"s', `"pair":"r${r}-s`);
      put(`${n ? ',\n' : ''}${text}`);
      n++;
    }
  }
  put('\n]}}\n');
  bytes += writeSync(fd, buf);
  closeSync(fd);
  return { entries: n, bytes };
}

/** Runs `corscope har FILE --format jsonl` in a child; wall time, peak RSS (bytes) and the lines it wrote. */
export function runCli(file: string): Promise<{ ms: number; maxRss: number; lines: number; code: number }> {
  const root = new URL('../../', import.meta.url).pathname;
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn(
      process.execPath,
      [join(root, 'tests/bench/har-rss.js'), 'har', file, '--format', 'jsonl'],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let lines = 0;
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      for (let i = d.indexOf(10); i !== -1; i = d.indexOf(10, i + 1)) lines++;
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const m = /maxrss (\d+)/.exec(err);
      if (!m) return reject(new Error(`no maxrss from the child: ${err.slice(-500)}`));
      resolve({ ms: performance.now() - t, maxRss: Number(m[1]) * 1024, lines, code: code ?? -1 });
    });
  });
}

export async function benchHar(): Promise<Record<string, number>> {
  const file = join(tmpdir(), `corscope-bench-${process.pid}.har`);
  try {
    const { entries, bytes } = writeHar(file, { entries: 100_000 });
    const run = await runCli(file);
    if (run.code !== 2 || run.lines < 60_000)
      throw new Error(`corscope har: exit ${run.code}, ${run.lines} calls`);
    return {
      har_entries_per_s: Math.round(entries / (run.ms / 1000)),
      har_peak_rss_vs_file: Number((run.maxRss / statSync(file).size).toFixed(3)),
      har_peak_rss_mb: Number((run.maxRss / 1e6).toFixed(1)),
      har_file_mb: Number((bytes / 1e6).toFixed(1)),
    };
  } finally {
    rmSync(file, { force: true });
  }
}
