// Pairing: webRequest events → one Exchange per call: the request, its preflight, every redirect hop
// with its own preflight, and the outcome. A pure state machine: no browser API, no clock of its own.
//
// What webRequest shows (../shared/reference/webrequest.md): nothing links a preflight to its request. A
// preflight has the same url, tab, frame, document and initiator as its request, asks for the request's
// method (Access-Control-Request-Method) and unsafe header names (Access-Control-Request-Headers), and its
// whole cycle ends before the request's onSendHeaders. When it fails, the request gets onErrorOccurred
// without ever being sent. So a finished preflight waits in a queue keyed by those fields, and the next
// request (or request error) with that key takes it, first in, first out.
//
// Firefox (ESR 153, same reference) reports it the other way round: the request's onSendHeaders fires
// before its preflight is sent, listing headers that have not been sent yet. So in Firefox a preflight joins
// the call already waiting with that key, in front of the call's unsent request; when the preflight fails
// (onErrorOccurred "NS_ERROR_DOM_BAD_URI"), that request is dropped: it was never sent. Firefox also ends a
// CORS-blocked response in onCompleted like an allowed one, so its calls carry no outcome unless it reported
// an error: the verdict comes from the headers.
import { getCombined, requestedHeaderNames } from '../cors/headers';
import { originOf, sameOrigin } from '../cors/origin';
import { browserAddedHeaderName, corsUnsafeRequestHeaderNames } from '../cors/safelist';
import type { Api, Engine, Header, WireEntry } from '../cors/types';
import type { RequestEvent } from './events';
import { type CallClass, type CallScope, corsScope, isEventSourceRequest } from './request-mode';
import type { CapturedExchange } from './types';
import { redirectLeavesWebRequest } from './unseen-redirect';

/** A finished preflight waits this long (in event time) for its request before it stands alone. */
export const ORPHAN_MS = 5_000;
/** A call with its response headers but no end after this long is emitted on what it has. */
export const STALLED_MS = 30_000;
/**
 * Chromium: a call answered (final headers, not a redirect) and still without an error this long after, in
 * event time, is allowed. Chromium checks CORS as soon as the headers arrive and reports a failure with
 * onErrorOccurred, and delivers events in the order of their timeStamps, so capture does not listen to
 * onCompleted (see LISTENED in ./events.ts); when onCompleted is delivered anyway (recorded sequences), it
 * ends the call at once. Measured in Chromium 156 (webRequest's timeStamps; `npm run bench capture`,
 * settle_gap_max_ms): the error follows the headers by about 5 ms (median), 56-107 ms (p99) and at most
 * 238-270 ms, for 1,000 blocked calls in bursts of 200 concurrent.
 * Calls leave pairing in the order they ended or were answered: one that ends behind a settling call waits
 * for it (at most SETTLE_MS), so the evaluator's preflight-cache model sees them in the browser's order.
 */
export const SETTLE_MS = 1_000;

type Outcome = 'success' | 'error' | undefined;

const NOT_SENT = new Set(['net::ERR_ABORTED', 'net::ERR_CACHE_MISS', 'NS_BINDING_ABORTED']);
/** The error a browser gives for a call CORS stopped: Chromium's says nothing more; nor does Firefox's. */
const CORS_FAILED = new Set(['net::ERR_FAILED', 'NS_ERROR_DOM_BAD_URI']);

interface Preflight {
  requestId: string;
  key: string;
  /** Access-Control-Request-Headers as the browser sent it, normalized (sorted, lower-case). */
  acrh: string;
  acrm: string;
  tabId: number;
  frameId: number;
  documentId: string | null;
  initiator: string;
  resourceType: string;
  entry: WireEntry;
  /** Event time it finished (or started, while in flight). */
  time: number;
  /** Another preflight with the same key was in flight or waiting at the same time. */
  concurrent: boolean;
  recovered: boolean;
}

interface Call {
  requestId: string;
  tabId: number;
  frameId: number;
  documentId: string | null;
  initiator: string;
  resourceType: string;
  method: string;
  url: string;
  wire: WireEntry[];
  start: number;
  last: number;
  ambiguous: boolean;
  recovered: boolean;
  missing: string[];
  netError?: string;
  headersLost?: boolean;
  /** Chromium: event time of the final answer the call settles on, if no error follows it. */
  answered?: number;
}

