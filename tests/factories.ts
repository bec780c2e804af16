// Typed factories for exchanges, as the exchange format defines them (tests/fixtures/exchange/FORMAT.md).
import type { Exchange, Header, HttpResponse, WireEntry } from '../src/cors/types';

export const PAGE = 'http://127.0.0.1:8101';
export const API = 'http://127.0.0.1:8102';

let counter = 0;

/** An exchange with sensible defaults: a credentials-less fetch GET from PAGE to API with no wire. */
export function fakeExchange(overrides: Partial<Exchange> = {}): Exchange {
  counter++;
  return {
    id: overrides.id ?? `x${counter}`,
    initiator: PAGE,
    api: 'fetch',
    mode: 'cors',
    credentials: 'same-origin',
    request: { method: 'GET', url: `${API}/r/${counter}`, headers: [] },
    wire: [],
    ...overrides,
  };
}

export function response(status: number, headers: Header[] = []): HttpResponse {
  return { status, headers };
}

/** A request entry as the browser sends it: the script's headers plus Origin. */
export function wireRequest(
  method: string,
  url: string,
  origin: string | null,
  res: HttpResponse | null,
  headers: Header[] = [],
): WireEntry {
  const h: Header[] = [...headers];
  if (origin !== null) h.push(['Origin', origin]);
  return { type: 'request', request: { method, url, headers: h }, response: res };
}

export function wirePreflight(
  method: string,
  url: string,
  origin: string,
  unsafeNames: string[],
  res: HttpResponse | null,
): WireEntry {
  const h: Header[] = [
    ['Origin', origin],
    ['Access-Control-Request-Method', method],
  ];
  if (unsafeNames.length) h.push(['Access-Control-Request-Headers', unsafeNames.join(',')]);
  return { type: 'preflight', request: { method: 'OPTIONS', url, headers: h }, response: res };
}

/**
 * A simple (non-preflighted) cross-origin call: the script's request, sent once, answered with `res`.
 */
export function simpleCall(opts: {
  method?: string;
  url?: string;
  headers?: Header[];
  res: HttpResponse | null;
  credentials?: Exchange['credentials'];
  initiator?: string;
}): Exchange {
  const method = opts.method ?? 'GET';
  const base = fakeExchange({
    initiator: opts.initiator ?? PAGE,
    credentials: opts.credentials ?? 'same-origin',
  });
  const url = opts.url ?? base.request.url;
  const headers = opts.headers ?? [];
  return {
    ...base,
    request: { method, url, headers },
    wire: [wireRequest(method, url, opts.initiator ?? PAGE, opts.res, headers)],
  };
}

/**
 * A preflighted call: preflight answered with `preflight`; when it passes, the request answered with `actual`
 * (pass actual: undefined to model a call the browser never sent).
 */
export function preflightedCall(opts: {
  method: string;
  url?: string;
  headers?: Header[];
  unsafe: string[];
  preflight: HttpResponse | null;
  actual?: HttpResponse | null;
  credentials?: Exchange['credentials'];
  initiator?: string;
}): Exchange {
  const origin = opts.initiator ?? PAGE;
  const base = fakeExchange({ initiator: origin, credentials: opts.credentials ?? 'same-origin' });
  const url = opts.url ?? base.request.url;
  const headers = opts.headers ?? [];
  const wire: WireEntry[] = [wirePreflight(opts.method, url, origin, opts.unsafe, opts.preflight)];
  if (opts.actual !== undefined) wire.push(wireRequest(opts.method, url, origin, opts.actual, headers));
  return { ...base, request: { method: opts.method, url, headers }, wire };
}

export function readJsonl<T = unknown>(text: string): T[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}
