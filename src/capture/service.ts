// The service worker's capture, browser-neutral: webRequest events in, rows out to the store, the pairing
// state kept across restarts, the listeners registered as the settings ask, the toolbar badge. Each browser
// API it needs is a port; extension/background.ts adapts the browser's, tests pass fakes.
//
// Restart safety at a bounded cost: the pairing state goes to storage.session at most every SNAPSHOT_MS
// after it changed; rows go to IndexedDB in batches (the store's flush delay, FLUSH_MS), and before any
// snapshot that no longer holds them. Each IndexedDB transaction costs the worker 1-2 ms and the browser
// about as much, whatever it holds, so FLUSH_MS is long: writing every 30 ms was a third of CORScope's own
// CPU time when a page makes a call every few milliseconds.
import type { Engine } from '../cors/types';
import { captureSites, normalizeSettings, type Settings } from '../messaging/protocol';
import { type BadgePort, BlockedBadge } from './badge';
import { CaptureController, type CaptureSettings, type CaptureSink } from './controller';
import { LISTENED, type RawDetails, type RawKind } from './events';
import { type SessionArea, SessionSnapshot } from './persist';
import { sitePatterns } from './sites';

export const SNAPSHOT_MS = 500;
/** The store's flush delay in the worker (see the top of this file). */
export const FLUSH_MS = 250;
/** Often enough that an answered call settles (./pairing/release-line.ts, SETTLE_MS) soon after its answer. */
const SWEEP_MS = 250;

export type Listener = (details: RawDetails) => void;

/** webRequest's RequestFilter, as capture uses it. */
export interface RequestFilter {
  urls: string[];
  types?: string[];
}

/** browser.webRequest, the parts capture uses. */
export interface WebRequestPort {
  /** The browser takes extraInfoSpec 'extraHeaders' (Chromium: preflights, Origin and blocked responses' headers are hidden without it; Firefox rejects it). */
  readonly extraHeaders: boolean;
  /** `spec` empty: no extraInfoSpec. */
  addListener(kind: RawKind, listener: Listener, filter: RequestFilter, spec: readonly string[]): void;
  removeListener(kind: RawKind, listener: Listener): void;
}

/** The worker's clock and timers. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  setInterval(fn: () => void, ms: number): unknown;
  now(): number;
}

/** storage.session: the pairing snapshot (./persist.ts), and when capture began listening. */
export interface SessionPort extends SessionArea {
  get(keys: string | null): Promise<Record<string, unknown>>;
}

/** The store, the parts the worker uses (src/store/repository.ts, DexieExchangeStore). */
export interface StorePort extends CaptureSink {
  /** Writes what is buffered; never rejects. */
  flush(): Promise<void>;
  setRetention(n: number): void;
  /** Blocked calls stored per tab: where the badges start when a worker starts. */
  blockedByTab(): Promise<ReadonlyMap<number, number>>;
}

/** storage.local's "settings". */
export interface SettingsPort {
  load(): Promise<unknown>;
  save(settings: Settings): Promise<void>;
}

export interface ServicePorts {
  webRequest: WebRequestPort;
  store: StorePort;
  session: SessionPort;
  settings: SettingsPort;
  badge: BadgePort;
  timers: Timers;
}

export interface ServiceOptions {
  /** The browser capture runs in: the events it listens to, the order pairing expects, whose rules explain. */
  engine: Engine;
  /** The extension's own origin: its requests are never captured. */
  selfOrigin: string;
}

/** One listener registration. */
interface Registration {
  kind: RawKind;
  listener: Listener;
  filter: RequestFilter;
  spec: readonly string[];
}

const STARTED_AT = 'captureStartedAt';

function captureSettingsOf(s: Settings): CaptureSettings {
  return {
    preserveLog: s.preserveLog,
    disabledSites: s.disabledSites,
    redactHeaders: s.redactHeaders,
    redactParams: s.redactParams,
    onlySites: captureSites(s),
  };
}