/** Chromium: a call in the release line; `outcome` once it ended ('settling' while answered, undecided). */
interface Held {
  call: Call;
  outcome: Outcome | 'settling';
}

export interface PairingState {
  calls: Call[];
  /** Chromium: the release line: calls that ended (waiting behind a settling one), and settling calls by id. */
  held?: ({ call: Call; outcome: Outcome } | { settling: string })[];
  /** Chromium: calls settled as allowed lately, [requestId, event time]: their late ends add nothing. */
  settled?: [string, number][];
  preflights: Preflight[];
  ready: Preflight[];
  latest: number;
  /** Firefox: preflights in flight inside their call, as [preflight requestId, call requestId]. */
  attached?: [string, string][];
}

export interface PairerOptions {
  /** Receives every finished call that CORS governs. */
  onExchange: (ex: CapturedExchange) => void;
  /** Receives calls that are not CORS calls (same-origin, not governed, cannot tell), to be counted per tab. */
  onUngoverned?: (tabId: number, kind: Exclude<CallClass, 'cors'>) => void;
  /** The browser the events come from: Firefox reports a request before its preflight. */
  engine?: Engine;
}

const API_BY_TYPE: Record<string, Api> = {
  image: 'image',
  imageset: 'image',
  font: 'font',
  script: 'script',
  stylesheet: 'stylesheet',
};

function keyOf(
  tabId: number,
  frameId: number,
  documentId: string | null,
  initiator: string,
  url: string,
  method: string,
) {
  return `${tabId}\u0001${frameId}\u0001${documentId ?? ''}\u0001${initiator}\u0001${method}\u0001${url}`;
}

function normalizeAcrh(headers: Header[]): string {
  return requestedHeaderNames(headers)
    .map((n) => n.toLowerCase())
    .sort()
    .join(',');
}

/** The unsafe header names the browser would list for a request sent with these headers. */
function unsafeNamesOf(headers: Header[]): string {
  const own = headers.filter((h) => !browserAddedHeaderName(h[0].toLowerCase()));
  return corsUnsafeRequestHeaderNames(own).names.join(',');
}

function isRedirect(entry: WireEntry | undefined): boolean {
  const r = entry?.response;
  return !!r && r.status >= 300 && r.status < 400 && getCombined(r.headers, 'location') !== null;
}

export class Pairer {
  private calls = new Map<string, Call>();
  private preflights = new Map<string, Preflight>();
  /** Finished preflights waiting for their request, by key, oldest first. */
  private ready = new Map<string, Preflight[]>();
  /** Preflights whose send was lost with a stopped worker: known by key without the method, oldest first. */
  private lost = new Map<string, Preflight[]>();
  /** Latest event time seen: the pairer's clock. */
  private latest = 0;
  private seq = 0;
  /** Set after a restore that brought preflights back in flight. */
  private recoveredPreflights = false;
  private readonly engine: Engine;
  /** Firefox reports a request before its preflight (see the top of this file). */
  private readonly requestFirst: boolean;
  /** Firefox: preflights in flight, already placed in their call: preflight requestId → call requestId. */
  private attached = new Map<string, string>();
  /** Chromium: the release line, in the order calls were answered or ended. */
  private line: Held[] = [];
  /** Chromium: the line's entry of each call answered and not yet decided, by requestId. */
  private settling = new Map<string, Held>();
  /** Chromium: calls settled as allowed, by requestId → event time: their late end events are theirs. */
  private settled = new Map<string, number>();

  constructor(private readonly opts: PairerOptions) {
    this.engine = opts.engine ?? 'chromium';
    this.requestFirst = this.engine === 'firefox';
  }

  /** How many calls and preflights are in flight or waiting. */
  get pending(): number {
    let waiting = 0;
    for (const q of this.ready.values()) waiting += q.length;
    return this.calls.size + this.preflights.size + waiting;
  }

