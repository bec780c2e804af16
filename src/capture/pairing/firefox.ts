// Firefox's order (ESR 153): the request's onSendHeaders fires before its preflight is sent, listing
// headers that have not been sent yet. So a preflight joins the call already waiting with its key, in front
// of the call's unsent request; when the preflight fails (onErrorOccurred "NS_ERROR_DOM_BAD_URI"), that
// request is dropped: it was never sent. Firefox also ends a CORS-blocked response in onCompleted like an
// allowed one, so its calls carry no outcome unless it reported an error: the verdict comes from the headers.
import type { RequestEvent } from '../events';
import {
  askedHeaders,
  askedMethod,
  type Call,
  CORS_FAILED,
  type Outcome,
  pairingKey,
  unsafeNamesOf,
} from './call';
import type { EngineOrder, EngineState, PairingParts } from './engine';

export class FirefoxOrder implements EngineOrder {
  readonly engine = 'firefox';
  /** Firefox ends a CORS-blocked response in onCompleted too: completion says nothing about the outcome. */
  readonly completed: Outcome = undefined;
  readonly stalledRedirect = null;
  /** Preflights in flight, already placed in their call: preflight requestId → call requestId. */
  private readonly attached = new Map<string, string>();

  constructor(private readonly parts: PairingParts) {}

  tick(): void {}

  ownEvent(ev: RequestEvent): boolean {
    const host = this.attached.size ? this.attached.get(ev.requestId) : undefined;
    if (host === undefined) return false;
    this.attachedEvent(ev, host);
    return true;
  }

  /**
   * Places a preflight that is starting in the call it belongs to, which Firefox reported first: the call
   * with its key whose current hop is unanswered and has no preflight of its own yet. The oldest such call
   * whose unsafe header names are the ones asked for wins; with more than one candidate, all of them are
   * marked ambiguous. False when no call waits.
   */
  preflightSent(ev: RequestEvent): boolean {
    const headers = ev.headers ?? [];
    const key = pairingKey(ev, ev.url, askedMethod(headers));
    const acrh = askedHeaders(headers);
    let chosen: Call | null = null;
    let exact = false;
    const candidates: Call[] = [];
    for (const call of this.parts.calls.values()) {
      const n = call.wire.length;
      const current = call.wire[n - 1];
      if (current?.type !== 'request' || current.response) continue;
      if (pairingKey(call, current.request.url, current.request.method) !== key) continue;
      if (call.wire[n - 2]?.type === 'preflight') continue;
      candidates.push(call);
      const matches = unsafeNamesOf(current.request.headers ?? [], 'firefox') === acrh;
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

  /** Firefox lists a request before its preflight: a preflight already waiting is never this request's. */
  preflightBefore(): null {
    return null;
  }

  answered(): void {}

  endedEarlier(): boolean {
    return false;
  }

  ending(call: Call, ev: RequestEvent): void {
    if (this.attached.size) {
      for (const [pfId, callId] of this.attached) if (callId === call.requestId) this.attached.delete(pfId);
    }
    if (ev.kind !== 'error' || !CORS_FAILED.has(ev.error ?? '')) return;
    // Stopped by CORS before it was sent (its preflight failed, reported after this): Firefox listed a
    // request that never left. A request CORS stops after sending it has its response.
    const n = call.wire.length;
    const current = call.wire[n - 1];
    if (current?.type === 'request' && !current.response && call.wire[n - 2]?.type === 'preflight')
      call.wire.pop();
  }

  done(call: Call, outcome: Outcome): void {
    this.parts.deliver(call, outcome);
  }

  releaseTab(): void {}

  sweep(): void {}

  snapshot(): EngineState {
    return this.attached.size ? { attached: [...this.attached] } : {};
  }

  restore(state: EngineState): void {
    for (const [pf, call] of state.attached ?? []) this.attached.set(pf, call);
  }

  /** The answer or the end of a preflight placed in its call. */
  private attachedEvent(ev: RequestEvent, callId: string): void {
    const call = this.parts.calls.get(callId);
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
}
