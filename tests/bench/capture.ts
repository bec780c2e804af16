// The capture suite: what CORScope costs the pages it watches, how fast its store writes, and what its
// service worker holds. Real Chromium (the one src/browsers finds, through playwright-core), the built
// extension (.output/chrome-mv3) and the e2e scenario server on loopback.
//
//   capture_overhead    400 calls (half preflighted), bursts of 20, 20 ms emulated latency:
//                       page time with CORScope / page time with no extension
//   capture_vs_bare     2,000 calls (half preflighted), bursts of 200, loopback, no latency:
//                       page time with CORScope / page time with a bare extension (./bare-extension: the
//                       same three listeners, filters and extraInfoSpec, empty bodies)
//   capture_overhead_vs_bare  the 400-call case, CORScope / the bare extension: what CORScope's own work costs
//                       there; each *vs_bare figure has its spread beside it (*_low, *_high: the lowest and
//                       highest ratio within one round of runs)
//   capture_cpu_vs_bare, capture_overhead_cpu_vs_bare  the same two cases in CPU time: what all of the
//                       browser's processes used while the page made its calls (./cpu.ts), CORScope / bare;
//                       beside them what the extension's process used (capture_*worker_cpu_ms_*), which is
//                       where CORScope's own work runs.
//   store_writes_per_s  20,000 realistic rows enqueued at once into DexieExchangeStore, in an extension page,
//                       real IndexedDB, until flush() resolves
//   sw_heap_mb_20k      CORScope's service worker JS heap (after a GC) with 20,000 captured calls stored
//   capture_overhead_outside_scope  capture_overhead with capture on for a list of sites the page and its API
//                       are not on (no listener sees its requests): with CORScope ÷ with no extension; beside it
//                       the same for bare extensions registering those filtered listeners with and without
//                       'extraHeaders', which says how much of what remains is the profile-wide cost of extraHeaders
//   capture_overhead_firefox  capture_overhead in Firefox ESR (./capture-firefox.ts)
//   settle_gap_max_ms   how long after a blocked call's onHeadersReceived Chromium's onErrorOccurred comes
//                       (webRequest timeStamps; 1,000 blocked calls among 2,000 in bursts of 200), and
//   settle_margin       SETTLE_MS over that worst gap: pairing calls an answer allowed after SETTLE_MS
//
// Each launch gets a fresh profile and warms up with a few bursts, then waits WARM_UP_QUIET_MS (./workload.ts)
// in every configuration, so CORScope's work on the warm-up calls (they settle for a second) is done before
// the clock starts. Configurations alternate (A B, B A, ...) and figures are medians, since this 2-core
// machine is noisy. Absolute times are printed and kept as extra figures (*_ms_*).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { launchChromium } from '../../src/browsers/launch';
import { requireBrowser } from '../../src/browsers/node-system';
import { SETTLE_MS } from '../../src/capture/pairing';
import { launchWithExtension } from '../e2e/harness/browser';
import { RECORDER_DIR, takeEvents } from '../e2e/harness/recorder';
import { type ScenarioServer, startScenarioServer } from '../e2e/harness/server';
import { benchCaptureFirefox } from './capture-firefox';
import { type BrowserCpu, browserCpu, cpuSince } from './cpu';
import { drive, median, round, WARM_UP_QUIET_MS, type Workload, workloadAnswers } from './workload';

const ROOT = resolve(import.meta.dirname, '../..');
/** The build measured: CAPTURE_EXTENSION_DIR compares another build (an earlier one, say) in the same way. */
const EXTENSION_DIR = resolve(process.env.CAPTURE_EXTENSION_DIR ?? resolve(ROOT, '.output/chrome-mv3'));
const BARE_DIR = resolve(import.meta.dirname, 'bare-extension');
const SAMPLES = resolve(ROOT, 'tests/fixtures/exchange/samples.jsonl');
/** Where tests/bench/wxt.profile.config.ts builds the unminified copy (it reads CORSCOPE_PROFILE_OUT_DIR). */
const PROFILE_OUT_DIR = join(tmpdir(), 'corscope-bench-profile-build');

/** Runs per configuration (CAPTURE_RUNS overrides; at least 3). */
const RUNS = Math.max(3, Number(process.env.CAPTURE_RUNS) || 3);
/**
 * Parts to run, comma-separated (CAPTURE_PARTS): overhead, outside, stress, settle, store, heap, firefox,
 * profile. Default: all but profile (a CPU profile of the service worker in the stress case, from an
 * unminified build), which would take the suite past ~8 minutes here.
 */
