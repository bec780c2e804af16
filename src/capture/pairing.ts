// Pairing: webRequest events → one Exchange per call: the request, its preflight, every redirect hop with
// its own preflight, and the outcome. A pure state machine: no browser API, no clock of its own.
//
// Nothing in webRequest links a preflight to its request: a preflight has the same URL, tab, frame, document
// and initiator as its request, and asks for the request's method and unsafe header names. Its parts:
// - pairing/call.ts: the call, the preflight, and the pairing key (computed there and nowhere else);
// - pairing/preflights.ts: preflights in flight and waiting for their request under their key;
// - pairing/chromium.ts, pairing/firefox.ts: the order each browser reports a call's parts in;
// - pairing/release-line.ts: Chromium's line, which lets calls out in the browser's order once decided;
// - pairing/recovery.ts: what a service worker that restarted makes of calls it has only half seen;
// - pairing/scope.ts: which calls are CORS calls (the request-mode decision HAR import shares), as exchanges.
// This file follows a call from its first event to its end, the same in every browser.
import type { Engine } from '../cors/types';
import type { RequestEvent } from './events';
import { stoppedByLocalNetworkAccess } from './local-network';
import {
  type Call,
  currentHop,
  isPreflight,
  isRedirect,
  loneCall,
  NOT_SENT,
  newCall,
  type Outcome,
  type Preflight,
  requestEntry,
  STALLED_MS,
} from './pairing/call';
import { ChromiumOrder } from './pairing/chromium';
import type { EngineOrder, EngineState, PairingParts } from './pairing/engine';
import { FirefoxOrder } from './pairing/firefox';
import { PreflightQueue } from './pairing/preflights';
import { MISSING, Recovery } from './pairing/recovery';
import {
  callScope,
  enteredFromElsewhere,
  exchangeOf,
  fromExtension,
  judgeable,
  redirectTarget,
} from './pairing/scope';
import type { CallClass } from './request-mode';
import type { CapturedExchange } from './types';
import { redirectLeavesWebRequest } from './unseen-redirect';

export { ORPHAN_MS, STALLED_MS } from './pairing/call';
export { SETTLE_MS } from './pairing/release-line';

/** Pairing's state, as a snapshot keeps it across a service-worker restart (./persist.ts). */
export interface PairingState extends EngineState {
  calls: Call[];
  preflights: Preflight[];
  ready: Preflight[];
  latest: number;
}

export interface PairerOptions {
  /** Receives every finished call that CORS governs. */
  onExchange: (ex: CapturedExchange) => void;
  /** Receives calls that are not CORS calls (same-origin, not governed, cannot tell), to be counted per tab. */
  onUngoverned?: (tabId: number, kind: Exclude<CallClass, 'cors'>) => void;
  /** The browser the events come from: Firefox reports a request before its preflight. */
  engine?: Engine;
}

export class Pairer {
  private readonly calls = new Map<string, Call>();
  private readonly queue = new PreflightQueue();
  private readonly recovery = new Recovery(this.queue);
  private readonly order: EngineOrder;
  /** Latest event time seen: the pairer's clock. */
  private latest = 0;
  private seq = 0;
  /** The sites capture is on (null: all): a call that goes partly elsewhere is seen only in part. */
  private sites: ((url: string) => boolean) | null = null;

  constructor(private readonly opts: PairerOptions) {
    const parts: PairingParts = {
      calls: this.calls,
      queue: this.queue,
      recovery: this.recovery,
      latest: () => this.latest,
      deliver: (call, outcome) => this.deliver(call, outcome),
    };
    this.order = opts.engine === 'firefox' ? new FirefoxOrder(parts) : new ChromiumOrder(parts);
  }

  /** Capture is on only for calls to these sites from now on (null: all sites). */
  setSites(sites: ((url: string) => boolean) | null): void {
    this.sites = sites;
  }

  /** How many calls and preflights are in flight or waiting. */
  get pending(): number {
    return this.calls.size + this.queue.size;
  }

  handle(ev: RequestEvent): void {
    if (ev.time > this.latest) this.latest = ev.time;
    this.order.tick(ev.time);
    if (ev.resourceType === 'main_frame' || ev.resourceType === 'sub_frame') return;
    if (this.order.ownEvent(ev)) return;
    const pf = this.queue.get(ev.requestId);
    switch (ev.kind) {
      case 'send':
        if (!isPreflight(ev)) this.send(ev);
        else if (!this.order.preflightSent(ev)) this.queue.start(ev);
        break;
      case 'response':
        if (pf) {
          // The preflight's answer is all pairing needs of it: it waits for its request from here on, so
          // onCompleted and onErrorOccurred can be listened to without extraHeaders (they never see preflights).
          pf.entry.response = { status: ev.status ?? 0, headers: ev.headers ?? [] };
          this.queue.finish(pf, ev);
        } else this.response(ev);
        break;
      case 'complete':
      case 'error':
        if (pf) this.queue.finish(pf, ev);
        else this.finish(ev);
        break;
    }
  }

