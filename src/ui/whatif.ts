// What if: a recorded call with its responses and its request edited, evaluated again by the evaluator at every
// edit, and set against what was recorded. Pure: a draft in; out, the exchange the browser would make with it,
// the verdict, the difference from the recorded verdict, and the edits as the server changes they stand for.
//
// The chain of hops is rebuilt from the draft as the browser walks it: the first URL, then each redirect's
// target as the evaluator follows it (src/cors decides the next method, the Origin and whether a preflight goes
// out). The evaluation starts from an empty preflight cache, as the first call of a fresh browser profile: a
// fix has to work without a cached preflight, so a preflight goes before every hop that needs one, also where
// the recording's call was served from the cache. A response the recording does not hold (the browser stopped
// before it, or the cache answered for its preflight) starts as an empty answer: 204 for a preflight, else 200.
import {
  applyFixes,
  type Check,
  type CredentialsMode,
  corsSafelistedMethod,
  corsUnsafeRequestHeaderNames,
  type Engine,
  Evaluator,
  type Exchange,
  type Fix,
  type Header,
  type HttpResponse,
  originOf,
  PreflightCache,
  type RequestMode,
  sameOrigin,
  type Verdict,
  type Warning,
  type WireEntry,
} from '../cors';
import { getCombined } from '../cors/headers';
import { mainFetch } from '../cors/main-fetch';
import { isHttpScheme, normalizeOrigin } from '../cors/origin';
import { isRedirectStatus } from '../cors/redirect';
import { forbiddenMethod, forbiddenRequestHeaderName, normalizeMethod } from '../cors/safelist';
import { credentialsOf, scriptHeaders } from '../report/recorded-call';
import { type PolicyResult, policiesFor } from './snippets';

/** A response as the what-if answers it. */
export type ResponseDraft = HttpResponse;

/** Which response of a step: its preflight's, or its own. */
export type SlotKind = 'preflight' | 'response';

/** A response's place in the chain: step 0 is the first URL, step n the target of the nth redirect. */
export interface Slot {
  step: number;
  kind: SlotKind;
}

/** The responses of one step. Absent: the recording does not hold one. null: none arrived (refused, reset). */
export interface StepDraft {
  preflight?: ResponseDraft | null;
  response?: ResponseDraft | null;
}

/** What the user edits: the request as the script makes it, and the responses step by step. */
export interface Draft {
  method: string;
  /** The headers the script sets, in its order; a row with an empty name is not a header yet. */
  headers: Header[];
  credentials: CredentialsMode;
  steps: StepDraft[];
}

/** The empty answer that stands in for a response the recording does not hold (never changed in place). */
const EMPTY: Record<SlotKind, ResponseDraft> = {
  preflight: Object.freeze({ status: 204, headers: [] }),
  response: Object.freeze({ status: 200, headers: [] }),
};

// https://fetch.spec.whatwg.org/#http-redirect-fetch: a 21st redirect is a network error, so 21 steps at most.
const MAX_STEPS = 21;

/** What the recording holds: the responses step by step, and what else each wire entry carries, by slot. */
interface Recorded {
  steps: StepDraft[];
  /** A wire entry's other fields (e.g. the address space of a server that did not answer), by `${step} ${kind}`. */
  extras: Map<string, Partial<WireEntry>>;
}

const recordedOf = new WeakMap<Exchange, Recorded>();

function recording(ex: Exchange): Recorded {
  let r = recordedOf.get(ex);
  if (!r) {
    r = readRecording(ex);
    recordedOf.set(ex, r);
  }
  return r;
}

/** The responses the recording holds, step by step (read once per exchange; never change what it returns). */
export function recordedSteps(ex: Exchange): StepDraft[] {
  return recording(ex).steps;
}

const slotKey = (slot: Slot) => `${slot.step} ${slot.kind}`;

