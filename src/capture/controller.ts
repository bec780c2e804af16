// Capture, browser-neutral: events in, evaluated rows out to a store. extension/background.ts feeds it
// webRequest details and gives it a store; tests feed it recorded events and a fake store.
import { networkSentence } from '../cors/catalog';
import { Evaluator } from '../cors/evaluate';
import type { Engine, Reason, Verdict } from '../cors/types';
import { type StoredExchange, toRow } from '../store/row';
import type { RawDetails, RawKind } from './events';
import { withLocalNetworkStop } from './local-network';
import { initiatorOf, normalize } from './normalize';
import { Pairer, type PairingState } from './pairing';
import { type Redactor, redactorOf } from './redact';
import { siteMatcher } from './sites';
import type { CapturedExchange } from './types';

/** What capture needs of storage (src/store implements it over IndexedDB). */
export interface CaptureSink {
  enqueue(row: StoredExchange): void;
  addCounts(tabId: number, counts: { sameOrigin?: number; noCors?: number }): void;
  clearTab(tabId: number): Promise<void> | void;
  /** Whether a call is stored already (by requestId): a call restored after a restart may have been. */
  hasRequest?(requestId: string): Promise<boolean>;
}

export interface CaptureSettings {
  preserveLog: boolean;
  disabledSites: readonly string[];
  /** Header names and URL parameter names redacted besides Cookie, Set-Cookie and the Authorizations. */
  redactHeaders: readonly string[];
  /** Absent: DEFAULT_REDACTED_PARAMS. */
  redactParams?: readonly string[];
  /**
   * "Capture on: only these sites": calls to these hosts (and their subdomains) only; absent or null: all
   * sites. The worker registers its listeners for these sites alone (./service.ts); capture applies the same
   * rule to what reaches it anyway.
   */
  onlySites?: readonly string[] | null;
}

/**
 * The verdict for a call whose deciding headers were lost in a service-worker restart: only what the browser
 * reported (success or error), with no explanation, rather than a confident one built on missing headers.
 */
function outcomeOnly(ex: CapturedExchange, v: Verdict): Verdict {
  const ok = ex.outcome === 'success';
  const lost: Reason = { key: 'AnswerLost', header: null, seen: ex.capture.missing, required: null, hop: -1 };
  return {
    id: v.id,
    engine: v.engine,
    verdict: ok ? 'allowed' : 'network-error',
    preflight: v.preflight,
    error: null,
    summary: ok
      ? 'Allowed: the browser reported success. Its response headers were lost when the service worker restarted, so CORScope cannot show why.'
      : networkSentence({ reason: lost, onPreflight: false }),
    reason: ok ? null : lost,
    checks: [
      {
        rule: 'recording',
        title: 'Recording complete',
        spec: SPEC_MAIN_FETCH,
        hop: -1,
        required: 'the response headers of the call',
        seen: `missing: ${ex.capture.missing ?? 'parts of the call'}`,
        result: 'info',
      },
    ],
    fixes: [],
    advice: [],
    warnings: [],
  };
}

const SPEC_MAIN_FETCH = 'https://fetch.spec.whatwg.org/#main-fetch';

// Types Chromium and Firefox show in the tab rather than download: text, images, media, JSON, XML, PDF.
const RENDERED =
  /^(text\/|image\/|audio\/|video\/|application\/(xhtml\+xml|xml|json|javascript|pdf)$|[^/]+\/[^;]*\+(xml|json)$)/;

/**
 * Whether a top-level navigation's response puts a new document in the tab, from what onHeadersReceived
 * already says (no other listener: each costs every page). Measured in Chromium 156: a 204 or 205, a
 * redirect, a download (Content-Disposition: attachment, or a type the browser does not show), a prerender
 * (documentLifecycle "prerender", a frameId other than 0) and a prefetch (it carries the current document's
 * documentId) all reach onHeadersReceived in the real tab and commit nothing.
 */
export function commitsDocument(d: RawDetails): boolean {
  if (d.frameId !== 0 || d.documentId !== undefined || d.documentLifecycle === 'prerender') return false;
  const status = d.statusCode ?? 0;
  if (status < 200 || status === 204 || status === 205 || (status >= 300 && status < 400)) return false;
  let type: string | null = null;
  for (const h of d.responseHeaders ?? []) {
    const name = h.name.toLowerCase();
    if (name === 'content-disposition' && /^\s*attachment/i.test(h.value ?? '')) return false;
    if (name === 'content-type') type = (h.value ?? '').split(';')[0]!.trim().toLowerCase();
  }
  // No type: the browser sniffs, and shows what it can.
  return !type || RENDERED.test(type);
}

