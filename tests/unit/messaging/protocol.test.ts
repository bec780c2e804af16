import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it, vi } from 'vitest';
import {
  answerMessage,
  type CorscopeMessage,
  commandsOver,
  DEFAULT_SETTINGS,
  exportJsonl,
  exportText,
  handleMessage,
  isCorscopeMessage,
  isSettingsPatch,
  type MessageContext,
  type MessageSender,
  messages,
  normalizeSettings,
  request,
  type Settings,
} from '../../../src/messaging/protocol';
import type { Har } from '../../../src/report/index';
import { DexieExchangeStore, type ExchangeStore } from '../../../src/store/repository';
import { readJsonl } from '../../factories';
import { validateHar } from '../../har-schema';
import { MemoryExchangeStore } from '../../memory-store';
import { fakeStoredExchange } from '../store/factory';
import { ManualScheduler } from '../store/scheduler';

const S = 'corscope' as const;
const SELF = { id: 'corscopeid', origin: 'chrome-extension://corscopeid' };
const PANEL: MessageSender = { id: SELF.id, url: `${SELF.origin}/devtools-panel.html` };

/** runtime.onMessage's listener as the background registers it: answerMessage for this extension. */
const listenerOver =
  (ctx: MessageContext) =>
  (message: unknown, sender?: MessageSender): Promise<unknown> | undefined =>
    answerMessage(message, sender, SELF, ctx);

