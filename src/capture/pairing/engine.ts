// What differs between browsers in pairing: the order their webRequest reports a call's parts in, and what
// their end events mean. One strategy per engine (./chromium.ts, ./firefox.ts); the rest of pairing
// (../pairing.ts) is shared.
import type { Engine } from '../../cors/types';
import type { RequestEvent } from '../events';
import type { Call, Outcome, Preflight } from './call';
import type { PreflightQueue } from './preflights';
import type { Recovery } from './recovery';
import type { HeldState } from './release-line';

/** The parts of pairing a strategy works with. */
export interface PairingParts {
  /** Calls in flight, by requestId. */
  readonly calls: Map<string, Call>;
  readonly queue: PreflightQueue;
  readonly recovery: Recovery;
  /** The event time pairing has reached. */
  latest(): number;
  /** A call leaves pairing with its outcome: scoped, and handed on when CORS governs it. */
  deliver(call: Call, outcome: Outcome): void;
}

/** The engine's part of a snapshot. */
export interface EngineState {
  /** Chromium: the release line (./release-line.ts). */
  held?: HeldState;
  /** Chromium: calls settled as allowed lately, [requestId, event time]: their late ends add nothing. */
  settled?: [string, number][];
  /** Firefox: preflights in flight inside their call, as [preflight requestId, call requestId]. */
  attached?: [string, string][];
}

export interface EngineOrder {
  readonly engine: Engine;
  /** What onCompleted says of a call's outcome. */
  readonly completed: Outcome;
  /** What a redirect answered and then silent until it stalled means (null: nothing). */
  readonly stalledRedirect: Outcome | null;
  /** Every event's time first: an event of this time means every event dispatched before it has arrived. */
  tick(now: number): void;
  /** An event the engine follows itself (Firefox: a preflight placed in its call): true when handled. */
  ownEvent(ev: RequestEvent): boolean;
  /** A preflight is sent: true when the engine placed it, false to queue it (./preflights.ts). */
  preflightSent(ev: RequestEvent): boolean;
  /** A request hop of `call` is sent with these headers: the preflight that went before it, if one waits. */
  preflightBefore(call: Call, ev: RequestEvent): Preflight | null;
  /** A hop of `call` got its final answer (not a redirect). */
  answered(call: Call, ev: RequestEvent): void;
  /** An end event of a call the engine let go of already: it adds nothing. */
  endedEarlier(requestId: string): boolean;
  /** `call` ends with `ev` (it is out of flight): its wire as the engine's events mean it. */
  ending(call: Call, ev: RequestEvent): void;
  /** A call is done with this outcome: it leaves pairing, now or in its turn. */
  done(call: Call, outcome: Outcome): void;
  /** A tab's page goes away: its calls in line leave now. */
  releaseTab(tabId: number): void;
  /** What waited long enough leaves. */
  sweep(now: number): void;
  snapshot(): EngineState;
  restore(state: EngineState): void;
}
