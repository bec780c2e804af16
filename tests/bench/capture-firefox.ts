// capture_overhead_firefox: what CORScope costs the pages it watches in Firefox, measured as the Chromium
// capture_overhead is (./capture.ts): 400 calls from a page (half preflighted: PUT with a custom header,
// Access-Control-Max-Age 0), bursts of 20 concurrent fetches, 20 ms of latency, timed in the page; page time
// with CORScope (.output/firefox-mv2) / page time with no add-on. A bare add-on with CORScope's four
// listeners and empty bodies (./bare-extension-firefox) is measured too (capture_bare_vs_none_firefox).
//
// Debian's firefox-esr, headless, over WebDriver BiDi (tests/e2e/harness/firefox.ts); a fresh profile per
// launch; configurations alternate (none bare corscope, RUNS times) and figures are medians. Firefox's BiDi
// has no network emulation, so the 20 ms is added by the server to each answer, preflights included.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type FirefoxBrowser, type FirefoxPage, launchFirefox, uuidFor } from '../e2e/harness/firefox';
import { geckoId } from '../e2e/harness/firefox-corscope';
import { type ScenarioServer, startScenarioServer } from '../e2e/harness/server';
import { drive, median, round, WARM_UP_QUIET_MS, workloadAnswers } from './workload';

const ROOT = resolve(import.meta.dirname, '../..');
const FIREFOX_DIR = resolve(ROOT, '.output/firefox-mv2');
const BARE_DIR = resolve(import.meta.dirname, 'bare-extension-firefox');
const RUNS = Math.max(3, Number(process.env.CAPTURE_RUNS) || 3);
const LATENCY_MS = 20;
const PATH = '/bench-firefox/u';

type Config = 'none' | 'bare' | 'corscope';

const log = (msg: string): void => console.log(`[capture-firefox] ${msg}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function route(server: ScenarioServer): void {
  const answers = workloadAnswers(server.origins.page);
  server.route(PATH, async (req) => {
    await sleep(LATENCY_MS);
    return req.preflight ? answers.preflight : answers.actual;
  });
}

interface Status {
  stored: number;
  pending: number;
  droppedRows: number;
}

async function status(ext: FirefoxPage): Promise<Status> {
  return ext.evaluate(() =>
    (
      globalThis as unknown as { browser: { runtime: { sendMessage(m: unknown): Promise<Status> } } }
    ).browser.runtime.sendMessage({ source: 'corscope', type: 'status' }),
  );
}

let runs = 0;

async function oneRun(server: ScenarioServer, config: Config): Promise<{ ms: number; drainMs?: number }> {
  const dir = config === 'corscope' ? FIREFOX_DIR : config === 'bare' ? BARE_DIR : null;
  const id = dir ? geckoId(dir) : null;
  const b: FirefoxBrowser = await launchFirefox(id ? { uuids: { [id]: uuidFor(id) } } : {});
  try {
    const addon = dir ? await b.install(dir) : null;
    // Let the add-on's background finish starting (CORScope restores settings and state from storage).
    await sleep(500);
    const page = await b.newPage();
    await page.goto(`${server.origins.page}/page?bench=capture-firefox`);
    const api = `${server.origins.api}${PATH}`;
    const n = ++runs;
    const warm = 40;
    await drive(page, api, { total: warm, burst: 20, tag: `w${n}` });
    await sleep(WARM_UP_QUIET_MS);
    const { ms } = await drive(page, api, { total: 400, burst: 20, tag: `m${n}` });
    server.requests.length = 0;
    if (config !== 'corscope') return { ms };
    // CORScope must have captured every call, or the figure measures less than the work.
    const ext = await b.newPage();
    await ext.goto(`${addon!.base}/popup.html`);
    const t = Date.now();
    let s = await status(ext);
    while ((s.stored < warm + 400 || s.pending) && Date.now() - t < 60_000) {
      await sleep(50);
      s = await status(ext);
    }
    if (s.stored < warm + 400 || s.droppedRows)
      throw new Error(`CORScope in Firefox stored ${s.stored} of ${warm + 400} calls: ${JSON.stringify(s)}`);
    return { ms, drainMs: Date.now() - t };
  } finally {
    await b.close();
  }
}

function ensureBuilt(): void {
  if (existsSync(join(FIREFOX_DIR, 'manifest.json'))) return;
  log('no .output/firefox-mv2: running npx wxt build -b firefox');
  const run = spawnSync('npx', ['wxt', 'build', '-b', 'firefox'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (run.status !== 0 || !existsSync(join(FIREFOX_DIR, 'manifest.json')))
    throw new Error(`wxt build -b firefox failed:\n${run.stdout}\n${run.stderr}`);
}

export async function benchCaptureFirefox(): Promise<Record<string, number>> {
  ensureBuilt();
  const server = await startScenarioServer();
  route(server);
  const times: Record<Config, number[]> = { none: [], bare: [], corscope: [] };
  try {
    log(
      `capture_overhead_firefox: 400 calls, bursts of 20, ${LATENCY_MS} ms latency (server); none, bare, corscope, ${RUNS} runs each`,
    );
    for (let r = 0; r < RUNS; r++) {
      for (const c of ['none', 'bare', 'corscope'] as Config[]) {
        const res = await oneRun(server, c);
        times[c].push(res.ms);
        const drain =
          res.drainMs === undefined ? '' : ` (all stored ${res.drainMs} ms after the page finished)`;
        log(`run ${r + 1}/${RUNS} ${c.padEnd(8)} ${res.ms.toFixed(0).padStart(6)} ms${drain}`);
      }
    }
  } finally {
    await server.close();
  }
  const none = median(times.none);
  const bare = median(times.bare);
  const corscope = median(times.corscope);
  log(`none ${none.toFixed(0)} ms, bare ${bare.toFixed(0)} ms, corscope ${corscope.toFixed(0)} ms (medians)`);
  return {
    capture_overhead_firefox: round(corscope / none, 3),
    capture_bare_vs_none_firefox: round(bare / none, 3),
    capture_overhead_firefox_ms_none: Math.round(none),
    capture_overhead_firefox_ms_bare: Math.round(bare),
    capture_overhead_firefox_ms_corscope: Math.round(corscope),
  };
}
