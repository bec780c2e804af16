// What a HAR or a JSON Lines file carries never acts on the terminal: control characters come out as
// visible escapes, JSON output escapes what JSON.stringify leaves raw, and repeated error lines are capped.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { close, rawServer } from '../../e2e/harness/net';
import { run } from './run';

// Everything a terminal acts on but the line break: C0, DEL, C1 (an 8-bit CSI among them), bidi controls.
// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters.
const RAW_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

const CLEAR = '\x1b[2J\x1b[H';
const LINK = '\x1b]8;;http://evil.test/\x07click me\x1b]8;;\x07';
const hostileUrl = `http://api.test/\x9b31m\u202eexe.txt${CLEAR}${LINK}`;

const har = (entries: unknown[], extra: Record<string, unknown> = {}) =>
  JSON.stringify({ log: { version: '1.2', creator: { name: 'x', version: '1' }, entries }, ...extra });
const entry = (url: string) => ({
  startedDateTime: '2025-01-01T00:00:00.000Z',
  request: { method: 'GET', url, headers: [{ name: 'Origin', value: 'http://a.test' }] },
  response: { status: 200, headers: [] },
});

describe('corscope har: what a HAR sent stays text in the terminal', () => {
  it('the table shows control characters as escapes', async () => {
    const { out, code } = await run(['har', '-'], har([entry(hostileUrl)]));
    expect(code).toBe(2);
    expect(out).not.toMatch(RAW_CONTROL);
    expect(out).toContain('http://api.test/\\x9b31m\\u{202e}exe.txt\\x1b[2J\\x1b[H\\x1b]8;;http…');
  });

  it('error lines show them as escapes too', async () => {
    const { err } = await run(['har', '-'], JSON.stringify({ [`a${CLEAR}`]: 1, [LINK]: 2 }));
    expect(err).not.toMatch(RAW_CONTROL);
    expect(err).toContain(
      'top-level keys: a\\x1b[2J\\x1b[H, \\x1b]8;;http://evil.test/\\x07click me\\x1b]8;;\\x07',
    );
  });

  it('--format jsonl and json escape DEL, C1 and bidi controls, and read back the same', async () => {
    for (const format of ['jsonl', 'json']) {
      const { out } = await run(['har', '-', '--format', format], har([entry(hostileUrl)]));
      expect(out).not.toMatch(RAW_CONTROL);
      const parsed = format === 'jsonl' ? JSON.parse(out) : JSON.parse(out).calls[0];
      expect(parsed.url).toBe(hostileUrl);
    }
  });

  it('--format markdown keeps them visible', async () => {
    const { out } = await run(['har', '-', '--format', 'markdown'], har([entry(hostileUrl)]));
    expect(out).not.toMatch(RAW_CONTROL);
    expect(out).toContain('\\x1b[2J');
  });

  it('caps thousands of bad entries to a few lines of each kind and counts the rest', async () => {
    const bad = Array.from({ length: 5000 }, () => ({ startedDateTime: 'x' }));
    const { err, code } = await run(['har', '-'], har(bad));
    expect(code).toBe(1);
    const lines = err.trimEnd().split('\n');
    expect(lines.filter((l) => l.includes('startedDateTime: required'))).toHaveLength(10);
    expect(err).toContain('corscope har: 4,990 more "error: startedDateTime" errors not shown');
    expect(lines.length).toBeLessThan(20);
  });
});

describe('corscope evaluate: binary input', () => {
  it('2 MB of random bytes: a few error lines, the rest counted, nothing raw', async () => {
    // A fixed pseudo-random sequence (xorshift), so the input is the same every run.
    let x = 2463534242;
    const bytes = Buffer.alloc(2 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      bytes[i] = x & 0xff;
    }
    const { err, code } = await run(['evaluate', '-', '--format', 'text'], bytes.toString('latin1'));
    expect(code).toBe(1);
    expect(err).not.toMatch(RAW_CONTROL);
    const lines = err.trimEnd().split('\n');
    expect(lines.length).toBeLessThanOrEqual(11);
    expect(lines[lines.length - 1]).toMatch(/^corscope evaluate: [\d,]+ more "\(line\)" errors not shown$/);
    expect(err.length).toBeLessThan(4000);
  });
});

describe('corscope probe, check and scan --format json: what a server sent stays text', () => {
  // An 8-bit CSI (byte 0x9b) and a right-to-left override (U+202E, UTF-8 bytes e2 80 ae) in the
  // Access-Control-Allow-Origin a server sends; a header's bytes are read one character each (0x80 is C1).
  const response =
    'HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: http://evil.test\x9b31m\xe2\x80\xae\r\nContent-Length: 0\r\nConnection: close\r\n\r\n';
  let raw: { port: number; server: TcpServer };
  beforeAll(async () => {
    raw = await rawServer(response);
  });
  afterAll(() => close(raw.server));
  const base = () => `http://127.0.0.1:${raw.port}`;

  it('probe', async () => {
    const { out } = await run(['probe', `${base()}/x`, '--origin', 'http://a.test', '--format', 'json']);
    expect(out).not.toMatch(RAW_CONTROL);
    expect(out).toContain('"http://evil.test\\u009b31mâ\\u0080®"');
    expect(out.split('\n')).toHaveLength(2);
  });

  it('check', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'corscope-terminal-'));
    try {
      const file = join(dir, 'r.jsonl');
      writeFileSync(
        file,
        JSON.stringify({
          id: 'c1',
          initiator: 'http://a.test',
          credentials: 'same-origin',
          request: { method: 'GET', url: 'http://api.test/x', headers: [] },
          wire: [
            {
              type: 'request',
              request: { method: 'GET', url: 'http://api.test/x', headers: [['Origin', 'http://a.test']] },
              response: { status: 200, headers: [['Access-Control-Allow-Origin', 'http://a.test']] },
            },
          ],
        }),
      );
      const { out } = await run(['check', file, '--against', base(), '--format', 'json']);
      expect(out).not.toMatch(RAW_CONTROL);
      expect(out).toContain('"http://evil.test\\u009b31mâ\\u0080®"');
      expect(out.split('\n')).toHaveLength(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('scan', async () => {
    const { out } = await run([
      'scan',
      `${base()}/x`,
      '--origin',
      'http://a.test',
      '--rate',
      '1000',
      '--format',
      'json',
    ]);
    expect(out).not.toMatch(RAW_CONTROL);
    expect(out).toContain('"http://evil.test\\u009b31mâ\\u0080®"');
    expect(out.split('\n')).toHaveLength(2);
  });
});