function readRecording(ex: Exchange): Recorded {
  const steps: StepDraft[] = [];
  const extras = new Map<string, Partial<WireEntry>>();
  let step: StepDraft = {};
  for (const e of ex.wire) {
    // A response keeps every field it has (the headers copied): only status and headers are edited.
    const res = e.response && { ...e.response, headers: e.response.headers.slice() };
    const { type, request: _request, response: _response, time: _time, ...rest } = e;
    let slot: Slot;
    if (type === 'preflight') {
      if ('preflight' in step) steps.push(step);
      step = { preflight: res };
      slot = { step: steps.length, kind: 'preflight' };
    } else {
      slot = { step: steps.length, kind: 'response' };
      steps.push({ ...step, response: res });
      step = {};
    }
    if (Object.keys(rest).length) extras.set(slotKey(slot), rest);
  }
  if ('preflight' in step) steps.push(step);
  return { steps, extras };
}

/** The response a slot holds in a draft: absent ones as the empty answer; null when none arrived. */
export function responseAt(draft: Draft, slot: Slot): ResponseDraft | null {
  const res = draft.steps[slot.step]?.[slot.kind];
  return res === undefined ? EMPTY[slot.kind] : res;
}

/** Whether the recording holds this slot's response. */
export function isRecorded(recorded: readonly StepDraft[], slot: Slot): boolean {
  const step = recorded[slot.step];
  return step !== undefined && slot.kind in step;
}

/** The draft with one slot's response replaced. */
export function withResponse(draft: Draft, slot: Slot, res: ResponseDraft | null): Draft {
  const steps = draft.steps.slice();
  for (let i = steps.length; i < slot.step; i++) steps[i] = {};
  steps[slot.step] = { ...steps[slot.step], [slot.kind]: res };
  return { ...draft, steps };
}

/** The call as recorded: its method, the headers its script set, its credentials mode, its responses. */
export function recordingDraft(ex: Exchange, recorded: Verdict): Draft {
  return {
    method: ex.request.method,
    headers: scriptHeaders(ex),
    credentials: credentialsOf({ exchange: ex, recorded }),
    steps: recordedSteps(ex),
  };
}

/** The request mode as recorded, or as the first request's Sec-Fetch-Mode says it (else the evaluator's "cors"). */
function recordedMode(ex: Exchange): RequestMode | undefined {
  if (ex.mode) return ex.mode;
  const first = ex.wire.find((w) => w.type === 'request');
  const m = getCombined(first?.request.headers, 'sec-fetch-mode');
  return m === 'cors' || m === 'no-cors' || m === 'same-origin' || m === 'navigate' ? m : undefined;
}

/** What the browser asks at one step: its URL, method, Origin and CORS-unsafe header names, and whether it preflights. */
interface Hop {
  url: string;
  method: string;
  origin: string;
  unsafe: string[];
  preflight: boolean;
}

/** The exchange the browser makes with a draft, and each wire entry's slot. */
export interface Built {
  exchange: Exchange;
  slots: Slot[];
}

const named = (headers: readonly Header[]) => headers.filter(([n]) => n.trim() !== '');

function entry(type: WireEntry['type'], hop: Hop, res: ResponseDraft | null): WireEntry {
  const headers: Header[] = [['Origin', hop.origin]];
  if (type === 'preflight') {
    headers.push(['Access-Control-Request-Method', hop.method]);
    if (hop.unsafe.length) headers.push(['Access-Control-Request-Headers', hop.unsafe.join(',')]);
  }
  return {
    type,
    request: { method: type === 'preflight' ? 'OPTIONS' : hop.method, url: hop.url, headers },
    response: res && { ...res, headers: named(res.headers) },
  };
}

