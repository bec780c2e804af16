// Chromium's release line: calls leave pairing in the order they ended or were answered, so the evaluator's
// preflight-cache model sees them in the browser's order. An answered call waits SETTLE_MS (event time) for
// an error; a call that ends behind a settling one waits for it.
import { type Call, isRedirect, ORPHAN_MS, type Outcome } from './call';

/**
 * Chromium: a call answered (final headers, not a redirect) and still without an error this long after, in
 * event time, is allowed. Chromium checks CORS as soon as the headers arrive and reports a failure with
 * onErrorOccurred, and delivers events in the order of their timeStamps, so capture does not listen to
 * onCompleted (see LISTENED in ../events.ts); when onCompleted is delivered anyway (recorded sequences), it
 * ends the call at once. Measured in Chromium 156 (webRequest's timeStamps; `npm run bench capture`,
 * settle_gap_max_ms): the error follows the headers by about 5 ms (median), 56-107 ms (p99) and at most
 * 238-270 ms, for 1,000 blocked calls in bursts of 200 concurrent.
 */
export const SETTLE_MS = 1_000;

/** A call in the line: `outcome` once it ended ('settling' while answered, undecided). */
interface Held {
  call: Call;
  outcome: Outcome | 'settling';
}

/** The line as a snapshot holds it: calls that ended (waiting behind a settling one), settling ones by id. */
export type HeldState = ({ call: Call; outcome: Outcome } | { settling: string })[];

/** What the line needs of pairing: the calls in flight, and where a call goes when it leaves. */
export interface LineOwner {
  /** The call in flight with this requestId. */
  inFlight(requestId: string): Call | undefined;
  /** A settling call is decided: it is no longer in flight. */
  settle(call: Call): void;
  deliver(call: Call, outcome: Outcome): void;
}

export class ReleaseLine {
  /** In the order calls were answered or ended. */
  private line: Held[] = [];
  /** The line's entry of each call answered and not yet decided, by requestId. */
  private readonly settling = new Map<string, Held>();
  /** Calls settled as allowed, by requestId → event time: their late end events are theirs. */
  private readonly settledAt = new Map<string, number>();

  constructor(private readonly owner: LineOwner) {}

  get length(): number {
    return this.line.length;
  }

  /** An answered call waits in line for an error until SETTLE_MS after its answer. */
  answered(call: Call): void {
    if (this.settling.has(call.requestId)) return;
    const held: Held = { call, outcome: 'settling' };
    this.settling.set(call.requestId, held);
    this.line.push(held);
  }

  /** A call is done: it takes its answer's place in line if it had one, else joins the end; then the line moves. */
  ended(call: Call, outcome: Outcome, now: number): void {
    const held = this.settling.get(call.requestId);
    if (held?.call === call) {
      this.settling.delete(call.requestId);
      held.outcome = outcome;
    } else this.line.push({ call, outcome });
    this.release(now);
  }

  /** A call decided as allowed on its answer (it is out of flight): it leaves in its turn. */
  allowedNow(call: Call, now: number): void {
    this.settledAt.set(call.requestId, call.answered!);
    this.ended(call, 'success', now);
  }

  /** Whether this call settled as allowed lately: an end event of it adds nothing. */
  isSettled(requestId: string): boolean {
    return this.settledAt.has(requestId);
  }

  /**
   * Lets out the head of the line while it is decided: a call that ended, or an answered one no error
   * followed within SETTLE_MS (allowed).
   */
  release(now: number): void {
    let i = 0;
    for (; i < this.line.length; i++) {
      const held = this.line[i]!;
      if (held.outcome === 'settling' && this.isSettling(held.call) && now - held.call.answered! < SETTLE_MS)
        break;
      this.leave(held);
    }
    if (i) this.line.splice(0, i);
  }

  /** Forgets settled calls older than ORPHAN_MS, then lets out what is due. */
  sweep(now: number): void {
    for (const [id, at] of this.settledAt) if (now - at > ORPHAN_MS) this.settledAt.delete(id);
    this.release(now);
  }

  /**
   * Lets out a tab's calls in line at once, settling ones as allowed: its page is going away and its log is
   * about to be cleared, which must not miss them.
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

  snapshot(): { held?: HeldState; settled?: [string, number][] } {
    const held = this.line.map((h) =>
      h.outcome === 'settling' ? { settling: h.call.requestId } : { call: h.call, outcome: h.outcome },
    );
    return {
      ...(held.length ? { held } : {}),
      ...(this.settledAt.size ? { settled: [...this.settledAt] } : {}),
    };
  }

  /** Back in line, in the same order; the calls in flight are restored first. */
  restore(held: HeldState, settled: readonly [string, number][]): void {
    for (const [id, at] of settled) this.settledAt.set(id, at);
    for (const h of held) {
      if ('call' in h) this.line.push({ call: { ...h.call, recovered: true }, outcome: h.outcome });
      else {
        const call = this.owner.inFlight(h.settling);
        if (call && this.isSettling(call)) this.answered(call);
      }
    }
  }

  /** A call leaves the line: delivered with its outcome, a settling one as allowed. */
  private leave(held: Held): void {
    if (held.outcome === 'settling') {
      const call = held.call;
      this.settling.delete(call.requestId);
      // Sent again since its answer (an auth retry): it is back in flight, and queued again when answered.
      if (!this.isSettling(call)) return;
      this.owner.settle(call);
      this.settledAt.set(call.requestId, call.answered!);
      held.outcome = 'success';
    }
    this.owner.deliver(held.call, held.outcome);
  }

  /**
   * The call is still in flight on the answer it was queued to settle on: its final one, or a redirect to a
   * site capture does not see.
   */
  private isSettling(call: Call): boolean {
    const current = call.wire[call.wire.length - 1];
    return (
      this.owner.inFlight(call.requestId) === call &&
      !!current?.response &&
      (!isRedirect(current) || call.outside === 'left') &&
      call.answered === call.last
    );
  }
}
