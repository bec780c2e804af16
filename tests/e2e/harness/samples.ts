// Replaying a recorded sample (tests/fixtures/exchange/samples.jsonl) against the scenario server: its URLs moved
// to the server's ports, the server answering each path as the recording shows, and the call made again from
// a page as the sample's script made it. Used by samples.e2e.test.ts and tests/fixtures/har/record-chromium.ts.
import type { Page } from 'playwright-core';
import type { Exchange } from '../../../src/cors/types';
import type { ScenarioServer } from './server';

/** Moves the recording's origins (8101 page, 8102 API, 8109 refused) onto the server's ports. */
export function sampleRewriter(server: ScenarioServer, refusedPort: number): (s: string) => string {
  const { page, api, api2, third } = server.origins;
  return (s) =>
    s
      .replaceAll('http://user:pass@127.0.0.1:8102', `http://user:pass@127.0.0.1:${server.apiPort}`)
      .replaceAll('http://127.0.0.1:8101', page)
      .replaceAll('http://127.0.0.1:8102', api)
      .replaceAll('http://localhost:8102', api2)
      .replaceAll('http://localhost:8101', third)
      .replaceAll('127.0.0.1:8109', `127.0.0.1:${refusedPort}`);
}

// Headers the server sets itself.
const SERVER_SET = new Set(['content-length', 'connection', 'date', 'keep-alive', 'transfer-encoding']);

/** Routes every path of the sample's wire: its preflight answer and its actual answer, every redirect hop. */
export function routeSample(server: ScenarioServer, ex: Exchange, rewrite: (s: string) => string): void {
  type Reply = { status: number; headers: [string, string][] };
  const byPath = new Map<string, { preflight?: Reply; actual?: Reply }>();
  for (const w of ex.wire) {
    if (!w.response) continue;
    const path = new URL(rewrite(w.request.url)).pathname;
    const reply: Reply = {
      status: w.response.status,
      headers: w.response.headers
        .filter(([n]) => !SERVER_SET.has(n.toLowerCase()))
        .map(([n, v]) => [n, rewrite(v)] as [string, string]),
    };
    const spec = byPath.get(path) ?? {};
    if (w.type === 'preflight') spec.preflight = reply;
    else spec.actual = reply;
    byPath.set(path, spec);
  }
  for (const [path, spec] of byPath)
    server.route(path, { ...spec, actual: spec.actual ?? { status: 200, headers: [] } });
}

/**
 * Routes every path of a whole recording at once, as one server policy: a preflight answered by the recorded
 * preflight that asked for the same method, a request by the recorded answer to the same method (a path the
 * recording reuses, such as the preflight-cache samples', gets each of its answers).
 */
export function routeRecording(
  server: ScenarioServer,
  exchanges: Exchange[],
  rewrite: (s: string) => string,
): void {
  type Reply = { status: number; headers: [string, string][] };
  const byPath = new Map<string, { preflight: Map<string, Reply>; actual: Map<string, Reply> }>();
  for (const ex of exchanges) {
    for (const w of ex.wire) {
      if (!w.response) continue;
      const path = new URL(rewrite(w.request.url)).pathname;
      const reply: Reply = {
        status: w.response.status,
        headers: w.response.headers
          .filter(([n]) => !SERVER_SET.has(n.toLowerCase()))
          .map(([n, v]) => [n, rewrite(v)] as [string, string]),
      };
      const routes = byPath.get(path) ?? { preflight: new Map(), actual: new Map() };
      const method =
        w.type === 'preflight'
          ? (w.request.headers ?? []).find(([n]) => n.toLowerCase() === 'access-control-request-method')?.[1]
          : w.request.method;
      const table = w.type === 'preflight' ? routes.preflight : routes.actual;
      if (!table.has(method ?? '')) table.set(method ?? '', reply);
      byPath.set(path, routes);
    }
  }
  for (const [path, routes] of byPath) {
    server.route(path, (req) => {
      const table = req.preflight ? routes.preflight : routes.actual;
      const key = req.preflight ? String(req.headers['access-control-request-method']) : req.method;
      return (
        table.get(key) ??
        table.values().next().value ?? {
          status: req.preflight ? 404 : 200,
          headers: [['Content-Type', 'text/plain']],
        }
      );
    });
  }
}

export type SampleResult = {
  ok: boolean;
  type?: string;
  status?: number;
  headers?: string[];
  error?: string;
};

/**
 * Makes the sample's call in the page as its script did: fetch (with its targetAddressSpace, if any), XHR or
 * an <img> without crossorigin, same method, headers, mode and credentials. Returns what the page saw, with the
 * response header names it could read.
 */
export function callSample(
  page: Pick<Page, 'evaluate'>,
  ex: Pick<Exchange, 'api' | 'request' | 'mode' | 'credentials'>,
  url: string,
): Promise<SampleResult> {
  const spec = {
    api: ex.api ?? 'fetch',
    method: ex.request.method,
    url,
    headers: ex.request.headers ?? [],
    mode: ex.mode ?? 'cors',
    credentials: ex.credentials ?? 'same-origin',
    targetAddressSpace: ex.request.targetAddressSpace ?? null,
  };
  return page.evaluate(async (s) => {
    const body = s.method === 'GET' || s.method === 'HEAD' ? undefined : 'x';
    if (s.api === 'image') {
      return new Promise<SampleResult>((resolve) => {
        const img = new Image();
        img.onload = () => resolve({ ok: true });
        img.onerror = () => resolve({ ok: false, error: 'image error event' });
        img.src = s.url;
      });
    }
    if (s.api === 'xhr') {
      return new Promise<SampleResult>((resolve) => {
        const x = new XMLHttpRequest();
        x.open(s.method, s.url);
        x.withCredentials = s.credentials === 'include';
        for (const [n, v] of s.headers) x.setRequestHeader(n, v);
        x.onloadend = () =>
          resolve({
            ok: x.status !== 0,
            status: x.status,
            headers: x
              .getAllResponseHeaders()
              .trim()
              .split(/\r?\n/)
              .filter(Boolean)
              .map((l) => l.slice(0, l.indexOf(':')).toLowerCase()),
          });
        x.send(body ?? null);
      });
    }
    try {
      const init: RequestInit & { targetAddressSpace?: string } = {
        method: s.method,
        headers: s.headers,
        mode: s.mode as RequestMode,
        credentials: s.credentials as RequestCredentials,
        body,
      };
      if (s.targetAddressSpace) init.targetAddressSpace = s.targetAddressSpace;
      const r = await fetch(s.url, init);
      await r.text(); // read the body, as a page does (an unread one ends as net::ERR_ABORTED)
      return { ok: true, type: r.type, status: r.status, headers: [...r.headers.keys()] };
    } catch (e) {
      return { ok: false, error: String(e) };
    }
  }, spec);
}