  /** Emits what waited too long: preflights whose request never came, calls that stalled or settled. */
  sweep(now: number = this.latest): void {
    this.queue.sweep(now, (pf) => this.emitLonePreflight(pf));
    this.recovery.sweep(now);
    // Answered calls settle long before they could stall.
    this.order.sweep(now);
    for (const call of [...this.calls.values()]) {
      if (now - call.last <= STALLED_MS) continue;
      const current = currentHop(call);
      if (current?.response && (!isRedirect(current) || call.outside === 'left')) {
        this.calls.delete(call.requestId);
        this.emit(call, undefined);
      } else if (current?.response && this.order.stalledRedirect !== null) {
        this.calls.delete(call.requestId);
        this.emit(call, this.order.stalledRedirect);
      } else if (call.recovered) {
        this.calls.delete(call.requestId);
        this.recovery.endLost(call);
        this.emit(call, undefined);
      }
    }
    this.order.tick(now);
  }

  /** Emits everything still pending (the tab closed, or capture stops). */
  flushAll(): void {
    this.sweep(Number.POSITIVE_INFINITY);
    for (const call of [...this.calls.values()]) {
      this.calls.delete(call.requestId);
      call.missing.push('the call had not finished when capture stopped');
      this.emit(call, undefined);
    }
    this.queue.flush((pf) => this.emitLonePreflight(pf));
  }

  /** Forgets a tab's calls (the tab closed): emits what they have. */
  dropTab(tabId: number): void {
    for (const call of [...this.calls.values()]) {
      if (call.tabId !== tabId) continue;
      this.calls.delete(call.requestId);
      call.missing.push('the tab closed before the call finished');
      this.emit(call, undefined);
    }
  }

  /** Lets out a tab's calls waiting in line at once: its page is going away and its log is about to be cleared. */
  releaseTab(tabId: number): void {
    this.order.releaseTab(tabId);
  }

  snapshot(): PairingState {
    const { preflights, ready } = this.queue.snapshot();
    return {
      calls: [...this.calls.values()],
      ...this.order.snapshot(),
      preflights,
      ready,
      latest: this.latest,
    };
  }

  /** Restores a snapshot taken before the service worker stopped; everything in it is marked recovered. */
  restore(state: PairingState): void {
    this.latest = Math.max(this.latest, state.latest);
    for (const c of state.calls) this.calls.set(c.requestId, { ...c, recovered: true });
    this.order.restore(state);
    this.queue.restore(state.preflights, state.ready);
    this.recovery.restored(state.preflights.length);
  }

  // -------------------------------------------------------------------------------------------------------

  /** A request hop is sent: a new call, the next hop of one (a redirect), or the same hop again. */
  private send(ev: RequestEvent): void {
    let call = this.calls.get(ev.requestId);
    const headers = ev.headers ?? [];
    if (!call) {
      call = newCall(ev);
      this.calls.set(ev.requestId, call);
      if (this.sites && enteredFromElsewhere(call, headers)) call.outside = 'entered';
    } else {
      const current = currentHop(call);
      if (current && current.type === 'request' && !isRedirect(current) && current.request.url === ev.url) {
        // The same hop sent again (an auth retry, say): keep the latest headers.
        current.request = { method: ev.method, url: ev.url, headers };
        call.last = ev.time;
        return;
      }
    }
    call.last = ev.time;
    const pf = this.order.preflightBefore(call, ev);
    if (pf) {
      // The call began with its preflight.
      if (!call.wire.length) call.start = Math.min(call.start, pf.entry.time ?? call.start);
      call.wire.push(pf.entry);
    } else this.recovery.dropAnswerless(call, ev.url, ev.method);
    call.wire.push(requestEntry(ev, headers));
  }

