// The messages UI pages send the background, what each resolves to, and the background's handler.
// Pure: no browser API. extension/background.ts wires answerMessage to browser.runtime.onMessage.
// The UI reads exchanges straight from IndexedDB (liveQuery); messages are only for commands.
import {
  ALWAYS_REDACTED,
  DEFAULT_REDACTED_HEADERS,
  DEFAULT_REDACTED_PARAMS,
  redactorOf,
} from '../capture/redact';
import { EXPORT_FORMATS, type ExportFormat, exportWriter, pagesOf } from '../report/writer';
import type { ExchangeStore, StoreStatus } from '../store/repository';
import type { StoredExchange } from '../store/row';

const SOURCE = 'corscope';

/** What the user controls about capture. */
export interface Settings {
  /** No webRequest listeners at all while paused. */
  paused: boolean;
  /** Hosts whose pages are not captured (a host also covers its subdomains). */
  disabledSites: string[];
  /**
   * "Capture on": every site (the default), or only calls to the hosts in `captureSites` (a host also covers
   * its subdomains): the browser then does not hand capture the requests to any other site at all.
   */
  captureOn: CaptureOn;
  /** The hosts of "Capture on: only these sites"; kept while capture is on for all sites. */
  captureSites: string[];
  /** How many exchanges to keep; the oldest go first. */
  retention: number;
  /** Keep a tab's exchanges when it navigates. */
  preserveLog: boolean;
  /**
   * Header names whose values are replaced before anything is stored or exported (Cookie, Set-Cookie,
   * Authorization and Proxy-Authorization always are, whatever this says).
   */
  redactHeaders: string[];
  /** Query and fragment parameter names whose values are replaced in URLs (and Location, Referer). */
  redactParams: string[];
}

export { ALWAYS_REDACTED };

const CAPTURE_ON = ['all', 'listed'] as const;
export type CaptureOn = (typeof CAPTURE_ON)[number];

/** The sites capture is on: null for all of them. */
export function captureSites(settings: Pick<Settings, 'captureOn' | 'captureSites'>): string[] | null {
  return settings.captureOn === 'listed' ? settings.captureSites : null;
}

/** Frozen, arrays included: spread it into a new object before changing anything. */
export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  paused: false,
  disabledSites: Object.freeze([]) as unknown as string[],
  captureOn: 'all',
  captureSites: Object.freeze([]) as unknown as string[],
  retention: 20_000,
  preserveLog: false,
  redactHeaders: Object.freeze([...DEFAULT_REDACTED_HEADERS]) as unknown as string[],
  redactParams: Object.freeze([...DEFAULT_REDACTED_PARAMS]) as unknown as string[],
});

/** Bounds for `retention` a message may set. */
export const MIN_RETENTION = 1;
export const MAX_RETENTION = 1_000_000;

/** jsonl: JSON Lines (the default contract); har: HAR 1.2 JSON; markdown: the report a person reads. */
export { EXPORT_FORMATS, type ExportFormat };

export interface ExportMessage {
  source: typeof SOURCE;
  type: 'export';
  format: ExportFormat;
  /** One tab; all tabs when absent. */
  tabId?: number;
}

export interface ClearMessage {
  source: typeof SOURCE;
  type: 'clear';
  /** One tab; everything when absent. */
  tabId?: number;
}

export interface StatusMessage {
  source: typeof SOURCE;
  type: 'status';
}

/** Writes the rows still buffered: a page that builds an export from the store sends it first. */
export interface FlushMessage {
  source: typeof SOURCE;
  type: 'flush';
}

export interface SettingsMessage {
  source: typeof SOURCE;
  type: 'settings';
  patch: Partial<Settings>;
}

export type CorscopeMessage = ExportMessage | ClearMessage | StatusMessage | FlushMessage | SettingsMessage;
export type MessageType = CorscopeMessage['type'];

/** The store's status and the capture settings. */
export interface StatusResponse extends StoreStatus {
  settings: Settings;
  /**
   * When capture began listening in this browser session (ms since the epoch); null when unknown. A page
   * that began loading before it made calls capture never saw.
   */
  captureStartedAt: number | null;
}

/** What each message resolves to. */
export interface ResponseMap {
  /** The rows in capture order as text in the asked format (see exportText). */
  export: string;
  /** The store's status once the rows are gone. */
  clear: StoreStatus;
  status: StatusResponse;
  /** The status (and settings) once every buffered row is written. */
  flush: StatusResponse;
  /** The settings after the patch. */
  settings: Settings;
}

export type ResponseOf<M extends CorscopeMessage> = ResponseMap[M['type']];