export class CaptureService {
  private settings: Settings = normalizeSettings(undefined);
  private readonly capture: CaptureController;
  private readonly session: SessionSnapshot;
  private readonly badge: BlockedBadge;
  private snapshotTimer: unknown = null;
  /** False while the worker restores its state: events wait in `early`, in order. */
  private ready = false;
  private readonly early: [RawKind, RawDetails][] = [];
  /** When capture began listening in this browser session (a worker woken later keeps the first time). */
  private startedAt: number;
  private readonly listeners: Record<RawKind, Listener>;
  /** With a list of sites, navigations come through a listener of their own, for every site. */
  private readonly navigation: Listener;
  private registered: Registration[] = [];
  private registeredKey = '';
  private startDone!: () => void;
  /**
   * Resolves once start() is done: the saved settings in force, the state and the badges' counts restored.
   * A worker is woken by the very message that acts on them (the popup's, the panel's): until then it holds
   * the defaults, and a change merged with those would lose every other saved setting (a site list, a
   * redaction list), or a clear would be undone by the counts read before it.
   */
  readonly started = new Promise<void>((resolve) => {
    this.startDone = resolve;
  });

  constructor(
    private readonly ports: ServicePorts,
    private readonly opts: ServiceOptions,
  ) {
    this.badge = new BlockedBadge(ports.badge, ports.timers);
    const { store } = ports;
    // A row waiting for its write is still in the last snapshot (see saveSnapshot): a worker stopped before
    // the write brings the call back from there, marked as rebuilt (hasRequest keeps it from being stored twice).
    const sink: CaptureSink = {
      enqueue: (row) => {
        store.enqueue(row);
        this.badge.stored(row);
      },
      addCounts: (tabId, counts) => store.addCounts(tabId, counts),
      clearTab: (tabId) => {
        this.badge.cleared(tabId);
        return store.clearTab(tabId);
      },
      ...(store.hasRequest ? { hasRequest: (id: string) => store.hasRequest!(id) } : {}),
    };
    this.capture = new CaptureController(
      sink,
      captureSettingsOf(this.settings),
      opts.selfOrigin,
      opts.engine,
    );
    this.session = new SessionSnapshot(ports.session);
    this.startedAt = ports.timers.now();
    const on =
      (kind: RawKind, navigation: boolean): Listener =>
      (details) => {
        // Navigations have a listener of their own while capture is on some sites only.
        if (!navigation && details.type === 'main_frame' && this.hasNavigationListener()) return;
        this.event(kind, details);
      };
    this.listeners = {
      onSendHeaders: on('onSendHeaders', false),
      onHeadersReceived: on('onHeadersReceived', false),
      onCompleted: on('onCompleted', false),
      onErrorOccurred: on('onErrorOccurred', false),
    };
    this.navigation = on('onHeadersReceived', true);
    // At once, so the browser wakes the worker for these events; start() narrows them to the settings.
    this.listen();
    ports.timers.setInterval(() => this.sweep(), SWEEP_MS);
  }

  /** Reads the settings, the state a stopped worker left and the badges' counts; then handles what waited. */
  async start(): Promise<void> {
    try {
      await this.restore();
    } finally {
      // Messages are answered even if restoring failed part way.
      this.startDone();
    }
  }

  private async restore(): Promise<void> {
    const { ports } = this;
    const [, state, kept, blocked] = await Promise.all([
      ports.settings
        .load()
        .catch(() => undefined)
        .then((saved) => this.apply(normalizeSettings(saved))),
      this.session.load().catch(() => null),
      ports.session.get(STARTED_AT).catch(() => ({}) as Record<string, unknown>),
      ports.store.blockedByTab().catch(() => new Map<number, number>()),
    ]);
    if (state) this.capture.restore(state);
    const startedAt = kept[STARTED_AT];
    if (typeof startedAt === 'number') this.startedAt = startedAt;
    else await ports.session.set({ [STARTED_AT]: this.startedAt }).catch(() => {});
    this.badge.load(blocked);
    this.ready = true;
    for (const [kind, details] of this.early.splice(0)) this.capture.handle(kind, details);
    this.snapshotSoon();
  }

  /** The settings in force. */
  get current(): Settings {
    return this.settings;
  }

  /** When capture began listening in this browser session (ms since the epoch). */
  captureStartedAt(): number {
    return this.startedAt;
  }

