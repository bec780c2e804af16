// @vitest-environment happy-dom
// The details of a call captured in Firefox: they say when the browser reported no outcome, so the verdict
// rests on the headers alone (every call Firefox answered: its webRequest ends a CORS-blocked call in
// onCompleted, like an allowed one), and they show the explanation of the engine the call ran in.
// Rows are built by replaying recorded webRequest events through capture, as the extension builds them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { CaptureController } from '../../../src/capture/controller';
import type { RawDetails, RawKind } from '../../../src/capture/events';
import type { Engine } from '../../../src/cors/types';
import type { StoredExchange } from '../../../src/store/row';
import { Details } from '../../../src/ui/panel/Details';

afterEach(cleanup);

const LISTENED = new Set(['onSendHeaders', 'onHeadersReceived', 'onCompleted', 'onErrorOccurred']);

/** The stored rows of a recorded scenario (Chromium's preflight end events are not delivered to CORScope). */
function rowsOf(engine: Engine, scenario: string): StoredExchange[] {
  const dir = engine === 'firefox' ? 'webrequest-firefox' : 'webrequest';
  const f = JSON.parse(
    readFileSync(join(process.cwd(), 'tests/fixtures', dir, `${scenario}.json`), 'utf8'),
  ) as {
    events: { kind: string; details: RawDetails }[];
  };
  const rows: StoredExchange[] = [];
  const capture = new CaptureController(
    { enqueue: (r) => rows.push(r), addCounts: () => {}, clearTab: () => {} },
    { preserveLog: false, disabledSites: [], redactHeaders: [] },
    'moz-extension://self',
    engine,
  );
  const preflightEnds = (e: { kind: string; details: RawDetails }) =>
    engine === 'chromium' && e.details.method === 'OPTIONS' && /^on(Completed|ErrorOccurred)$/.test(e.kind);
  for (const e of f.events) {
    if (LISTENED.has(e.kind) && !preflightEnds(e)) capture.handle(e.kind as RawKind, e.details);
  }
  capture.sweep(Number.POSITIVE_INFINITY);
  return rows.map((r, i) => ({ ...r, seq: i + 1 }));
}

function show(row: StoredExchange) {
  render(<Details row={row} rows={[]} onSelect={() => {}} copy={() => {}} />);
}

describe('a call whose outcome the browser did not report', () => {
  it.each(['simple-blocked', 'simple-allowed', 'preflight-ok-actual-blocked'])(
    'Firefox, %s: the details say the verdict comes from the headers alone',
    (scenario) => {
      const [row] = rowsOf('firefox', scenario);
      expect(row!.exchange.outcome).toBeUndefined();
      show(row!);
      expect(screen.getByTestId('outcome-note').textContent).toMatch(
        /^Firefox did not report whether the page could read this response .*this verdict comes from the headers alone/,
      );
      expect(screen.getAllByTestId('timeline-item').at(-1)!.textContent).toContain(
        'not reported by the browser',
      );
    },
  );

  it('Firefox, a failed preflight (an error Firefox did report): no note', () => {
    const [row] = rowsOf('firefox', 'preflight-fail-no-acao');
    expect(row!.exchange.outcome).toBe('error');
    show(row!);
    expect(screen.queryByTestId('outcome-note')).toBeNull();
    expect(screen.getAllByTestId('timeline-item').at(-1)!.textContent).toContain('the page saw an error');
  });

  it.each(['simple-blocked', 'simple-allowed'])(
    'Chromium, %s: the outcome was reported, no note',
    (scenario) => {
      const [row] = rowsOf('chromium', scenario);
      expect(row!.exchange.outcome).toBeDefined();
      show(row!);
      expect(screen.queryByTestId('outcome-note')).toBeNull();
    },
  );
});

describe('the explanation of the engine the call ran in', () => {
  it("Firefox: its console line, labelled as Firefox's, with its reason key and no note on fetch vs XHR wording", () => {
    const [row] = rowsOf('firefox', 'simple-blocked');
    show(row!);
    const verdict = screen.getByTestId('verdict');
    expect(verdict.textContent).toContain('Firefox console');
    expect(verdict.textContent).not.toContain('Chromium console');
    expect(screen.getByTestId('console').textContent).toBe(row!.evaluation.error!.console);
    expect(screen.getByTestId('firefox').textContent).toContain(row!.evaluation.error!.firefox!);
    expect(screen.queryByTestId('api-note')).toBeNull();
  });

  it("Chromium: its console line, labelled as Chromium's", () => {
    const [row] = rowsOf('chromium', 'simple-blocked');
    show(row!);
    expect(screen.getByTestId('verdict').textContent).toContain('Chromium console');
    expect(screen.getByTestId('console').textContent).toBe(row!.evaluation.error!.console);
  });
});