describe('isCorscopeMessage', () => {
  const accepted: [string, unknown][] = [
    ['export, all tabs', { source: S, type: 'export', format: 'jsonl' }],
    ['export, one tab', { source: S, type: 'export', format: 'jsonl', tabId: 7 }],
    ['export, tab -1 (no tab)', { source: S, type: 'export', format: 'jsonl', tabId: -1 }],
    ['export, tabId undefined', { source: S, type: 'export', format: 'jsonl', tabId: undefined }],
    ['export as HAR', { source: S, type: 'export', format: 'har', tabId: 7 }],
    ['export as Markdown', { source: S, type: 'export', format: 'markdown' }],
    ['clear, all', { source: S, type: 'clear' }],
    ['clear, one tab', { source: S, type: 'clear', tabId: 3 }],
    ['status', { source: S, type: 'status' }],
    ['settings, empty patch', { source: S, type: 'settings', patch: {} }],
    [
      'settings, every field',
      {
        source: S,
        type: 'settings',
        patch: {
          paused: true,
          disabledSites: ['a.test'],
          retention: 500,
          preserveLog: true,
          redactHeaders: ['x-k'],
        },
      },
    ],
    ['builder: export', messages.export()],
    ['builder: export tab', messages.export(4)],
    ['builder: export tab as HAR', messages.export(4, 'har')],
    ['builder: export all as Markdown', messages.export(undefined, 'markdown')],
    ['builder: clear', messages.clear()],
    ['builder: clear tab', messages.clear(4)],
    ['builder: status', messages.status()],
    ['builder: settings', messages.settings({ paused: false })],
  ];
  it.each(accepted)('accepts %s', (_, m) => {
    expect(isCorscopeMessage(m)).toBe(true);
  });

  const rejected: [string, unknown][] = [
    ['null', null],
    ['undefined', undefined],
    ['a string', 'status'],
    ['an array', [S, 'status']],
    ['no source', { type: 'status' }],
    ['another source', { source: 'other', type: 'status' }],
    ['no type', { source: S }],
    ['unknown type', { source: S, type: 'delete' }],
    ['type of another case', { source: S, type: 'Status' }],
    ['export without format', { source: S, type: 'export' }],
    ['export as csv', { source: S, type: 'export', format: 'csv' }],
    ['export, format of another case', { source: S, type: 'export', format: 'HAR' }],
    ['export, format md', { source: S, type: 'export', format: 'md' }],
    ['export, format an array', { source: S, type: 'export', format: ['har'] }],
    ['export, tabId a string', { source: S, type: 'export', format: 'jsonl', tabId: '7' }],
    ['export, tabId fractional', { source: S, type: 'export', format: 'jsonl', tabId: 1.5 }],
    ['export, tabId NaN', { source: S, type: 'export', format: 'jsonl', tabId: Number.NaN }],
    ['export, extra field', { source: S, type: 'export', format: 'jsonl', limit: 5 }],
    ['clear, tabId null', { source: S, type: 'clear', tabId: null }],
    ['status, extra field', { source: S, type: 'status', tabId: 1 }],
    ['settings without patch', { source: S, type: 'settings' }],
    ['settings, patch null', { source: S, type: 'settings', patch: null }],
    ['settings, patch an array', { source: S, type: 'settings', patch: [] }],
    ['settings, unknown key', { source: S, type: 'settings', patch: { theme: 'dark' } }],
    ['settings, paused a string', { source: S, type: 'settings', patch: { paused: 'yes' } }],
    ['settings, retention 0', { source: S, type: 'settings', patch: { retention: 0 } }],
    ['settings, retention fractional', { source: S, type: 'settings', patch: { retention: 10.5 } }],
    ['settings, retention a string', { source: S, type: 'settings', patch: { retention: '100' } }],
    ['settings, retention huge', { source: S, type: 'settings', patch: { retention: 1e9 } }],
    ['settings, disabledSites a string', { source: S, type: 'settings', patch: { disabledSites: 'a.test' } }],
    [
      'settings, redactHeaders with a number',
      { source: S, type: 'settings', patch: { redactHeaders: ['a', 1] } },
    ],
    ['settings, extra field', { source: S, type: 'settings', patch: {}, more: 1 }],
  ];
  it.each(rejected)('rejects %s', (_, m) => {
    expect(isCorscopeMessage(m)).toBe(false);
  });

  it('the builder keeps the JSON Lines contract by default', () => {
    expect(messages.export()).toEqual({ source: S, type: 'export', format: 'jsonl' });
    expect(messages.export(3)).toEqual({ source: S, type: 'export', format: 'jsonl', tabId: 3 });
    expect(messages.export(3, 'har')).toEqual({ source: S, type: 'export', format: 'har', tabId: 3 });
  });

  it('isSettingsPatch checks each field', () => {
    expect(isSettingsPatch({ retention: 20_000, preserveLog: false })).toBe(true);
    expect(isSettingsPatch({ preserveLog: 1 })).toBe(false);
    expect(isSettingsPatch({ captureOn: 'listed', captureSites: ['api.test'] })).toBe(true);
    expect(isSettingsPatch({ captureOn: 'none' })).toBe(false);
    expect(isSettingsPatch({ toString: 'x' })).toBe(false);
  });
});

describe('settings', () => {
  it('defaults', () => {
    expect(DEFAULT_SETTINGS).toEqual({
      paused: false,
      disabledSites: [],
      captureOn: 'all',
      captureSites: [],
      retention: 20000,
      preserveLog: false,
      redactHeaders: [
        'x-api-key',
        'x-auth-token',
        'x-csrf-token',
        'x-xsrf-token',
        'x-access-token',
        'x-amz-security-token',
      ],
      redactParams: [
        'access_token',
        'token',
        'code',
        'key',
        'sig',
        'password',
        'api_key',
        'apikey',
        'id_token',
        'refresh_token',
        'client_secret',
        'signature',
        'x-amz-signature',
        'x-amz-credential',
        'x-amz-security-token',
      ],
    });
    expect(Object.isFrozen(DEFAULT_SETTINGS)).toBe(true);
    expect(Object.isFrozen(DEFAULT_SETTINGS.disabledSites)).toBe(true);
  });

  it('normalizeSettings keeps valid fields and falls back to the defaults for the rest', () => {
    expect(normalizeSettings(undefined)).toEqual(DEFAULT_SETTINGS);
    expect(normalizeSettings({ paused: true, retention: -3, disabledSites: ['x.test'], junk: 1 })).toEqual({
      ...DEFAULT_SETTINGS,
      paused: true,
      disabledSites: ['x.test'],
    });
    expect(normalizeSettings({ captureOn: 'listed', captureSites: ['api.test'] })).toMatchObject({
      captureOn: 'listed',
      captureSites: ['api.test'],
    });
    expect(normalizeSettings({ captureOn: 'some', captureSites: 'api.test' })).toMatchObject({
      captureOn: 'all',
      captureSites: [],
    });
    const n = normalizeSettings({});
    n.redactHeaders.push('x-session');
    expect(DEFAULT_SETTINGS.redactHeaders).not.toContain('x-session');
  });

  it('settings saved before the parameter list existed: their header names join the default token headers', () => {
    expect(normalizeSettings({ redactHeaders: ['x-session', 'x-api-key'] }).redactHeaders).toEqual([
      'x-api-key',
      'x-auth-token',
      'x-csrf-token',
      'x-xsrf-token',
      'x-access-token',
      'x-amz-security-token',
      'x-session',
    ]);
    // Once saved with both lists, what the user chose is kept as it is, an emptied list included.
    expect(normalizeSettings({ redactHeaders: ['x-session'], redactParams: [] })).toMatchObject({
      redactHeaders: ['x-session'],
      redactParams: [],
    });
  });
});

