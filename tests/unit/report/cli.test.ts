import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toHar } from '../../../src/report/har';
import { readJsonl } from '../../factories';
import { validateHar } from '../../har-schema';
import { run } from '../cli/run';
import { FIXTURES, harEntry, harOf, sampleRows } from './helpers';

const root = new URL('../../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'corscope-cli-har-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rows = sampleRows();
/** Every HAR these tests write is an export, checked against the HAR 1.2 schema first. */
const exportHar = (selected: typeof rows) => {
  const har = toHar(selected);
  expect(validateHar(har)).toEqual([]);
  return har;
};
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const samplesHar = file('samples.har', JSON.stringify(exportHar(rows), null, 2));
const allowedOnly = file(
  'allowed.har',
  JSON.stringify(exportHar(rows.filter((r) => r.evaluation.verdict === 'allowed'))),
);
const quiet = file(
  'quiet.har',
  JSON.stringify(
    exportHar(rows.filter((r) => r.evaluation.verdict === 'allowed' && r.evaluation.warnings.length === 0)),
  ),
);

describe('corscope har', () => {
  it('prints the table and exits 2 when a call is blocked', async () => {
    const { code, out, err } = await run(['har', samplesHar]);
    expect(code).toBe(2);
    expect(err).toBe('');
    const lines = out.split('\n');
    // The counts by class open it; the no-cors and same-origin samples are counted, not listed.
    expect(lines[0]).toBe(
      '95 HAR entries, 66 calls: 64 CORS calls (31 blocked), 1 not governed by CORS, 1 same-origin, 0 cannot tell',
    );
    expect(lines[2]).toMatch(/^ID\s+METHOD\s+URL\s+VERDICT\s+REASON$/);
    expect(lines.find((l) => l.startsWith('s026'))).toMatch(
      /^s026\s+PUT\s+http:\/\/127\.0\.0\.1:8102\/p\/s026\s+blocked\s+the preflight \(OPTIONS\) response/,
    );
    // CORScope's export records the browser's outcome.
    expect(lines.find((l) => l.startsWith('s026'))).toContain(
      '[the recording shows the browser failed the call]',
    );
    expect(lines.filter((l) => /^s05[56]\s/.test(l))).toEqual([]);
    expect(out).toContain('\n2 calls not judged are not listed (--all lists them).\n');
  });

  it('--all lists every call, the ones not judged with their class and reason', async () => {
    const { out } = await run(['har', samplesHar, '--all']);
    expect(out.split('\n').find((l) => l.startsWith('s055'))).toMatch(
      /^s055\s+GET\s+\S+\s+not governed by CORS\s+Loaded in mode "no-cors"/,
    );
    expect(out.split('\n').find((l) => l.startsWith('s056'))).toMatch(/^s056\s+GET\s+\S+\s+same-origin\s+/);
    expect(out).not.toContain('not listed');
  });

  it('exits 0 when nothing is blocked; --fail-on warning fails on a risky policy too', async () => {
    expect((await run(['har', allowedOnly])).code).toBe(0);
    expect((await run(['har', allowedOnly, '--fail-on', 'warning'])).code).toBe(2);
    expect((await run(['har', quiet, '--fail-on=warning'])).code).toBe(0);
    expect((await run(['har', quiet, '--fail-on', 'blocked'])).code).toBe(0);
  });

  it("a proxy's request with no answer from the server is cannot tell and exits 0, from an https or an http page", async () => {
    for (const page of ['https://app.example', 'http://app.example']) {
      const har = harOf('mitmproxy', [
        harEntry(
          'http://api.example/data',
          [
            ['Origin', page],
            ['Sec-Fetch-Mode', 'cors'],
          ],
          0,
          [],
        ),
      ]);
      const { code, out, err } = await run(['har', file('proxy.har', har), '--all']);
      expect([code, err]).toEqual([0, '']);
      const lines = out.split('\n');
      expect(lines[0]).toBe(
        '1 HAR entry, 1 call: 0 CORS calls (0 blocked), 0 not governed by CORS, 0 same-origin, 1 cannot tell',
      );
      expect(lines[3]).toMatch(
        /^e0\s+GET\s+http:\/\/api\.example\/data\s+cannot tell\s+The proxy recorded no answer from the server \(its own connection failed\); what the browser received from the proxy is not in the file\.$/,
      );
      // Without --all: no CORS call, so no table; the one call not judged is counted, in the singular.
      const plain = await run(['har', file('proxy.har', har)]);
      expect(plain.out).toBe(
        '1 HAR entry, 1 call: 0 CORS calls (0 blocked), 0 not governed by CORS, 0 same-origin, 1 cannot tell\n\n' +
          '1 call not judged is not listed (--all lists them).\n',
      );
    }
  });

  it('--format jsonl: one verdict per call with its method, URL and HAR entries', async () => {
    const { code, out } = await run(['har', '--format', 'jsonl', samplesHar]);
    expect(code).toBe(2);
    const got = readJsonl<{
      id: string;
      class: string;
      verdict?: string;
      preflight?: string;
      method: string;
      url: string;
      entries: number[];
    }>(out);
    // Every call, in order, with its class; the CORS calls with their verdict.
    expect(got.map((v) => [v.id, v.class, v.verdict, v.preflight])).toEqual(
      rows.map((r) =>
        r.evaluation.verdict === 'opaque'
          ? [r.exchange.id, 'not-governed', undefined, undefined]
          : r.evaluation.verdict === 'same-origin'
            ? [r.exchange.id, 'same-origin', undefined, undefined]
            : [r.exchange.id, 'cors', r.evaluation.verdict, r.evaluation.preflight],
      ),
    );
    expect(got.find((v) => v.id === 's055')).toMatchObject({ class: 'not-governed', reason: 'no-cors' });
    expect(got.find((v) => v.id === 's025')).toMatchObject({
      method: 'PUT',
      url: 'http://127.0.0.1:8102/p/s025',
    });
    expect(got.find((v) => v.id === 's054')?.entries).toHaveLength(4);
  });

  it('--format json: one document with the calls, the entry count and the errors', async () => {
    const { out } = await run(['har', samplesHar, '-f', 'json']);
    const doc = JSON.parse(out) as {
      calls: { id: string; class: string }[];
      entries: number;
      counts: unknown;
      errors: unknown[];
    };
    expect(doc.calls).toHaveLength(66);
    expect(doc.entries).toBe(95);
    expect(doc.counts).toEqual({
      entries: 95,
      calls: 66,
      blocked: 31,
      cors: { calls: 64, entries: 93 },
      'not-governed': { calls: 1, entries: 1 },
      'same-origin': { calls: 1, entries: 1 },
      'cannot-tell': { calls: 0, entries: 0 },
    });
    expect(doc.errors).toEqual([]);
  });

  it('--format markdown: the report', async () => {
    const { code, out } = await run(['har', samplesHar, '--format', 'markdown']);
    expect(code).toBe(2);
    expect(out).toMatch(
      /^# CORScope report: .*samples\.har\n\n95 HAR entries, 66 calls: 64 CORS calls \(31 blocked\), 1 not governed by CORS, 1 same-origin, 0 cannot tell\.\n/,
    );
    expect(out).toContain('| not governed by CORS | 1 | 1 |');
    expect(out).toContain('\n64 calls: ');
    expect(out).toContain('## Blocked calls');
    expect(out).toContain("```text\nAccess to fetch at 'http://127.0.0.1:8102/p/s003'");
  });

  it('reads a Chrome DevTools HAR', async () => {
    const { code, out } = await run(['har', join(FIXTURES, 'devtools-cors.har'), '--format', 'jsonl']);
    expect(code).toBe(2);
    expect(readJsonl<{ class: string; verdict?: string }>(out).map((v) => v.verdict ?? v.class)).toEqual([
      'not-governed',
      'allowed',
      'allowed',
      'blocked',
      'blocked',
      'blocked',
      'allowed',
      'blocked',
      'allowed',
      'allowed',
      'not-governed',
      'blocked',
    ]);
  });

  it('prints input errors to stderr with the entry index, the calls it read to stdout, and exits 1', async () => {
    const har = exportHar(rows.filter((r) => r.evaluation.verdict === 'allowed'));
    (har.log.entries[2]!.request as unknown as Record<string, unknown>).url = undefined;
    const text = JSON.stringify(har);
    const broken = file('broken.har', text.slice(0, Math.floor(text.length * 0.6)));
    const { code, out, err } = await run(['har', broken, '--format', 'jsonl']);
    expect(code).toBe(1);
    expect(err).toContain('corscope har: entry 2: request.url: required: a string; entry skipped');
    expect(err).toMatch(
      /corscope har: entry \d+: truncated: the file ends inside log\.entries\[\d+\] at character \d+; \d+ entries were read before the cut/,
    );
    expect(err).toMatch(/corscope har: \d+ input errors; \d+ HAR entries, \d+ calls: /);
    expect(readJsonl(out).length).toBeGreaterThan(5);
  });

  it('a blocked call outweighs input errors: exit 2', async () => {
    const text = JSON.stringify(exportHar(rows));
    const { code, err } = await run(['har', file('cut.har', text.slice(0, text.length - 100))]);
    expect(code).toBe(2);
    expect(err).toContain('truncated');
  });

  it.each([
    ['not JSON', 'hello', /: not JSON: /],
    ['not HAR', '{"entries": []}', /: not a HAR file: no "log" object/],
  ])('%s: a clear error, no stack trace, exit 1', async (_, text, message) => {
    const { code, out, err } = await run(['har', file('bad.har', text)]);
    expect(code).toBe(1);
    expect(err).toMatch(message);
    expect(err).not.toMatch(/\n\s+at /);
    expect(out).toContain('0 HAR entries, 0 calls: 0 CORS calls (0 blocked)');
  });

  it('reads standard input with "-"', async () => {
    const { code, out } = await run(
      ['har', '-', '--format', 'jsonl'],
      JSON.stringify(exportHar(rows.slice(0, 2))),
    );
    expect(code).toBe(0);
    expect(readJsonl(out)).toHaveLength(2);
  });

  it('rejects bad usage with 64 and a missing file with 66', async () => {
    expect((await run(['har'])).code).toBe(64);
    expect((await run(['har', 'a.har', 'b.har'])).code).toBe(64);
    expect((await run(['har', samplesHar, '--format', 'xml'])).err).toContain('unknown format "xml"');
    expect((await run(['har', samplesHar, '--fail-on', 'error'])).code).toBe(64);
    expect((await run(['har', samplesHar, '--colour'])).code).toBe(64);
    const missing = await run(['har', '/nonexistent/x.har']);
    expect(missing.code).toBe(66);
    expect(missing.err).toContain('cannot read /nonexistent/x.har');
    expect((await run(['--help'])).out).toContain('corscope har FILE|- [--format table|json|jsonl|markdown]');
  });

  it('the installed bin runs it, with the exit status CI reads', () => {
    const r = spawnSync('node', ['bin/corscope.js', 'har', samplesHar, '--format', 'jsonl'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(readJsonl(r.stdout)).toHaveLength(66);
  });
});