export class CaptureController {
  private readonly pairer: Pairer;
  private readonly evaluators = new Map<number, Evaluator>();
  private redact: Redactor;
  private disabled: (initiator: string) => boolean;
  /** Null: every site. */
  private sites: ((url: string) => boolean) | null = null;
  private settings: CaptureSettings;
  /** Set whenever pairing state changed since the last snapshot. */
  dirty = false;

  constructor(
    private readonly sink: CaptureSink,
    settings: CaptureSettings,
    private readonly selfOrigin: string,
    /** The browser capture runs in: its webRequest's order of events, and whose rules explain each call. */
    private readonly engine: Engine = 'chromium',
  ) {
    this.settings = settings;
    this.redact = redactorOf(settings);
    this.disabled = siteMatcher(settings.disabledSites);
    this.pairer = new Pairer({
      engine,
      onExchange: (ex) => this.store(ex),
      // Counted, never stored: "noCors" counts the calls CORS does not govern and those it cannot tell.
      onUngoverned: (tabId, kind) =>
        this.sink.addCounts(tabId, kind === 'same-origin' ? { sameOrigin: 1 } : { noCors: 1 }),
    });
    this.scope(settings.onlySites);
  }

  configure(settings: CaptureSettings): void {
    this.settings = settings;
    this.redact = redactorOf(settings);
    this.disabled = siteMatcher(settings.disabledSites);
    this.scope(settings.onlySites);
  }

  private scope(sites: readonly string[] | null | undefined): void {
    this.sites = sites ? siteMatcher(sites) : null;
    this.pairer.setSites(this.sites);
  }

  /** One webRequest event. Cheap: normalize, pair; evaluation happens only when a call ends. */
  handle(kind: RawKind, details: RawDetails): void {
    if (details.type === 'main_frame') {
      if (kind === 'onHeadersReceived' && details.tabId >= 0 && commitsDocument(details))
        this.navigated(details.tabId);
      return;
    }
    // Only the listed sites: as the browser filters the listeners; events from before that filter was set
    // (the worker woke and its settings were not read yet) arrive anyway.
    if (this.sites && !this.sites(details.url)) return;
    const initiator = initiatorOf(details);
    if (initiator.startsWith(this.selfOrigin) || details.url.startsWith(this.selfOrigin)) return;
    if (this.disabled(initiator)) return;
    this.pairer.handle(normalize(kind, details, this.redact));
    this.dirty = true;
  }

  sweep(now: number): void {
    this.pairer.sweep(now);
  }

  get pending(): number {
    return this.pairer.pending;
  }

  snapshot(): PairingState {
    this.dirty = false;
    return this.pairer.snapshot();
  }

  restore(state: PairingState): void {
    this.pairer.restore(state);
  }

  tabClosed(tabId: number): void {
    this.pairer.dropTab(tabId);
    this.evaluators.delete(tabId);
  }

  /** A new page in the tab: its log starts over unless "preserve log" is on. */
  private navigated(tabId: number): void {
    if (this.settings.preserveLog) return;
    // The old page's calls still settling go first, so the clear takes them too.
    this.pairer.releaseTab(tabId);
    void this.sink.clearTab(tabId);
  }

  private store(ex: CapturedExchange): void {
    if (ex.capture.recovered && this.sink.hasRequest) {
      // Restored from a snapshot: the worker may have stored it after the snapshot and before it stopped.
      void this.sink.hasRequest(ex.capture.requestId).then(
        (stored) => stored || this.evaluateAndStore(ex),
        () => this.evaluateAndStore(ex),
      );
      return;
    }
    this.evaluateAndStore(ex);
  }

  private evaluateAndStore(ex: CapturedExchange): void {
    // The browser's error string tells a network error (a refused connection, an empty reply, a redirect
    // loop) from a CORS failure: the evaluator reads it off the exchange, as from a HAR's _error.
    if (ex.capture.netError) ex.netError = ex.capture.netError;
    let ev = this.evaluators.get(ex.capture.tabId);
    if (!ev) {
      // One preflight-cache model per tab, as Chromium keys its cache by the top-level site (Firefox keys
      // it by the page's partition, the same site here).
      ev = new Evaluator({ engine: this.engine });
      this.evaluators.set(ex.capture.tabId, ev);
    }
    const call = withLocalNetworkStop(ex);
    const evaluation = ev.evaluate(call);
    this.sink.enqueue(toRow(call, call.capture.headersLost ? outcomeOnly(call, evaluation) : evaluation));
  }
}