const PARTS = new Set(
  (process.env.CAPTURE_PARTS ?? 'overhead,outside,stress,settle,store,heap,firefox')
    .split(',')
    .map((p) => p.trim()),
);

/**
 * none: no extension; bare: ./bare-extension; corscope: the build; outside: the build with capture on only for
 * OUTSIDE_SITE; bare-outside, bare-outside-plain: the listeners "outside" registers, empty, with and without
 * 'extraHeaders' (written by bareOutside()).
 */
type Config = 'none' | 'bare' | 'corscope' | 'outside' | 'bare-outside' | 'bare-outside-plain';

/** A site neither the bench page nor its API is on. */
const OUTSIDE_SITE = 'example.com';

const log = (msg: string): void => console.log(`[capture] ${msg}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// --- browsers ---------------------------------------------------------------------------------------

interface Launched {
  context: BrowserContext;
  /** null without an extension. */
  extensionId: string | null;
  close(): Promise<void>;
}

/**
 * Chromium with no extension: the same launch as launchWithExtension without the extension, a fresh
 * profile, and the same per-page watching launchWithExtension does (a console listener and a CDP session
 * with Log enabled), so the two differ only in the extension.
 */
async function launchPlain(): Promise<Launched> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'corscope-bench-'));
  const { context } = await launchChromium(requireBrowser('chromium'), { userDataDir, headless: true });
  const watch = (page: Page): void => {
    page.on('console', () => {});
    void context
      .newCDPSession(page)
      .then((s) => s.send('Log.enable'))
      .catch(() => {});
  };
  context.on('page', watch);
  context.pages().forEach(watch);
  return {
    context,
    extensionId: null,
    close: async () => {
      await context.close().catch(() => {});
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A bare extension with the listeners CORScope registers when capture is on only for OUTSIDE_SITE (see
 * src/capture/service.ts), each doing nothing: with 'extraHeaders' as CORScope asks, or without.
 */
function bareOutside(extraHeaders: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'corscope-bench-bare-outside-'));
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify({
      manifest_version: 3,
      name: `CORScope bench: listeners for ${OUTSIDE_SITE} only${extraHeaders ? '' : ', no extraHeaders'}`,
      version: '0.0.1',
      permissions: ['webRequest'],
      host_permissions: ['<all_urls>'],
      background: { service_worker: 'background.js' },
    }),
  );
  const extra = extraHeaders ? ", 'extraHeaders'" : '';
  writeFileSync(
    join(dir, 'background.js'),
    [
      `const filter = { urls: ['*://*.${OUTSIDE_SITE}/*'] };`,
      `chrome.webRequest.onSendHeaders.addListener(() => undefined, filter, ['requestHeaders'${extra}]);`,
      `chrome.webRequest.onHeadersReceived.addListener(() => undefined, filter, ['responseHeaders'${extra}]);`,
      'chrome.webRequest.onErrorOccurred.addListener(() => undefined, filter);',
      "chrome.webRequest.onHeadersReceived.addListener(() => undefined, { urls: ['<all_urls>'], types: ['main_frame'] }, ['responseHeaders']);",
      '',
    ].join('\n'),
  );
  return dir;
}

const bareOutsideDirs = new Map<Config, string>();

async function launch(config: Config, extensionDir = EXTENSION_DIR): Promise<Launched> {
  if (config === 'none') return launchPlain();
  if ((config === 'bare-outside' || config === 'bare-outside-plain') && !bareOutsideDirs.has(config))
    bareOutsideDirs.set(config, bareOutside(config === 'bare-outside'));
  const dir = config === 'bare' ? BARE_DIR : (bareOutsideDirs.get(config) ?? extensionDir);
  const b = await launchWithExtension(dir);
  if (config === 'outside') {
    // Capture on only for a site the page is not on, set as the popup sets it.
    const page = await b.context.newPage();
    await page.goto(`chrome-extension://${b.extensionId}/popup.html`);
    await page.evaluate(
      (site) =>
        (
          globalThis as unknown as { chrome: { runtime: { sendMessage(m: unknown): Promise<unknown> } } }
        ).chrome.runtime.sendMessage({
          source: 'corscope',
          type: 'settings',
          patch: { captureOn: 'listed', captureSites: [site] },
        }),
      OUTSIDE_SITE,
    );
    await page.close();
  }
  return { context: b.context, extensionId: b.extensionId, close: () => b.close() };
}

/** CORScope's store status, asked from one of its pages like the popup does. */
interface Status {
  stored: number;
  pending: number;
  droppedRows: number;
  ok: boolean;
  lastError: string | null;
}

