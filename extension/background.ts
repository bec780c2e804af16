// The service worker: webRequest → capture → evaluator → IndexedDB. Glue only: the logic is in
// src/capture/service.ts; here each port it needs is the browser's API.
import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import type { RawKind } from '../src/capture/events';
import { CaptureService, FLUSH_MS, type Listener, type SessionPort } from '../src/capture/service';
import type { Engine } from '../src/cors/types';
import { answerMessage, normalizeSettings } from '../src/messaging/protocol';
import { DexieExchangeStore } from '../src/store/repository';

/** The badge's colour: the panel's "blocked" red. */
const BADGE_COLOR = '#c5221f';

export default defineBackground(() => {
  const store = new DexieExchangeStore({ flushDelayMs: FLUSH_MS });
  const selfOrigin = new URL(browser.runtime.getURL('/')).origin;
  // The engine capture runs in, asked of the browser (only Firefox has runtime.getBrowserInfo).
  const engine: Engine = 'getBrowserInfo' in browser.runtime ? 'firefox' : 'chromium';
  const wr = browser.webRequest as typeof browser.webRequest & {
    OnSendHeadersOptions?: { EXTRA_HEADERS?: string };
  };
  // The events' typings differ by event and browser; all of them take (listener, filter, extraInfoSpec?).
  const event = (kind: RawKind) =>
    wr[kind] as unknown as {
      addListener(fn: Listener, filter: object, ...spec: string[][]): void;
      removeListener(fn: Listener): void;
    };
  // Chrome MV3 has action; Firefox MV2 browserAction.
  const action = browser.action ?? browser.browserAction;
  void action?.setBadgeBackgroundColor({ color: BADGE_COLOR }).catch(() => {});

  const service = new CaptureService(
    {
      webRequest: {
        extraHeaders: !!wr.OnSendHeadersOptions?.EXTRA_HEADERS,
        addListener: (kind, fn, filter, spec) =>
          spec.length ? event(kind).addListener(fn, filter, [...spec]) : event(kind).addListener(fn, filter),
        removeListener: (kind, fn) => event(kind).removeListener(fn),
      },
      store,
      session: browser.storage.session as unknown as SessionPort,
      settings: {
        load: async () => (await browser.storage.local.get('settings')).settings,
        save: (settings) => browser.storage.local.set({ settings }),
      },
      badge: {
        setText: (tabId, text) => void action?.setBadgeText({ tabId, text }).catch(() => {}),
      },
      timers: {
        setTimeout: (fn, ms) => setTimeout(fn, ms),
        setInterval: (fn, ms) => setInterval(fn, ms),
        now: () => Date.now(),
      },
    },
    { engine, selfOrigin },
  );

  // Only the local area: storage.onChanged would also echo every pairing snapshot back here.
  browser.storage.local.onChanged.addListener((changes) => {
    if (changes.settings) service.apply(normalizeSettings(changes.settings.newValue));
  });
  browser.tabs.onRemoved.addListener((tabId) => service.tabClosed(tabId));

  // Only the extension's own pages are answered: a content script (none today) could not clear or export.
  const self = { id: browser.runtime.id, origin: selfOrigin };
  const ctx = {
    store,
    ready: () => service.started,
    getSettings: () => service.current,
    captureStartedAt: () => service.captureStartedAt(),
    setSettings: (patch: Parameters<typeof service.setSettings>[0]) => service.setSettings(patch),
    cleared: (tabId?: number) => service.cleared(tabId),
  };
  browser.runtime.onMessage.addListener(
    (message: unknown, sender: { id?: string; url?: string }) =>
      answerMessage(message, sender, self, ctx) as Promise<unknown> | undefined,
  );

  void service.start();
});
