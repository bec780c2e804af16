// A page's fetch() played against a live server as Chromium plays it: the preflight where one is needed (and
// not in the preflight cache), the request, each redirect followed by the Fetch rules with a new preflight
// where the browser sends one, stopping where the browser stops. Each response is judged by the evaluator as
// it arrives, so the next request goes out only when the browser would send it; the whole wire is then
// evaluated as one call.

import { makeRedactor } from '../capture/redact';
import { type Engine, Evaluator, type Exchange, type Verdict, type WireEntry } from '../cors';
import {
  firstHop,
  followRedirect,
  type Hop,
  needsPreflight,
  originSent,
  type PageCall,
  preflightHeaders,
  redirectRefusal,
  redirectTarget,
  requestHeaders,
  unsafeNames,
} from './browser';
import { ProbeFailure, type Send } from './http';

// What the call records (and prints) keeps Cookie, Set-Cookie and Authorization values out, as capture does.
const redact = makeRedactor().headers;

export interface FetchOptions {
  send: Send;
  engine: Engine;
  /** Send a request whose method is not GET or HEAD (its preflight is always sent). */
  sendUnsafe: boolean;
  /** The stream the call belongs to (its preflight cache and what the server echoed); a new one by default. */
  evaluator?: Evaluator;
  id?: string;
  now?: () => number;
}

export interface FetchResult {
  exchange: Exchange;
  verdict: Verdict;
  /** The request the browser would have sent next, held back because its method is not GET or HEAD. */
  notSent: { method: string; url: string } | null;
  /** The server that did not answer, and why (the verdict is then a network error). */
  failure: ProbeFailure | null;
  /** Why the browser would not follow the last redirect, when it would not. */
  refusedRedirect: string | null;
}

const safeToSend = (method: string) => method === 'GET' || method === 'HEAD';

export async function browserFetch(call: PageCall, opts: FetchOptions): Promise<FetchResult> {
  const now = opts.now ?? Date.now;
  const ev = opts.evaluator ?? new Evaluator({ engine: opts.engine });
  const started = now();
  const wire: WireEntry[] = [];
  const exchange = (): Exchange => ({
    id: opts.id ?? 'probe',
    initiator: call.origin,
    api: call.api ?? 'fetch',
    mode: 'cors',
    credentials: call.credentials,
    request: { method: firstHop(call).method, url: call.url, headers: redact(call.headers) },
    wire: wire.slice(),
    time: started,
  });
  // A fresh evaluator judges the wire so far, so the stream's cache sees only the finished call.
  const blocked = () => new Evaluator({ engine: opts.engine }).evaluate(exchange()).verdict === 'blocked';
  let notSent: FetchResult['notSent'] = null;
  let failure: ProbeFailure | null = null;
  let refusedRedirect: string | null = null;

  const exchangeHop = async (type: WireEntry['type'], hop: Hop): Promise<boolean> => {
    const request =
      type === 'preflight'
        ? { method: 'OPTIONS', url: hop.url, headers: preflightHeaders(call, hop), body: null }
        : { method: hop.method, url: hop.url, headers: requestHeaders(call, hop), body: hop.body };
    const entry: WireEntry = {
      type,
      request: { method: request.method, url: request.url, headers: redact(request.headers) },
      response: null,
      time: now(),
    };
    wire.push(entry);
    try {
      const response = await opts.send(request);
      entry.response = { status: response.status, headers: redact(response.headers) };
      return true;
    } catch (e) {
      failure = e instanceof ProbeFailure ? e : new ProbeFailure('other', String(e));
      return false;
    }
  };

  let hop = firstHop(call);
  for (;;) {
    if (needsPreflight(hop)) {
      // Chromium keys its preflight cache by the Origin sent, Firefox by the page's origin.
      const key = opts.engine === 'firefox' ? call.origin : originSent(call, hop);
      const include = call.credentials === 'include';
      const cached = ev.cache.lookup(key, hop.url, hop.method, unsafeNames(hop.headers), include, now());
      if (!cached) {
        if (!(await exchangeHop('preflight', hop))) break;
        if (blocked()) break;
      }
    }
    if (!safeToSend(hop.method) && !opts.sendUnsafe) {
      notSent = { method: hop.method, url: hop.url };
      break;
    }
    if (!(await exchangeHop('request', hop))) break;
    const res = wire[wire.length - 1]!.response!;
    const next = redirectTarget(res.status, res.headers, hop.url);
    if (next === null || blocked()) break;
    refusedRedirect = redirectRefusal(call, hop, next);
    if (refusedRedirect) break;
    hop = followRedirect(call, hop, res.status, next);
  }
  const ex = exchange();
  return { exchange: ex, verdict: ev.evaluate(ex), notSent, failure, refusedRedirect };
}
