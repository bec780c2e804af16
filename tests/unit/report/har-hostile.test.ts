// Hostile HARs and JSON Lines: every malformed part is reported and skipped like any other bad entry, and
// the calls around it are still judged.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { plainReason } from '../../../src/cors/catalog';
import { toHar } from '../../../src/report/har';
import type { HarCorsVerdict, HarEntry } from '../../../src/report/har-types';
import { run } from '../cli/run';
import { importAndEvaluate, sampleRows } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'corscope-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const rows = sampleRows();
/** 200 entries: the samples' export, repeated with fresh call ids. */
function entries200(): HarEntry[] {
  const base = toHar(rows).log.entries;
  const out: HarEntry[] = [];
  for (let round = 0; out.length < 200; round++) {
    for (const e of base) {
      if (out.length === 200) break;
      out.push({ ...e, _cors: { ...e._cors!, pair: `${e._cors!.pair}-${round}` } });
    }
  }
  return out;
}
const harText = (entries: unknown[]) =>
  JSON.stringify({ log: { version: '1.2', creator: { name: 'CORScope', version: '0' }, entries } });

/** Entry 100 of 200 replaced by `mutate(entry)`. */
function withEntry100(mutate: (e: HarEntry) => unknown): string {
  const entries: unknown[] = entries200();
  entries[100] = mutate(entries[100] as HarEntry);
  return harText(entries);
}

describe('a malformed _cors entry is reported and skipped, and the calls after it are judged', () => {
  const bad: [string, (e: HarEntry) => unknown, string][] = [
    [
      'a verdict with an empty call',
      (e) => ({ ...e, _cors: { pair: 'p1', call: {} } }),
      '_cors.hop: required',
    ],
    [
      'a call without its request',
      (e) => ({ ...e, _cors: { ...(e._cors as object), call: { initiator: 'http://a.test' } } }),
      '_cors',
    ],
    ['a hop that is not a number', (e) => ({ ...e, _cors: { ...e._cors!, hop: 'x' } }), '_cors.hop'],
    ['an unknown role', (e) => ({ ...e, _cors: { ...e._cors!, role: 'constructor' } }), '_cors.role'],
    ['_cors that is a string', (e) => ({ ...e, _cors: 'p1' }), '_cors: must be an object'],
    [
      'a call whose initiator is not an origin',
      (e) => ({
        ...e,
        _cors: {
          ...e._cors!,
          call: { ...(e._cors as HarCorsVerdict).call, initiator: 'https://a.example, https://evil.example' },
        },
      }),
      '_cors.call.initiator: must be the serialized origin of the page (scheme://host[:port]), or "null"',
    ],
  ];
  it.each(bad)('%s', async (_name, mutate, message) => {
    const text = withEntry100(mutate);
    const { calls, imp } = await importAndEvaluate(text);
    const skipped = imp.issues.filter((i) => i.entry === 100 && i.level === 'error');
    expect(skipped.length).toBeGreaterThanOrEqual(1);
    expect(skipped[0]!.message).toContain(message);
    expect(skipped[0]!.message).toMatch(/; entry skipped$/);
    // Every entry but the bad one made it into a call.
    expect(calls.flatMap((c) => c.call.entries).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 200 }, (_, i) => i).filter((i) => i !== 100),
    );
  });

  it('corscope har: no stack trace, the table is printed, and a later blocked call exits 2', async () => {
    const path = file(
      'bad-cors.har',
      withEntry100((e) => ({ ...e, _cors: { pair: 'p1', call: {} } })),
    );
    const { code, out, err } = await run(['har', path]);
    expect(err).not.toMatch(/TypeError|at .*\.ts:\d+/);
    expect(err).toContain('entry 100: _cors.hop: required; entry skipped');
    expect(out).toMatch(
      /^199 HAR entries, 141 calls: 137 CORS calls \(69 blocked\), 2 not governed by CORS, 2 same-origin, 0 cannot tell\n\nID\s+METHOD\s+URL\s+VERDICT\s+REASON\n/,
    );
    expect(out).toContain(' blocked ');
    expect(code).toBe(2);
  });
});

