// Chromium's queue matching: a preflight's whole cycle ends before its request's onSendHeaders, and nothing
// links the two, so a finished preflight waits in a queue under its pairing key and the next request (or
// request error) with that key takes it, first in, first out. Firefox uses the queue only for a preflight no
// listed call claimed (./firefox.ts).
import type { RequestEvent } from '../events';
import { type Call, newPreflight, ORPHAN_MS, type Preflight, pairingKey, STALLED_MS } from './call';

export class PreflightQueue {
  /** Preflights in flight, by requestId. */
  private readonly inFlight = new Map<string, Preflight>();
  /** Finished preflights waiting for their request, by key, oldest first. */
  private readonly ready = new Map<string, Preflight[]>();

  /** How many preflights are in flight or waiting. */
  get size(): number {
    let waiting = 0;
    for (const q of this.ready.values()) waiting += q.length;
    return this.inFlight.size + waiting;
  }

  /** The preflight in flight with this requestId. */
  get(requestId: string): Preflight | undefined {
    return this.inFlight.get(requestId);
  }

  /** A preflight is sent: in flight from now on. */
  start(ev: RequestEvent): void {
    const pf = newPreflight(ev, true);
    const { key } = pf;
    // Identical preflights at once: whichever request comes first takes the oldest, so say it may be a twin's.
    const waiting = this.ready.get(key);
    let twin = !!waiting?.length;
    for (const other of this.inFlight.values()) {
      if (other.key === key) {
        other.concurrent = true;
        twin = true;
      }
    }
    if (twin) {
      pf.concurrent = true;
      for (const w of waiting ?? []) w.concurrent = true;
    }
    this.inFlight.set(ev.requestId, pf);
  }

  /**
   * A preflight ended (answered, completed or failed): it waits for its request from here on. One that failed
   * on the network has no response; one that ended in an error after its headers (CORS-blocked) keeps them.
   */
  finish(pf: Preflight, ev: RequestEvent): void {
    this.inFlight.delete(pf.requestId);
    pf.time = ev.time;
    this.enqueue(pf);
  }

  /**
   * Takes the waiting preflight for this request: the oldest whose requested headers match, else the oldest.
   * `unsafe` gives the request's CORS-unsafe header names, asked only when a preflight waits (null: any).
   */
  take(call: Call, url: string, method: string, unsafe: (() => string) | null): Preflight | null {
    const key = pairingKey(call, url, method);
    const queue = this.ready.get(key);
    if (!queue?.length) return null;
    const names = unsafe?.();
    let i = names === undefined ? 0 : queue.findIndex((p) => p.acrh === names);
    const exact = i >= 0;
    if (i < 0) i = 0;
    const [pf] = queue.splice(i, 1);
    if (!queue.length) this.ready.delete(key);
    if (pf!.concurrent || !exact || queue.length) call.ambiguous = true;
    if (pf!.recovered) call.recovered = true;
    return pf!;
  }

  /** A preflight still without an answer, for a request that failed: the preflight failed on the network. */
  takeInFlight(call: Call, url: string, method: string): Preflight | null {
    const key = pairingKey(call, url, method);
    for (const pf of this.inFlight.values()) {
      if (pf.key !== key) continue;
      this.inFlight.delete(pf.requestId);
      if (pf.concurrent) call.ambiguous = true;
      return pf;
    }
    return null;
  }

  /** Forgets the first preflight in flight with this key that `which` accepts; true when there was one. */
  dropInFlight(key: string, which: (pf: Preflight) => boolean): boolean {
    for (const pf of this.inFlight.values()) {
      if (pf.key !== key || !which(pf)) continue;
      this.inFlight.delete(pf.requestId);
      return true;
    }
    return false;
  }

  /** Hands `lone` what waited too long: finished ones after ORPHAN_MS, ones in flight after STALLED_MS. */
  sweep(now: number, lone: (pf: Preflight) => void): void {
    for (const [key, queue] of this.ready) {
      while (queue.length && now - queue[0]!.time > ORPHAN_MS) lone(queue.shift()!);
      if (!queue.length) this.ready.delete(key);
    }
    for (const pf of [...this.inFlight.values()]) {
      if (now - pf.time <= STALLED_MS) continue;
      this.inFlight.delete(pf.requestId);
      lone(pf);
    }
  }

  /** Hands `lone` every preflight still in flight (capture stops). */
  flush(lone: (pf: Preflight) => void): void {
    for (const pf of [...this.inFlight.values()]) {
      this.inFlight.delete(pf.requestId);
      lone(pf);
    }
  }

  snapshot(): { preflights: Preflight[]; ready: Preflight[] } {
    return { preflights: [...this.inFlight.values()], ready: [...this.ready.values()].flat() };
  }

  /** Takes back a snapshot's preflights, marked recovered. */
  restore(preflights: readonly Preflight[], ready: readonly Preflight[]): void {
    for (const p of preflights) this.inFlight.set(p.requestId, { ...p, recovered: true });
    for (const p of ready) this.enqueue({ ...p, recovered: true });
  }

  private enqueue(pf: Preflight): void {
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
}