async function extensionStatus(ext: Page): Promise<Status> {
  return ext.evaluate(() =>
    (
      globalThis as unknown as { chrome: { runtime: { sendMessage(m: unknown): Promise<Status> } } }
    ).chrome.runtime.sendMessage({ source: 'corscope', type: 'status' }),
  );
}

/** Polls the status until `stored` reaches n and nothing is pending; returns the last status and the wait. */
async function waitStored(ext: Page, n: number, timeoutMs: number): Promise<{ status: Status; ms: number }> {
  const t = Date.now();
  for (;;) {
    const status = await extensionStatus(ext);
    if ((status.stored >= n && status.pending === 0) || Date.now() - t > timeoutMs) {
      return { status, ms: Date.now() - t };
    }
    await sleep(50);
  }
}

/**
 * A CDP session on the extension's service worker. Playwright opens sessions on pages and frames only, so
 * this goes through a page's session: Target.attachToTarget (not flattened) and Target.sendMessageToTarget.
 */
interface WorkerSession {
  send<T = unknown>(method: string, params?: object): Promise<T>;
  detach(): Promise<void>;
}

async function attachServiceWorker(via: CDPSession, extensionId: string): Promise<WorkerSession> {
  const { targetInfos } = (await via.send('Target.getTargets')) as {
    targetInfos: { targetId: string; type: string; url: string }[];
  };
  const target = targetInfos.find(
    (t) => t.type === 'service_worker' && t.url.startsWith(`chrome-extension://${extensionId}/`),
  );
  if (!target) throw new Error(`no service worker target for ${extensionId}`);
  const { sessionId } = (await via.send('Target.attachToTarget', {
    targetId: target.targetId,
    flatten: false,
  })) as { sessionId: string };
  let nextId = 0;
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  via.on('Target.receivedMessageFromTarget', (e: { sessionId: string; message: string }) => {
    if (e.sessionId !== sessionId) return;
    const m = JSON.parse(e.message) as { id?: number; result?: unknown; error?: { message: string } };
    const w = m.id === undefined ? undefined : waiting.get(m.id);
    if (!w) return;
    waiting.delete(m.id!);
    if (m.error) w.reject(new Error(m.error.message));
    else w.resolve(m.result);
  });
  return {
    send: <T>(method: string, params: object = {}) =>
      new Promise<T>((res, reject) => {
        const id = ++nextId;
        waiting.set(id, { resolve: res as (v: unknown) => void, reject });
        via
          .send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) })
          .catch(reject);
      }),
    detach: async () => {
      await via.send('Target.detachFromTarget', { sessionId }).catch(() => {});
    },
  };
}

async function heapMb(sw: WorkerSession): Promise<number> {
  await sw.send('HeapProfiler.collectGarbage');
  const { usedSize } = await sw.send<{ usedSize: number }>('Runtime.getHeapUsage');
  return usedSize / 1024 / 1024;
}

// --- the page's calls -------------------------------------------------------------------------------

const ALLOW_PATH = '/bench/u';

/**
 * CAPTURE_CREDENTIALED=1: the API's answers also allow credentials (Access-Control-Allow-Credentials: true), so
 * each passes the CORS check whatever the credentials mode and leaves pairing on its answer.
 */
const CREDENTIALED = process.env.CAPTURE_CREDENTIALED === '1';

function routeBench(server: ScenarioServer): void {
  const answers = workloadAnswers(server.origins.page);
  if (CREDENTIALED)
    answers.actual.headers = [
      ...(answers.actual.headers ?? []),
      ['Access-Control-Allow-Credentials', 'true'],
    ];
  server.route(ALLOW_PATH, answers);
}

interface RunResult {
  ms: number;
  /** What the browser's processes used while the page made the measured calls; null without /proc. */
  cpu: BrowserCpu | null;
  /** CORScope only: status once everything was written, and how long after the page finished that took. */
  status?: Status;
  drainMs?: number;
}

let runCounter = 0;

