// What the replays of recorded webRequest sequences share: recorded.test.ts (Chromium) and
// recorded-firefox.test.ts (Firefox).
import { readdirSync, readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { CaptureController, type CaptureSink } from '../../../src/capture/controller';
import { LISTENED, type RawDetails, type RawKind } from '../../../src/capture/events';
import type { Engine } from '../../../src/cors/types';
import type { StoredExchange } from '../../../src/store/row';

/** One recorded webRequest event, as a fixture holds it. */
export interface RecordedEvent {
  kind: string;
  details: RawDetails;
}

/** What both browsers' fixtures hold (tests/e2e/record-events.ts, record-firefox-events.ts write them). */
export interface RecordedFixture {
  scenario: string;
  events: RecordedEvent[];
  /** What each call returned in the page: fetch reports the response type, XHR and images none. */
  page: { ok: boolean; type?: string }[];
}

type Wire = StoredExchange['exchange']['wire'][number];

/** Every fixture (*.json) in a folder, in file-name order. */
export function readFixtures<F extends RecordedFixture>(dir: URL): F[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as F);
}

/** The requestIds of the preflights among recorded events: the ones sent with Access-Control-Request-Method. */
function preflightIds(events: readonly RecordedEvent[]): Set<string> {
  return new Set(
    events
      .filter(
        (e) =>
          e.kind === 'onSendHeaders' &&
          e.details.requestHeaders?.some((h) => /^access-control-request-method$/i.test(h.name)),
      )
      .map((e) => e.details.requestId),
  );
}

/**
 * Replays what CORScope's own listeners receive: the kinds it listens to in that browser (LISTENED), a
 * preflight's end events only where the browser delivers them (`preflightEnds`). Returns the rows stored,
 * the counts of calls not stored, and the requestIds of the preflights the browser sent.
 */
export function replay(
  events: readonly RecordedEvent[],
  opts: { self: string; engine?: Engine; preflightEnds: boolean },
) {
  const rows: StoredExchange[] = [];
  const counts = { sameOrigin: 0, noCors: 0 };
  const sink: CaptureSink = {
    enqueue: (r) => rows.push(r),
    addCounts: (_t, c) => {
      counts.sameOrigin += c.sameOrigin ?? 0;
      counts.noCors += c.noCors ?? 0;
    },
    clearTab: () => {},
  };
  const capture = new CaptureController(
    sink,
    { preserveLog: false, disabledSites: [], redactHeaders: [] },
    opts.self,
    opts.engine,
  );
  const preflights = preflightIds(events);
  const listened = new Set<string>(LISTENED[opts.engine ?? 'chromium']);
  for (const e of events) {
    if (!listened.has(e.kind)) continue;
    const ends = e.kind === 'onCompleted' || e.kind === 'onErrorOccurred';
    if (ends && !opts.preflightEnds && preflights.has(e.details.requestId)) continue;
    capture.handle(e.kind as RawKind, e.details);
  }
  capture.sweep(Number.POSITIVE_INFINITY);
  return { rows, counts, preflights };
}

/** Every preflight the browser sent is in exactly one stored exchange. */
export function expectEachPreflightOnce(rows: StoredExchange[], preflights: Set<string>): void {
  const used = rows.flatMap((r) => r.exchange.wire.filter((w) => w.type === 'preflight'));
  expect(used).toHaveLength(preflights.size);
  expect(new Set(used).size).toBe(used.length);
}

/**
 * Each preflight asks for the URL and method of what follows it on the wire (when nothing does, of the request
 * it stopped: the exchange's own, or where the hop before it redirected); `also` checks more of each pair.
 */
export function expectPreflightsPaired(
  rows: StoredExchange[],
  also: (preflight: Wire, next: Wire | undefined) => void = () => {},
): void {
  for (const r of rows) {
    r.exchange.wire.forEach((w, i) => {
      if (w.type !== 'preflight') return;
      const next = r.exchange.wire[i + 1];
      const before = r.exchange.wire[i - 1];
      const location = before?.response?.headers.find(([n]) => n.toLowerCase() === 'location')?.[1];
      const stopped = location
        ? { url: new URL(location, before!.request.url).href, method: before!.request.method }
        : r.exchange.request;
      expect(w.request.url).toBe(next?.request.url ?? stopped.url);
      const acrm = w.request.headers!.find(([n]) => n.toLowerCase() === 'access-control-request-method')![1];
      expect(acrm).toBe(next?.request.method ?? stopped.method);
      also(w, next);
    });
  }
}

/** The checks of the scenarios both browsers' recordings pass alike, by scenario name. */
export function checksOfBothBrowsers(
  rows: StoredExchange[],
  counts: { sameOrigin: number; noCors: number },
): Record<string, () => void> {
  return {
    'concurrent-identical': () => {
      expect(rows).toHaveLength(5);
      expect(rows.every((r) => r.preflight === 'sent' && r.exchange.capture.ambiguous)).toBe(true);
    },
    'concurrent-distinct': () => {
      expect(rows).toHaveLength(20);
      expect(rows.every((r) => r.preflight === 'sent' && !r.exchange.capture.ambiguous)).toBe(true);
    },
    'no-cors': () => {
      expect(rows).toHaveLength(0);
      expect(counts.noCors).toBe(1);
    },
    'same-origin': () => {
      expect(rows).toHaveLength(0);
      expect(counts.sameOrigin).toBeGreaterThanOrEqual(1);
    },
  };
}