describe('what cannot cross the wire is rejected at import', () => {
  const cases: [string, (e: HarEntry) => unknown, string][] = [
    [
      'a method that is not a token (Markdown in it)',
      (e) => ({ ...e, request: { ...e.request, method: '# Heading\n![x](http://evil.test/x.png)' } }),
      'request.method: must be an HTTP method',
    ],
    ['a status of -5', (e) => ({ ...e, response: { ...e.response, status: -5 } }), 'response.status'],
    ['a status of 1e20', (e) => ({ ...e, response: { ...e.response, status: 1e20 } }), 'response.status'],
    ['a status of 600', (e) => ({ ...e, response: { ...e.response, status: 600 } }), 'response.status'],
    [
      'a request header name with CR LF',
      (e) => ({
        ...e,
        request: { ...e.request, headers: [...e.request.headers, { name: 'X-A\r\nX-B', value: '1' }] },
      }),
      'request.headers: "X-A\\r\\nX-B": a header name must be a token',
    ],
    [
      'a response header name with a space',
      (e) => ({
        ...e,
        response: { ...e.response, headers: [...e.response.headers, { name: 'Access Control', value: '*' }] },
      }),
      'response.headers',
    ],
  ];
  it.each(cases)('%s', async (_name, mutate, message) => {
    const { calls, imp } = await importAndEvaluate(withEntry100(mutate));
    const skipped = imp.issues.filter((i) => i.entry === 100 && i.level === 'error');
    expect(skipped[0]?.message).toContain(message);
    expect(calls.some((c) => c.call.entries.includes(100))).toBe(false);
  });

  it('keeps statuses 0 and -1 as "no response"', async () => {
    for (const status of [0, -1]) {
      const text = harText([
        {
          startedDateTime: '2025-01-01T00:00:00.000Z',
          request: {
            method: 'GET',
            url: 'http://api.test/x',
            headers: [{ name: 'Origin', value: 'http://a.test' }],
          },
          response: { status, headers: [] },
        },
      ]);
      const { calls, imp } = await importAndEvaluate(text);
      expect(imp.issues.filter((i) => i.level === 'error')).toEqual([]);
      expect(calls[0]!.call.exchange.wire[0]!.response).toBeNull();
    }
  });

  it('_resourceType "constructor" is not read off the prototype', async () => {
    const text = harText([
      {
        startedDateTime: '2025-01-01T00:00:00.000Z',
        _resourceType: 'constructor',
        request: {
          method: 'GET',
          url: 'http://api.test/x',
          headers: [{ name: 'Origin', value: 'http://a.test' }],
        },
        response: { status: 200, headers: [{ name: 'Access-Control-Allow-Origin', value: 'http://a.test' }] },
      },
    ]);
    const { calls } = await importAndEvaluate(text);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.call.exchange.api).toBeUndefined();
    expect(calls[0]!.verdict.verdict).toBe('allowed');
  });
});

describe('corscope evaluate: the same wire rules, and a UTF-8 BOM', () => {
  const good = readFileSync(join(process.cwd(), 'tests/fixtures/exchange/samples.jsonl'), 'utf8').split(
    '\n',
  )[0]!;
  const withWire = (f: (x: Record<string, unknown>) => void) => {
    const x = JSON.parse(good) as Record<string, unknown>;
    f(x);
    return JSON.stringify(x);
  };
  type Wire = { request: { method: string; headers: [string, string][] }; response: { status: number } }[];

  it('accepts a BOM before the first line, as har does', async () => {
    const { code, out, err } = await run(['evaluate', '-'], `\ufeff${good}\n`);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(out).id).toBe(JSON.parse(good).id);
  });

  it.each([
    [
      'a status of -5',
      (x: Record<string, unknown>) => ((x.wire as Wire)[0]!.response.status = -5),
      'wire[0].response.status',
    ],
    [
      'a status of 1e20',
      (x: Record<string, unknown>) => ((x.wire as Wire)[0]!.response.status = 1e20),
      'wire[0].response.status',
    ],
    [
      'a method that is not a token',
      (x: Record<string, unknown>) => ((x.request as { method: string }).method = 'GET /x\n# h'),
      'request.method',
    ],
    [
      'a header name with CR LF',
      (x: Record<string, unknown>) => (x.wire as Wire)[0]!.request.headers.push(['X-A\r\nX-B', '1']),
      'wire[0].request.headers[',
    ],
  ])('rejects %s', async (_name, mutate, field) => {
    const { code, err } = await run(['evaluate', '-'], `${withWire(mutate)}\n${good}\n`);
    expect(code).toBe(1);
    expect(err).toContain(`line 1: ${field}`);
  });
});

describe('FILE that is a directory', () => {
  it.each([['har'], ['evaluate']])('corscope %s DIR says "is a directory" and exits 66', async (command) => {
    const { code, err } = await run([command, dir]);
    expect(err).toBe(`corscope ${command}: cannot read ${dir}: is a directory\n`);
    expect(code).toBe(66);
  });
});

describe('names from a recording are looked up with Object.hasOwn, never off the prototype', () => {
  it('plainReason and the HAR export take "constructor" as an unknown name', () => {
    expect(plainReason('constructor', null)).toBe('constructor');
    expect(plainReason('PreflighttoString', null)).toBe('preflight: to string');
    const row = rows[0]!;
    const api = 'constructor' as unknown as 'fetch';
    const har = toHar([{ ...row, exchange: { ...row.exchange, api } }]);
    expect(har.log.entries.map((e) => e._resourceType)).toEqual(
      har.log.entries.map((e) => (e._resourceType === 'preflight' ? 'preflight' : 'other')),
    );
    expect(har.log.entries.every((e) => typeof e._resourceType === 'string')).toBe(true);
  });
});