/** One launch: warm up with a few bursts, then the measured workload; CORScope's capture is checked after. */
async function oneRun(
  server: ScenarioServer,
  config: Config,
  w: Omit<Workload, 'tag'>,
  latencyMs: number,
): Promise<RunResult> {
  const b = await launch(config);
  try {
    // Let the service worker finish starting (CORScope restores settings and state from storage).
    await sleep(500);
    const page = await b.context.newPage();
    await page.goto(`${server.origins.page}/page?bench=capture`);
    if (latencyMs) {
      const cdp = await b.context.newCDPSession(page);
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: latencyMs,
        downloadThroughput: -1,
        uploadThroughput: -1,
      });
    }
    const api = `${server.origins.api}${ALLOW_PATH}`;
    const id = ++runCounter;
    const warm = Math.min(w.total, w.burst * 2);
    await drive(page, api, { total: warm, burst: w.burst, tag: `w${id}` });
    await sleep(WARM_UP_QUIET_MS);
    const before = browserCpu();
    const { ms } = await drive(page, api, { ...w, tag: `m${id}` });
    const cpu = cpuSince(before, browserCpu());
    server.requests.length = 0;
    if (config === 'outside') {
      // Nothing of the page's reached capture.
      const ext = await b.context.newPage();
      await ext.goto(`chrome-extension://${b.extensionId}/popup.html`);
      const status = await extensionStatus(ext);
      if (status.stored || status.pending)
        throw new Error(`outside the list, CORScope stored ${status.stored}`);
      return { ms, cpu };
    }
    if (config !== 'corscope') return { ms, cpu };
    const ext = await b.context.newPage();
    await ext.goto(`chrome-extension://${b.extensionId}/popup.html`);
    const { status, ms: drainMs } = await waitStored(ext, warm + w.total, 60_000);
    if (status.stored < warm + w.total || status.droppedRows) {
      throw new Error(
        `CORScope stored ${status.stored} of ${warm + w.total} calls: ${JSON.stringify(status)}`,
      );
    }
    return { ms, cpu, status, drainMs };
  } finally {
    await b.close();
  }
}

/**
 * Runs the configurations alternately, RUNS times each, each round starting one further along (A B C, B C A,
 * C A B, ...) so that no configuration always runs in the same place; returns each one's times by round.
 */
async function alternate(
  server: ScenarioServer,
  label: string,
  configs: Config[],
  w: Omit<Workload, 'tag'>,
  latencyMs: number,
): Promise<Record<Config, RunResult[]>> {
  const out = Object.fromEntries(configs.map((c) => [c, []])) as unknown as Record<Config, RunResult[]>;
  for (let r = 0; r < RUNS; r++) {
    for (const c of configs.map((_, i) => configs[(i + r) % configs.length]!)) {
      const res = await oneRun(server, c, w, latencyMs);
      out[c].push(res);
      const drain =
        res.drainMs === undefined ? '' : ` (all stored ${res.drainMs} ms after the page finished)`;
      const cpu = res.cpu
        ? `, CPU ${res.cpu.totalMs.toFixed(0)} ms (extension ${res.cpu.extensionMs.toFixed(0)} ms)`
        : '';
      log(`${label} run ${r + 1}/${RUNS} ${c.padEnd(8)} ${res.ms.toFixed(0).padStart(6)} ms${cpu}${drain}`);
    }
  }
  return out;
}

const times = (rs: RunResult[]) => rs.map((r) => r.ms);

/**
 * CORScope's page time over the bare extension's, `<prefix>vs_bare`: the ratio of the medians, and beside it
 * the spread, the lowest and highest ratio of one round's two runs (they ran one after the other, so a
 * machine that slows for a while moves both).
 */
function overBare(prefix: string, bare: RunResult[], corscope: RunResult[]): Record<string, number> {
  const rounds = corscope.map((r, i) => r.ms / bare[i]!.ms);
  const ratio = median(times(corscope)) / median(times(bare));
  const [low, high] = [Math.min(...rounds), Math.max(...rounds)];
  log(
    `${prefix}vs_bare: ${ratio.toFixed(3)} (rounds ${low.toFixed(3)}-${high.toFixed(3)}: ` +
      `${rounds.map((x) => x.toFixed(3)).join(' ')})`,
  );
  return {
    [`${prefix}vs_bare`]: round(ratio, 3),
    [`${prefix}vs_bare_low`]: round(low, 3),
    [`${prefix}vs_bare_high`]: round(high, 3),
  };
}

/**
 * CORScope's CPU figures beside the bare extension's, medians, under `prefix`: `<prefix>cpu_vs_bare` (all of
 * the browser's processes), and the ms of both, all and the extension process alone. Nothing without /proc.
 */