describe('exportJsonl', () => {
  it('is empty for no rows', () => {
    expect(exportJsonl([])).toBe('');
  });

  it('writes one line per row: the exchange with capture, its verdict under evaluation, trailing newline', () => {
    const rows = [
      fakeStoredExchange({ tabId: 1 }),
      fakeStoredExchange({ tabId: 2, call: 'blocked' }),
      fakeStoredExchange({ tabId: 1, call: 'network-error' }),
    ];
    const text = exportJsonl(rows);
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('');
    lines.slice(0, 3).forEach((line, i) => {
      const row = rows[i]!;
      expect(line).toBe(JSON.stringify({ ...row.exchange, evaluation: row.evaluation }));
      const parsed = JSON.parse(line);
      expect(parsed.id).toBe(row.exchange.id);
      expect(parsed.capture.tabId).toBe(row.tabId);
      expect(parsed.evaluation.verdict).toBe(row.verdict);
      // Only the exchange's fields and evaluation: the row's index fields stay out.
      expect(Object.keys(parsed)).toEqual([...Object.keys(row.exchange), 'evaluation']);
      expect(parsed).not.toHaveProperty('seq');
    });
    expect(readJsonl(text)).toHaveLength(3);
  });
});

function context(store: ExchangeStore, initial: Settings = { ...DEFAULT_SETTINGS }) {
  let settings = initial;
  const ctx: MessageContext = {
    store,
    getSettings: () => settings,
    setSettings: vi.fn(async (patch: Partial<Settings>) => {
      settings = { ...settings, ...patch };
      store.setRetention(settings.retention);
      return settings;
    }),
  };
  return ctx;
}