  /** A hop's response headers: a redirect (the next hop follows) or the call's final answer. */
  private response(ev: RequestEvent): void {
    let call = this.calls.get(ev.requestId);
    if (!call && ev.method === 'OPTIONS') {
      // The answer to a preflight whose send the stopped worker saw: keep it for the request that follows.
      this.recovery.keepPreflight(ev);
      return;
    }
    if (!call) {
      // We never saw this request go out: the service worker restarted in between.
      call = this.recovery.call(ev, MISSING.requestHeaders);
      this.calls.set(ev.requestId, call);
      const pf = this.queue.take(call, ev.url, ev.method, null);
      if (pf) call.wire.push(pf.entry);
      else this.recovery.dropAnswerless(call, ev.url, ev.method);
      call.wire.push(requestEntry(ev));
    }
    const current = currentHop(call);
    if (current) current.response = { status: ev.status ?? 0, headers: ev.headers ?? [] };
    call.last = ev.time;
    if (!current) return;
    if (!isRedirect(current)) this.order.answered(call, ev);
    else if (this.sites && !this.sites(redirectTarget(current) ?? current.request.url)) {
      // Redirected to a site capture is not on: what follows is out of sight. It waits for an error about
      // the redirect itself, as for a final answer.
      call.outside = 'left';
      this.order.answered(call, ev);
    }
    if (current && redirectLeavesWebRequest(current, this.order.engine)) {
      // Nothing of the call will follow: it ends at this redirect, its outcome not shown.
      this.calls.delete(call.requestId);
      this.emit(call, undefined);
    }
  }

  /** A call's end: completed, or an error (CORS stopped it, the network failed, or it was never sent). */
  private finish(ev: RequestEvent): void {
    let call = this.calls.get(ev.requestId);
    if (!call && this.order.endedEarlier(ev.requestId)) return;
    // The end of a preflight already paired on its response (Chromium only reports it to listeners that
    // asked for extraHeaders).
    if (!call && ev.method === 'OPTIONS') return;
    if (!call) {
      // Finished, but we saw nothing of it: only possible across a service-worker restart.
      if (ev.kind === 'complete') call = this.recovery.unseenCall(ev);
      else call = this.unsent(ev);
    }
    this.calls.delete(ev.requestId);
    call.last = ev.time;
    this.order.ending(call, ev);
    this.recovery.answerLost(call, ev);
    if (ev.kind === 'error') {
      call.netError = ev.error;
      // Cancelled before any answer (by the page, or a cache-only attempt that missed, as font loads make):
      // not a decision CORS made. Nothing to show.
      if (NOT_SENT.has(ev.error ?? '') && !currentHop(call)?.response) return;
    }
    this.emit(call, ev.kind === 'complete' ? this.order.completed : 'error');
  }

  /** An error for a request never seen sent: blocked by its preflight, or failed before it reached the network. */
  private unsent(ev: RequestEvent): Call {
    const call = newCall(ev);
    const pf =
      this.queue.take(call, ev.url, ev.method, null) ??
      this.queue.takeInFlight(call, ev.url, ev.method) ??
      this.recovery.takePreflight(call, ev.url);
    if (pf) {
      call.start = Math.min(call.start, pf.entry.time ?? call.start);
      call.wire.push(pf.entry);
    }
    // Without a preflight, nothing went out: a request that reached the network was seen in onSendHeaders
    // first (recorded for refused connections, DNS and certificate failures). Stopped before it (an
    // extension's block, a CORS failure): its wire stays empty, the error says why.
    return call;
  }

  /** A preflight whose request never came: it stands for that request (blocked, or lost). */
  private emitLonePreflight(pf: Preflight): void {
    // Restored from a snapshot and never claimed: the worker that stopped saw its request after the snapshot
    // (and stored it), so standing for it now would store the call twice.
    if (pf.recovered) return;
    this.emit(loneCall(pf), undefined);
  }

  private emit(call: Call, outcome: Outcome): void {
    this.order.done(call, outcome);
  }

  /** A call leaves pairing: only a CORS call is handed on; the others are counted. */
  private deliver(call: Call, outcome: Outcome): void {
    if (fromExtension(call)) return;
    const scope = callScope(call);
    // The Local Network Access check governs every request (an element's load too): a call it stopped is shown.
    const stopped = stoppedByLocalNetworkAccess(call.netError, call.wire, call.recovered);
    if (!stopped && (scope.class !== 'cors' || !judgeable(call, outcome))) {
      this.opts.onUngoverned?.(call.tabId, scope.class === 'cors' ? 'cannot-tell' : scope.class);
      return;
    }
    // The Origin the browser sent is the caller's origin: Firefox gives a sandboxed frame's document URL
    // (or none), whose origin is not the frame's opaque one.
    const origin = scope.origin ?? call.initiator;
    if (!origin) return;
    const id = `${call.start.toFixed(0)}-${call.requestId}-${++this.seq}`;
    this.opts.onExchange(exchangeOf(call, outcome, origin, this.order.engine, id));
  }
}
