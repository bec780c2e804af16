import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readJsonl } from '../../factories';
import { run } from './run';

const root = new URL('../../../', import.meta.url).pathname;
const samplesPath = new URL('tests/fixtures/exchange/samples.jsonl', `file://${root}`).pathname;

describe('corscope evaluate', () => {
  it('the installed bin agrees with expected.jsonl on every sample (npx corscope)', () => {
    const out = execFileSync('npx', ['--no-install', 'corscope', 'evaluate', samplesPath], {
      cwd: root,
      encoding: 'utf8',
    });
    const got = readJsonl<{
      id: string;
      verdict: string;
      preflight: string;
      error: { console: string | null } | null;
    }>(out);
    const exp = readJsonl<{ id: string; verdict: string; preflight: string; console: string | null }>(
      readFileSync(samplesPath.replace('samples', 'expected'), 'utf8'),
    );
    expect(got.map((g) => g.id)).toEqual(exp.map((e) => e.id));
    for (const [i, e] of exp.entries()) {
      expect([got[i]!.id, got[i]!.verdict, got[i]!.preflight]).toEqual([e.id, e.verdict, e.preflight]);
      if (e.verdict === 'blocked') expect(got[i]!.error?.console).toBe(e.console);
    }
    // npx, and the build of dist/corscope.js when a source is newer, take seconds on a loaded 2-core machine.
  });

  it('names the line and the field of bad input, evaluates the rest, and exits 1', async () => {
    const good = readFileSync(samplesPath, 'utf8').split('\n')[0]!;
    const input = [
      good,
      'not json',
      '{"id":"z","initiator":"http://a","request":{"method":"GET"},"wire":[]}',
      '',
      good,
    ].join('\n');
    const { code, out, err } = await run(['evaluate', '-'], input);
    expect(code).toBe(1);
    const rows = readJsonl<Record<string, unknown>>(out);
    expect(rows).toHaveLength(4);
    expect(rows[0]).toMatchObject({ id: 's001', verdict: 'allowed' });
    expect(rows[1]).toMatchObject({ line: 2, field: '(line)' });
    expect(rows[2]).toMatchObject({ line: 3, id: 'z', field: 'request.url' });
    expect(rows[3]).toMatchObject({ id: 's001', verdict: 'allowed' });
    expect(err).toContain('line 2');
    expect(err).toContain('line 3: request.url');
  });

  it('exits 0 when every line was evaluated', async () => {
    const { code } = await run(['evaluate', '-'], readFileSync(samplesPath, 'utf8'));
    expect(code).toBe(0);
  });

  it('prints a table a person reads with --format text', async () => {
    const { code, out } = await run(['evaluate', '--format', 'text', samplesPath]);
    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^ID\s+METHOD\s+URL\s+VERDICT\s+REASON$/);
    const s026 = lines.find((l) => l.startsWith('s026'))!;
    expect(s026).toMatch(
      /PUT\s+http:\/\/127\.0\.0\.1:8102\/p\/s026\s+blocked\s+the preflight \(OPTIONS\) response/,
    );
    expect(out).toContain('66 calls:');
  });

  it('--format text on input with no exchange says so, and one call is "1 call"', async () => {
    const empty = await run(['evaluate', '--format', 'text', '-'], '\n\n');
    expect(empty).toMatchObject({ code: 0, out: 'No exchanges in the input.\n' });
    const one = readFileSync(samplesPath, 'utf8').split('\n')[0]!;
    const { code, out } = await run(['evaluate', '--format', 'text', '-'], one);
    expect(code).toBe(0);
    expect(out.endsWith('\n\n1 call: 1 allowed\n')).toBe(true);
  });

  it('a verdict that depends on the credentials mode names the failure of each reading', async () => {
    // A redirect to ftp: with "Access-Control-Allow-Origin: *": blocked either way, for two reasons.
    const line = JSON.stringify({
      id: 'r',
      initiator: 'https://a.example',
      request: { method: 'GET', url: 'https://b.example/x' },
      wire: [
        {
          type: 'request',
          request: { method: 'GET', url: 'https://b.example/x', headers: [['Origin', 'https://a.example']] },
          response: {
            status: 302,
            headers: [
              ['Location', 'ftp://c.example/f'],
              ['Access-Control-Allow-Origin', '*'],
            ],
          },
        },
      ],
    });
    const { out } = await run(['evaluate', '--format', 'text', '-'], line);
    expect(out.replace(/ +/g, ' ')).toContain(
      "r GET https://b.example/x blocked cross-origin requests need http: or https:. Depends on the credentials mode, not recorded: if the request did not include credentials (fetch's default), blocked (cross-origin requests need http: or https:); if the request included credentials (credentials: 'include', XHR's withCredentials), blocked (the request includes credentials (cookies), and the redirect response from https://b.example answers with Access-Control-Allow-Origin: *, which the browser refuses with credentials).\n",
    );
  });

  it('rejects unknown options and missing files with a clear message', async () => {
    expect((await run(['evaluate', '--colour'])).code).toBe(64);
    const missing = await run(['evaluate', '/nonexistent/x.jsonl']);
    expect(missing.code).toBe(66);
    expect(missing.err).toContain('cannot read /nonexistent/x.jsonl');
  });

  it('survives a closed pipe without a stack trace', () => {
    const r = spawnSync('bash', ['-c', `node bin/corscope.js evaluate ${samplesPath} | head -c 10`], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(r.stdout).toHaveLength(10);
    expect(r.stderr).not.toContain('EPIPE');
  });
});