function cpuFigures(prefix: string, bare: RunResult[], corscope: RunResult[]): Record<string, number> {
  if (![...bare, ...corscope].every((r) => r.cpu)) return {};
  const of = (rs: RunResult[], k: keyof BrowserCpu) => median(rs.map((r) => r.cpu![k]));
  const [bareMs, csMs] = [of(bare, 'totalMs'), of(corscope, 'totalMs')];
  const [bareExt, csExt] = [of(bare, 'extensionMs'), of(corscope, 'extensionMs')];
  log(
    `${prefix}cpu_vs_bare: browser CPU bare ${bareMs.toFixed(0)} ms, corscope ${csMs.toFixed(0)} ms; ` +
      `extension process bare ${bareExt.toFixed(0)} ms, corscope ${csExt.toFixed(0)} ms (medians)`,
  );
  return {
    [`${prefix}cpu_vs_bare`]: round(csMs / bareMs, 3),
    [`${prefix}cpu_ms_bare`]: Math.round(bareMs),
    [`${prefix}cpu_ms_corscope`]: Math.round(csMs),
    [`${prefix}worker_cpu_ms_bare`]: Math.round(bareExt),
    [`${prefix}worker_cpu_ms_corscope`]: Math.round(csExt),
  };
}

// --- the CPU profile of CORScope's service worker in the stress case ---------------------------------

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}