/** The wire the browser puts out for a draft, step by step, from an empty preflight cache. */
export function build(base: Exchange, draft: Draft, engine: Engine): Built {
  const headers = named(draft.headers);
  const mode = recordedMode(base);
  // Every other field of the call and of its recorded entries goes along (the address spaces of Local Network
  // Access, say); what the browser reported does not: this call was not made.
  const { outcome: _outcome, ...call } = base;
  const exchange: Exchange = {
    ...call,
    ...(mode ? { mode } : {}),
    credentials: draft.credentials,
    request: { ...base.request, method: draft.method, headers },
    wire: [],
  };
  const { extras } = recording(base);
  const slots: Slot[] = [];
  const push = (type: WireEntry['type'], slot: Slot, hop: Hop, res: ResponseDraft | null) => {
    exchange.wire.push({ ...extras.get(slotKey(slot)), ...entry(type, hop, res) });
    slots.push(slot);
  };
  const origin = normalizeOrigin(base.initiator);
  const url = base.request.url;
  const method = normalizeMethod(draft.method);
  const unsafe = corsUnsafeRequestHeaderNames(headers, engine).names;
  // https://fetch.spec.whatwg.org/#main-fetch: CORS applies to a cross-origin HTTP(S) URL in mode "cors"; HTTP fetch
  // preflights a method or a header outside the safelists.
  const cors = (mode ?? 'cors') === 'cors' && isHttpScheme(url) && !sameOrigin(origin, originOf(url));
  let hop: Hop = {
    url,
    method,
    origin,
    unsafe,
    preflight: cors && (!corsSafelistedMethod(method) || unsafe.length > 0),
  };
  const ctx = { cache: new PreflightCache(engine), engine };
  const include = draft.credentials === 'include';
  for (let step = 0; step < MAX_STEPS; step++) {
    if (hop.preflight) {
      const slot: Slot = { step, kind: 'preflight' };
      push('preflight', slot, hop, responseAt(draft, slot));
    }
    const slot: Slot = { step, kind: 'response' };
    const res = responseAt(draft, slot);
    push('request', slot, hop, res);
    if (!res || !isRedirectStatus(res.status)) break;
    // Where the evaluator's walk follows the redirect, the next step is what it would request.
    const w = mainFetch(exchange, include, ctx);
    if (w.ended?.after !== 'redirect') break;
    hop = {
      url: w.ended.url,
      method: w.ended.method,
      origin: w.originSent,
      unsafe: w.unsafe,
      preflight: w.ended.needsPreflight,
    };
  }
  return { exchange, slots };
}

/** The slot of an entry added after `prev` (the repair proposes a response the browser has not got yet). */
function nextSlot(prev: Slot | undefined, type: WireEntry['type']): Slot {
  if (!prev) return { step: 0, kind: type === 'preflight' ? 'preflight' : 'response' };
  if (type === 'request' && prev.kind === 'preflight') return { step: prev.step, kind: 'response' };
  return { step: prev.step + 1, kind: type === 'preflight' ? 'preflight' : 'response' };
}

/** The draft with fixes applied to the responses they name (src/cors applyFixes), new steps added where needed. */
export function applyToDraft(draft: Draft, built: Built, fixes: readonly Fix[]): Draft {
  const fixed = applyFixes(built.exchange, fixes);
  const touched = new Set(fixes.map((f) => f.hop));
  const slots = built.slots.slice();
  let out = draft;
  fixed.wire.forEach((e, i) => {
    slots[i] ??= nextSlot(slots[i - 1], e.type);
    const slot = slots[i]!;
    // applyFixes keeps a response's status and headers: its other fields stay as they were.
    if (touched.has(i))
      out = withResponse(out, slot, e.response && { ...responseAt(out, slot), ...e.response });
  });
  return out;
}

// The repair finds every change in one pass; a fix that opens a step the chain did not reach before (a redirect
// now followed) needs one more pass for that step.
const FIX_PASSES = 4;

