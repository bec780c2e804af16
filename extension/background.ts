// The service worker: webRequest → capture → evaluator → IndexedDB. Glue only; the logic is in src/.
import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { CaptureController, type CaptureSink } from '../src/capture/controller';
import { LISTENED, type RawDetails, type RawKind } from '../src/capture/events';
import { type SessionArea, SessionSnapshot } from '../src/capture/persist';
import type { Engine } from '../src/cors/types';
import { answerMessage, DEFAULT_SETTINGS, normalizeSettings, type Settings } from '../src/messaging/protocol';
import { DexieExchangeStore } from '../src/store/repository';

// Restart safety at a bounded cost: the pairing state goes to storage.session at most every SNAPSHOT_MS;
// rows go to IndexedDB in batches every FLUSH_MS (or at once when a batch is full), and before any snapshot
// that no longer holds them. Each IndexedDB transaction costs the worker 1-2 ms and the browser about as
// much, whatever it holds, so FLUSH_MS is long: writing every 30 ms was a third of CORScope's own CPU
// time when a page makes a call every few milliseconds.
const SNAPSHOT_MS = 500;
const FLUSH_MS = 250;
// Often enough that an answered call settles (src/capture/pairing.ts, SETTLE_MS) soon after its answer.
const SWEEP_MS = 250;

export default defineBackground(() => {
  const store = new DexieExchangeStore({ flushDelayMs: FLUSH_MS });
  const selfOrigin = new URL(browser.runtime.getURL('/')).origin;
  let settings: Settings = { ...DEFAULT_SETTINGS };
  // A row waiting for its write is still in the last snapshot (see saveSnapshot): a worker stopped before
  // the write brings the call back from there, marked as rebuilt (store.hasRequest keeps it from being
  // stored twice).
  const sink: CaptureSink = {
    enqueue: (row) => store.enqueue(row),
    addCounts: (tabId, counts) => store.addCounts(tabId, counts),
    clearTab: (tabId) => store.clearTab(tabId),
    hasRequest: (requestId) => store.hasRequest(requestId),
  };
  // The engine capture runs in, asked of the browser (only Firefox has runtime.getBrowserInfo): it decides
  // the order pairing expects webRequest's events in, and whose rules explain each call.
  const engine: Engine = 'getBrowserInfo' in browser.runtime ? 'firefox' : 'chromium';
  const capture = new CaptureController(sink, settings, selfOrigin, engine);

  // Pairing state goes to storage.session soon after it changes, so a stopped worker loses at most that much.
  const session = new SessionSnapshot(browser.storage.session as unknown as SessionArea);
  let snapshotTimer: ReturnType<typeof setTimeout> | null = null;
  async function saveSnapshot(): Promise<void> {
    snapshotTimer = null;
    if (!capture.dirty) return;
    const state = capture.snapshot();
    // The calls that left pairing before this state was taken are written first, so the snapshot that no
    // longer holds them never replaces one that does before they are in IndexedDB.
    await store.flush();
    await session.save(state).catch(() => {});
  }

  // Events that arrive while the worker restores its state wait here, in order.
  let ready = false;
  const early: [RawKind, RawDetails][] = [];
  const on =
    (kind: RawKind) =>
    (details: unknown): undefined => {
      if (!ready) {
        early.push([kind, details as RawDetails]);
        return;
      }
      capture.handle(kind, details as RawDetails);
      if (!snapshotTimer) snapshotTimer = setTimeout(saveSnapshot, SNAPSHOT_MS);
    };
  // Chromium hides preflights, Origin and blocked responses' headers without 'extraHeaders'; Firefox
  // rejects the option. Only the two events that read headers ask for it: it costs every page.
  const wr = browser.webRequest as typeof browser.webRequest & {
    OnSendHeadersOptions?: { EXTRA_HEADERS?: string };
  };
  const extra = wr.OnSendHeadersOptions?.EXTRA_HEADERS ? ['extraHeaders'] : [];
  const specOf: Partial<Record<RawKind, string[]>> = {
    onSendHeaders: ['requestHeaders', ...extra],
    onHeadersReceived: ['responseHeaders', ...extra],
  };
  const filter = { urls: ['<all_urls>'] };
  // Only the events pairing needs in this browser (LISTENED): every listener costs every page.
  type Listener = (details: unknown) => undefined;
  // The events' typings differ by event and browser; all of them take (listener, filter, extraInfoSpec?).
  const event = (kind: RawKind) =>
    wr[kind] as unknown as {
      addListener(fn: Listener, f: typeof filter, ...spec: string[][]): void;
      removeListener(fn: Listener): void;
    };
  const listeners = LISTENED[engine].map((kind) => [kind, on(kind)] as const);
  let listening = false;
  function listen(on: boolean): void {
    if (on === listening) return;
    listening = on;
    for (const [kind, fn] of listeners) {
      const spec = specOf[kind];
      if (!on) event(kind).removeListener(fn);
      else if (spec) event(kind).addListener(fn, filter, spec);
      else event(kind).addListener(fn, filter);
    }
  }
  // Registered at once, at the top of the worker, so Chromium wakes it for these events.
  listen(true);
  // When capture began listening in this browser session: a worker woken later keeps the first time
  // (storage.session lives as long as the browser session, and is cleared when the extension reloads).
  // A page that began loading before it made calls nobody saw (installed, enabled or updated mid-page).
  let captureStartedAt: number | null = Date.now();

  function apply(next: Settings): void {
    settings = next;
    capture.configure(settings);
    store.setRetention(settings.retention);
    // Paused: no listeners at all, so the browser pays nothing.
    listen(!settings.paused);
  }

  async function start(): Promise<void> {
    const [local, state] = await Promise.all([
      browser.storage.local.get('settings'),
      session.load().catch(() => null),
    ]);
    apply(normalizeSettings(local.settings));
    if (state) capture.restore(state);
    const kept = (await browser.storage.session.get('captureStartedAt').catch(() => ({}))) as {
      captureStartedAt?: unknown;
    };
    if (typeof kept.captureStartedAt === 'number') captureStartedAt = kept.captureStartedAt;
    else await browser.storage.session.set({ captureStartedAt }).catch(() => {});
    ready = true;
    for (const [kind, details] of early.splice(0)) capture.handle(kind, details);
  }

  setInterval(() => {
    capture.sweep(Date.now());
    if (capture.dirty && !snapshotTimer) snapshotTimer = setTimeout(saveSnapshot, SNAPSHOT_MS);
  }, SWEEP_MS);

  // Only the local area: storage.onChanged would also echo every pairing snapshot back here, old and new value.
  browser.storage.local.onChanged.addListener((changes) => {
    if (changes.settings) apply(normalizeSettings(changes.settings.newValue));
  });
  browser.tabs.onRemoved.addListener((tabId) => capture.tabClosed(tabId));

  // Only the extension's own pages are answered: a content script (none today) could not clear or export.
  const self = { id: browser.runtime.id, origin: selfOrigin };
  const ctx = {
    store,
    getSettings: () => settings,
    captureStartedAt: () => captureStartedAt,
    setSettings: async (patch: Partial<Settings>) => {
      const next = { ...settings, ...patch };
      await browser.storage.local.set({ settings: next });
      apply(next);
      return next;
    },
  };
  browser.runtime.onMessage.addListener(
    (message: unknown, sender: { id?: string; url?: string }) =>
      answerMessage(message, sender, self, ctx) as Promise<unknown> | undefined,
  );

  void start();
});
