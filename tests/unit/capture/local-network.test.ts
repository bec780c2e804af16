// Local Network Access in capture, replayed on what Chromium 156's webRequest showed of each kind of call the check
// stops (tests/fixtures/webrequest-lna, written by tests/e2e/record-lna-events.ts). The browser is the oracle: the
// page's results, the lines Chromium printed and DevTools' corsError for each call.
import { describe, expect, it } from 'vitest';
import { stoppedByLocalNetworkAccess, withLocalNetworkStop } from '../../../src/capture/local-network';
import type { CapturedExchange } from '../../../src/capture/types';
import { type RecordedFixture, readFixtures, replay } from './replay';

interface Fixture extends RecordedFixture {
  console: { type: string; text: string }[];
  cdp: {
    event: string;
    requestId: string;
    url?: string;
    initiator?: { type: string };
    corsErrorStatus?: { corsError: string };
  }[];
}

const fixtures = readFixtures<Fixture>(new URL('../../fixtures/webrequest-lna/', import.meta.url));
const named = (name: string) => fixtures.find((f) => f.scenario === name)!;

/** What CORScope's own listeners receive of a recording: the rows it stores. */
const rowsOf = (f: Fixture) =>
  replay(f.events, { self: 'chrome-extension://self', preflightEnds: false }).rows.map((r) => ({
    url: r.url,
    verdict: r.evaluation.verdict,
    preflight: r.preflight,
    stage: r.evaluation.error?.stage ?? null,
    chromium: r.evaluation.error?.chromium ?? null,
    console: r.evaluation.error?.console ?? null,
    reason: r.evaluation.reason?.key ?? null,
    summary: r.evaluation.summary,
    localNetwork: r.evaluation.localNetwork ?? null,
  }));

/** DevTools' corsError for each call the page made (not its preflight), in call order. */
const corsErrors = (f: Fixture) => {
  const calls = f.cdp.filter((c) => c.event === 'requestWillBeSent' && c.initiator?.type !== 'preflight');
  const seen = new Set<string>();
  return calls
    .filter((c) => !seen.has(c.requestId) && seen.add(c.requestId))
    .map(
      (c) =>
        f.cdp.find((d) => d.event === 'loadingFailed' && d.requestId === c.requestId)?.corsErrorStatus
          ?.corsError ?? null,
    );
};

const chromiumLines = (f: Fixture) =>
  f.console.filter((c) => c.text.includes('blocked by CORS policy')).map((c) => c.text);

describe('calls the Local Network Access check stopped, as webRequest shows them', () => {
  it('stores every call, allowed or stopped, element loads included, with the name DevTools gives its failure', () => {
    for (const f of fixtures) {
      const rows = rowsOf(f);
      const names = corsErrors(f);
      expect(rows, f.scenario).toHaveLength(f.page.length);
      rows.forEach((r, k) => {
        const where = `${f.scenario} #${k}`;
        if (f.page[k]!.ok) expect(r.verdict, where).toBe('allowed');
        // fetch()'s targetAddressSpace refused shows only net::ERR_FAILED with no response: not enough to name it.
        else if (names[k] === 'InvalidLocalNetworkAccess')
          expect([r.verdict, r.reason], where).toEqual(['network-error', 'NoResponse']);
        else expect([r.verdict, r.chromium], where).toEqual(['blocked', names[k]]);
      });
    }
  });

  it("prints Chromium's own line where the server's space shows in its address, and none where it does not", () => {
    for (const f of fixtures) {
      const lines = chromiumLines(f);
      for (const r of rowsOf(f)) {
        if (r.verdict !== 'blocked') continue;
        if (r.url.startsWith('https://printer.test')) {
          expect(r.console, f.scenario).toBeNull();
          expect(r.summary).toContain('`local` or `loopback`; which one, the recording does not say');
        } else expect(lines, f.scenario).toContain(r.console);
      }
    }
  });

  it('names where the check stopped the call: the request, the preflight, the redirect hop', () => {
    expect(rowsOf(named('lna-permission-loopback'))[0]).toMatchObject({
      stage: 'request',
      preflight: 'none',
    });
    expect(rowsOf(named('lna-preflight'))[0]).toMatchObject({ stage: 'preflight', preflight: 'sent' });
    expect(rowsOf(named('lna-redirect'))[0]).toMatchObject({ stage: 'redirect' });
    expect(rowsOf(named('lna-redirect'))[0]!.console).toMatch(
      /\(redirected from 'https:\/\/api\.test:\d+\/lna\/redirect'\)/,
    );
    expect(rowsOf(named('lna-element'))[0]!.console).toMatch(/^Access to image at /);
  });

  it('takes the page for public and tells the insecure-context failure by its origin', () => {
    const [r] = rowsOf(named('lna-insecure'));
    expect(r!.chromium).toBe('InsecureLocalNetwork');
    expect(r!.localNetwork).toMatchObject({
      initiator: 'public',
      resource: 'loopback',
      secureContext: false,
    });
    expect(r!.localNetwork!.basis).toBe(
      "the browser's error net::ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS",
    );
  });

  it('shows the calls the permission let through like any other, the CORS failure among them', () => {
    expect(rowsOf(named('lna-after-grant')).map((r) => [r.verdict, r.chromium])).toEqual([
      ['allowed', null],
      ['blocked', 'MissingAllowOriginHeader'],
      ['allowed', null],
    ]);
  });
});