/** The draft with the evaluator's proposed fix applied, pass after pass, until the call is allowed or none is left. */
export function withProposedFix(base: Exchange, draft: Draft, engine: Engine): Draft {
  let out = draft;
  for (let n = 0; n < FIX_PASSES; n++) {
    const built = build(base, out, engine);
    const v = new Evaluator({ engine }).evaluate(built.exchange);
    if (v.verdict === 'allowed' || !v.fixes.length) break;
    out = applyToDraft(out, built, v.fixes);
  }
  return out;
}

/** Where the what-if starts: the recording with the proposed fix applied. */
export function initialDraft(ex: Exchange, recorded: Verdict): Draft {
  return withProposedFix(ex, recordingDraft(ex, recorded), recorded.engine ?? 'chromium');
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL, CR and LF are what no header value may hold
const BAD_VALUE = /[\x00\r\n]/;

/**
 * Why fetch() would throw before sending anything (https://fetch.spec.whatwg.org/#dom-request), or null: a
 * method that is not a token or is forbidden, a header name that is not a token, a value with NUL, CR or LF.
 */
export function requestProblem(draft: Draft): string | null {
  if (!TOKEN.test(draft.method)) return `"${draft.method}" is not a method name: fetch() throws a TypeError.`;
  if (forbiddenMethod(draft.method))
    return `fetch() refuses the method ${draft.method} (a forbidden method) and throws a TypeError.`;
  for (const [name, value] of named(draft.headers)) {
    if (!TOKEN.test(name)) return `"${name}" is not a header name: fetch() throws a TypeError.`;
    if (BAD_VALUE.test(value)) return `The value of ${name} holds NUL, CR or LF: fetch() throws a TypeError.`;
  }
  return null;
}

/** The script's header names the browser ignores (it sets them itself), lower-case. */
export function ignoredHeaders(draft: Draft, engine: Engine): string[] {
  return named(draft.headers)
    .map(([n]) => n.toLowerCase())
    .filter((n) => forbiddenRequestHeaderName(n, engine));
}

/** How a what-if check or warning stands against the recorded verdict. */
export type Mark = 'same' | 'changed' | 'new';

export interface VerdictDiff {
  verdict: boolean;
  preflight: boolean;
  summary: boolean;
  /** Chromium's (or Firefox's) console line. */
  console: boolean;
  /** One mark per what-if check, in order. */
  checks: Mark[];
  /** The recorded checks the browser no longer makes. */
  goneChecks: Check[];
  /** One mark per what-if warning ('same' or 'new'). */
  warnings: Mark[];
  goneWarnings: Warning[];
}

/** Checks are matched by rule, the kind and URL of the entry they read, and their order among those. */
function checkKeys(checks: readonly Check[], wire: readonly WireEntry[]): string[] {
  const seen = new Map<string, number>();
  return checks.map((c) => {
    const e = wire[c.hop];
    const key = `${c.rule} ${e ? `${e.type} ${e.request.url}` : 'call'}`;
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    return `${key} ${n}`;
  });
}

// The recorded verdict's checks by key, made once per verdict (every keystroke compares against them).
const keyedChecks = new WeakMap<Verdict, Map<string, Check>>();

/** What changed from the recorded verdict (on the recorded wire) to the what-if's. */
function diffVerdicts(
  was: Verdict,
  wasWire: readonly WireEntry[],
  now: Verdict,
  nowWire: readonly WireEntry[],
): VerdictDiff {
  let recorded = keyedChecks.get(was);
  if (!recorded) {
    const keys = checkKeys(was.checks, wasWire);
    recorded = new Map(keys.map((k, i) => [k, was.checks[i]!]));
    keyedChecks.set(was, recorded);
  }
  const oldChecks = new Map(recorded);
  const checks = checkKeys(now.checks, nowWire).map((k, i): Mark => {
    const old = oldChecks.get(k);
    oldChecks.delete(k);
    if (!old) return 'new';
    const c = now.checks[i]!;
    return old.result === c.result && old.seen === c.seen && old.required === c.required ? 'same' : 'changed';
  });
  const warningKey = (w: Warning) => `${w.code} ${w.message}`;
  const nowWarnings = new Set(now.warnings.map(warningKey));
  const wasWarnings = new Set(was.warnings.map(warningKey));
  return {
    verdict: was.verdict !== now.verdict,
    preflight: was.preflight !== now.preflight,
    summary: was.summary !== now.summary,
    console: (was.error?.console ?? null) !== (now.error?.console ?? null),
    checks,
    goneChecks: [...oldChecks.values()],
    warnings: now.warnings.map((w) => (wasWarnings.has(warningKey(w)) ? 'same' : 'new')),
    goneWarnings: was.warnings.filter((w) => !nowWarnings.has(warningKey(w))),
  };
}

/** "access-control-allow-origin" → "Access-Control-Allow-Origin", as the fixes and the snippets name headers. */
const canonical = (lower: string) =>
  lower.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());

