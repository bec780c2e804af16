// The CPU time a Chromium launched by this process has used, read from /proc (Linux): all its processes,
// and its extension processes alone (Chromium marks them --extension-process): the capture bench reports
// them beside page times, to say which process a cost lands in. Null where /proc is not there.
import { existsSync, readdirSync, readFileSync } from 'node:fs';

export interface BrowserCpu {
  /** utime + stime of every browser process, ms. */
  totalMs: number;
  /** utime + stime of the extension processes (an extension's service worker runs in one), ms. */
  extensionMs: number;
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ: 100 on Linux). */
const TICKS_PER_S = 100;

/** What the Chromium processes descended from this process have used so far. */
export function browserCpu(): BrowserCpu | null {
  if (!existsSync('/proc/self/stat')) return null;
  const procs = new Map<number, { ppid: number; ms: number; browser: boolean; extension: boolean }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces), from field 3 (state) on.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split(/[\0 ]/);
      procs.set(Number(name), {
        ppid: Number(f[1]),
        ms: ((Number(f[11]) + Number(f[12])) * 1000) / TICKS_PER_S,
        browser: (argv[0] ?? '').includes('chrom'),
        extension: argv.includes('--extension-process'),
      });
    } catch {
      // The process ended while it was read.
    }
  }
  const ours = (pid: number): boolean => {
    for (let p = procs.get(pid)?.ppid, hops = 0; p !== undefined && hops < 32; p = procs.get(p)?.ppid, hops++)
      if (p === process.pid) return true;
    return false;
  };
  let totalMs = 0;
  let extensionMs = 0;
  for (const [pid, p] of procs) {
    if (!p.browser || !ours(pid)) continue;
    totalMs += p.ms;
    if (p.extension) extensionMs += p.ms;
  }
  return { totalMs, extensionMs };
}

/** What was used between two readings. */
export function cpuSince(before: BrowserCpu | null, after: BrowserCpu | null): BrowserCpu | null {
  return before && after
    ? { totalMs: after.totalMs - before.totalMs, extensionMs: after.extensionMs - before.extensionMs }
    : null;
}
