// A HAR's calls judged, each in exactly one class (src/capture/request-mode.ts): only CORS calls are
// evaluated; the rest carry their class and its reason. Shared by `corscope har` and the panel's import.
import type { CallClass, CallScope } from '../capture/request-mode';
import { Evaluator } from '../cors/evaluate';
import { summaryBody } from '../cors/sentence';
import type { Engine, Verdict } from '../cors/types';
import type { ImportedExchange } from './har-import';

export interface JudgedCall {
  call: ImportedExchange;
  /** The call's class, after judging (a CORS call the browser's record contradicts becomes "cannot tell"). */
  scope: CallScope;
  /** The verdict of a CORS call; null for every other class. */
  verdict: Verdict | null;
}

/** Counts of a file's calls and entries by class. */
export interface ClassCounts {
  /** HAR entries read and usable. */
  entries: number;
  calls: number;
  /** Calls by class, and the entries they were built from. */
  byClass: Record<CallClass, { calls: number; entries: number }>;
  /** CORS calls judged blocked. */
  blocked: number;
}

export const CLASSES: readonly CallClass[] = ['cors', 'not-governed', 'same-origin', 'cannot-tell'];

export function emptyCounts(): ClassCounts {
  return {
    entries: 0,
    calls: 0,
    byClass: {
      cors: { calls: 0, entries: 0 },
      'not-governed': { calls: 0, entries: 0 },
      'same-origin': { calls: 0, entries: 0 },
      'cannot-tell': { calls: 0, entries: 0 },
    },
    blocked: 0,
  };
}

export function countCall(counts: ClassCounts, j: JudgedCall): void {
  counts.calls++;
  counts.entries += j.call.entries.length;
  const c = counts.byClass[j.scope.class];
  c.calls++;
  c.entries += j.call.entries.length;
  if (j.verdict?.verdict === 'blocked') counts.blocked++;
}

/** "1 call", "2 calls". */
export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "312 HAR entries, 297 calls: 41 CORS calls (3 blocked), 235 not governed by CORS, 18 same-origin, 3 cannot tell". */
export function countsLine(c: ClassCounts): string {
  const parts = [
    `${plural(c.byClass.cors.calls, 'CORS call')} (${c.blocked} blocked)`,
    `${c.byClass['not-governed'].calls} not governed by CORS`,
    `${c.byClass['same-origin'].calls} same-origin`,
    `${c.byClass['cannot-tell'].calls} cannot tell`,
  ];
  return `${plural(c.entries, 'HAR entry', 'HAR entries')}, ${plural(c.calls, 'call')}: ${parts.join(', ')}`;
}

/** The class in a few words, for tables. */
export const CLASS_WORDS: Record<CallClass, string> = {
  cors: 'CORS call',
  'not-governed': 'not governed by CORS',
  'same-origin': 'same-origin',
  'cannot-tell': 'cannot tell',
};

/** Judges a HAR's calls in file order with one evaluator, so the preflight cache carries over. */
export class HarJudge {
  private evaluator: Evaluator | null = null;

  constructor(private readonly engineOf: () => Engine) {}

  get engine(): Engine {
    return this.ev().engine;
  }

  private ev(): Evaluator {
    // Made at the first call, once the HAR's creator has been read.
    this.evaluator ??= new Evaluator({ engine: this.engineOf() });
    return this.evaluator;
  }

  judge(call: ImportedExchange): JudgedCall {
    if (call.scope.class !== 'cors') return { call, scope: call.scope, verdict: null };
    const v = this.ev().evaluate(call.exchange);
    if (v.cannotTell) {
      // The recording of what the browser did wins (src/cors/recorded-outcome.ts): not judged.
      return {
        call,
        scope: { ...call.scope, class: 'cannot-tell', reason: v.cannotTell.reason, text: summaryBody(v) },
        verdict: null,
      };
    }
    // The evaluator found the call in its own origin after all (an Origin the recording gave for the page).
    if (v.verdict === 'same-origin')
      return {
        call,
        scope: { ...call.scope, class: 'same-origin', reason: 'same-origin', text: 'Same-origin request.' },
        verdict: null,
      };
    return { call, scope: call.scope, verdict: v };
  }
}

/** What a blocked verdict rests on, in words: the browser's own record of the failure, or the headers alone. */
export function outcomeBasis(call: ImportedExchange): string {
  return call.outcomeFrom === 'browser' && call.exchange.outcome === 'error'
    ? 'the recording shows the browser failed the call'
    : 'judged from the headers alone: the recording does not say what the browser did';
}