function seeded() {
  const store = new MemoryExchangeStore();
  const rows = [
    fakeStoredExchange({ tabId: 1 }),
    fakeStoredExchange({ tabId: 2, call: 'blocked' }),
    fakeStoredExchange({ tabId: 1, call: 'blocked' }),
  ];
  for (const row of rows) store.enqueue(row);
  return { store, rows, ctx: context(store) };
}
describe('handleMessage with an in-memory store', () => {
  it('export: all tabs or one, in capture order, as JSON Lines', async () => {
    const { rows, ctx } = seeded();
    const all: string = await handleMessage(messages.export(), ctx);
    expect(all).toBe(exportJsonl(rows));
    const one = await handleMessage(messages.export(1), ctx);
    expect(readJsonl<{ id: string }>(one).map((x) => x.id)).toEqual([
      rows[0]!.exchange.id,
      rows[2]!.exchange.id,
    ]);
    expect(await handleMessage(messages.export(42), ctx)).toBe('');
  });

  it('export as HAR: HAR 1.2 JSON that validates, entries in capture order, per tab or all tabs', async () => {
    const { rows, ctx } = seeded();
    const all = JSON.parse(await handleMessage(messages.export(undefined, 'har'), ctx)) as Har;
    expect(validateHar(all)).toEqual([]);
    expect(all.log.version).toBe('1.2');
    expect(all.log.pages!.map((p) => p.id)).toEqual(['tab-1', 'tab-2']);
    const pairs = (har: Har) => [...new Set(har.log.entries.map((e) => e._cors!.pair))];
    expect(pairs(all)).toEqual(rows.map((r) => r.exchange.id));
    const one = JSON.parse(await handleMessage(messages.export(1, 'har'), ctx)) as Har;
    expect(validateHar(one)).toEqual([]);
    expect(pairs(one)).toEqual([rows[0]!.exchange.id, rows[2]!.exchange.id]);
    expect(one.log.entries.every((e) => e.pageref === 'tab-1')).toBe(true);
    const none = JSON.parse(await handleMessage(messages.export(42, 'har'), ctx)) as Har;
    expect(validateHar(none)).toEqual([]);
    expect(none.log.entries).toEqual([]);
  });

  it('export as Markdown: the report of the tab', async () => {
    const { rows, ctx } = seeded();
    const text = await handleMessage(messages.export(1, 'markdown'), ctx);
    expect(text).toBe(exportText([rows[0]!, rows[2]!], 'markdown'));
    expect(text.startsWith('# CORScope report\n')).toBe(true);
    expect(text).toContain(rows[2]!.exchange.request.url);
    expect(text).not.toContain(rows[1]!.exchange.request.url);
  });

  it('commandsOver sends one export message per format and resolves to its text', async () => {
    const { rows, ctx } = seeded();
    const listener = listenerOver(ctx);
    const sent: unknown[] = [];
    const commands = commandsOver((m) => {
      sent.push(m);
      return listener(structuredClone(m), PANEL) ?? Promise.resolve(undefined);
    });
    expect(await commands.exportJsonl(2)).toBe(exportJsonl([rows[1]!]));
    expect(validateHar(JSON.parse(await commands.exportHar(2)))).toEqual([]);
    expect(await commands.exportMarkdown()).toBe(exportText(rows, 'markdown'));
    expect(sent).toEqual([
      messages.export(2),
      messages.export(2, 'har'),
      messages.export(undefined, 'markdown'),
    ]);
  });

  it('clear: one tab, then everything; resolves to the store status', async () => {
    const { store, ctx } = seeded();
    const after = await handleMessage(messages.clear(1), ctx);
    expect(after.stored).toBe(1);
    expect((await store.listByTab()).map((r) => r.tabId)).toEqual([2]);
    expect(await handleMessage(messages.clear(), ctx)).toMatchObject({ stored: 0, ok: true });
  });

  it('status: the store status plus the settings, and when capture started', async () => {
    const { ctx } = seeded();
    expect(await handleMessage(messages.status(), ctx)).toEqual({
      ok: true,
      lastError: null,
      droppedRows: 0,
      pending: 0,
      stored: 3,
      settings: DEFAULT_SETTINGS,
      captureStartedAt: null,
    });
    const started = { ...ctx, captureStartedAt: () => 1_700_000_000_000 };
    expect(await handleMessage(messages.status(), started)).toMatchObject({
      captureStartedAt: 1_700_000_000_000,
    });
  });

  it('every answer waits until the worker has started (a worker woken by the message)', async () => {
    const { ctx } = seeded();
    let ready!: () => void;
    const waiting = { ...ctx, ready: () => new Promise<void>((resolve) => (ready = resolve)) };
    let settings: Settings | null = null;
    const status = handleMessage(messages.status(), waiting).then((s) => (settings = s.settings));
    await new Promise((r) => setTimeout(r, 0));
    expect(settings).toBeNull();
    // The worker has started: its saved settings are in force.
    ctx.setSettings({ preserveLog: true });
    ready();
    await status;
    expect(settings).toMatchObject({ preserveLog: true });
  });

  it('settings: applies the patch through the context and resolves to the new settings', async () => {
    const { store, ctx } = seeded();
    const next = await handleMessage(messages.settings({ paused: true, retention: 2 }), ctx);
    expect(next).toEqual({ ...DEFAULT_SETTINGS, paused: true, retention: 2 });
    expect(ctx.setSettings).toHaveBeenCalledWith({ paused: true, retention: 2 });
    expect(ctx.getSettings()).toEqual(next);
    expect(store.status().stored).toBe(2);
  });

  it('answerMessage: answers ours, and leaves messages that are not ours to other listeners', async () => {
    const { ctx } = seeded();
    const listener = listenerOver(ctx);
    expect(listener({ type: 'status' }, PANEL)).toBeUndefined();
    expect(listener('hello', PANEL)).toBeUndefined();
    expect(await listener(messages.status(), PANEL)).toMatchObject({ stored: 3 });
    // A round trip as the runtime does it: the message is cloned on the way.
    const send = (m: CorscopeMessage) => listener(structuredClone(m), PANEL) ?? Promise.resolve(undefined);
    const text = await request(send, messages.export(2));
    expect(readJsonl(text)).toHaveLength(1);
    expect(await listener(messages.settings({ preserveLog: true }), PANEL)).toMatchObject({
      preserveLog: true,
    });
  });
});