  handle(ev: RequestEvent): void {
    if (ev.time > this.latest) this.latest = ev.time;
    // An event of this time means every event the browser dispatched before it has arrived.
    if (this.line.length) this.release(ev.time);
    if (ev.resourceType === 'main_frame' || ev.resourceType === 'sub_frame') return;
    const host = this.attached.size ? this.attached.get(ev.requestId) : undefined;
    if (host !== undefined) {
      this.attachedEvent(ev, host);
      return;
    }
    const pf = this.preflights.get(ev.requestId);
    switch (ev.kind) {
      case 'send':
        if (!isPreflight(ev)) this.send(ev);
        else if (!(this.requestFirst && this.attach(ev))) this.startPreflight(ev);
        break;
      case 'response':
        if (pf) {
          // The preflight's answer is all pairing needs of it: it waits for its request from here on, so
          // onCompleted and onErrorOccurred can be listened to without extraHeaders (they never see preflights).
          pf.entry.response = { status: ev.status ?? 0, headers: ev.headers ?? [] };
          this.finishPreflight(pf, ev);
        } else this.response(ev);
        break;
      case 'complete':
      case 'error':
        if (pf) this.finishPreflight(pf, ev);
        else this.finish(ev);
        break;
    }
  }

  /** Emits what waited too long: preflights whose request never came, calls that stalled or settled. */
  sweep(now: number = this.latest): void {
    for (const [id, at] of this.settled) if (now - at > ORPHAN_MS) this.settled.delete(id);
    for (const [key, queue] of this.ready) {
      while (queue.length && now - queue[0]!.time > ORPHAN_MS) {
        const pf = queue.shift()!;
        this.emitLonePreflight(pf);
      }
      if (!queue.length) this.ready.delete(key);
    }
    for (const [key, queue] of this.lost) {
      // A lost preflight nobody claimed: its request was seen by the worker that stopped. Nothing to add.
      while (queue.length && now - queue[0]!.time > ORPHAN_MS) queue.shift();
      if (!queue.length) this.lost.delete(key);
    }
    for (const pf of [...this.preflights.values()]) {
      if (now - pf.time > STALLED_MS) {
        this.preflights.delete(pf.requestId);
        this.emitLonePreflight(pf);
      }
    }
    // Answered calls settle long before they could stall.
    this.release(now);
    for (const call of [...this.calls.values()]) {
      const current = call.wire[call.wire.length - 1];
      if (now - call.last <= STALLED_MS) continue;
      if (current?.response && !isRedirect(current)) {
        this.calls.delete(call.requestId);
        this.emit(call, undefined);
      } else if (current?.response && !this.requestFirst) {
        // Chromium: a redirect not followed, and no error since: redirect mode "manual" (an opaque redirect).
        this.calls.delete(call.requestId);
        this.emit(call, 'success');
      } else if (call.recovered) {
        // Restored after a restart and silent since: its end was seen by the worker that stopped.
        this.calls.delete(call.requestId);
        call.missing.push('the end of the call (the service worker restarted)');
        call.headersLost = true;
        this.emit(call, undefined);
      }
    }
    this.release(now);
  }

