// Bounds on what `check` and `scan` ask of a server: at most N requests per second, spaced evenly, and at most
// M calls at once.
import type { Send } from './http';

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Wraps `send` so requests start at least 1000 / rate ms apart, in the order they were asked for. */
export function rateLimited(send: Send, rate: number, clock: Clock = realClock): Send {
  const gap = 1000 / rate;
  let next = Number.NEGATIVE_INFINITY;
  return async (req) => {
    const now = clock.now();
    const at = Math.max(now, next);
    next = at + gap;
    if (at > now) await clock.sleep(at - now);
    return send(req);
  };
}

/** Runs each task, at most `concurrency` at a time, and gives the results in the tasks' order. */
export async function inPool<T>(tasks: (() => Promise<T>)[], concurrency: number): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  let i = 0;
  const worker = async () => {
    while (i < tasks.length) {
      const k = i++;
      results[k] = await tasks[k]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, worker));
  return results;
}
