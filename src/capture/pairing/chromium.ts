// Chromium's order (measured in Chromium 156): a preflight's whole cycle ends before its request's
// onSendHeaders, so a request takes the preflight waiting under its key (./preflights.ts). Chromium checks
// CORS as soon as the final headers arrive and reports a failure with onErrorOccurred right after, so an
// answered call settles in the release line (./release-line.ts) and onCompleted is not listened to.
import { passesEitherWay } from '../../cors/check';
import { getCombined } from '../../cors/headers';
import { methodAfterRedirect } from '../../cors/redirect';
import type { RequestEvent } from '../events';
import { type Call, currentHop, isRedirect, type Outcome, type Preflight, unsafeNamesOf } from './call';
import type { EngineOrder, EngineState, PairingParts } from './engine';
import { ReleaseLine } from './release-line';
import { redirectTarget } from './scope';

export class ChromiumOrder implements EngineOrder {
  readonly engine = 'chromium';
  readonly completed: Outcome = 'success';
  /** A redirect not followed, and no error since: redirect mode "manual" (an opaque redirect). */
  readonly stalledRedirect: Outcome = 'success';
  private readonly line: ReleaseLine;

  constructor(private readonly parts: PairingParts) {
    this.line = new ReleaseLine({
      inFlight: (id) => parts.calls.get(id),
      settle: (call) => parts.calls.delete(call.requestId),
      deliver: (call, outcome) => parts.deliver(call, outcome),
    });
  }

  tick(now: number): void {
    if (this.line.length) this.line.release(now);
  }

  ownEvent(): boolean {
    return false;
  }

  preflightSent(): boolean {
    return false;
  }

  preflightBefore(call: Call, ev: RequestEvent): Preflight | null {
    return (
      this.parts.queue.take(call, ev.url, ev.method, () => unsafeNamesOf(ev.headers ?? [])) ??
      this.parts.recovery.takePreflight(call, ev.url)
    );
  }

  answered(call: Call, ev: RequestEvent): void {
    call.answered = ev.time;
    if (!cannotFail(call)) {
      this.line.answered(call);
      return;
    }
    // Allowed whatever its credentials mode: no error that follows is a CORS check's, and its verdict does
    // not depend on one. It leaves now, in its turn.
    this.parts.calls.delete(call.requestId);
    this.line.allowedNow(call, this.parts.latest());
  }

  endedEarlier(requestId: string): boolean {
    // An error after its CORS check passed (the body failed, or the page aborted it) is not a CORS outcome.
    return this.line.isSettled(requestId);
  }

  /**
   * A call that ends in an error on a redirect hop: when the browser sent a preflight to the redirect's target
   * (a preflighted call redirected to another origin), that preflight failed and its request was never sent.
   * Chromium reports the error on the call at the redirect; the preflight, waiting under the target's key (or
   * still in flight when it failed on the network), is this call's.
   */
  ending(call: Call, ev: RequestEvent): void {
    const hop = currentHop(call);
    if (ev.kind !== 'error' || !hop?.response || !isRedirect(hop)) return;
    const target = redirectTarget(hop);
    if (target === null) return;
    const method = methodAfterRedirect(hop.response.status, hop.request.method);
    const pf =
      this.parts.queue.take(call, target, method, null) ??
      this.parts.queue.takeInFlight(call, target, method);
    if (pf) call.wire.push(pf.entry);
  }

  done(call: Call, outcome: Outcome): void {
    this.line.ended(call, outcome, this.parts.latest());
  }

  releaseTab(tabId: number): void {
    this.line.releaseTab(tabId);
  }

  sweep(now: number): void {
    this.line.sweep(now);
  }

  snapshot(): EngineState {
    return this.line.snapshot();
  }

  restore(state: EngineState): void {
    this.line.restore(state.held ?? [], state.settled ?? []);
  }
}

/**
 * An answered call that cannot fail any more: its final response passes the CORS check against the Origin
 * it was sent with, in either credentials mode. Chromium reports nothing more about it that CORS decides.
 */
function cannotFail(call: Call): boolean {
  const hop = currentHop(call);
  if (hop?.type !== 'request' || !hop.response || call.outside) return false;
  const origin = getCombined(hop.request.headers, 'origin');
  return origin !== null && passesEitherWay(hop.response, origin, 'chromium');
}