  /** Emits everything still pending (the tab closed, or capture stops). */
  flushAll(): void {
    this.sweep(Number.POSITIVE_INFINITY);
    for (const call of [...this.calls.values()]) {
      this.calls.delete(call.requestId);
      call.missing.push('the call had not finished when capture stopped');
      this.emit(call, undefined);
    }
    for (const pf of [...this.preflights.values()]) {
      this.preflights.delete(pf.requestId);
      this.emitLonePreflight(pf);
    }
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

  /**
   * Chromium: lets out the head of the line while it is decided: a call that ended, or an answered one no
   * error followed within SETTLE_MS (allowed).
   */
  private release(now: number): void {
    let i = 0;
    for (; i < this.line.length; i++) {
      const held = this.line[i]!;
      if (held.outcome === 'settling' && this.isSettling(held.call) && now - held.call.answered! < SETTLE_MS)
        break;
      this.leave(held);
    }
    if (i) this.line.splice(0, i);
  }

  /**
   * Chromium: lets out a tab's calls in line at once, settling ones as allowed: its page is going away and
   * its log is about to be cleared, which must not miss them.
   */
  releaseTab(tabId: number): void {
    if (!this.line.some((h) => h.call.tabId === tabId)) return;
    const others: Held[] = [];
    for (const held of this.line) {
      if (held.call.tabId === tabId) this.leave(held);
      else others.push(held);
    }
    this.line = others;
  }

  /** A call leaves the line: delivered with its outcome, a settling one as allowed. */
  private leave(held: Held): void {
    if (held.outcome === 'settling') {
      const call = held.call;
      this.settling.delete(call.requestId);
      // Sent again since its answer (an auth retry): it is back in flight, and queued again when answered.
      if (!this.isSettling(call)) return;
      this.calls.delete(call.requestId);
      this.settled.set(call.requestId, call.answered!);
      held.outcome = 'success';
    }
    this.deliver(held.call, held.outcome);
  }

  /** The call is still in flight on the final answer it was queued to settle on. */
  private isSettling(call: Call): boolean {
    const current = call.wire[call.wire.length - 1];
    return (
      this.calls.get(call.requestId) === call &&
      !!current?.response &&
      !isRedirect(current) &&
      call.answered === call.last
    );
  }

  snapshot(): PairingState {
    const held = this.line.map((h) =>
      h.outcome === 'settling' ? { settling: h.call.requestId } : { call: h.call, outcome: h.outcome },
    );
    return {
      calls: [...this.calls.values()],
      ...(held.length ? { held } : {}),
      ...(this.settled.size ? { settled: [...this.settled] } : {}),
      preflights: [...this.preflights.values()],
      ready: [...this.ready.values()].flat(),
      latest: this.latest,
      ...(this.attached.size ? { attached: [...this.attached] } : {}),
    };
  }

  /** Restores a snapshot taken before the service worker stopped; everything in it is marked recovered. */
  restore(state: PairingState): void {
    this.latest = Math.max(this.latest, state.latest);
    for (const c of state.calls) this.calls.set(c.requestId, { ...c, recovered: true });
    for (const [id, at] of state.settled ?? []) this.settled.set(id, at);
    // Back in line, in the same order.
    for (const h of state.held ?? []) {
      if ('call' in h) this.line.push({ call: { ...h.call, recovered: true }, outcome: h.outcome });
      else {
        const call = this.calls.get(h.settling);
        if (call && this.isSettling(call)) this.queueSettling(call);
      }
    }
    for (const p of state.preflights) this.preflights.set(p.requestId, { ...p, recovered: true });
    this.recoveredPreflights = state.preflights.length > 0;
    for (const p of state.ready) this.enqueueReady({ ...p, recovered: true });
    for (const [pf, call] of state.attached ?? []) this.attached.set(pf, call);
  }

  // -------------------------------------------------------------------------------------------------------

  /**
   * Firefox: places a preflight that is starting in the call it belongs to, which Firefox reported first:
   * same tab, frame, document and initiator, its current hop unanswered at this URL with the method asked
   * for and no preflight of its own yet. The oldest such call whose unsafe header names are the ones asked
   * for wins; with more than one candidate, all of them are marked ambiguous. False when no call waits.
   */
  private attach(ev: RequestEvent): boolean {
    const headers = ev.headers ?? [];
    const acrm = getCombined(headers, 'access-control-request-method') ?? '';
    const acrh = normalizeAcrh(headers);
    let chosen: Call | null = null;
    let exact = false;
    const candidates: Call[] = [];
    for (const call of this.calls.values()) {
      if (
        call.tabId !== ev.tabId ||
        call.frameId !== ev.frameId ||
        call.documentId !== ev.documentId ||
        call.initiator !== ev.initiator
      )
        continue;
      const n = call.wire.length;
      const current = call.wire[n - 1];
      if (current?.type !== 'request' || current.response) continue;
      if (current.request.url !== ev.url || current.request.method !== acrm) continue;
      if (call.wire[n - 2]?.type === 'preflight') continue;
      candidates.push(call);
      const matches = unsafeNamesOf(current.request.headers ?? []) === acrh;
      if (!chosen || (matches && !exact)) {
        chosen = call;
        exact = matches;
      }
    }
    if (!chosen) return false;
    // Identical calls waiting together: this preflight may be any one's, and so may the next.
    if (candidates.length > 1) for (const c of candidates) c.ambiguous = true;
    if (!exact) chosen.ambiguous = true;
    chosen.wire.splice(chosen.wire.length - 1, 0, {
      type: 'preflight',
      request: { method: ev.method, url: ev.url, headers },
      response: null,
      time: ev.time,
    });
    chosen.last = ev.time;
    this.attached.set(ev.requestId, chosen.requestId);
    return true;
  }

  /** Firefox: the answer or the end of a preflight placed in its call. */
  private attachedEvent(ev: RequestEvent, callId: string): void {
    const call = this.calls.get(callId);
    if (ev.kind !== 'response') this.attached.delete(ev.requestId);
    if (!call) return;
    call.last = ev.time;
    let i = call.wire.length - 1;
    while (i >= 0 && call.wire[i]!.type !== 'preflight') i--;
    const entry = call.wire[i];
    if (!entry) return;
    const next = call.wire[i + 1];
    if (ev.kind === 'response') {
      entry.response = { status: ev.status ?? 0, headers: ev.headers ?? [] };
    } else if (ev.kind === 'error') {
      // The preflight failed (its CORS check, or the network): Firefox never sends the request it listed.
      if (next?.type === 'request' && !next.response) call.wire.splice(i + 1, 1);
    } else if (next && !next.response) {
      // The request goes out once its preflight is done, not when Firefox listed it.
      next.time = ev.time;
    }
  }

  private startPreflight(ev: RequestEvent): void {
    const headers = ev.headers ?? [];
    const acrm = getCombined(headers, 'access-control-request-method') ?? '';
    const key = keyOf(ev.tabId, ev.frameId, ev.documentId, ev.initiator, ev.url, acrm);
    const pf: Preflight = {
      requestId: ev.requestId,
      key,
      acrm,
      acrh: normalizeAcrh(headers),
      tabId: ev.tabId,
      frameId: ev.frameId,
      documentId: ev.documentId,
      initiator: ev.initiator,
      resourceType: ev.resourceType,
      entry: {
        type: 'preflight',
        request: { method: ev.method, url: ev.url, headers },
        response: null,
        time: ev.time,
      },
      time: ev.time,
      concurrent: false,
      recovered: false,
    };
    // Identical preflights at once: whichever request comes first takes the oldest, so say it may be a twin's.
    const waiting = this.ready.get(key);
    let twin = !!waiting?.length;
    for (const other of this.preflights.values()) {
      if (other.key === key) {
        other.concurrent = true;
        twin = true;
      }
    }
    if (twin) {
      pf.concurrent = true;
      for (const w of waiting ?? []) w.concurrent = true;
    }
    this.preflights.set(ev.requestId, pf);
  }

  private finishPreflight(pf: Preflight, ev: RequestEvent): void {
    this.preflights.delete(pf.requestId);
    pf.time = ev.time;
    // A preflight that failed on the network has no response; one that ended in an error after its headers
    // (CORS-blocked) keeps them.
    this.enqueueReady(pf);
  }

  private enqueueReady(pf: Preflight): void {
    let queue = this.ready.get(pf.key);
    if (!queue) {
      queue = [];
      this.ready.set(pf.key, queue);
    }
    if (queue.length) {
      pf.concurrent = true;
      for (const w of queue) w.concurrent = true;
    }
    queue.push(pf);
  }

  /** Takes the waiting preflight for this request: the oldest whose requested headers match, else the oldest. */
  private take(call: Call, url: string, method: string, unsafe: string | null): Preflight | null {
    const key = keyOf(call.tabId, call.frameId, call.documentId, call.initiator, url, method);
    const queue = this.ready.get(key);
    if (!queue?.length) return null;
    let i = unsafe === null ? 0 : queue.findIndex((p) => p.acrh === unsafe);
    const exact = i >= 0;
    if (i < 0) i = 0;
    const [pf] = queue.splice(i, 1);
    if (!queue.length) this.ready.delete(key);
    if (pf!.concurrent || !exact || queue.length) call.ambiguous = true;
    if (pf!.recovered) call.recovered = true;
    return pf!;
  }

  private keepLostPreflight(ev: RequestEvent): void {
    const key = keyOf(ev.tabId, ev.frameId, ev.documentId, ev.initiator, ev.url, '');
    const pf: Preflight = {
      requestId: ev.requestId,
      key,
      acrm: '',
      acrh: '',
      tabId: ev.tabId,
      frameId: ev.frameId,
      documentId: ev.documentId,
      initiator: ev.initiator,
      resourceType: ev.resourceType,
      entry: {
        type: 'preflight',
        request: { method: 'OPTIONS', url: ev.url, headers: [] },
        response: { status: ev.status ?? 0, headers: ev.headers ?? [] },
        time: ev.time,
      },
      time: ev.time,
      concurrent: false,
      recovered: true,
    };
    const queue = this.lost.get(key) ?? [];
    queue.push(pf);
    this.lost.set(key, queue);
  }

  private takeLost(call: Call, url: string): Preflight | null {
    if (!this.lost.size) return null;
    const key = keyOf(call.tabId, call.frameId, call.documentId, call.initiator, url, '');
    const queue = this.lost.get(key);
    const pf = queue?.shift() ?? null;
    if (queue && !queue.length) this.lost.delete(key);
    if (pf) {
      call.recovered = true;
      call.missing.push(
        "the preflight's request headers (the service worker restarted while it was in flight)",
      );
      if (queue?.length) call.ambiguous = true;
    }
    return pf;
  }

  /**
   * After a restart, a request may find its preflight still "in flight" in the restored state: the worker
   * that stopped saw its answer and lost it. Drop that preflight (it would read as unanswered) and say so.
   */
  private dropRestoredInFlight(call: Call, url: string, method: string): void {
    const key = keyOf(call.tabId, call.frameId, call.documentId, call.initiator, url, method);
    for (const pf of this.preflights.values()) {
      if (pf.key !== key || !pf.recovered || pf.entry.response) continue;
      this.preflights.delete(pf.requestId);
      call.recovered = true;
      call.missing.push("the preflight's answer (seen by the service worker that stopped)");
      return;
    }
  }

  /** A preflight still without an answer, for a request that failed: the preflight failed on the network. */
  private takeInFlight(call: Call, url: string, method: string): Preflight | null {
    const key = keyOf(call.tabId, call.frameId, call.documentId, call.initiator, url, method);
    for (const pf of this.preflights.values()) {
      if (pf.key !== key) continue;
      this.preflights.delete(pf.requestId);
      if (pf.concurrent) call.ambiguous = true;
      return pf;
    }
    return null;
  }

  private send(ev: RequestEvent): void {
    let call = this.calls.get(ev.requestId);
    const headers = ev.headers ?? [];
    const entry: WireEntry = {
      type: 'request',
      request: { method: ev.method, url: ev.url, headers },
      response: null,
      time: ev.time,
    };
    if (!call) {
      call = this.newCall(ev);
      this.calls.set(ev.requestId, call);
    } else {
      const current = call.wire[call.wire.length - 1];
      if (current && current.type === 'request' && !isRedirect(current) && current.request.url === ev.url) {
        // The same hop sent again (an auth retry, say): keep the latest headers.
        current.request = entry.request;
        call.last = ev.time;
        return;
      }
    }
    call.last = ev.time;
    // Firefox lists a request before its preflight: a preflight already waiting is never this request's.
    const pf = this.requestFirst
      ? null
      : (this.take(call, ev.url, ev.method, unsafeNamesOf(headers)) ?? this.takeLost(call, ev.url));
    if (pf) {
      // The call began with its preflight.
      if (!call.wire.length) call.start = Math.min(call.start, pf.entry.time ?? call.start);
      call.wire.push(pf.entry);
    } else if (this.recoveredPreflights) this.dropRestoredInFlight(call, ev.url, ev.method);
    call.wire.push(entry);
  }

  private response(ev: RequestEvent): void {
    let call = this.calls.get(ev.requestId);
    if (!call && ev.method === 'OPTIONS') {
      // The answer to a preflight whose send the stopped worker saw: keep it for the request that follows.
      this.keepLostPreflight(ev);
      return;
    }
    if (!call) {
      // We never saw this request go out: the service worker restarted in between.
      call = this.recoveredCall(
        ev,
        'the request headers (the service worker restarted while the call was in flight)',
      );
      const pf = this.take(call, ev.url, ev.method, null);
      if (pf) call.wire.push(pf.entry);
      else this.dropRestoredInFlight(call, ev.url, ev.method);
      call.wire.push({
        type: 'request',
        request: { method: ev.method, url: ev.url, headers: [] },
        response: null,
        time: ev.time,
      });
    }
    const current = call.wire[call.wire.length - 1];
    if (current) current.response = { status: ev.status ?? 0, headers: ev.headers ?? [] };
    call.last = ev.time;
    if (!this.requestFirst && current && !isRedirect(current)) {
      call.answered = ev.time;
      this.queueSettling(call);
    }
    if (current && redirectLeavesWebRequest(current, this.engine)) {
      // Nothing of the call will follow: it ends at this redirect, its outcome not shown.
      this.calls.delete(call.requestId);
      this.emit(call, undefined);
    }
  }

  private finish(ev: RequestEvent): void {
    let call = this.calls.get(ev.requestId);
    // The end of a call already settled as allowed: an error after its CORS check passed (the body failed,
    // or the page aborted it) is not a CORS outcome.
    if (!call && this.settled.has(ev.requestId)) return;
    // The end of a preflight already paired on its response (Chromium only reports it to listeners that
    // asked for extraHeaders).
    if (!call && ev.method === 'OPTIONS') return;
    if (!call) {
      if (ev.kind === 'complete') {
        // Finished, but we saw nothing of it: only possible across a service-worker restart.
        call = this.recoveredCall(
          ev,
          'the request and response headers (the service worker restarted while the call was in flight)',
        );
        call.headersLost = true;
        call.wire.push({
          type: 'request',
          request: { method: ev.method, url: ev.url, headers: [] },
          response: { status: ev.status ?? 0, headers: [] },
          time: ev.time,
        });
      } else {
        // Never sent: blocked by its preflight, or failed before it reached the network.
        call = this.newCall(ev);
        const pf =
          this.take(call, ev.url, ev.method, null) ??
          this.takeInFlight(call, ev.url, ev.method) ??
          this.takeLost(call, ev.url);
        if (pf) {
          call.start = Math.min(call.start, pf.entry.time ?? call.start);
          call.wire.push(pf.entry);
        }
        // Without a preflight, nothing went out: a request that reached the network was seen in
        // onSendHeaders first (recorded for refused connections, DNS and certificate failures). Stopped
        // before it (an extension's block, a CORS failure): its wire stays empty, the error says why.
      }
    }
    this.calls.delete(ev.requestId);
    if (this.attached.size) {
      for (const [pfId, callId] of this.attached) if (callId === ev.requestId) this.attached.delete(pfId);
    }
    call.last = ev.time;
    if (this.requestFirst && ev.kind === 'error' && CORS_FAILED.has(ev.error ?? '')) {
      // Stopped by CORS before it was sent (its preflight failed, reported after this): Firefox listed a
      // request that never left. A request CORS stops after sending it has its response.
      const n = call.wire.length;
      const current = call.wire[n - 1];
      if (current?.type === 'request' && !current.response && call.wire[n - 2]?.type === 'preflight')
        call.wire.pop();
    }
    const last = call.wire[call.wire.length - 1];
    if (ev.kind === 'complete' && call.recovered && last?.type === 'request' && !last.response) {
      // It finished, but its answer reached the worker that stopped.
      last.response = { status: ev.status ?? 0, headers: [] };
      call.headersLost = true;
      call.missing.push('the response headers (the service worker restarted while the call was in flight)');
    }
    if (ev.kind === 'error') {
      call.netError = ev.error;
      const current = call.wire[call.wire.length - 1];
      // Cancelled before any answer (by the page, or a cache-only attempt that missed, as font loads make):
      // not a decision CORS made. Nothing to show.
      if (NOT_SENT.has(ev.error ?? '') && !current?.response) return;
    }
    // Firefox ends a CORS-blocked response in onCompleted too: completion says nothing about the outcome.
    const completed = this.requestFirst ? undefined : 'success';
    this.emit(call, ev.kind === 'complete' ? completed : 'error');
  }

  private newCall(ev: RequestEvent): Call {
    return {
      requestId: ev.requestId,
      tabId: ev.tabId,
      frameId: ev.frameId,
      documentId: ev.documentId,
      initiator: ev.initiator,
      resourceType: ev.resourceType,
      method: ev.method,
      url: ev.url,
      wire: [],
      start: ev.time,
      last: ev.time,
      ambiguous: false,
      recovered: false,
      missing: [],
    };
  }

  private recoveredCall(ev: RequestEvent, missing: string): Call {
    const call = this.newCall(ev);
    call.recovered = true;
    call.missing.push(missing);
    this.calls.set(ev.requestId, call);
    return call;
  }

  /** A preflight whose request never came: it stands for that request (blocked, or lost). */
  private emitLonePreflight(pf: Preflight): void {
    // Restored from a snapshot and never claimed: the worker that stopped saw its request after the snapshot
    // (and stored it), so standing for it now would store the call twice.
    if (pf.recovered) return;
    const call: Call = {
      requestId: pf.requestId,
      tabId: pf.tabId,
      frameId: pf.frameId,
      documentId: pf.documentId,
      initiator: pf.initiator,
      resourceType: pf.resourceType,
      method: pf.acrm || 'GET',
      url: pf.entry.request.url,
      wire: [pf.entry],
      start: pf.entry.time ?? pf.time,
      last: pf.time,
      ambiguous: pf.concurrent,
      recovered: pf.recovered,
      missing: [],
    };
    this.emit(call, undefined);
  }

  private queueSettling(call: Call): void {
    if (this.settling.has(call.requestId)) return;
    const held: Held = { call, outcome: 'settling' };
    this.settling.set(call.requestId, held);
    this.line.push(held);
  }

  /** A call is done: in Chromium it joins the line (in its answer's place if it had one), else it leaves now. */
  private emit(call: Call, outcome: Outcome): void {
    if (this.requestFirst) {
      this.deliver(call, outcome);
      return;
    }
    const held = this.settling.get(call.requestId);
    if (held?.call === call) {
      this.settling.delete(call.requestId);
      held.outcome = outcome;
    } else this.line.push({ call, outcome });
    this.release(this.latest);
  }

  /** The call's class, from what webRequest showed of it (its initiator is the page's own origin). */
  private scopeOf(call: Call): CallScope {
    const requests = call.wire.filter((e) => e.type === 'request');
    const preflight = requests.length !== call.wire.length;
    if (call.wire.length === 0) {
      // Never sent and no preflight: a fetch the browser refused outright. Kept when cross-origin.
      const cross = !sameOrigin(call.initiator, originOf(call.url));
      const cls = !cross ? 'same-origin' : call.resourceType === 'xmlhttprequest' ? 'cors' : 'not-governed';
      return {
        class: cls,
        reason: cls === 'not-governed' ? 'no-cors' : cls,
        text: '',
        mode: null,
        destination: null,
        origin: call.initiator,
      };
    }
    const lost = call.recovered && call.missing.length > 0;
    const scope = corsScope({
      method: call.method,
      hops: (requests.length ? requests : call.wire).map((e) => ({
        url: e.request.url,
        headers: e.request.headers ?? null,
      })),
      // A worker that restarted may have lost the request's headers: they are empty, not complete.
      originRecorded: !(lost && !requests.some((e) => e.request.headers?.length)),
      preflight,
      resourceType: call.resourceType,
      pageOrigin: call.initiator || null,
      status: call.wire[call.wire.length - 1]?.response?.status ?? null,
    });
    if (scope.class === 'cannot-tell' && lost && call.resourceType === 'xmlhttprequest') {
      // The request headers were lost with the worker: a cross-origin XHR/fetch whose response speaks CORS.
      const last = call.wire[call.wire.length - 1]?.response;
      if (last && getCombined(last.headers, 'access-control-allow-origin') !== null)
        return { ...scope, class: 'cors', reason: 'cors', origin: call.initiator };
    }
    return scope;
  }

  private deliver(call: Call, outcome: Outcome): void {
    if (call.initiator.startsWith('chrome-extension:') || call.initiator.startsWith('moz-extension:')) return;
    // Scope: only a CORS call is stored (src/capture/request-mode.ts decides, as for a HAR).
    const scope = this.scopeOf(call);
    if (scope.class !== 'cors') {
      this.opts.onUngoverned?.(call.tabId, scope.class);
      return;
    }
    // The Origin the browser sent is the caller's origin: Firefox gives a sandboxed frame's document URL
    // (or none), whose origin is not the frame's opaque one.
    const initiator = scope.origin ?? call.initiator;
    if (!initiator) return;
    const missing = [...call.missing];
    const first = call.wire.find((e) => e.type === 'request');
    const api =
      API_BY_TYPE[call.resourceType] ??
      (call.resourceType === 'xmlhttprequest' && isEventSourceRequest(call.method, first?.request.headers)
        ? 'other'
        : undefined);
    const ex: CapturedExchange = {
      id: `${call.start.toFixed(0)}-${call.requestId}-${++this.seq}`,
      initiator,
      ...(api ? { api } : {}),
      request: { method: call.method, url: call.url },
      wire: call.wire,
      ...(outcome ? { outcome } : {}),
      time: call.start,
      capture: {
        tabId: call.tabId,
        frameId: call.frameId,
        documentId: call.documentId,
        requestId: call.requestId,
        resourceType: call.resourceType,
        engine: this.engine,
        ambiguous: call.ambiguous,
        recovered: call.recovered,
        missing: missing.length ? missing.join('; ') : null,
        headersLost: call.headersLost ?? false,
        netError: call.netError ?? null,
      },
    };
    this.opts.onExchange(ex);
  }
}

function isPreflight(ev: RequestEvent): boolean {
  return ev.method === 'OPTIONS' && getCombined(ev.headers, 'access-control-request-method') !== null;
}
