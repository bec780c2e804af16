// What both capture benches share (capture.ts in Chromium, capture-firefox.ts in Firefox): the page's calls,
// the API's answers to them, and the statistics of the runs.
import { SETTLE_MS } from '../../src/capture/pairing';
import { FLUSH_MS } from '../../src/capture/service';
import type { RouteSpec } from '../e2e/harness/server';

/**
 * How long a run waits after its warm-up calls before it times its calls, in every configuration alike, so
 * none of the warm-up's work falls inside the timed run: in CORScope the warm-up's last calls settle
 * (SETTLE_MS after their answers), the sweep releases them, and the store writes them (FLUSH_MS).
 */
export const WARM_UP_QUIET_MS = SETTLE_MS + 2 * FLUSH_MS + 500;

export interface Workload {
  total: number;
  burst: number;
  /** Makes the URLs unique across runs. */
  tag: string;
}

/** A tab that runs a function in its page with one JSON argument: Playwright's Page or the harness's FirefoxPage. */
interface EvaluatingPage {
  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
}

/**
 * `total` calls from the page in bursts of `burst` concurrent fetches, each burst awaited; even calls are
 * PUTs with a custom header (preflighted), odd ones simple GETs; every URL unique. Timed in the page.
 */
export async function drive(
  page: EvaluatingPage,
  api: string,
  w: Workload,
): Promise<{ ms: number; ok: number }> {
  const r = await page.evaluate(
    async ({ base, total, burst, tag }) => {
      const t0 = performance.now();
      let ok = 0;
      for (let i = 0; i < total; i += burst) {
        const calls: Promise<number>[] = [];
        for (let n = i; n < Math.min(total, i + burst); n++) {
          const url = `${base}?t=${tag}&n=${n}`;
          const init = n % 2 === 0 ? { method: 'PUT', headers: { 'X-N': String(n) } } : {};
          calls.push(
            fetch(url, init).then(
              (res) => res.text().then((body) => (res.ok && body === 'ok' ? 1 : 0)),
              () => 0,
            ),
          );
        }
        for (const c of await Promise.all(calls)) ok += c;
      }
      return { ms: performance.now() - t0, ok };
    },
    { base: api, ...w },
  );
  if (r.ok !== w.total) throw new Error(`${w.tag}: only ${r.ok} of ${w.total} calls succeeded`);
  return r;
}

/** The API's answers that let every call of drive() from `pageOrigin` through. */
export function workloadAnswers(pageOrigin: string): Required<RouteSpec> {
  const allow: [string, string][] = [
    ['Access-Control-Allow-Origin', pageOrigin],
    ['Access-Control-Allow-Methods', 'PUT'],
    ['Access-Control-Allow-Headers', 'x-n'],
    // Max-Age 0: no preflight cache, every PUT preflights.
    ['Access-Control-Max-Age', '0'],
  ];
  return {
    preflight: { status: 204, headers: allow },
    actual: { status: 200, headers: [allow[0]!, ['Content-Type', 'text/plain']], body: 'ok' },
  };
}

/** The median of the runs' figures (the mean of the middle two for an even count). */
export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** x to `digits` decimals, as a number. */
export const round = (x: number, digits: number): number => Number(x.toFixed(digits));