async function profileStress(server: ScenarioServer): Promise<void> {
  log('CPU profile: building an unminified copy (tests/bench/wxt.profile.config.ts)');
  const built = spawnSync('npx', ['wxt', 'build', '-c', 'tests/bench/wxt.profile.config.ts'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, CORSCOPE_PROFILE_OUT_DIR: PROFILE_OUT_DIR },
  });
  const dir = join(PROFILE_OUT_DIR, 'chrome-mv3');
  if (built.status !== 0 || !existsSync(join(dir, 'manifest.json'))) {
    log(`CPU profile skipped: the unminified build failed\n${built.stdout}\n${built.stderr}`);
    return;
  }
  const b = await launch('corscope', dir);
  try {
    await sleep(500);
    const page = await b.context.newPage();
    await page.goto(`${server.origins.page}/page?bench=profile`);
    const ext = await b.context.newPage();
    await ext.goto(`chrome-extension://${b.extensionId}/popup.html`);
    const sw = await attachServiceWorker(await b.context.newCDPSession(page), b.extensionId!);
    const api = `${server.origins.api}${ALLOW_PATH}`;
    await drive(page, api, { total: 400, burst: 200, tag: 'pw' });
    await waitStored(ext, 400, 30_000);
    server.requests.length = 0;
    await sw.send('Profiler.enable');
    await sw.send('Profiler.start');
    const { ms } = await drive(page, api, { total: 2000, burst: 200, tag: 'pm' });
    const { ms: drainMs } = await waitStored(ext, 2400, 60_000);
    const { profile } = await sw.send<{
      profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
    }>('Profiler.stop');
    server.requests.length = 0;
    // CAPTURE_PROFILE_OUT=file.cpuprofile keeps the whole profile, for DevTools' Performance panel.
    if (process.env.CAPTURE_PROFILE_OUT)
      writeFileSync(process.env.CAPTURE_PROFILE_OUT, JSON.stringify(profile));
    const byNode = new Map<number, number>();
    profile.samples.forEach((id, i) => {
      byNode.set(id, (byNode.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
    });
    const parentOf = new Map<number, ProfileNode>();
    for (const node of profile.nodes) for (const c of node.children ?? []) parentOf.set(c, node);
    const name = (node: ProfileNode | undefined): string => {
      if (!node) return '-';
      const f = node.callFrame;
      const where = f.url ? ` ${f.url.split('/').pop()}:${f.lineNumber + 1}` : '';
      return `${f.functionName || '(anonymous)'}${where}`;
    };
    // Self time per function, and per function the callers it was spent under.
    const self = new Map<string, { us: number; callers: Map<string, number> }>();
    let busy = 0;
    for (const node of profile.nodes) {
      const us = byNode.get(node.id) ?? 0;
      if (!us) continue;
      const key = name(node);
      const entry = self.get(key) ?? { us: 0, callers: new Map<string, number>() };
      entry.us += us;
      const caller = name(parentOf.get(node.id));
      entry.callers.set(caller, (entry.callers.get(caller) ?? 0) + us);
      self.set(key, entry);
      if (node.callFrame.functionName !== '(idle)') busy += us;
    }
    log(
      `CPU profile of the service worker: page ${ms.toFixed(0)} ms for 2,000 calls, all stored ${drainMs} ms later; ` +
        `worker busy ${(busy / 1000).toFixed(0)} ms (${(busy / 1000 / 2000).toFixed(2)} ms per call)`,
    );
    log('top self time (ms), with the callers it was spent under:');
    for (const [key, e] of [...self].sort((a, c) => c[1].us - a[1].us).slice(0, 15)) {
      const callers = [...e.callers]
        .sort((a, c) => c[1] - a[1])
        .slice(0, 3)
        .map(([k, us]) => `${k} ${(us / 1000).toFixed(0)}`)
        .join('; ');
      log(`  ${(e.us / 1000).toFixed(1).padStart(8)}  ${key}   <- ${callers}`);
    }
    await sw.detach();
  } finally {
    await b.close();
  }
}

// --- store_writes_per_s: DexieExchangeStore in a real extension page ----------------------------------

const STORE_ROWS = 20_000;

async function benchStore(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'corscope-bench-store-'));
  try {
    await build({
      entryPoints: [resolve(import.meta.dirname, 'store-page.ts')],
      bundle: true,
      format: 'iife',
      platform: 'browser',
      target: 'chrome120',
      outfile: join(dir, 'page.js'),
      logLevel: 'warning',
    });
    writeFileSync(
      join(dir, 'manifest.json'),
      JSON.stringify({
        manifest_version: 3,
        name: 'CORScope bench: store',
        version: '0.0.1',
        background: { service_worker: 'sw.js' },
      }),
    );
    writeFileSync(join(dir, 'sw.js'), '// launchWithExtension waits for a service worker.\n');
    writeFileSync(
      join(dir, 'page.html'),
      '<!doctype html><meta charset="utf-8"><title>store bench</title><script src="page.js"></script>',
    );
    copyFileSync(SAMPLES, join(dir, 'samples.jsonl'));
    const b = await launchWithExtension(dir);
    try {
      const page = await b.context.newPage();
      await page.goto(`chrome-extension://${b.extensionId}/page.html`);
      type Run = { ms: number; rows: number; counted: number; status: Status | null };
      type Bench = {
        init(): Promise<number>;
        store(n: number, name: string): Promise<Run>;
        raw(n: number, name: string): Promise<Run>;
      };
      const call = (fn: 'store' | 'raw', n: number, name: string) =>
        page.evaluate(([f, k, nm]) => (globalThis as unknown as { bench: Bench }).bench[f](k, nm), [
          fn,
          n,
          name,
        ] as const);
      await page.evaluate(() => (globalThis as unknown as { bench: Bench }).bench.init());
      // Warm-up: JIT, IndexedDB backing store.
      await call('raw', 2000, 'warm-raw');
      await call('store', 2000, 'warm-store');
      const storeMs: number[] = [];
      const rawMs: number[] = [];
      for (let r = 0; r < RUNS; r++) {
        const raw = await call('raw', STORE_ROWS, `raw-${r}`);
        const st = await call('store', STORE_ROWS, `store-${r}`);
        for (const x of [raw, st]) {
          if (x.counted !== STORE_ROWS)
            throw new Error(`store bench wrote ${x.counted} of ${STORE_ROWS} rows`);
        }
        if (st.status && (st.status.droppedRows || !st.status.ok)) {
          throw new Error(`store bench: ${JSON.stringify(st.status)}`);
        }
        rawMs.push(raw.ms);
        storeMs.push(st.ms);
        log(
          `store run ${r + 1}/${RUNS}: DexieExchangeStore ${st.ms.toFixed(0)} ms, naive bulkAdd of objects ${raw.ms.toFixed(0)} ms ` +
            `for ${STORE_ROWS} rows`,
        );
      }
      const s = median(storeMs);
      const raw = median(rawMs);
      return {
        store_writes_per_s: Math.round(STORE_ROWS / (s / 1000)),
        store_vs_bulkadd: round(s / raw, 3),
        store_ms_20k: Math.round(s),
        store_bulkadd_ms_20k: Math.round(raw),
      };
    } finally {
      await b.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// --- sw_heap_mb_20k ---------------------------------------------------------------------------------

const HEAP_CALLS = 20_000;

async function benchHeap(server: ScenarioServer): Promise<Record<string, number>> {
  const b = await launch('corscope');
  try {
    await sleep(500);
    const page = await b.context.newPage();
    await page.goto(`${server.origins.page}/page?bench=heap`);
    const ext = await b.context.newPage();
    await ext.goto(`chrome-extension://${b.extensionId}/popup.html`);
    const sw = await attachServiceWorker(await b.context.newCDPSession(page), b.extensionId!);
    const idle = await heapMb(sw);
    log(`heap: service worker idle ${idle.toFixed(2)} MB`);
    const api = `${server.origins.api}${ALLOW_PATH}`;
    for (let r = 0; r < HEAP_CALLS / 2000; r++) {
      const { ms } = await drive(page, api, { total: 2000, burst: 200, tag: `h${r}` });
      server.requests.length = 0;
      const s = await extensionStatus(ext);
      log(
        `heap: round ${r + 1}/10, 2,000 calls in ${ms.toFixed(0)} ms; stored ${s.stored}, pending ${s.pending}`,
      );
    }
    const { status, ms } = await waitStored(ext, HEAP_CALLS, 120_000);
    // Let the last calls settle (SETTLE_MS), the sweep release them and the last snapshot go out.
    await sleep(2500);
    const after = await extensionStatus(ext);
    const mb = await heapMb(sw);
    log(
      `heap: all stored ${ms} ms after the last call; status stored ${after.stored}, pending ${after.pending}, ` +
        `droppedRows ${after.droppedRows}, ok ${after.ok}${after.lastError ? `, lastError ${after.lastError}` : ''}`,
    );
    log(`heap: service worker with ${after.stored} exchanges stored: ${mb.toFixed(2)} MB`);
    if (status.stored < HEAP_CALLS) throw new Error(`only ${status.stored} of ${HEAP_CALLS} calls stored`);
    await sw.detach();
    return { sw_heap_mb_20k: round(mb, 2), sw_heap_mb_idle: round(idle, 2) };
  } finally {
    await b.close();
  }
}

// --- the suite --------------------------------------------------------------------------------------

function ensureBuilt(): void {
  if (existsSync(join(EXTENSION_DIR, 'manifest.json'))) return;
  log('no .output/chrome-mv3: running npx wxt build');
  const run = spawnSync('npx', ['wxt', 'build'], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  if (run.status !== 0 || !existsSync(join(EXTENSION_DIR, 'manifest.json'))) {
    throw new Error(`wxt build failed:\n${run.stdout}\n${run.stderr}`);
  }
}

/**
 * The gap pairing's SETTLE_MS must cover, measured: Chromium's onErrorOccurred after onHeadersReceived for
 * CORS-blocked calls under load, in webRequest's own timeStamps (the raw recorder listens to every event,
 * which loads the browser more than CORScope's three listeners do).
 */
async function benchSettleGap(server: ScenarioServer): Promise<Record<string, number>> {
  server.route('/bench/gap/ok', {
    actual: { status: 200, headers: [['Access-Control-Allow-Origin', server.origins.page]], body: 'ok' },
  });
  server.route('/bench/gap/no', { actual: { status: 200, body: 'no' } });
  const b = await launchWithExtension(RECORDER_DIR);
  try {
    const page = await b.newPage();
    await page.goto(`${server.origins.page}/page?bench=settle`);
    await page.evaluate(async (base) => {
      for (let i = 0; i < 2000; i += 200) {
        await Promise.all(
          Array.from({ length: 200 }, (_, k) =>
            fetch(`${base}/bench/gap/${(i + k) % 2 ? 'no' : 'ok'}?n=${i + k}`).catch(() => null),
          ),
        );
      }
    }, server.origins.api);
    await page.waitForTimeout(1_000);
    server.requests.length = 0;
    const events = await takeEvents(b.serviceWorker);
    const answered = new Map<string, number>();
    const gaps: number[] = [];
    for (const e of events) {
      if (!e.details.url.includes('/bench/gap/')) continue;
      if (e.kind === 'onHeadersReceived') answered.set(e.details.requestId, e.details.timeStamp);
      const at = answered.get(e.details.requestId);
      if (e.kind === 'onErrorOccurred' && at !== undefined) gaps.push(e.details.timeStamp - at);
    }
    if (gaps.length < 1_000) throw new Error(`settle gap: only ${gaps.length} of 1,000 blocked calls seen`);
    gaps.sort((x, y) => x - y);
    const max = gaps[gaps.length - 1]!;
    const p99 = gaps[Math.floor(gaps.length * 0.99)]!;
    log(
      `settle gap: median ${gaps[gaps.length >> 1]!.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${max.toFixed(1)} ms`,
    );
    return {
      settle_gap_p99_ms: round(p99, 1),
      settle_gap_max_ms: round(max, 1),
      settle_margin: round(SETTLE_MS / max, 2),
    };
  } finally {
    await b.close();
  }
}

export async function benchCapture(): Promise<Record<string, number>> {
  const started = Date.now();
  ensureBuilt();
  const server = await startScenarioServer();
  routeBench(server);
  const out: Record<string, number> = {};
  try {
    if (PARTS.has('overhead')) {
      // The bare extension (CORScope's listeners, empty bodies) runs too: what Chromium's dispatch costs by
      // itself in this case, next to what CORScope's work adds.
      log(
        `capture_overhead: 400 calls, bursts of 20, 20 ms latency; none, bare, corscope, ${RUNS} runs each`,
      );
      const lat = await alternate(
        server,
        'overhead',
        ['none', 'bare', 'corscope'],
        { total: 400, burst: 20 },
        20,
      );
      const latNone = median(times(lat.none));
      const latBare = median(times(lat.bare));
      const latCorscope = median(times(lat.corscope));
      out.capture_overhead = round(latCorscope / latNone, 3);
      out.capture_overhead_bare_vs_none = round(latBare / latNone, 3);
      out.capture_overhead_ms_none = Math.round(latNone);
      out.capture_overhead_ms_bare = Math.round(latBare);
      out.capture_overhead_ms_corscope = Math.round(latCorscope);
      log(
        `capture_overhead: none ${latNone.toFixed(0)} ms, bare ${latBare.toFixed(0)} ms, corscope ${latCorscope.toFixed(0)} ms (medians)`,
      );
      Object.assign(out, overBare('capture_overhead_', lat.bare, lat.corscope));
      Object.assign(out, cpuFigures('capture_overhead_', lat.bare, lat.corscope));
    }

    if (PARTS.has('outside')) {
      log(
        `capture_overhead_outside_scope: 400 calls, bursts of 20, 20 ms latency, capture on for ${OUTSIDE_SITE} only; ` +
          `none, outside, bare-outside, bare-outside-plain, ${RUNS} runs each`,
      );
      const o = await alternate(
        server,
        'outside',
        ['none', 'outside', 'bare-outside', 'bare-outside-plain'],
        { total: 400, burst: 20 },
        20,
      );
      const oNone = median(times(o.none));
      const oCorscope = median(times(o.outside));
      const oBare = median(times(o['bare-outside']));
      const oPlain = median(times(o['bare-outside-plain']));
      out.capture_overhead_outside_scope = round(oCorscope / oNone, 3);
      out.capture_overhead_outside_scope_bare = round(oBare / oNone, 3);
      out.capture_overhead_outside_scope_bare_plain = round(oPlain / oNone, 3);
      log(
        `capture_overhead_outside_scope: none ${oNone.toFixed(0)} ms, corscope ${oCorscope.toFixed(0)} ms, ` +
          `bare (extraHeaders) ${oBare.toFixed(0)} ms, bare (no extraHeaders) ${oPlain.toFixed(0)} ms (medians)`,
      );
    }

    if (PARTS.has('stress')) {
      log(`capture_vs_bare: 2,000 calls, bursts of 200, loopback; none, bare, corscope, ${RUNS} runs each`);
      const stress = await alternate(
        server,
        'stress',
        ['none', 'bare', 'corscope'],
        { total: 2000, burst: 200 },
        0,
      );
      const sNone = median(times(stress.none));
      const sBare = median(times(stress.bare));
      const sCorscope = median(times(stress.corscope));
      out.capture_bare_vs_none = round(sBare / sNone, 3);
      out.capture_stress_ms_none = Math.round(sNone);
      out.capture_stress_ms_bare = Math.round(sBare);
      out.capture_stress_ms_corscope = Math.round(sCorscope);
      out.capture_stress_drain_ms = Math.round(median(stress.corscope.map((r) => r.drainMs ?? 0)));
      log(
        `capture_vs_bare: none ${sNone.toFixed(0)} ms, bare ${sBare.toFixed(0)} ms, corscope ${sCorscope.toFixed(0)} ms (medians)`,
      );
      Object.assign(out, overBare('capture_', stress.bare, stress.corscope));
      Object.assign(out, cpuFigures('capture_', stress.bare, stress.corscope));
    }

    if (PARTS.has('settle')) {
      log(
        'settle_gap_max_ms: 2,000 calls (every other one blocked) in bursts of 200, raw recorder extension',
      );
      Object.assign(out, await benchSettleGap(server));
    }

    if (PARTS.has('store')) {
      log(
        `store_writes_per_s: ${STORE_ROWS} rows enqueued at once, DexieExchangeStore vs a naive bulkAdd of the rows as objects`,
      );
      Object.assign(out, await benchStore());
    }

    if (PARTS.has('heap')) {
      log(`sw_heap_mb_20k: ${HEAP_CALLS} calls captured in 10 rounds of 2,000 (bursts of 200)`);
      Object.assign(out, await benchHeap(server));
    }

    if (PARTS.has('firefox')) Object.assign(out, await benchCaptureFirefox());

    if (PARTS.has('profile')) await profileStress(server);
  } finally {
    await server.close();
    for (const dir of bareOutsideDirs.values()) rmSync(dir, { recursive: true, force: true });
  }
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return out;
}
