// Pairing and evaluation replayed on webRequest event sequences recorded from real Chromium 156
// (tests/fixtures/webrequest, written by tests/e2e/record-events.ts). The browser is the oracle: the page's
// results and the CORS lines Chromium printed.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CaptureController, type CaptureSink } from '../../../src/capture/controller';
import type { RawDetails, RawKind } from '../../../src/capture/events';
import type { StoredExchange } from '../../../src/capture/types';

interface Fixture {
  scenario: string;
  events: { kind: string; details: RawDetails }[];
  page: { ok: boolean; type?: string }[];
  console: { type: string; text: string }[];
}

const dir = new URL('../../fixtures/webrequest/', import.meta.url);
const fixtures: Fixture[] = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as Fixture);

const LISTENED = new Set<RawKind>(['onSendHeaders', 'onHeadersReceived', 'onCompleted', 'onErrorOccurred']);

/** Replays what CORScope's own listeners receive: four events; the end events carry no preflights (no extraHeaders). */
function replay(f: Fixture) {
  const rows: StoredExchange[] = [];
  const counts: Record<string, number> = { sameOrigin: 0, noCors: 0 };
  const sink: CaptureSink = {
    enqueue: (r) => rows.push(r),
    addCounts: (_t, c) => {
      counts.sameOrigin! += c.sameOrigin ?? 0;
      counts.noCors! += c.noCors ?? 0;
    },
    clearTab: () => {},
  };
  const capture = new CaptureController(
    sink,
    { preserveLog: false, disabledSites: [], redactHeaders: [] },
    'chrome-extension://self',
  );
  const preflights = new Set(
    f.events
      .filter(
        (e) =>
          e.kind === 'onSendHeaders' &&
          e.details.requestHeaders?.some((h) => /^access-control-request-method$/i.test(h.name)),
      )
      .map((e) => e.details.requestId),
  );
  for (const e of f.events) {
    if (!LISTENED.has(e.kind as RawKind)) continue;
    if ((e.kind === 'onCompleted' || e.kind === 'onErrorOccurred') && preflights.has(e.details.requestId))
      continue;
    capture.handle(e.kind as RawKind, e.details);
  }
  capture.sweep(Number.POSITIVE_INFINITY);
  return { rows, counts, preflights };
}

/** webRequest cannot tell XHR from fetch: our line uses fetch's words; compare on the rest. */
const apiNeutral = (line: string) =>
  line
    .replace(/^Access to (fetch|XMLHttpRequest) at/, 'Access to X at')
    .replace(
      ' The credentials mode of requests initiated by the XMLHttpRequest is controlled by the withCredentials attribute.',
      '',
    )
    .replace(' Have the server send the header with a valid value.', '');

describe.each(fixtures.map((f) => [f.scenario, f] as const))('recorded in Chromium: %s', (_name, f) => {
  const { rows, counts, preflights } = replay(f);
  const corsLines = f.console
    .filter((c) => c.text.includes('blocked by CORS policy'))
    .map((c) => apiNeutral(c.text));

  it('stores one exchange per cross-origin CORS call, with the verdict the page saw', () => {
    const blocked = rows.filter((r) => r.verdict === 'blocked');
    expect(blocked.map((r) => apiNeutral(r.evaluation.error!.console!)).sort()).toEqual(
      [...corsLines].sort(),
    );
    // fetch reports the response type; XHR results carry none (and XHR is always CORS-mode here).
    const pageCors = f.page.filter((p) => p.ok && (p.type ?? 'cors') === 'cors').length;
    expect(rows.filter((r) => r.verdict === 'allowed').length).toBe(pageCors);
    // Every preflight the browser sent is in exactly one exchange.
    const used = rows.flatMap((r) => r.exchange.wire.filter((w) => w.type === 'preflight'));
    expect(used.length).toBe(preflights.size);
    expect(new Set(used).size).toBe(used.length);
  });

  it('pairs each preflight with its own request', () => {
    for (const r of rows) {
      r.exchange.wire.forEach((w, i) => {
        if (w.type !== 'preflight') return;
        const next = r.exchange.wire[i + 1];
        expect(w.request.url).toBe(next?.request.url ?? r.exchange.request.url);
        const acrm = w.request.headers!.find(
          ([n]) => n.toLowerCase() === 'access-control-request-method',
        )![1];
        expect(acrm).toBe(next?.request.method ?? r.exchange.request.method);
      });
    }
  });

  const specific: Record<string, () => void> = {
    'concurrent-identical': () => {
      expect(rows).toHaveLength(5);
      expect(rows.every((r) => r.preflight === 'sent' && r.exchange.capture.ambiguous)).toBe(true);
    },
    'concurrent-distinct': () => {
      expect(rows).toHaveLength(20);
      expect(rows.every((r) => r.preflight === 'sent' && !r.exchange.capture.ambiguous)).toBe(true);
    },
    'cached-preflight': () => {
      expect(rows.map((r) => r.preflight)).toEqual(['sent', 'cached']);
      const served = rows[1]!.evaluation.checks.find((c) => c.rule === 'preflight-cache')!.servedBy;
      expect(served?.id).toBe(rows[0]!.exchange.id);
    },
    'cached-preflight-thrice': () => {
      expect(rows.map((r) => r.preflight)).toEqual(['sent', 'cached', 'cached']);
    },
    'preflight-fail-no-acah': () => {
      expect(rows.map((r) => [r.verdict, r.evaluation.error?.chromium])).toEqual([
        ['blocked', 'HeaderDisallowedByPreflightResponse'],
      ]);
      expect(rows[0]!.exchange.wire.map((w) => w.type)).toEqual(['preflight']);
    },
    'redirect-new-preflight': () => {
      expect(rows).toHaveLength(1);
      expect(rows[0]!.exchange.wire.map((w) => w.type)).toEqual([
        'preflight',
        'request',
        'preflight',
        'request',
      ]);
      expect(rows[0]!.verdict).toBe('allowed');
    },
    'connection-refused': () => {
      expect(rows.map((r) => r.verdict)).toEqual(['network-error']);
    },
    'no-cors': () => {
      expect(rows).toHaveLength(0);
      expect(counts.noCors).toBe(1);
    },
    'same-origin': () => {
      expect(rows).toHaveLength(0);
      expect(counts.sameOrigin).toBeGreaterThanOrEqual(1);
    },
    'image-crossorigin-blocked': () => {
      expect(rows).toHaveLength(1);
      expect(rows[0]!.exchange.api).toBe('image');
      expect(rows[0]!.evaluation.error?.console).toBe(
        f.console.find((c) => c.text.startsWith('Access to image'))?.text,
      );
    },
    'credentials-include-star': () => {
      expect(rows[0]!.evaluation.error?.chromium).toBe('WildcardOriginNotAllowed');
      const cookie = rows[0]!.exchange.wire[0]!.request.headers!.find(([n]) => n.toLowerCase() === 'cookie');
      expect(cookie?.[1]).toMatch(/^\[redacted: \d+ bytes\]$/);
    },
  };
  if (specific[f.scenario]) it('matches what the scenario is about', specific[f.scenario]!);
});