describe("the sender of every message is checked: only the extension's own pages are answered", () => {
  const senders: [string, MessageSender | undefined][] = [
    ['a content script in a web page', { id: SELF.id, url: 'https://evil.test/page' }],
    ['another extension', { id: 'other', url: 'chrome-extension://other/page.html' }],
    ['a page of ours seen with another id', { id: 'other', url: `${SELF.origin}/popup.html` }],
    ['a look-alike origin', { id: SELF.id, url: `${SELF.origin}.evil.test/popup.html` }],
    ['no sender', undefined],
  ];
  it.each(senders)('%s: clear and export are refused, nothing is deleted', async (_name, sender) => {
    const { store, ctx } = seeded();
    const listener = listenerOver(ctx);
    await expect(listener(messages.clear(), sender)).rejects.toThrow('CORScope answers only its own pages');
    await expect(listener(messages.export(), sender)).rejects.toThrow('only its own pages');
    expect(await store.listByTab()).toHaveLength(3);
  });

  it('the panel and the popup, in DevTools or opened in a tab, are answered', async () => {
    const { ctx } = seeded();
    const listener = listenerOver(ctx);
    for (const url of [`${SELF.origin}/devtools-panel.html`, `${SELF.origin}/popup.html?tabId=3`])
      expect(await listener(messages.status(), { id: SELF.id, url })).toMatchObject({ stored: 3 });
  });

  it('a malformed CORScope message gets a clear error, not a silent undefined', async () => {
    const { ctx } = seeded();
    const listener = listenerOver(ctx);
    await expect(
      listener({ source: 'corscope', type: 'settings', patch: { retention: 2_000_000 } }, PANEL),
    ).rejects.toThrow('CORScope: a malformed "settings" message');
  });
});

describe('handleMessage with the IndexedDB store', () => {
  it('export includes rows still buffered, in capture order', async () => {
    const db = new IDBFactory();
    const store = new DexieExchangeStore({
      dexieOptions: { indexedDB: db, IDBKeyRange },
      scheduler: new ManualScheduler(),
    });
    const rows = [
      fakeStoredExchange({ tabId: 5 }),
      fakeStoredExchange({ tabId: 6 }),
      fakeStoredExchange({ tabId: 5 }),
    ];
    for (const row of rows) store.enqueue(row);
    expect(store.status().pending).toBe(3);
    const ctx = context(store);
    expect(await handleMessage(messages.export(), ctx)).toBe(exportJsonl(rows));
    expect(await handleMessage(messages.export(5), ctx)).toBe(exportJsonl([rows[0]!, rows[2]!]));
    expect(await handleMessage(messages.clear(5), ctx)).toMatchObject({ stored: 1, pending: 0 });
    expect(await handleMessage(messages.status(), ctx)).toMatchObject({ stored: 1, ok: true });
    await store.close();
  });
});
