// "Copy as corscope probe": the command for a stored call, and its quoting, checked by bash itself: the words
// bash reads are exactly the ones meant, and a value crafted to escape, pasted into an interactive bash with
// bracketed paste, runs nothing.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Evaluator } from '../../../src/cors';
import type { Exchange } from '../../../src/cors/types';
import type { StoredExchange } from '../../../src/store/row';
import { probeCommand } from '../../../src/ui/probe-command';
import { bashQuote } from '../../../src/ui/shell';
import { sampleRows } from './rows';

const rows = sampleRows();
const row = (id: string) => rows.find((r) => r.exchange.id === id) as StoredExchange;
const command = (id: string) => probeCommand(row(id).exchange, row(id).evaluation);

const dir = mkdtempSync(join(tmpdir(), 'corscope-shell-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The words bash reads from a command line that starts with "corscope": a function stands in for it. */
function wordsOf(line: string): Buffer[] {
  const out = join(dir, 'args');
  const script = `corscope() { printf '%s\\0' "$@" > ${out}; }\n${line}\n`;
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', script], { encoding: 'buffer' });
  expect(r.status, r.stderr.toString()).toBe(0);
  const bytes = readFileSync(out);
  const words: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++)
    if (bytes[i] === 0) {
      words.push(bytes.subarray(start, i));
      start = i + 1;
    }
  return words;
}

// A value a HAR can hold: a quote, ESC ending bracketed paste, Ctrl-O, a newline, command substitutions,
// history expansion, DEL, a C1 control and a letter outside ASCII.
const HOSTILE = `x'; touch ${dir}/p1; '\x1b[201~\x0f\n$(touch ${dir}/p2)\`touch ${dir}/p3\`!!\x7f\x85é`;

/** The bytes bash passes for a value: each escaped control as the byte it names, the rest as UTF-8. */
const bytesOf = (s: string) =>
  Buffer.concat(
    [...s].map((ch) => {
      const c = ch.codePointAt(0)!;
      return c >= 0x80 && c <= 0x9f ? Buffer.from([c]) : Buffer.from(ch, 'utf8');
    }),
  );

describe('bashQuote', () => {
  it('single-quotes what holds nothing special', () => {
    expect(bashQuote('http://a.test/x?y=$HOME&z=`id`')).toBe("'http://a.test/x?y=$HOME&z=`id`'");
  });

  it("uses $'...' with \\xHH escapes for control characters, quotes and !", () => {
    expect(bashQuote("a'b")).toBe("$'a\\'b'");
    expect(bashQuote('a\x1b[201~b\x0fc\x7fd\x85e!')).toBe("$'a\\x1b[201~b\\x0fc\\x7fd\\x85e\\x21'");
    expect(bashQuote('a\\b\nc\rd\te')).toBe("$'a\\\\b\\nc\\rd\\te'");
  });

  it('bash reads every quoted word back exactly', () => {
    const words = ['plain', "it's", HOSTILE, '', ' spaces ', '\\', '$(id)', 'ü\x01'];
    const got = wordsOf(`corscope ${words.map(bashQuote).join(' ')}`);
    expect(got).toEqual(words.map(bytesOf));
    for (const p of ['p1', 'p2', 'p3']) expect(existsSync(join(dir, p))).toBe(false);
  });

  it('a crafted value pasted into an interactive bash (bracketed paste, through a pty) runs nothing', async () => {
    const out = join(dir, 'pasted');
    const line = `corscope() { printf '%s\\0' "$@" > ${out}; }; corscope probe -H ${bashQuote(`X-Evil: ${HOSTILE}`)}`;
    // `script` (util-linux) gives bash a terminal; the input goes in as a paste, then Enter, then exit.
    const child = spawn('script', ['-qfc', 'bash --norc --noprofile -i', '/dev/null'], {
      env: { ...process.env, TERM: 'xterm', PS1: '$ ' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
    await wait(500);
    child.stdin.write("bind 'set enable-bracketed-paste on'\r");
    await wait(300);
    child.stdin.write(`\x1b[200~${line}\x1b[201~`);
    await wait(300);
    child.stdin.write('\r');
    await wait(800);
    child.stdin.write('exit\r');
    await new Promise((r) => child.once('exit', r));
    expect(readFileSync(out)).toEqual(
      Buffer.concat([Buffer.from('probe\0-H\0'), bytesOf(`X-Evil: ${HOSTILE}`), Buffer.from([0])]),
    );
    for (const p of ['p1', 'p2', 'p3']) expect(existsSync(join(dir, p))).toBe(false);
  });
});

describe('probeCommand', () => {
  it("a preflighted PUT with the headers its script set (the body's type included)", () => {
    expect(command('s026')).toBe(
      "corscope probe 'http://127.0.0.1:8102/p/s026' --origin 'http://127.0.0.1:8101' --method 'PUT' -H 'X-Custom: v1' -H 'Content-Type: text/plain;charset=UTF-8'",
    );
  });

  it('a GET with credentials, and an ordinary GET', () => {
    expect(command('s020')).toBe(
      "corscope probe 'http://127.0.0.1:8102/p/s020' --origin 'http://127.0.0.1:8101' --credentials include",
    );
    expect(command('s001')).toBe(
      "corscope probe 'http://127.0.0.1:8102/p/s001' --origin 'http://127.0.0.1:8101'",
    );
  });

  it('keeps a redacted value a placeholder, names Firefox, and quotes what a HAR put in', () => {
    const ex: Exchange = {
      id: 'h1',
      initiator: 'https://app.example',
      request: {
        method: 'DELETE',
        url: "https://api.example/x?q='1'",
        headers: [
          ['Authorization', '[redacted: 12 bytes]'],
          ['X-Evil', HOSTILE],
        ],
      },
      wire: [],
    };
    const v = new Evaluator({ engine: 'firefox' }).evaluate(ex);
    const cmd = probeCommand(ex, v);
    expect(cmd).toContain("-H 'Authorization: <redacted>'");
    expect(cmd).toContain('--engine firefox');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: no control character may be in the command
    expect(cmd).not.toMatch(/[\x00-\x1f\x7f-\x9f]/);
    const words = wordsOf(cmd);
    expect(words.map(String).slice(0, 6)).toEqual([
      'probe',
      "https://api.example/x?q='1'",
      '--origin',
      'https://app.example',
      '--method',
      'DELETE',
    ]);
    expect(words[9]).toEqual(bytesOf(`X-Evil: ${HOSTILE}`));
  });
});