  /** New settings (from storage, or the popup): capture, retention and the listeners follow them. */
  apply(next: Settings): void {
    this.settings = next;
    this.capture.configure(captureSettingsOf(next));
    this.ports.store.setRetention(next.retention);
    this.listen();
  }

  /**
   * Merges a patch into the saved settings (once start() is done), saves it and applies it; resolves
   * to the settings in force. A field given as undefined (Firefox's messaging keeps such fields) leaves the
   * setting as it is.
   */
  async setSettings(patch: Partial<Settings>): Promise<Settings> {
    await this.started;
    const given = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    const next = normalizeSettings({ ...this.settings, ...given });
    await this.ports.settings.save(next);
    this.apply(next);
    return next;
  }

  /** A tab closed: its calls still in flight are stored with what they have. */
  tabClosed(tabId: number): void {
    this.capture.tabClosed(tabId);
    this.badge.closed(tabId);
  }

  /** A tab's rows (every tab's when undefined) were cleared on the user's command. */
  cleared(tabId?: number): void {
    this.badge.cleared(tabId);
  }

  /** How many blocked calls the tab's badge counts. */
  blocked(tabId: number): number {
    return this.badge.count(tabId);
  }

  /** Writes the pairing state now, if it changed: the rows that left pairing first, then the state. */
  async saveSnapshot(): Promise<void> {
    this.snapshotTimer = null;
    if (!this.capture.dirty) return;
    const state = this.capture.snapshot();
    // The calls that left pairing before this state was taken are written first, so the snapshot that no
    // longer holds them never replaces one that does before they are in IndexedDB.
    await this.ports.store.flush();
    await this.session.save(state).catch(() => {});
  }

  private event(kind: RawKind, details: RawDetails): void {
    if (!this.ready) {
      this.early.push([kind, details]);
      return;
    }
    this.capture.handle(kind, details);
    this.snapshotSoon();
  }

  private sweep(): void {
    this.capture.sweep(this.ports.timers.now());
    this.snapshotSoon();
  }

  private snapshotSoon(): void {
    if (this.capture.dirty && this.snapshotTimer === null)
      this.snapshotTimer = this.ports.timers.setTimeout(() => void this.saveSnapshot(), SNAPSHOT_MS);
  }

  private hasNavigationListener(): boolean {
    return this.registered.some((r) => r.listener === this.navigation);
  }

  /**
   * The listeners the settings ask for: none while paused (the browser pays nothing); the events pairing
   * needs in this browser (LISTENED) for every site, or for the listed sites only, with navigations then
   * through a listener of their own on every site (a new page clears its tab's log wherever it is).
   */
  private listen(): void {
    const wanted = this.registrations(this.settings.paused, captureSites(this.settings));
    const key = JSON.stringify(wanted.map(({ kind, filter, spec }) => [kind, filter, spec]));
    if (key === this.registeredKey) return;
    const { webRequest } = this.ports;
    for (const r of this.registered) webRequest.removeListener(r.kind, r.listener);
    this.registered = wanted;
    this.registeredKey = key;
    for (const r of wanted) webRequest.addListener(r.kind, r.listener, r.filter, r.spec);
  }

  private registrations(paused: boolean, sites: readonly string[] | null): Registration[] {
    if (paused) return [];
    // Only the two events that read headers ask for extraHeaders: it costs every page.
    const extra = this.ports.webRequest.extraHeaders ? ['extraHeaders'] : [];
    const spec: Partial<Record<RawKind, string[]>> = {
      onSendHeaders: ['requestHeaders', ...extra],
      onHeadersReceived: ['responseHeaders', ...extra],
    };
    const urls = sites ? sitePatterns(sites) : ['<all_urls>'];
    const out: Registration[] = urls.length
      ? LISTENED[this.opts.engine].map((kind) => ({
          kind,
          listener: this.listeners[kind],
          filter: { urls },
          spec: spec[kind] ?? [],
        }))
      : [];
    if (sites) {
      // Status, Content-Type and Content-Disposition are all commitsDocument reads: no extraHeaders.
      out.push({
        kind: 'onHeadersReceived',
        listener: this.navigation,
        filter: { urls: ['<all_urls>'], types: ['main_frame'] },
        spec: ['responseHeaders'],
      });
    }
    return out;
  }
}