describe("calls Firefox's check refused, as its webRequest shows them", () => {
  const firefoxFixtures = readFixtures<RecordedFixture & { console: { level: string; text: string }[] }>(
    new URL('../../fixtures/webrequest-firefox-lna/', import.meta.url),
  );
  const firefoxRows = (name: string) =>
    replay(firefoxFixtures.find((f) => f.scenario === name)!.events, {
      self: 'moz-extension://self',
      engine: 'firefox',
      preflightEnds: true,
    }).rows;

  it('stores the refused call as a network error that names the check, with the line Firefox printed', () => {
    const f = firefoxFixtures.find((x) => x.scenario === 'lna-ff-simple')!;
    const [row] = firefoxRows('lna-ff-simple');
    expect(row!.evaluation).toMatchObject({
      verdict: 'network-error',
      reason: { key: 'LocalNetworkAccessRefused', seen: 'loopback', required: 'loopback-network' },
      error: { firefox: 'CORSDidNotSucceed', stage: 'request' },
    });
    expect(f.console.map((c) => c.text)).toEqual([row!.evaluation.error!.console]);
  });

  it('keeps only the refused preflight on the wire: its request never left', () => {
    const [row] = firefoxRows('lna-ff-preflight');
    expect(row!.exchange.wire.map((w) => [w.type, w.response])).toEqual([['preflight', null]]);
    expect(row!.exchange.netError).toBe('NS_ERROR_LOCAL_NETWORK_ACCESS_DENIED');
    expect(row!.evaluation).toMatchObject({
      preflight: 'sent',
      error: { stage: 'preflight', firefox: 'CORSDidNotSucceed' },
    });
  });

  it("stores an element's load the check refused, where Firefox prints nothing", () => {
    const [row] = firefoxRows('lna-ff-image');
    expect(row!.evaluation).toMatchObject({
      verdict: 'network-error',
      error: { firefox: null, console: null },
    });
    expect(row!.evaluation.reason?.key).toBe('LocalNetworkAccessRefused');
  });

  it('lets the calls the permission allowed through', () => {
    expect(firefoxRows('lna-ff-granted').map((r) => r.evaluation.verdict)).toEqual(['allowed', 'allowed']);
  });
});

describe('the stop written on the exchange', () => {
  const base = (wire: CapturedExchange['wire'], netError: string | null): CapturedExchange =>
    ({
      id: 'x',
      initiator: 'https://app.example',
      request: { method: 'PUT', url: 'http://127.0.0.1:9/x' },
      wire,
      time: 0,
      capture: { netError },
    }) as unknown as CapturedExchange;
  const preflight = {
    type: 'preflight' as const,
    request: { method: 'OPTIONS', url: 'http://127.0.0.1:9/x', headers: [] },
    response: null,
  };
  const request = {
    type: 'request' as const,
    request: { method: 'PUT', url: 'http://127.0.0.1:9/x', headers: [] },
    response: null,
  };

  it("drops Firefox's request that never left behind its stopped preflight", () => {
    const ex = withLocalNetworkStop(base([preflight, request], 'NS_ERROR_LOCAL_NETWORK_ACCESS_DENIED'));
    expect(ex.wire).toEqual([preflight]);
    expect(ex.netError).toBe('NS_ERROR_LOCAL_NETWORK_ACCESS_DENIED');
  });

  it("names Chromium's stopped preflight as DevTools does, not by the request's net::ERR_FAILED", () => {
    const ex = withLocalNetworkStop(base([preflight], 'net::ERR_FAILED'));
    expect(ex.wire).toEqual([preflight]);
    expect(ex.netError).toBe('net::ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS');
    expect(ex.capture.netError).toBe('net::ERR_FAILED');
  });

  it('does not take a refused connection, or a preflight that was answered, for the check', () => {
    expect(stoppedByLocalNetworkAccess('net::ERR_CONNECTION_REFUSED', [preflight])).toBe(false);
    const answered = { ...preflight, response: { status: 204, headers: [] } };
    expect(stoppedByLocalNetworkAccess('net::ERR_FAILED', [answered])).toBe(false);
    expect(stoppedByLocalNetworkAccess('net::ERR_FAILED', [request])).toBe(false);
    // Rebuilt after a restart: the preflight's answer may have died with the worker.
    expect(stoppedByLocalNetworkAccess('net::ERR_FAILED', [preflight], true)).toBe(false);
    expect(stoppedByLocalNetworkAccess('net::ERR_FAILED', [preflight])).toBe(true);
    const unchanged = base([request], 'net::ERR_CONNECTION_REFUSED');
    expect(withLocalNetworkStop(unchanged)).toBe(unchanged);
  });
});
