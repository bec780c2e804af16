// The demo with a display: DevTools is open on every tab (--auto-open-devtools-for-tabs); these helpers
// reach DevTools' own pages over the DevTools protocol to bring up the CORS panel and to look inside it.
import type { BrowserContext, CDPSession } from 'playwright-core';

/** A DevTools protocol answer to Runtime.evaluate. */
interface Answer {
  result?: {
    result: { value: unknown };
    exceptionDetails?: { exception?: { description?: string }; text: string };
  };
  error?: unknown;
}

interface TargetInfo {
  targetId: string;
  type: string;
  url: string;
}

export interface DevToolsTargets {
  /** The DevTools windows' own pages (devtools://devtools/...), as they are now. */
  frontends(): Promise<TargetInfo[]>;
  /** CORScope's panel pages loaded inside DevTools, as they are now. */
  panels(): Promise<TargetInfo[]>;
  /** Evaluates an expression in a target (one that Playwright does not expose as a page) and returns its value. */
  evaluate<T>(targetId: string, expression: string): Promise<T>;
  close(): Promise<void>;
}

export async function devtoolsTargets(
  context: BrowserContext,
  extensionId: string,
): Promise<DevToolsTargets> {
  const browser = context.browser();
  if (!browser) throw new Error('no browser-level DevTools protocol session for this context');
  const cdp: CDPSession = await browser.newBrowserCDPSession();
  const targets = async (prefix: string) => {
    const { targetInfos } = (await cdp.send('Target.getTargets')) as { targetInfos: TargetInfo[] };
    return targetInfos.filter((t) => t.url.startsWith(prefix));
  };
  let next = 1;
  const pending = new Map<number, (m: Answer) => void>();
  cdp.on('Target.receivedMessageFromTarget', (e: { message: string }) => {
    const m = JSON.parse(e.message) as { id?: number };
    if (m.id !== undefined) pending.get(m.id)?.(m as never);
  });
  const sessions = new Map<string, string>();
  return {
    frontends: () => targets('devtools://devtools/'),
    panels: () => targets(`chrome-extension://${extensionId}/devtools-panel.html`),
    async evaluate<T>(targetId: string, expression: string): Promise<T> {
      let sessionId = sessions.get(targetId);
      if (!sessionId) {
        ({ sessionId } = (await cdp.send('Target.attachToTarget', { targetId, flatten: false })) as {
          sessionId: string;
        });
        sessions.set(targetId, sessionId);
      }
      const id = next++;
      const reply = new Promise<Answer>((r) => pending.set(id, r));
      const params = { expression, awaitPromise: true, returnByValue: true };
      const message = JSON.stringify({ id, method: 'Runtime.evaluate', params });
      await cdp.send('Target.sendMessageToTarget', { sessionId, message });
      // A target that goes away (its window closed) never answers.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const m = await Promise.race([
        reply,
        new Promise<never>((_, fail) => {
          timer = setTimeout(() => fail(new Error(`evaluate in ${targetId}: no answer in 15 s`)), 15_000);
        }),
      ]).finally(() => {
        clearTimeout(timer);
        pending.delete(id);
      });
      const thrown = m.result?.exceptionDetails;
      if (!m.result || thrown)
        throw new Error(
          `evaluate in ${targetId}: ${thrown ? (thrown.exception?.description ?? thrown.text) : JSON.stringify(m.error)}`,
        );
      return m.result.result.value as T;
    },
    close: () => cdp.detach(),
  };
}

/** DevTools' id for CORScope's panel: the extension's origin and the panel's title, as DevTools makes it. */
const corsPanelId = (extensionId: string): string => `chrome-extension://${extensionId}CORS`;

/**
 * Shows the CORS panel in each open DevTools window once DevTools has added it, and resolves true when the
 * panel's page has loaded inside DevTools (false after 10 s). This reaches into DevTools' own modules, as
 * Chromium 156 ships them; where they differ, the embedder's showPanel is the fallback.
 */
export async function showCorsPanel(context: BrowserContext, extensionId: string): Promise<boolean> {
  const id = JSON.stringify(corsPanelId(extensionId));
  const t = await devtoolsTargets(context, extensionId);
  try {
    // A DevTools window may still be opening: each one found is asked, again each second, until the panel
    // shows.
    const asked = new Set<string>();
    for (let i = 0; i < 100; i++) {
      if (i % 10 === 0) asked.clear();
      for (const f of await t.frontends()) {
        if (asked.has(f.targetId)) continue;
        asked.add(f.targetId);
        void t
          .evaluate(
            f.targetId,
            `import('./ui/legacy/legacy.js').then(async (UI) => {
              const view = UI.InspectorView.InspectorView.instance();
              for (let i = 0; i < 100 && !view.hasPanel(${id}); i++) await new Promise((r) => setTimeout(r, 100));
              await view.showPanel(${id});
            }).catch(() => DevToolsAPI.showPanel(${id}))`,
          )
          // A window that closes while we look (its tab closed) has nothing to show.
          .catch(() => {});
      }
      if ((await t.panels()).length) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  } finally {
    await t.close();
  }
}