/** Builders, so pages never spell `source` themselves. */
export const messages = {
  export: (tabId?: number, format: ExportFormat = 'jsonl'): ExportMessage =>
    tabId === undefined
      ? { source: SOURCE, type: 'export', format }
      : { source: SOURCE, type: 'export', format, tabId },
  clear: (tabId?: number): ClearMessage =>
    tabId === undefined ? { source: SOURCE, type: 'clear' } : { source: SOURCE, type: 'clear', tabId },
  status: (): StatusMessage => ({ source: SOURCE, type: 'status' }),
  flush: (): FlushMessage => ({ source: SOURCE, type: 'flush' }),
  settings: (patch: Partial<Settings>): SettingsMessage => ({ source: SOURCE, type: 'settings', patch }),
};

/** Sends a message through `send` (e.g. browser.runtime.sendMessage) with its response typed. */
export function request<M extends CorscopeMessage>(
  send: (message: M) => Promise<unknown>,
  message: M,
): Promise<ResponseOf<M>> {
  return send(message) as Promise<ResponseOf<M>>;
}

// --- validation ---

type Obj = Record<string, unknown>;

function isObject(x: unknown): x is Obj {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function hasOnly(o: Obj, keys: readonly string[]): boolean {
  return Object.keys(o).every((k) => keys.includes(k));
}

function isOptionalTabId(v: unknown): boolean {
  return v === undefined || (typeof v === 'number' && Number.isInteger(v));
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}

function isRetention(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= MIN_RETENTION && v <= MAX_RETENTION;
}

const SETTINGS_CHECKS: { [K in keyof Settings]: (v: unknown) => boolean } = {
  paused: (v) => typeof v === 'boolean',
  disabledSites: isStringArray,
  captureOn: (v) => CAPTURE_ON.includes(v as CaptureOn),
  captureSites: isStringArray,
  retention: isRetention,
  preserveLog: (v) => typeof v === 'boolean',
  redactHeaders: isStringArray,
  redactParams: isStringArray,
};

/** A patch of known settings, each of the right type (an explicit undefined counts as absent). */
export function isSettingsPatch(x: unknown): x is Partial<Settings> {
  if (!isObject(x)) return false;
  for (const [k, v] of Object.entries(x)) {
    if (!Object.hasOwn(SETTINGS_CHECKS, k)) return false;
    if (v !== undefined && !SETTINGS_CHECKS[k as keyof Settings](v)) return false;
  }
  return true;
}

/** Settings from anything (e.g. storage): valid fields kept, the rest from the defaults. */
export function normalizeSettings(x: unknown): Settings {
  const out: Settings = {
    ...DEFAULT_SETTINGS,
    disabledSites: [...DEFAULT_SETTINGS.disabledSites],
    captureSites: [...DEFAULT_SETTINGS.captureSites],
    redactHeaders: [...DEFAULT_SETTINGS.redactHeaders],
    redactParams: [...DEFAULT_SETTINGS.redactParams],
  };
  if (!isObject(x)) return out;
  for (const k of Object.keys(SETTINGS_CHECKS) as (keyof Settings)[]) {
    const v = x[k];
    if (v !== undefined && SETTINGS_CHECKS[k](v)) (out as unknown as Obj)[k] = Array.isArray(v) ? [...v] : v;
  }
  // Settings saved before the parameter list existed held only the header names added to the built-in
  // ones: the token headers now listed by default are added to them.
  if (x.redactParams === undefined && isStringArray(x.redactHeaders))
    out.redactHeaders = [...new Set([...DEFAULT_REDACTED_HEADERS, ...x.redactHeaders])];
  return out;
}

/** Strict: the `source` tag, a known `type`, its fields with the right types, and nothing else. */
export function isCorscopeMessage(x: unknown): x is CorscopeMessage {
  if (!isObject(x) || x.source !== SOURCE) return false;
  switch (x.type) {
    case 'export':
      return (
        hasOnly(x, ['source', 'type', 'format', 'tabId']) &&
        EXPORT_FORMATS.includes(x.format as ExportFormat) &&
        isOptionalTabId(x.tabId)
      );
    case 'clear':
      return hasOnly(x, ['source', 'type', 'tabId']) && isOptionalTabId(x.tabId);
    case 'status':
    case 'flush':
      return hasOnly(x, ['source', 'type']);
    case 'settings':
      return hasOnly(x, ['source', 'type', 'patch']) && isSettingsPatch(x.patch);
    default:
      return false;
  }
}

// --- export ---

/**
 * JSON Lines, one stored exchange per line in the given order: the exchange as captured (the exchange
 * format plus `capture`) with its verdict under `evaluation`. A trailing newline when there are rows.
 */
export function exportJsonl(rows: readonly StoredExchange[]): string {
  return exportText(rows, 'jsonl');
}

/** Rows (in capture order) as export text: JSON Lines, HAR 1.2 JSON, or the Markdown report. */
export function exportText(rows: readonly StoredExchange[], format: ExportFormat): string {
  const ordered = rows.every((r) => r.seq !== undefined) ? [...rows].sort((a, b) => a.seq! - b.seq!) : rows;
  const w = exportWriter(format, format === 'har' ? pagesOf(ordered) : []);
  let out = w.head();
  for (const row of ordered) out += w.row(row);
  return out + w.tail();
}

// --- the background's side ---

export interface MessageContext {
  store: ExchangeStore;
  /** Resolves once the worker has started (its saved settings in force): every answer waits for it. */
  ready?(): Promise<void>;
  /** Exports apply the redaction list in force now: rows stored under an older one are redacted again. */
  getSettings(): Settings;
  /** Merges, persists and applies a patch; resolves to the settings now in force. */
  setSettings(patch: Partial<Settings>): Promise<Settings> | Settings;
  /** When capture began listening in this browser session; null when unknown. */
  captureStartedAt?(): number | null;
  /** After a clear: a tab's rows (every tab's when undefined) are gone. */
  cleared?(tabId?: number): void;
}

/** Answers one message. Rejects only when the store's queries do. */
export async function handleMessage<M extends CorscopeMessage>(
  message: M,
  ctx: MessageContext,
): Promise<ResponseOf<M>> {
  return (await answer(message, ctx)) as ResponseOf<M>;
}

async function answer(message: CorscopeMessage, ctx: MessageContext): Promise<ResponseMap[MessageType]> {
  await ctx.ready?.();
  const { store } = ctx;
  const status = () => ({
    ...store.status(),
    settings: ctx.getSettings(),
    captureStartedAt: ctx.captureStartedAt?.() ?? null,
  });
  switch (message.type) {
    case 'export': {
      // Rows still buffered belong in the export.
      await store.flush();
      const redact = redactorOf(ctx.getSettings());
      return exportText(
        (await store.listByTab(message.tabId)).map((row) => redact.derived(row)),
        message.format,
      );
    }
    case 'clear': {
      await (message.tabId === undefined ? store.clearAll() : store.clearTab(message.tabId));
      ctx.cleared?.(message.tabId);
      return store.status();
    }
    case 'flush':
      await store.flush();
      return status();
    case 'status':
      return status();
    case 'settings':
      return await ctx.setSettings(message.patch);
  }
}

/** Who sent a message, as runtime.onMessage says (the fields read here). */
export interface MessageSender {
  id?: string;
  url?: string;
}

/** The extension itself: its id and the origin of its pages ("chrome-extension://ID"). */
export interface Self {
  id: string;
  origin: string;
}

/**
 * Whether a message comes from one of the extension's own pages (the DevTools panel, the popup, either
 * opened in a tab): not from a content script (its url is the web page's) nor from anything else.
 */
function isOwnPage(sender: MessageSender | undefined, self: Self): boolean {
  return (
    !!sender &&
    sender.id === self.id &&
    typeof sender.url === 'string' &&
    sender.url.startsWith(`${self.origin}/`)
  );
}

/**
 * The answer to one runtime message: undefined for a message that is not CORScope's (another listener may
 * answer it), a rejection for one from elsewhere than the extension's own pages or malformed (a clear error
 * rather than a silent undefined), else handleMessage's answer.
 */
export function answerMessage(
  message: unknown,
  sender: MessageSender | undefined,
  self: Self,
  ctx: MessageContext,
): Promise<unknown> | undefined {
  if (!isObject(message) || message.source !== SOURCE) return undefined;
  if (!isOwnPage(sender, self)) return Promise.reject(new Error('CORScope answers only its own pages'));
  if (!isCorscopeMessage(message))
    return Promise.reject(new Error(`CORScope: a malformed "${String(message.type).slice(0, 40)}" message`));
  return handleMessage(message, ctx);
}

// --- the pages' side ---

/** The commands a UI page sends to the background, over `send` (browser.runtime.sendMessage in the glue). */
export function commandsOver(send: (message: CorscopeMessage) => Promise<unknown>) {
  return {
    clear: async (tabId?: number): Promise<void> => {
      await request(send, messages.clear(tabId));
    },
    exportJsonl: (tabId?: number): Promise<string> => request(send, messages.export(tabId)),
    exportHar: (tabId?: number): Promise<string> => request(send, messages.export(tabId, 'har')),
    exportMarkdown: (tabId?: number): Promise<string> => request(send, messages.export(tabId, 'markdown')),
    getSettings: async (): Promise<Settings> => (await request(send, messages.status())).settings,
    status: (): Promise<StatusResponse> => request(send, messages.status()),
    /** One message: fine for small stores; the extension's pages build large exports from the store. */
    exportFile: async (format: ExportFormat, tabId?: number): Promise<Blob> =>
      new Blob([await request(send, messages.export(tabId, format))]),
    setSettings: (patch: Partial<Settings>): Promise<Settings> => request(send, messages.settings(patch)),
  };
}