describe('corscope evaluate: the browser recorded success where the headers would block', () => {
  const line = JSON.stringify({
    id: 's1',
    initiator: 'https://a.example',
    outcome: 'success',
    credentials: 'omit',
    request: { method: 'GET', url: 'https://b.example/x' },
    wire: [
      {
        type: 'request',
        request: { method: 'GET', url: 'https://b.example/x', headers: [] },
        response: { status: 200, headers: [['Access-Control-Allow-Origin', 'https://c.example']] },
      },
    ],
  });
  const why =
    'The browser recorded this call as successful (the page read the response), but the recorded headers would have blocked it (AllowOriginMismatch): the recording does not show everything the browser saw (a header webRequest or the HAR did not show, a response from the cache).';

  it('json: verdict cannot-tell with the reason, no error and no fix; exit 0', async () => {
    const { code, out } = await run(['evaluate', '-'], line);
    expect(code).toBe(0);
    const [v] = readJsonl<Record<string, unknown>>(out);
    expect(v).toMatchObject({
      id: 's1',
      verdict: 'cannot-tell',
      cannotTell: { reason: 'outcome-disagrees' },
      summary: `Cannot tell: ${why}`,
      error: null,
      reason: null,
      fixes: [],
    });
  });

  it('text: the verdict column says cannot-tell and the reason says why; nothing counted blocked', async () => {
    const { code, out } = await run(['evaluate', '-', '--format', 'text'], line);
    expect(code).toBe(0);
    expect(out).toContain(`cannot-tell  ${why}`);
    expect(out).not.toContain('blocked (');
    expect(out).toContain('1 cannot-tell');
    expect(out).not.toMatch(/\d+ blocked/);
  });
});

describe('corscope evaluate: an initiator that is not an origin', () => {
  const ex = (initiator: string) =>
    JSON.stringify({
      id: 'i',
      initiator,
      credentials: 'include',
      request: { method: 'GET', url: 'https://b.example/x' },
      wire: [
        {
          type: 'request',
          request: { method: 'GET', url: 'https://b.example/x', headers: [] },
          response: { status: 200, headers: [] },
        },
      ],
    });
  const MESSAGE =
    'initiator: must be the serialized origin of the page (scheme://host[:port], no path), or "null"';

  it('each is an input error naming the line; the others are still evaluated; exit 1', async () => {
    const bad = [
      '*',
      'https://a.example/path?q',
      'file:///etc/passwd',
      'about:blank',
      'https://a.example, https://evil.example',
      '',
    ];
    const good = [
      'https://a.example',
      'null',
      'http://127.0.0.1:8101',
      'HTTP://A.example:80',
      'http://[::1]:9000',
    ];
    const { code, out, err } = await run(['evaluate', '-'], [...bad, ...good].map(ex).join('\n'));
    expect(code).toBe(1);
    const rows = readJsonl<Record<string, unknown>>(out);
    expect(rows.slice(0, bad.length)).toEqual(
      bad.map((_, i) => ({ line: i + 1, id: 'i', error: MESSAGE, field: 'initiator' })),
    );
    expect(rows.slice(bad.length).map((r) => r.verdict)).toEqual(good.map(() => 'blocked'));
    expect(err).toContain('line 5');
    expect(out).not.toContain('evil.example"');
    expect(out).not.toContain('Access-Control-Allow-Origin: *');
  });
});