/**
 * The edits to the responses as fixes: each CORS header (and status) that differs from the recording, on the
 * response it is on. The snippets build the edited policy from them. A snippet always names the page's exact
 * origin: where the page's Origin was sent, an edited Access-Control-Allow-Origin stands for that origin.
 */
function editsAsFixes(base: Exchange, built: Built): Fix[] {
  const recorded = recordedSteps(base);
  const out: Fix[] = [];
  built.exchange.wire.forEach((e, hop) => {
    const now = e.response;
    if (!now) return;
    const slot = built.slots[hop]!;
    const was = recorded[slot.step]?.[slot.kind] ?? null;
    const at = {
      on: e.type,
      hop,
      url: e.request.url,
      method: e.request.method,
      why: 'Edited in the what-if.',
    };
    if (was && was.status !== now.status)
      out.push({ ...at, action: 'status', header: 'status', value: String(now.status) });
    const names = new Set(
      [...now.headers, ...(was?.headers ?? [])]
        .map(([n]) => n.toLowerCase())
        .filter((n) => n.startsWith('access-control-')),
    );
    for (const lower of names) {
      let value = getCombined(now.headers, lower);
      if (value === getCombined(was?.headers, lower)) continue;
      const origin = getCombined(e.request.headers, 'origin');
      if (
        lower === 'access-control-allow-origin' &&
        value !== null &&
        origin === normalizeOrigin(base.initiator)
      )
        value = base.initiator;
      out.push({ ...at, action: value === null ? 'remove' : 'set', header: canonical(lower), value });
    }
  });
  return out;
}

export interface WhatIfResult {
  /** The exchange the browser makes with the draft, and the slot of each of its wire entries. */
  built: Built;
  verdict: Verdict;
  /** Index of the wire entry where the browser stops; the entries after it are not reached. */
  stoppedAt: number;
  diff: VerdictDiff;
  /** The edits as fixes, and the server configurations they make. */
  edits: Fix[];
  policies: PolicyResult[];
  /** The script's header names the browser ignores. */
  ignored: string[];
}

/** Evaluates a draft of a recorded call: a problem when fetch() would throw, else the result. */
export function evaluateDraft(
  base: Exchange,
  recorded: Verdict,
  draft: Draft,
): { problem: string } | WhatIfResult {
  const problem = requestProblem(draft);
  if (problem) return { problem };
  const engine = recorded.engine ?? 'chromium';
  const built = build(base, draft, engine);
  const verdict = new Evaluator({ engine }).evaluate(built.exchange);
  const last = built.exchange.wire.length - 1;
  const edits = editsAsFixes(base, built);
  return {
    built,
    verdict,
    stoppedAt: verdict.error?.hop ?? verdict.reason?.hop ?? last,
    diff: diffVerdicts(recorded, base.wire, verdict, built.exchange.wire),
    edits,
    policies: policiesFor(built.exchange, { ...verdict, fixes: edits }),
    ignored: ignoredHeaders(draft, engine),
  };
}
