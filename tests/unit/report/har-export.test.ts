import { describe, expect, it } from 'vitest';
import { CORS_NET_ERROR, SANITIZED_COMMENT, toHar } from '../../../src/report/har';
import { type HarCorsVerdict, type HarEntry, isCorsVerdict } from '../../../src/report/har-types';
import type { StoredExchange } from '../../../src/store/row';
import { validateHar } from '../../har-schema';
import { sampleExchanges, sampleRows, storedRows } from './helpers';

const rows = sampleRows();
const har = toHar(rows);
const entries = har.log.entries;
const byPair = (id: string) => entries.filter((e) => e._cors?.pair === id);
const header = (e: HarEntry, side: 'request' | 'response', name: string) =>
  e[side].headers.find((h) => h.name.toLowerCase() === name)?.value;

describe('toHar: HAR 1.2 export of stored calls', () => {
  it('is valid against the HAR 1.2 schema', () => {
    expect(validateHar(har)).toEqual([]);
    expect(har.log.version).toBe('1.2');
    expect(har.log.creator.name).toBe('CORScope');
  });

  it('writes one entry per request on the wire, in capture order, plus one for each request never sent', () => {
    const unsent = rows.filter((r) => {
      const w = r.exchange.wire;
      return w.length === 0 || w[w.length - 1]!.type === 'preflight';
    }).length;
    const wire = rows.reduce((n, r) => n + r.exchange.wire.length, 0);
    expect(entries).toHaveLength(wire + unsent);
    const order = [...new Set(entries.map((e) => e._cors!.pair))];
    expect(order).toEqual(rows.map((r) => r.exchange.id));
    for (const r of rows) {
      const mine = byPair(r.exchange.id);
      expect(mine.map((e) => e._cors!.hop)).toEqual(mine.map((_, i) => i));
    }
  });

  it('writes preflights as DevTools does: _resourceType "preflight" and a preflight _initiator', () => {
    const s025 = byPair('s025');
    expect(s025.map((e) => [e.request.method, e._resourceType])).toEqual([
      ['OPTIONS', 'preflight'],
      ['PUT', 'fetch'],
    ]);
    expect(s025[0]!._initiator).toEqual({
      type: 'preflight',
      url: 'http://127.0.0.1:8102/p/s025',
      requestId: 's025',
    });
    expect(s025[0]!._cors).toMatchObject({ pair: 's025', hop: 0, role: 'preflight', verdict: 'allowed' });
    expect(byPair('s059')[0]!._resourceType).toBe('xhr');
    const preflights = entries.filter((e) => e.request.method === 'OPTIONS');
    expect(preflights.length).toBeGreaterThan(15);
    for (const e of preflights) expect(e._initiator?.type).toBe('preflight');
  });

  it('writes a call blocked by its preflight as the preflight plus a status-0 entry with net::ERR_FAILED', () => {
    const s026 = byPair('s026');
    expect(s026).toHaveLength(2);
    const [pf, req] = s026 as [HarEntry, HarEntry];
    expect(pf.response.status).toBe(204);
    expect(req.request).toMatchObject({ method: 'PUT', url: 'http://127.0.0.1:8102/p/s026' });
    expect(req.request.headers).toEqual([
      { name: 'X-Custom', value: 'v1' },
      { name: 'Content-Type', value: 'text/plain;charset=UTF-8' },
    ]);
    expect(req.response).toMatchObject({ status: 0, headers: [], _error: CORS_NET_ERROR });
    expect(req._error).toBe(CORS_NET_ERROR);
    expect(req._cors).toMatchObject({ role: 'unsent', hop: 1, verdict: 'blocked', preflight: 'sent' });
  });

  it('keeps a blocked response that arrived with its status and headers, marked with the network error', () => {
    const [e] = byPair('s003') as [HarEntry];
    expect(e.response.status).toBe(200);
    expect(e.response._error).toBe(CORS_NET_ERROR);
    expect(header(e, 'response', 'content-type')).toBe('text/plain');
    const [ok] = byPair('s001') as [HarEntry];
    expect(ok.response._error).toBeNull();
    expect(ok._error).toBeUndefined();
  });

  it('writes a refused connection and a request never sent by its mode as status 0', () => {
    expect(byPair('s058')).toHaveLength(1);
    expect(byPair('s058')[0]!.response).toMatchObject({ status: 0, _error: CORS_NET_ERROR });
    expect(byPair('s057')).toHaveLength(1);
    expect(byPair('s057')[0]!._cors).toMatchObject({ role: 'unsent', hop: 0, verdict: 'network-error' });
  });

  it('writes redirect hops in order, with redirectURL', () => {
    const s054 = byPair('s054');
    const api = 'http://127.0.0.1:8102/p/s054';
    const api2 = 'http://localhost:8102/p/s054/b';
    expect(s054.map((e) => [e.request.method, e.request.url, e.response.status])).toEqual([
      ['OPTIONS', api, 204],
      ['PUT', api, 307],
      ['OPTIONS', api2, 204],
      ['PUT', api2, 200],
    ]);
    expect(s054[1]!.response.redirectURL).toBe(api2);
  });

  it('puts the whole verdict on the last entry of each call, a pointer on the others', () => {
    for (const r of rows) {
      const mine = byPair(r.exchange.id);
      const last = mine[mine.length - 1]!._cors!;
      expect(isCorsVerdict(last)).toBe(true);
      const v = last as HarCorsVerdict;
      expect([v.verdict, v.preflight, v.error, v.checks, v.fixes, v.warnings]).toEqual([
        r.evaluation.verdict,
        r.evaluation.preflight,
        r.evaluation.error,
        r.evaluation.checks,
        r.evaluation.fixes,
        r.evaluation.warnings,
      ]);
      for (const e of mine.slice(0, -1)) expect(isCorsVerdict(e._cors!)).toBe(false);
    }
    const s026 = byPair('s026')[1]!._cors as HarCorsVerdict;
    expect(s026.error).toMatchObject({
      chromium: 'PreflightMissingAllowOriginHeader',
      firefox: 'CORSMissingAllowOrigin',
      console: expect.stringContaining('blocked by CORS policy'),
    });
    expect(s026.call).toMatchObject({ initiator: 'http://127.0.0.1:8101', api: 'fetch', outcome: 'error' });
  });

  it('is sanitized: only the redacted marker stands for a cookie or credential, and log.comment says so', () => {
    const x = sampleExchanges()[20]!; // s021: credentials included
    const leaky = storedRows([
      {
        ...x,
        wire: x.wire.map((w) => ({
          ...w,
          request: {
            ...w.request,
            headers: [
              ...(w.request.headers ?? []),
              ['Cookie', '[redacted: 12 bytes]'],
              ['Authorization', 'Bearer s3cret'],
            ],
          },
          response: w.response && {
            ...w.response,
            headers: [...w.response.headers, ['Set-Cookie', 'session=abc123; Path=/']],
          },
        })),
      },
    ]);
    const out = toHar(leaky);
    const text = JSON.stringify(out);
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain('abc123');
    const e = out.log.entries[0]!;
    expect(header(e, 'request', 'cookie')).toBe('[redacted: 12 bytes]');
    expect(header(e, 'request', 'authorization')).toBe('[redacted: 13 bytes]');
    expect(header(e, 'response', 'set-cookie')).toMatch(/^\[redacted: \d+ bytes\]$/);
    for (const entry of [...out.log.entries, ...entries]) {
      expect(entry.request.cookies).toEqual([]);
      expect(entry.response.cookies).toEqual([]);
    }
    expect(out.log.comment).toBe(SANITIZED_COMMENT);
    expect(out.log.comment).toMatch(
      /values of Cookie, Set-Cookie, Authorization, Proxy-Authorization and of the token headers .* replaced at capture, and again at export/,
    );
  });

  it('writes one page per tab, and every tab together', () => {
    const two = [...sampleRows(1).slice(0, 3), ...sampleRows(7).slice(3, 6)].map(
      (r, i): StoredExchange => ({ ...r, seq: i + 1 }),
    );
    const out = toHar(two, { creator: { name: 'CORScope', version: '9.9.9' }, title: 'checkout page' });
    expect(validateHar(out)).toEqual([]);
    expect(out.log.pages!.map((p) => [p.id, p.title])).toEqual([
      ['tab-1', 'checkout page'],
      ['tab-7', 'checkout page'],
    ]);
    expect(out.log.entries.map((e) => e.pageref)).toEqual([
      'tab-1',
      'tab-1',
      'tab-1',
      'tab-7',
      'tab-7',
      'tab-7',
    ]);
    expect(out.log.creator.version).toBe('9.9.9');
    const oneTab = toHar(two.filter((r) => r.tabId === 7));
    expect(oneTab.log.pages).toHaveLength(1);
    expect(validateHar(oneTab)).toEqual([]);
    expect(validateHar(toHar([]))).toEqual([]);
  });

  it('the schema oracle finds what breaks the schema', () => {
    const broken = structuredClone(har) as unknown as { log: { entries: Record<string, unknown>[] } };
    const e = broken.log.entries[0] as {
      request: Record<string, unknown>;
      response: Record<string, unknown>;
      timings: Record<string, unknown>;
    };
    delete e.request.httpVersion;
    e.response.status = '200';
    e.timings.wait = -5;
    (broken.log.entries[1] as Record<string, unknown>).startedDateTime = 'yesterday';
    expect(validateHar(broken)).toEqual(
      expect.arrayContaining([
        { path: '/log/entries/0/request', message: "must have required property 'httpVersion'" },
        { path: '/log/entries/0/response/status', message: 'must be integer' },
        { path: '/log/entries/0/timings/wait', message: 'must be >= -1' },
        { path: '/log/entries/1/startedDateTime', message: 'must match format "date-time"' },
      ]),
    );
    expect(validateHar({ log: { version: '1.2', creator: { name: 'x', version: '1' } } })).toEqual([
      { path: '/log', message: "must have required property 'entries'" },
    ]);
  });
});
