// The service worker: webRequest → capture → evaluator → IndexedDB. Glue only; the logic is in src/.
import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { CaptureController, type CaptureSink } from '../src/capture/controller';
import type { RawDetails, RawKind } from '../src/capture/events';
import type { PairingState } from '../src/capture/pairing';
import type { StoredExchange } from '../src/capture/types';
import {
  type CorscopeMessage,
  DEFAULT_SETTINGS,
  handleMessage,
  isCorscopeMessage,
  normalizeSettings,
  type Settings,
} from '../src/messaging/protocol';
import { DexieExchangeStore } from '../src/store/repository';

// Restart safety at a bounded cost (storage.session writes are what capture pays most for): finished calls
// not yet in IndexedDB go there in batches every OUTBOX_MS; the pairing state at most every SNAPSHOT_MS.
const OUTBOX_MS = 40;
const SNAPSHOT_MS = 500;
const SWEEP_MS = 1_000;

export default defineBackground(() => {
  const store = new DexieExchangeStore();
  const selfOrigin = new URL(browser.runtime.getURL('/')).origin;
  let settings: Settings = { ...DEFAULT_SETTINGS };
  // Every finished call also waits in storage.session (key "o:<requestId>") until IndexedDB holds it: a
  // worker stopped between the two loses at most the last OUTBOX_MS. Keys go once the row is written.
  const outbox = new Set<string>();
  let outgoing: Record<string, StoredExchange> = {};
  let outboxTimer: ReturnType<typeof setTimeout> | null = null;
  function writeOutbox(): void {
    outboxTimer = null;
    const waiting = new Set(store.unwritten().map((r) => `o:${r.exchange.capture.requestId}`));
    const batch: Record<string, StoredExchange> = {};
    for (const [key, row] of Object.entries(outgoing)) {
      if (!waiting.has(key)) continue; // already in IndexedDB
      batch[key] = row;
      outbox.add(key);
    }
    outgoing = {};
    if (Object.keys(batch).length) void browser.storage.session.set(batch).catch(() => {});
    pruneOutbox(waiting);
  }
  const sink: CaptureSink = {
    enqueue(row) {
      store.enqueue(row);
      outgoing[`o:${row.exchange.capture.requestId}`] = row;
      outboxTimer ??= setTimeout(writeOutbox, OUTBOX_MS);
    },
    addCounts: (tabId, counts) => store.addCounts(tabId, counts),
    clearTab: (tabId) => store.clearTab(tabId),
    hasRequest: (requestId) => store.hasRequest(requestId),
  };
  function pruneOutbox(waiting?: Set<string>): void {
    if (!outbox.size) return;
    waiting ??= new Set(store.unwritten().map((r) => `o:${r.exchange.capture.requestId}`));
    const written = [...outbox].filter((k) => !waiting.has(k));
    for (const k of written) outbox.delete(k);
    if (written.length) void browser.storage.session.remove(written).catch(() => {});
  }
  const capture = new CaptureController(
    sink,
    settings,
    selfOrigin,
    import.meta.env.FIREFOX ? 'firefox' : 'chromium',
  );

  // Pairing state goes to storage.session soon after it changes, so a stopped worker loses at most that much.
  let snapshotTimer: ReturnType<typeof setTimeout> | null = null;
  function saveSnapshot(): void {
    snapshotTimer = null;
    pruneOutbox();
    if (!capture.dirty) return;
    void browser.storage.session.set({ pairing: capture.snapshot() }).catch(() => {});
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
  const listeners = {
    onSendHeaders: on('onSendHeaders'),
    onHeadersReceived: on('onHeadersReceived'),
    onCompleted: on('onCompleted'),
    onErrorOccurred: on('onErrorOccurred'),
  };

  // Chromium hides preflights, Origin and blocked responses' headers without 'extraHeaders'; Firefox
  // rejects the option. Only the two events that read headers ask for it: it costs every page.
  const wr = browser.webRequest as typeof browser.webRequest & {
    OnSendHeadersOptions?: { EXTRA_HEADERS?: string };
  };
  // The option lists' typings differ between browsers: typed here as what the polyfill declares.
  type SendSpec = Parameters<typeof wr.onSendHeaders.addListener>[2];
  type ReceivedSpec = Parameters<typeof wr.onHeadersReceived.addListener>[2];
  const extra = wr.OnSendHeadersOptions?.EXTRA_HEADERS ? ['extraHeaders'] : [];
  const sendSpec = ['requestHeaders', ...extra] as SendSpec;
  const receivedSpec = ['responseHeaders', ...extra] as ReceivedSpec;
  const filter = { urls: ['<all_urls>'] };
  let listening = false;
  function listen(on: boolean): void {
    if (on === listening) return;
    listening = on;
    if (on) {
      wr.onSendHeaders.addListener(listeners.onSendHeaders, filter, sendSpec);
      wr.onHeadersReceived.addListener(listeners.onHeadersReceived, filter, receivedSpec);
      wr.onCompleted.addListener(listeners.onCompleted, filter);
      wr.onErrorOccurred.addListener(listeners.onErrorOccurred, filter);
    } else {
      wr.onSendHeaders.removeListener(listeners.onSendHeaders);
      wr.onHeadersReceived.removeListener(listeners.onHeadersReceived);
      wr.onCompleted.removeListener(listeners.onCompleted);
      wr.onErrorOccurred.removeListener(listeners.onErrorOccurred);
    }
  }
  // Registered at once, at the top of the worker, so Chromium wakes it for these events.
  listen(true);

  function apply(next: Settings): void {
    settings = next;
    capture.configure(settings);
    store.setRetention(settings.retention);
    // Paused: no listeners at all, so the browser pays nothing.
    listen(!settings.paused);
  }

  async function start(): Promise<void> {
    const [local, session] = await Promise.all([
      browser.storage.local.get('settings'),
      browser.storage.session.get(null),
    ]);
    apply(normalizeSettings(local.settings));
    if (session.pairing) capture.restore(session.pairing as PairingState);
    // Rows the last worker finished but maybe did not write: write those IndexedDB does not hold.
    for (const [key, row] of Object.entries(session)) {
      if (!key.startsWith('o:')) continue;
      const stored = row as StoredExchange;
      if (await store.hasRequest(stored.exchange.capture.requestId)) void browser.storage.session.remove(key);
      else sink.enqueue(stored);
    }
    ready = true;
    for (const [kind, details] of early.splice(0)) capture.handle(kind, details);
  }

  setInterval(() => {
    capture.sweep(Date.now());
    pruneOutbox();
    if (capture.dirty && !snapshotTimer) snapshotTimer = setTimeout(saveSnapshot, SNAPSHOT_MS);
  }, SWEEP_MS);

  browser.storage.onChanged.addListener((changes, area) => {
    if (area === 'local' && changes.settings) apply(normalizeSettings(changes.settings.newValue));
  });
  browser.tabs.onRemoved.addListener((tabId) => capture.tabClosed(tabId));

  browser.runtime.onMessage.addListener((message: unknown) => {
    if (!isCorscopeMessage(message)) return undefined;
    return handleMessage(message as CorscopeMessage, {
      store,
      getSettings: () => settings,
      setSettings: async (patch) => {
        const next = { ...settings, ...patch };
        await browser.storage.local.set({ settings: next });
        apply(next);
        return next;
      },
    });
  });

  void start();
});
