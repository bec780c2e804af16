// Chromium's order (measured in Chromium 156): a preflight's whole cycle ends before its request's
// onSendHeaders, so a request takes the preflight waiting under its key (./preflights.ts). Chromium checks
// CORS as soon as the final headers arrive and reports a failure with onErrorOccurred right after, so an
// answered call settles in the release line (./release-line.ts) and onCompleted is not listened to.
import type { RequestEvent } from '../events';
import { type Call, type Outcome, type Preflight, unsafeNamesOf } from './call';
import type { EngineOrder, EngineState, PairingParts } from './engine';
import { ReleaseLine } from './release-line';

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
      this.parts.queue.take(call, ev.url, ev.method, unsafeNamesOf(ev.headers ?? [])) ??
      this.parts.recovery.takePreflight(call, ev.url)
    );
  }

  answered(call: Call, ev: RequestEvent): void {
    call.answered = ev.time;
    this.line.answered(call);
  }

  endedEarlier(requestId: string): boolean {
    // An error after its CORS check passed (the body failed, or the page aborted it) is not a CORS outcome.
    return this.line.isSettled(requestId);
  }

  ending(): void {}

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
