// Restart recovery: Chromium stops an idle or busy service worker at will, and its successor restores the
// last snapshot of pairing (../persist.ts) and then sees events of calls it has only half seen. Everything
// restored is marked recovered; what is known lost is said in plain words in the call's `missing`.
import type { RequestEvent } from '../events';
import {
  ANY_METHOD,
  type Call,
  newCall,
  newPreflight,
  ORPHAN_MS,
  type Preflight,
  pairingKey,
  requestEntry,
} from './call';
import type { PreflightQueue } from './preflights';

export const MISSING = {
  requestHeaders: 'the request headers (the service worker restarted while the call was in flight)',
  allHeaders: 'the request and response headers (the service worker restarted while the call was in flight)',
  responseHeaders: 'the response headers (the service worker restarted while the call was in flight)',
  preflightRequest: "the preflight's request headers (the service worker restarted while it was in flight)",
  preflightAnswer: "the preflight's answer (seen by the service worker that stopped)",
  end: 'the end of the call (the service worker restarted)',
} as const;

export class Recovery {
  /** Preflights whose send was lost with a stopped worker: known by key without the method, oldest first. */
  private readonly lost = new Map<string, Preflight[]>();
  /** Set after a restore that brought preflights back in flight. */
  private restoredInFlight = false;

  constructor(private readonly queue: PreflightQueue) {}

  /** A snapshot was restored; `inFlight` preflights of it were in flight. */
  restored(inFlight: number): void {
    this.restoredInFlight = inFlight > 0;
  }

  /** A call whose start the stopped worker saw: recovered, with what is missing. */
  call(ev: RequestEvent, missing: string): Call {
    const call = newCall(ev);
    call.recovered = true;
    call.missing.push(missing);
    return call;
  }

  /** The end of a call of which nothing was seen (only possible across a restart): its status alone. */
  unseenCall(ev: RequestEvent): Call {
    const call = this.call(ev, MISSING.allHeaders);
    call.headersLost = true;
    call.wire.push({ ...requestEntry(ev), response: { status: ev.status ?? 0, headers: [] } });
    return call;
  }

  /** A recovered call finished, but its answer reached the worker that stopped. */
  answerLost(call: Call, ev: RequestEvent): void {
    const last = call.wire[call.wire.length - 1];
    if (ev.kind !== 'complete' || !call.recovered || last?.type !== 'request' || last.response) return;
    last.response = { status: ev.status ?? 0, headers: [] };
    call.headersLost = true;
    call.missing.push(MISSING.responseHeaders);
  }

  /** Restored after a restart and silent since: its end was seen by the worker that stopped. */
  endLost(call: Call): void {
    call.missing.push(MISSING.end);
    call.headersLost = true;
  }

  /** The answer to a preflight whose send the stopped worker saw: kept for the request that follows. */
  keepPreflight(ev: RequestEvent): void {
    const pf = newPreflight(ev, false);
    const { key } = pf;
    const queue = this.lost.get(key) ?? [];
    queue.push(pf);
    this.lost.set(key, queue);
  }

  /** A kept preflight for a request at this URL, oldest first. */
  takePreflight(call: Call, url: string): Preflight | null {
    if (!this.lost.size) return null;
    const key = pairingKey(call, url, ANY_METHOD);
    const queue = this.lost.get(key);
    const pf = queue?.shift() ?? null;
    if (queue && !queue.length) this.lost.delete(key);
    if (pf) {
      call.recovered = true;
      call.missing.push(MISSING.preflightRequest);
      if (queue?.length) call.ambiguous = true;
    }
    return pf;
  }

  /**
   * After a restart, a request may find its preflight still "in flight" in the restored state: the worker
   * that stopped saw its answer and lost it. Drop that preflight (it would read as unanswered) and say so.
   */
  dropAnswerless(call: Call, url: string, method: string): void {
    if (!this.restoredInFlight) return;
    const dropped = this.queue.dropInFlight(
      pairingKey(call, url, method),
      (pf) => pf.recovered && !pf.entry.response,
    );
    if (!dropped) return;
    call.recovered = true;
    call.missing.push(MISSING.preflightAnswer);
  }

  /** A kept preflight nobody claimed: its request was seen by the worker that stopped. Nothing to add. */
  sweep(now: number): void {
    for (const [key, queue] of this.lost) {
      while (queue.length && now - queue[0]!.time > ORPHAN_MS) queue.shift();
      if (!queue.length) this.lost.delete(key);
    }
  }
}
